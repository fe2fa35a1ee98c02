// Naive reference for softmax_cross_entropy and mse (forward and backward), and its named tolerances.
#pragma once
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {
}  // namespace hnn::reference
