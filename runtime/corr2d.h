// corr2d: d2l 7.2's single-channel cross-correlation (no padding, stride 1).
#pragma once
#include "device.h"
#include "tensor.h"

namespace hnn {

// input [H, W], kernel [kh, kw] -> output [H - kh + 1, W - kw + 1]
Shape corr2d_output_shape(const Shape &input, const Shape &kernel);
void corr2d_forward(Tensor &output, const Tensor &input, const Tensor &kernel, Device device);
Tensor corr2d_forward(const Tensor &input, const Tensor &kernel, Device device = Device::cpu);

// Gradients of corr2d; each non-null one is written (d_input = nullptr skips its kernel).
// d_output [H - kh + 1, W - kw + 1], input [H, W], kernel [kh, kw] -> d_input [H, W], d_kernel [kh, kw]
void corr2d_backward(Tensor *d_input, Tensor *d_kernel, const Tensor &d_output, const Tensor &input,
                     const Tensor &kernel, Device device);

}  // namespace hnn
