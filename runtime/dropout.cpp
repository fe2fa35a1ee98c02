#include "dropout.h"

#include <cmath>
#include <string>

#include "dropout_cpu.h"
#include "dropout_cuda.h"
#include "error.h"
#include "kernels.h"

namespace hnn {

namespace {

using Kernel = int (*)(halide_buffer_t *input, uint32_t seed, float p, halide_buffer_t *output);
struct DropoutKernels {
    Kernel dropout;  // forward and backward are the same mask-and-scale
};
const DropoutKernels cpu_kernels{dropout_cpu};
const DropoutKernels cuda_kernels{dropout_cuda};

void run(Tensor &result, const Tensor &operand, float p, uint32_t seed, Device device, const char *op,
         const char *result_name, const char *operand_name) {
    if (!(p >= 0.0f && p <= 1.0f)) throw Error(std::string(op) + ": p must be in [0, 1], got " + std::to_string(p));
    if (result.shape() != operand.shape()) {
        throw Error(std::string(op) + ": " + result_name + " is " + shape_string(result.shape()) + " but " + operand_name +
                    " is " + shape_string(operand.shape()));
    }
    if (result.data() == operand.data()) {
        throw Error(std::string(op) + ": the result must not share memory with an operand (no in-place)");
    }
    const DropoutKernels &k = for_device(device, cpu_kernels, cuda_kernels);
    DenseView in(operand.raw()), out(result.raw());
    check_kernel(k.dropout(in.raw(), seed, p, out.raw()), op);
}

}  // namespace

void dropout_forward(Tensor &output, const Tensor &input, float p, uint32_t seed, Device device) {
    run(output, input, p, seed, device, "dropout_forward", "output", "input");
}

Tensor dropout_forward(const Tensor &input, float p, uint32_t seed, Device device) {
    Tensor output(input.shape());
    dropout_forward(output, input, p, seed, device);
    output.sync_to_host();
    return output;
}

void dropout_backward(Tensor *d_input, const Tensor &d_output, float p, uint32_t seed, Device device) {
    if (!d_input) return;
    run(*d_input, d_output, p, seed, device, "dropout_backward", "d_input", "d_output");
}

Tensor dropout_backward(const Tensor &d_output, float p, uint32_t seed, Device device) {
    Tensor d_input(d_output.shape());
    dropout_backward(&d_input, d_output, p, seed, device);
    d_input.sync_to_host();
    return d_input;
}

}  // namespace hnn
