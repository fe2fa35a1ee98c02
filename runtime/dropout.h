// Dropout, PyTorch's nn.Dropout in training mode: each element is zeroed with probability p
// and the rest are scaled by 1 / (1 - p). The mask is a hash of (seed, element index), drawn
// again by the backward pass instead of being stored, the same on the CPU and on CUDA. In
// evaluation mode a model skips the kernel's randomness by running it with p = 0.
#pragma once
#include <cstdint>

#include "device.h"
#include "tensor.h"

namespace hnn {

// input [any] -> output [same]: y = x * keep(seed, i) / (1 - p); 0 <= p <= 1 (p = 1 gives zeros).
void dropout_forward(Tensor &output, const Tensor &input, float p, uint32_t seed, Device device);
Tensor dropout_forward(const Tensor &input, float p, uint32_t seed, Device device = Device::cpu);

// d_output [any] -> d_input [same] = d_output * keep(seed, i) / (1 - p), with the forward's p
// and seed; a null d_input runs nothing.
void dropout_backward(Tensor *d_input, const Tensor &d_output, float p, uint32_t seed, Device device);
Tensor dropout_backward(const Tensor &d_output, float p, uint32_t seed, Device device = Device::cpu);

}  // namespace hnn
