// Activations: the kind shared by fused kernels (conv2d, dense) and the standalone ops.
#pragma once
#include <string>

#include "device.h"
#include "tensor.h"

namespace hnn {

enum class Activation { none, relu, sigmoid, tanh };

Activation parse_activation(const std::string &name);  // none|relu|sigmoid|tanh, else hnn::Error
const char *activation_name(Activation activation);

}  // namespace hnn
