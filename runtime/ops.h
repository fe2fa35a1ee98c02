// Every op family's public header. Conventions, followed by every family:
// - Shapes are PyTorch's (NCHW); each entry point states its shapes in one comment line.
// - `void <op>_forward(Tensor &output, inputs..., params, Device)` validates every shape
//   (errors name both shapes) and writes into a preallocated output; results stay where the
//   kernel put them (call sync_to_host() before reading after a CUDA run).
//   `Tensor <op>_forward(inputs..., params, Device)` allocates and returns host data.
// - Backward: `<op>_backward(d_input*, d_weight*, d_bias*, ..., d_output, saved forward
//   tensors, params, Device)`. Gradients are WRITTEN (overwritten), never accumulated; a null
//   gradient pointer means "not needed" and its kernel is not run (the first layer passes
//   d_input = nullptr).
#pragma once
#include "activation.h"
#include "conv2d.h"
#include "corr2d.h"
#include "dense.h"
#include "dropout.h"
#include "gather.h"
#include "loss.h"
#include "pool2d.h"
