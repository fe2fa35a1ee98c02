// Ops: validate shapes, allocate the result, run the generated kernel for the device.
// Every error names the shapes involved. Results are on the host when an op returns.
#pragma once
#include "device.h"
#include "tensor.h"

namespace hnn {

// input [H, W], kernel [kh, kw] -> [H - kh + 1, W - kw + 1]   (d2l 7.2 corr2d)
Tensor corr2d_forward(const Tensor &input, const Tensor &kernel, Device device = Device::cpu);

}  // namespace hnn
