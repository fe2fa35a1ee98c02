// The CPU kernels' parallel loops. Every generated CPU kernel runs its parallel loops through
// halide_do_par_for; hnn installs its own (halide_set_custom_do_par_for) in place of Halide's
// default pool. Its workers spin for a while after each loop instead of going to sleep at
// once, because a LeNet step runs ~60 small parallel loops back to back (~30 kernels, ~100 us
// each): waking a sleeping worker for each one, and the per-iteration lock of Halide's pool,
// cost ~25% of a step on 2 cores. Iterations are handed out from both ends of the range: the
// calling thread takes them from the front, the workers from the back, so that kernel after
// kernel each core works on the same end of the batch and reads what it wrote from its own L2
// (LeNet, steps alternating between this and one shared counter: forward and backward
// 0.95x-0.96x). A parallel loop nested inside another, or started by a second host thread
// while one runs, runs serially in its caller (the results are the same: iterations write
// disjoint outputs).
#pragma once

namespace hnn {

// Threads the CPU kernels use, the calling thread included (hnn::Error unless >= 1). The
// default is $HL_NUM_THREADS, else the number of cores.
void set_cpu_threads(int threads);
int cpu_threads();

}  // namespace hnn
