#include "activation.h"

#include "error.h"
#include "kernels.h"
#include "relu_backward_cpu.h"
#include "relu_backward_cuda.h"
#include "relu_forward_cpu.h"
#include "relu_forward_cuda.h"
#include "sigmoid_backward_cpu.h"
#include "sigmoid_backward_cuda.h"
#include "sigmoid_forward_cpu.h"
#include "sigmoid_forward_cuda.h"
#include "tanh_backward_cpu.h"
#include "tanh_backward_cuda.h"
#include "tanh_forward_cpu.h"
#include "tanh_forward_cuda.h"

namespace hnn {

Activation parse_activation(const std::string &name) {
    if (name == "none") return Activation::none;
    if (name == "relu") return Activation::relu;
    if (name == "sigmoid") return Activation::sigmoid;
    if (name == "tanh") return Activation::tanh;
    throw Error("unknown activation '" + name + "': expected none, relu, sigmoid or tanh");
}

const char *activation_name(Activation activation) {
    switch (activation) {
        case Activation::none: return "none";
        case Activation::relu: return "relu";
        case Activation::sigmoid: return "sigmoid";
        case Activation::tanh: return "tanh";
    }
    return "?";
}

namespace {

using ForwardKernel = int (*)(halide_buffer_t *input, halide_buffer_t *output);
using BackwardKernel = int (*)(halide_buffer_t *d_output, halide_buffer_t *output, halide_buffer_t *d_input);

struct ActivationKernels {
    ForwardKernel relu_forward, sigmoid_forward, tanh_forward;
    BackwardKernel relu_backward, sigmoid_backward, tanh_backward;
};
const ActivationKernels cpu_kernels{relu_forward_cpu,  sigmoid_forward_cpu,  tanh_forward_cpu,
                                    relu_backward_cpu, sigmoid_backward_cpu, tanh_backward_cpu};
const ActivationKernels cuda_kernels{relu_forward_cuda,  sigmoid_forward_cuda,  tanh_forward_cuda,
                                     relu_backward_cuda, sigmoid_backward_cuda, tanh_backward_cuda};

const ActivationKernels &kernels_for(Device device) { return for_device(device, cpu_kernels, cuda_kernels); }

void require_standalone(Activation activation) {
    if (activation == Activation::none) {
        throw Error("activation 'none' has no standalone kernel: expected relu, sigmoid or tanh");
    }
}

void require_same_shape(const Tensor &a, const char *a_name, const Tensor &b, const char *b_name) {
    if (a.shape() != b.shape()) {
        throw Error(std::string(a_name) + " is " + shape_string(a.shape()) + " but " + b_name + " is " +
                    shape_string(b.shape()));
    }
}

void require_not_aliased(const Tensor &result, const Tensor &operand, const char *what) {
    if (result.data() == operand.data()) {
        throw Error(std::string(what) + ": the result must not share memory with an operand (no in-place)");
    }
}

}  // namespace

void activation_forward(Tensor &output, const Tensor &input, Activation activation, Device device) {
    require_standalone(activation);
    const std::string op = std::string(activation_name(activation)) + "_forward";
    require_same_shape(output, (op + ": output").c_str(), input, "input");
    require_not_aliased(output, input, op.c_str());
    const ActivationKernels &k = kernels_for(device);
    const ForwardKernel kernel = activation == Activation::relu    ? k.relu_forward
                                 : activation == Activation::sigmoid ? k.sigmoid_forward
                                                                     : k.tanh_forward;
    DenseView in(input.raw()), out(output.raw());
    check_kernel(kernel(in.raw(), out.raw()), op.c_str());
}

Tensor activation_forward(const Tensor &input, Activation activation, Device device) {
    Tensor output(input.shape());
    activation_forward(output, input, activation, device);
    output.sync_to_host();
    return output;
}

void activation_backward(Tensor *d_input, const Tensor &d_output, const Tensor &output, Activation activation,
                         Device device) {
    require_standalone(activation);
    const std::string op = std::string(activation_name(activation)) + "_backward";
    require_same_shape(d_output, (op + ": d_output").c_str(), output, "output");
    if (!d_input) return;
    require_same_shape(*d_input, (op + ": d_input").c_str(), output, "output");
    require_not_aliased(*d_input, d_output, op.c_str());
    require_not_aliased(*d_input, output, op.c_str());
    const ActivationKernels &k = kernels_for(device);
    const BackwardKernel kernel = activation == Activation::relu    ? k.relu_backward
                                  : activation == Activation::sigmoid ? k.sigmoid_backward
                                                                      : k.tanh_backward;
    DenseView d_out(d_output.raw()), y(output.raw()), d_in(d_input->raw());
    check_kernel(kernel(d_out.raw(), y.raw(), d_in.raw()), op.c_str());
}

Tensor activation_backward(const Tensor &d_output, const Tensor &output, Activation activation, Device device) {
    Tensor d_input(output.shape());
    activation_backward(&d_input, d_output, output, activation, device);
    d_input.sync_to_host();
    return d_input;
}

}  // namespace hnn
