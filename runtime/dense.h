// dense: PyTorch's Linear, y = act(x W^T + b), with an optional fused relu or sigmoid.
#pragma once
#include "activation.h"
#include "device.h"
#include "tensor.h"

namespace hnn {

// input [N, in] or [N, C, H, W] (flattened to [N, C*H*W]), weight [out, in] -> [N, out]
Shape dense_output_shape(const Shape &input, const Shape &weight);

// input [N, in] (or [N, C, H, W]), weight [out, in], bias [out] or null -> output [N, out].
// activation: none, relu or sigmoid (tanh is not fused: apply it as its own op).
void dense_forward(Tensor &output, const Tensor &input, const Tensor &weight, const Tensor *bias,
                   Activation activation, Device device);
Tensor dense_forward(const Tensor &input, const Tensor &weight, const Tensor *bias,
                     Activation activation = Activation::none, Device device = Device::cpu);

// d_output [N, out], input [N, in] (or 4-D), weight [out, in], output [N, out] (the forward's
// result, from which act' is taken) -> d_input (shape of input), d_weight [out, in], d_bias [out];
// each may be null (not computed). Gradients are overwritten. With a fused activation, d_z =
// d_output * act'(output) goes to `workspace` (at least N * out elements, on `device`), or to
// memory allocated here when it is null; a training step passes one so it allocates nothing.
void dense_backward(Tensor *d_input, Tensor *d_weight, Tensor *d_bias, const Tensor &d_output, const Tensor &input,
                    const Tensor &weight, const Tensor &output, Activation activation, Device device,
                    Tensor *workspace = nullptr);

}  // namespace hnn
