// Naive reference for relu, sigmoid, tanh (forward and backward), and its named tolerances.
#pragma once
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {
}  // namespace hnn::reference
