#include "dense.h"

#include "dense_backward_bias_cpu.h"
#include "dense_backward_bias_cuda.h"
#include "dense_backward_input_cpu.h"
#include "dense_backward_input_cuda.h"
#include "dense_backward_weight_cpu.h"
#include "dense_backward_weight_cuda.h"
#include "dense_forward_cpu.h"
#include "dense_forward_cuda.h"
#include "dense_relu_backward_z_cpu.h"
#include "dense_relu_backward_z_cuda.h"
#include "dense_relu_forward_cpu.h"
#include "dense_relu_forward_cuda.h"
#include "dense_sigmoid_backward_z_cpu.h"
#include "dense_sigmoid_backward_z_cuda.h"
#include "dense_sigmoid_forward_cpu.h"
#include "dense_sigmoid_forward_cuda.h"
#include "error.h"
#include "kernels.h"

namespace hnn {

namespace {

using Forward = int (*)(halide_buffer_t *input, halide_buffer_t *weight, halide_buffer_t *bias, halide_buffer_t *output);
using BackwardZ = int (*)(halide_buffer_t *d_output, halide_buffer_t *output, halide_buffer_t *d_z);
using Gemm = int (*)(halide_buffer_t *a, halide_buffer_t *b, halide_buffer_t *out);

struct DenseKernels {
    Forward forward, relu_forward, sigmoid_forward;
    BackwardZ relu_backward_z, sigmoid_backward_z;
    Gemm backward_input, backward_weight;
    int (*backward_bias)(halide_buffer_t *d_z, halide_buffer_t *d_bias);
};
const DenseKernels cpu_kernels{dense_forward_cpu,         dense_relu_forward_cpu,     dense_sigmoid_forward_cpu,
                               dense_relu_backward_z_cpu, dense_sigmoid_backward_z_cpu, dense_backward_input_cpu,
                               dense_backward_weight_cpu, dense_backward_bias_cpu};
const DenseKernels cuda_kernels{dense_forward_cuda,         dense_relu_forward_cuda,      dense_sigmoid_forward_cuda,
                                dense_relu_backward_z_cuda, dense_sigmoid_backward_z_cuda, dense_backward_input_cuda,
                                dense_backward_weight_cuda, dense_backward_bias_cuda};

const DenseKernels &kernels_for(Device device) { return for_device(device, cpu_kernels, cuda_kernels); }

void check_activation(Activation activation) {
    if (activation == Activation::tanh) {
        throw Error("dense: tanh is not fused into dense; use activation none and apply tanh as its own op");
    }
}

// The input as [N, features]: itself when 2-D, else a flattening view kept in `view` (host data:
// a device result is copied back first; values never change).
const Tensor &flat_input(const Tensor &input, Tensor &view) {
    if (input.rank() == 2) return input;
    const_cast<Tensor &>(input).sync_to_host();
    view = input.reshaped({input.dim(0), static_cast<int>(input.numel() / input.dim(0))});
    return view;
}

}  // namespace

Shape dense_output_shape(const Shape &input, const Shape &weight) {
    if (input.size() != 2 && input.size() != 4) {
        throw Error("dense: input must be [N, in] or [N, C, H, W], got " + shape_string(input));
    }
    if (weight.size() != 2) throw Error("dense: weight must be 2-D [out, in], got " + shape_string(weight));
    int64_t features = 1;
    for (size_t d = 1; d < input.size(); ++d) features *= input[d];
    if (weight[1] != features) {
        throw Error("dense: weight " + shape_string(weight) + " has " + std::to_string(weight[1]) +
                    " input features but input " + shape_string(input) + " has " + std::to_string(features));
    }
    return {input[0], weight[0]};
}

void dense_forward(Tensor &output, const Tensor &input, const Tensor &weight, const Tensor *bias,
                   Activation activation, Device device) {
    check_activation(activation);
    const Shape shape = dense_output_shape(input.shape(), weight.shape());
    if (bias && bias->shape() != Shape{weight.dim(0)}) {
        throw Error("dense: bias " + shape_string(bias->shape()) + " does not match weight " +
                    shape_string(weight.shape()) + " (expected (" + std::to_string(weight.dim(0)) + ",))");
    }
    if (output.shape() != shape) {
        throw Error("dense: output is " + shape_string(output.shape()) + ", expected " + shape_string(shape));
    }
    const DenseKernels &k = kernels_for(device);
    const Forward forward = activation == Activation::relu      ? k.relu_forward
                            : activation == Activation::sigmoid ? k.sigmoid_forward
                                                                : k.forward;
    const Tensor zeros = bias ? Tensor() : Tensor(Shape{weight.dim(0)});
    Tensor view;
    const Tensor &flat = flat_input(input, view);
    check_kernel(forward(flat.raw(), weight.raw(), (bias ? *bias : zeros).raw(), output.raw()), "dense_forward");
}

Tensor dense_forward(const Tensor &input, const Tensor &weight, const Tensor *bias, Activation activation,
                     Device device) {
    Tensor output(dense_output_shape(input.shape(), weight.shape()));
    dense_forward(output, input, weight, bias, activation, device);
    output.sync_to_host();
    return output;
}

void dense_backward(Tensor *d_input, Tensor *d_weight, Tensor *d_bias, const Tensor &d_output, const Tensor &input,
                    const Tensor &weight, const Tensor &output, Activation activation, Device device,
                    Tensor *workspace) {
    check_activation(activation);
    const Shape shape = dense_output_shape(input.shape(), weight.shape());
    if (d_output.shape() != shape) {
        throw Error("dense: d_output is " + shape_string(d_output.shape()) + ", expected " + shape_string(shape) +
                    " for input " + shape_string(input.shape()) + " and weight " + shape_string(weight.shape()));
    }
    if (output.shape() != shape) {
        throw Error("dense: output is " + shape_string(output.shape()) + ", expected " + shape_string(shape));
    }
    if (d_input && d_input->shape() != input.shape()) {
        throw Error("dense: d_input is " + shape_string(d_input->shape()) + ", expected " + shape_string(input.shape()));
    }
    if (d_weight && d_weight->shape() != weight.shape()) {
        throw Error("dense: d_weight is " + shape_string(d_weight->shape()) + ", expected " +
                    shape_string(weight.shape()));
    }
    if (d_bias && d_bias->shape() != Shape{weight.dim(0)}) {
        throw Error("dense: d_bias is " + shape_string(d_bias->shape()) + ", expected (" +
                    std::to_string(weight.dim(0)) + ",)");
    }
    const DenseKernels &k = kernels_for(device);
    // d_z = d_output * act'(z), once for all three gradients; d_output itself without activation.
    Tensor d_z_storage;
    if (activation != Activation::none) {
        const int64_t needed = int64_t(shape[0]) * shape[1];
        d_z_storage = workspace && workspace->numel() >= needed ? workspace->view(0, shape) : Tensor(shape);
        const BackwardZ backward_z = activation == Activation::relu ? k.relu_backward_z : k.sigmoid_backward_z;
        check_kernel(backward_z(d_output.raw(), output.raw(), d_z_storage.raw()), "dense_backward_z");
    }
    const Tensor &d_z = activation != Activation::none ? d_z_storage : d_output;
    if (d_input) {
        if (d_input->rank() == 2) {
            check_kernel(k.backward_input(d_z.raw(), weight.raw(), d_input->raw()), "dense_backward_input");
        } else {
            // Written through a flat view of d_input's host memory, then copied back to it.
            d_input->sync_to_host();
            Tensor flat = d_input->reshaped({shape[0], weight.dim(1)});
            check_kernel(k.backward_input(d_z.raw(), weight.raw(), flat.raw()), "dense_backward_input");
            flat.sync_to_host();
            d_input->buffer().set_host_dirty();  // any device copy of d_input is stale now
        }
    }
    if (d_weight) {
        Tensor view;
        const Tensor &flat = flat_input(input, view);
        check_kernel(k.backward_weight(d_z.raw(), flat.raw(), d_weight->raw()), "dense_backward_weight");
    }
    if (d_bias) check_kernel(k.backward_bias(d_z.raw(), d_bias->raw()), "dense_backward_bias");
}

}  // namespace hnn
