// The one naive reference per op: plain loops, double accumulation, and each op's named
// tolerances beside it. Shared by every test and by `hnn bench kernels`' correctness check.
// Shapes as in runtime/ops.h.
#pragma once
#include "reference/activation.h"
#include "reference/conv2d.h"
#include "reference/corr2d.h"
#include "reference/dense.h"
#include "reference/dropout.h"
#include "reference/loss.h"
#include "reference/pool2d.h"
#include "reference/optim.h"
