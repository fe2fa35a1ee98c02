// Naive reference for pool2d (max, average) (forward and backward), and its named tolerances.
#pragma once
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {
}  // namespace hnn::reference
