// The machine's measured FP32 FMA peak, the denominator of every "% of peak".
#pragma once

namespace hnn::bench {

// GFLOP/s of independent FMA chains in the widest vectors the CPU has, on `threads` threads.
double measure_fma_peak_gflops(int threads);

}  // namespace hnn::bench
