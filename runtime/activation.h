// Activations: the kind shared by fused kernels (conv2d, dense) and the standalone ops.
#pragma once
#include <string>

#include "device.h"
#include "tensor.h"

namespace hnn {

enum class Activation { none, relu, sigmoid, tanh };

Activation parse_activation(const std::string &name);  // none|relu|sigmoid|tanh, else hnn::Error
const char *activation_name(Activation activation);

// The standalone ops, elementwise on any shape (relu, sigmoid or tanh; none is an error).
// The output must not be the input's memory (no in-place).
// input [any] -> output [same]: y = activation(x)
void activation_forward(Tensor &output, const Tensor &input, Activation activation, Device device);
Tensor activation_forward(const Tensor &input, Activation activation, Device device = Device::cpu);

// d_output, output y (the forward's result) [any, same] -> d_input [same] = d_output * f'(y)
// with relu' = (y > 0), sigmoid' = y (1 - y), tanh' = 1 - y^2; a null d_input runs nothing.
void activation_backward(Tensor *d_input, const Tensor &d_output, const Tensor &output, Activation activation,
                         Device device);
Tensor activation_backward(const Tensor &d_output, const Tensor &output, Activation activation,
                           Device device = Device::cpu);

}  // namespace hnn
