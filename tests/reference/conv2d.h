// Naive reference for conv2d and conv1x1 (forward and backward), and its named tolerances.
#pragma once
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {
}  // namespace hnn::reference
