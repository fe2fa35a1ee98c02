// The kernel table: every generated entry point, per op and device. Generated functions take
// halide_buffer_t* in the generator's order (inputs, then outputs) and return 0 on success.
#pragma once
#include <string>

#include "device.h"

// Generated headers (build/generators/<kernel>_<device>.h).
#include "corr2d_forward_cpu.h"
#include "corr2d_forward_cuda.h"
#include "probe_variant_cpu.h"

namespace hnn {

// Turns a generated kernel's non-zero return into hnn::Error carrying Halide's own message.
void check_kernel(int status, const char *kernel);

using Corr2dKernel = int (*)(halide_buffer_t *input, halide_buffer_t *kernel, halide_buffer_t *output);

struct KernelTable {
    Corr2dKernel corr2d_forward;
};

// The table of one device's kernels.
const KernelTable &kernels(Device device);

}  // namespace hnn
