// conv2d: d2l 7.3/7.4's convolution layer (PyTorch's Conv2d, NCHW, zero padding, stride) with
// a fused activation, and conv1x1 (7.4.3): the 1x1 convolution as a matrix product.
#pragma once
#include "activation.h"
#include "device.h"
#include "tensor.h"

namespace hnn {

// Stride and zero padding per axis (PyTorch's order: height, width), and the fused activation
// (none, relu or sigmoid; tanh is not fused).
struct Conv2dParams {
    int stride_h = 1, stride_w = 1;
    int padding_h = 0, padding_w = 0;
    Activation activation = Activation::none;
};

// input [N, Ci, H, W], weight [Co, Ci, kh, kw] -> [N, Co, (H + 2ph - kh) / sh + 1, (W + 2pw - kw) / sw + 1]
Shape conv2d_output_shape(const Shape &input, const Shape &weight, const Conv2dParams &params);

// output = act(conv(input, weight) + bias); bias [Co] or nullptr (no bias).
// input [N, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co] -> output [N, Co, OH, OW]
void conv2d_forward(Tensor &output, const Tensor &input, const Tensor &weight, const Tensor *bias,
                    const Conv2dParams &params, Device device);
Tensor conv2d_forward(const Tensor &input, const Tensor &weight, const Tensor *bias, const Conv2dParams &params = {},
                      Device device = Device::cpu);

// Gradients through the fused activation, from the forward's output (y = act(z)) and d_output.
// Each non-null gradient is written; d_input = nullptr skips its kernel (a first layer).
// d_output, output [N, Co, OH, OW], input [N, Ci, H, W], weight [Co, Ci, kh, kw]
//   -> d_input [N, Ci, H, W], d_weight [Co, Ci, kh, kw], d_bias [Co]
void conv2d_backward(Tensor *d_input, Tensor *d_weight, Tensor *d_bias, const Tensor &d_output, const Tensor &input,
                     const Tensor &weight, const Tensor &output, const Conv2dParams &params, Device device);

// The backward of a conv followed by a 2x2 stride-2 average pool (is_avg_pool_2x2), from the
// pool's d_output. The kernels apply the pool's gradient and the activation's slope
// themselves, so the conv's d_z is never written (the pool's backward and a round trip of d_z
// through memory), and d_bias is summed from the d_z they already hold. Two CPU paths:
// - no d_input (a first layer, LeNet's c1): fewer than 16 output channels or a kernel other
//   than 5x5, outputs at least 16 wide;
// - with d_input (LeNet's c2): 16 or more output channels with a 5x5 kernel, outputs at least 8
//   wide, and d_input as conv2d_backward's batch-lane kernel takes it (stride 1, 6-15 input
//   channels 8-16 wide, a batch of at least 16).
// Both need even output sizes. Returns false, writing nothing, where neither applies (or on
// CUDA); the caller then runs pool2d_backward and conv2d_backward.
// d_pooled [N, Co, OH / 2, OW / 2], output [N, Co, OH, OW], input, weight as conv2d_backward
// channels_last: `output` holds the conv's output stored channels-last, as
// conv2d_avg_pool_channels_last_forward wrote it (throws where conv2d_channels_last_pooled is
// false); d_z, [N, Co, OH, OW] or nullptr (then allocated), receives the conv's d_z stored
// channels-last on the way from the d_input kernel to the d_weight kernel.
bool conv2d_backward_avg_pooled(Tensor *d_input, Tensor &d_weight, Tensor &d_bias, const Tensor &d_pooled, const Tensor &input,
                                const Tensor &weight, const Tensor &output, const Conv2dParams &params, Device device,
                                bool channels_last = false, Tensor *d_z = nullptr);

// A conv followed by a 2x2 average pool whose output the model stores channels-last (memory
// ordered (n, y, x, c) under its [N, C, H, W] shape) between the forward and the backward: the
// forward stores its channel vectors straight, the pool reads them whole, and the backward makes
// d_z once along channels, passes it channels-last from its d_input kernel to its d_weight
// kernel, and transposes it for the d_input kernel's batch lanes in 8x8 blocks.
// True on the CPU for LeNet's c2 shape: a conv with d_input (not a first layer) whose kernels
// conv2d_backward_avg_pooled's d_input path takes, 16 or more output channels, outputs 10-15
// wide, no padding (its kernels read the input in place). input [N, Ci, H, W], weight [Co, Ci, kh, kw]
bool conv2d_channels_last_pooled(const Shape &input, const Shape &weight, const Conv2dParams &params, bool d_input,
                                 Device device);
// output (channels-last) = act(conv(input, weight) + bias), pooled = its 2x2 average pool (NCHW).
// input [N, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co] or nullptr -> output [N, Co, OH, OW],
// pooled [N, Co, OH / 2, OW / 2]
void conv2d_avg_pool_channels_last_forward(Tensor &output, Tensor &pooled, const Tensor &input, const Tensor &weight,
                                           const Tensor *bias, const Conv2dParams &params);
// The NCHW copy of a tensor stored channels-last (host memory, same shape).
void channels_last_to_nchw(Tensor &nchw, const Tensor &stored);

// The 1x1 convolution as Y[n] = W (Co x Ci) . X[n] (Ci x H*W) + b; stride 1, no padding, no
// fused activation. bias [Co] or nullptr.
// input [N, Ci, H, W], weight [Co, Ci, 1, 1], bias [Co] -> output [N, Co, H, W]
Shape conv1x1_output_shape(const Shape &input, const Shape &weight);
void conv1x1_forward(Tensor &output, const Tensor &input, const Tensor &weight, const Tensor *bias, Device device);
Tensor conv1x1_forward(const Tensor &input, const Tensor &weight, const Tensor *bias, Device device = Device::cpu);

// d_output [N, Co, H, W], input [N, Ci, H, W], weight [Co, Ci, 1, 1]
//   -> d_input [N, Ci, H, W], d_weight [Co, Ci, 1, 1], d_bias [Co] (each nullable)
void conv1x1_backward(Tensor *d_input, Tensor *d_weight, Tensor *d_bias, const Tensor &d_output, const Tensor &input,
                      const Tensor &weight, Device device);

}  // namespace hnn
