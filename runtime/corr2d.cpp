#include "corr2d.h"

#include "corr2d_backward_input_cpu.h"
#include "corr2d_backward_input_cuda.h"
#include "corr2d_backward_kernel_cpu.h"
#include "corr2d_backward_kernel_cuda.h"
#include "corr2d_forward_cpu.h"
#include "corr2d_forward_cuda.h"
#include "error.h"
#include "kernels.h"

namespace hnn {

namespace {

struct Corr2dKernels {
    int (*forward)(halide_buffer_t *input, halide_buffer_t *kernel, halide_buffer_t *output);
    int (*backward_input)(halide_buffer_t *d_output, halide_buffer_t *kernel, halide_buffer_t *d_input);
    int (*backward_kernel)(halide_buffer_t *d_output, halide_buffer_t *input, halide_buffer_t *d_kernel);
};
const Corr2dKernels cpu_kernels{corr2d_forward_cpu, corr2d_backward_input_cpu, corr2d_backward_kernel_cpu};
const Corr2dKernels cuda_kernels{corr2d_forward_cuda, corr2d_backward_input_cuda, corr2d_backward_kernel_cuda};

const Corr2dKernels &kernels_for(Device device) { return for_device(device, cpu_kernels, cuda_kernels); }

}  // namespace

Shape corr2d_output_shape(const Shape &input, const Shape &kernel) {
    if (input.size() != 2) throw Error("corr2d: input must be 2-D [H, W], got " + shape_string(input));
    if (kernel.size() != 2) throw Error("corr2d: kernel must be 2-D [kh, kw], got " + shape_string(kernel));
    if (kernel[0] > input[0] || kernel[1] > input[1]) {
        throw Error("corr2d: kernel " + shape_string(kernel) + " is larger than input " + shape_string(input));
    }
    return {input[0] - kernel[0] + 1, input[1] - kernel[1] + 1};
}

void corr2d_forward(Tensor &output, const Tensor &input, const Tensor &kernel, Device device) {
    const Shape shape = corr2d_output_shape(input.shape(), kernel.shape());
    if (output.shape() != shape) {
        throw Error("corr2d: output is " + shape_string(output.shape()) + ", expected " + shape_string(shape));
    }
    check_kernel(kernels_for(device).forward(input.raw(), kernel.raw(), output.raw()), "corr2d_forward");
}

Tensor corr2d_forward(const Tensor &input, const Tensor &kernel, Device device) {
    Tensor output(corr2d_output_shape(input.shape(), kernel.shape()));
    corr2d_forward(output, input, kernel, device);
    output.sync_to_host();
    return output;
}

void corr2d_backward(Tensor *d_input, Tensor *d_kernel, const Tensor &d_output, const Tensor &input,
                     const Tensor &kernel, Device device) {
    const Shape shape = corr2d_output_shape(input.shape(), kernel.shape());
    if (d_output.shape() != shape) {
        throw Error("corr2d: d_output is " + shape_string(d_output.shape()) + ", expected " + shape_string(shape));
    }
    if (d_input && d_input->shape() != input.shape()) {
        throw Error("corr2d: d_input is " + shape_string(d_input->shape()) + ", expected " + shape_string(input.shape()));
    }
    if (d_kernel && d_kernel->shape() != kernel.shape()) {
        throw Error("corr2d: d_kernel is " + shape_string(d_kernel->shape()) + ", expected " + shape_string(kernel.shape()));
    }
    const Corr2dKernels &k = kernels_for(device);
    if (d_input) check_kernel(k.backward_input(d_output.raw(), kernel.raw(), d_input->raw()), "corr2d_backward_input");
    if (d_kernel) check_kernel(k.backward_kernel(d_output.raw(), input.raw(), d_kernel->raw()), "corr2d_backward_kernel");
}

}  // namespace hnn
