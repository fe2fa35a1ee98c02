// pool2d: d2l 7.5's max and average pooling (PyTorch's MaxPool2d and AvgPool2d with
// count_include_pad=True, ceil_mode=False), NCHW float32.
#pragma once
#include <array>
#include <string>

#include "activation.h"
#include "device.h"
#include "tensor.h"

namespace hnn {

enum class PoolMode { max, average };

PoolMode parse_pool_mode(const std::string &name);  // max|avg, else hnn::Error
const char *pool_mode_name(PoolMode mode);          // "max" | "avg"

// Window, stride and padding in PyTorch's (h, w) order. A zero stride means "the window"
// (PyTorch's default); padding must be at most half the window.
struct Pool2dParams {
    PoolMode mode = PoolMode::max;
    std::array<int, 2> window{2, 2};
    std::array<int, 2> stride{0, 0};
    std::array<int, 2> padding{0, 0};
};

// An average pool of 2x2 windows at stride 2 without padding (LeNet's AvgPool2d(2)).
bool is_avg_pool_2x2(const Pool2dParams &params);

// input [N, C, H, W] -> [N, C, (H + 2ph - kh) / sh + 1, (W + 2pw - kw) / sw + 1]
Shape pool2d_output_shape(const Shape &input, const Pool2dParams &params);
void pool2d_forward(Tensor &output, const Tensor &input, const Pool2dParams &params, Device device);
Tensor pool2d_forward(const Tensor &input, const Pool2dParams &params, Device device = Device::cpu);

// d_output [N, C, OH, OW], input [N, C, H, W] (the forward's input) -> d_input [N, C, H, W];
// written, never accumulated; a null d_input runs nothing.
void pool2d_backward(Tensor *d_input, const Tensor &d_output, const Tensor &input, const Pool2dParams &params,
                     Device device);
Tensor pool2d_backward(const Tensor &d_output, const Tensor &input, const Pool2dParams &params,
                       Device device = Device::cpu);

// The pool's backward times the slope of the activation fused into the conv whose output y =
// act(z) the pool read (Sequential: conv + sigmoid/relu + pool), in one pass: d_z =
// pool2d_backward(d_output) * act'(y), so the conv's backward reads d_z alone. Returns false
// and writes nothing where no fused kernel applies (only 2x2 windows of stride 2 on host
// memory have one, and only relu and sigmoid); the caller then runs the two steps apart.
// d_output [N, C, OH, OW], input y [N, C, H, W] -> d_z [N, C, H, W]
bool pool2d_backward_activation(Tensor &d_z, const Tensor &d_output, const Tensor &input, const Pool2dParams &params,
                                Activation activation, Device device);

}  // namespace hnn
