#include "pool2d.h"

#include "error.h"
#include "kernels.h"
#include "pool2d_avg_backward_cpu.h"
#include "pool2d_avg_backward_cuda.h"
#include "pool2d_avg_forward_cpu.h"
#include "pool2d_avg_forward_cuda.h"
#include "pool2d_max_backward_cpu.h"
#include "pool2d_max_backward_cuda.h"
#include "pool2d_max_forward_cpu.h"
#include "pool2d_max_forward_cuda.h"
#include "pool2x2_avg_backward_cpu.h"
#include "pool2x2_avg_forward_cpu.h"
#include "pool2x2_avg_relu_backward_cpu.h"
#include "pool2x2_avg_sigmoid_backward_cpu.h"
#include "pool2x2_max_backward_cpu.h"
#include "pool2x2_max_forward_cpu.h"
#include "pool2x2_max_relu_backward_cpu.h"
#include "pool2x2_max_sigmoid_backward_cpu.h"

namespace hnn {

namespace {

using ForwardKernel = int (*)(halide_buffer_t *input, int window_h, int window_w, int stride_h, int stride_w,
                              int padding_h, int padding_w, halide_buffer_t *output);
using BackwardKernel = int (*)(halide_buffer_t *d_output, halide_buffer_t *input, int window_h, int window_w,
                               int stride_h, int stride_w, int padding_h, int padding_w, halide_buffer_t *d_input);

struct Pool2dKernels {
    ForwardKernel max_forward, avg_forward;
    BackwardKernel max_backward, avg_backward;
};
const Pool2dKernels cpu_kernels{pool2d_max_forward_cpu, pool2d_avg_forward_cpu, pool2d_max_backward_cpu,
                                pool2d_avg_backward_cpu};
const Pool2dKernels cuda_kernels{pool2d_max_forward_cuda, pool2d_avg_forward_cuda, pool2d_max_backward_cuda,
                                 pool2d_avg_backward_cuda};

const Pool2dKernels &kernels_for(Device device) { return for_device(device, cpu_kernels, cuda_kernels); }

std::string pair_string(const std::array<int, 2> &pair) {
    return "(" + std::to_string(pair[0]) + ", " + std::to_string(pair[1]) + ")";
}

// The params with the default stride filled in, after checking them.
Pool2dParams resolved(const Pool2dParams &params) {
    Pool2dParams p = params;
    for (int i = 0; i < 2; ++i) {
        if (p.stride[i] == 0) p.stride[i] = p.window[i];
    }
    const std::string what = "pool2d: window " + pair_string(p.window) + ", stride " + pair_string(p.stride) +
                             ", padding " + pair_string(p.padding);
    for (int i = 0; i < 2; ++i) {
        if (p.window[i] < 1) throw Error(what + ": the window must be at least 1");
        if (p.stride[i] < 1) throw Error(what + ": the stride must be at least 1");
        if (p.padding[i] < 0) throw Error(what + ": the padding must not be negative");
        if (2 * p.padding[i] > p.window[i]) {
            throw Error("pool2d: padding " + pair_string(p.padding) + " must be at most half of window " +
                        pair_string(p.window) + " (as in PyTorch)");
        }
    }
    return p;
}

// Window 2, stride 2, no padding (p resolved).
bool is_2x2(const Pool2dParams &p) {
    return p.window == std::array<int, 2>{2, 2} && p.stride == std::array<int, 2>{2, 2} && p.padding == std::array<int, 2>{0, 0};
}

}  // namespace

bool is_avg_pool_2x2(const Pool2dParams &params) {
    const Pool2dParams p = resolved(params);
    return p.mode == PoolMode::average && is_2x2(p);
}

namespace {

// Window 2, stride 2, no padding, even H and W, on host memory: the flattened-rows kernels
// (pool2x2_*), which see [N, C, H, W] as one image of N*C*H rows. Tensors are dense C order.
bool use_pool2x2(const Pool2dParams &p, const Tensor &input, Device device) {
    const Shape &s = input.shape();
    return device == Device::cpu && is_2x2(p) && s[2] % 2 == 0 && s[3] % 2 == 0 && input.numel() > 0 &&
           input.raw()->device == 0;
}

// [N, C, H, W] as rows: (W, N*C*H)
Halide::Runtime::Buffer<float> rows_view(const Tensor &t) {
    const Shape &s = t.shape();
    return host_view(t, {{s[3], 1}, {s[0] * s[1] * s[2], s[3]}});
}

// [N, C, H, W] in phase space: (x % 2, x / 2, y % 2, y / 2) over N*C*H rows
Halide::Runtime::Buffer<float> phase_view(const Tensor &t) {
    const Shape &s = t.shape();
    return host_view(t, {{2, 1}, {s[3] / 2, 2}, {2, s[3]}, {s[0] * s[1] * s[2] / 2, 2 * s[3]}});
}

// [N, C, H, W] as pairs of rows: (x, row of the pair, pair) over N*C*H / 2 pairs
Halide::Runtime::Buffer<float> pair_view(const Tensor &t) {
    const Shape &s = t.shape();
    return host_view(t, {{s[3], 1}, {2, s[3]}, {s[0] * s[1] * s[2] / 2, 2 * s[3]}});
}

void check_backward_shapes(const Tensor &d_output, const Tensor &input, const Pool2dParams &params) {
    const Shape shape = pool2d_output_shape(input.shape(), params);
    if (d_output.shape() != shape) {
        throw Error("pool2d: d_output is " + shape_string(d_output.shape()) + " but input " +
                    shape_string(input.shape()) + " pools to " + shape_string(shape));
    }
}

}  // namespace

PoolMode parse_pool_mode(const std::string &name) {
    if (name == "max") return PoolMode::max;
    if (name == "avg") return PoolMode::average;
    throw Error("unknown pooling mode '" + name + "': expected max or avg");
}

const char *pool_mode_name(PoolMode mode) { return mode == PoolMode::max ? "max" : "avg"; }

Shape pool2d_output_shape(const Shape &input, const Pool2dParams &params) {
    const Pool2dParams p = resolved(params);
    if (input.size() != 4) throw Error("pool2d: input must be 4-D [N, C, H, W], got " + shape_string(input));
    const int padded_h = input[2] + 2 * p.padding[0], padded_w = input[3] + 2 * p.padding[1];
    if (p.window[0] > padded_h || p.window[1] > padded_w) {
        throw Error("pool2d: window " + pair_string(p.window) + " is larger than input " + shape_string(input) +
                    " padded to (" + std::to_string(padded_h) + ", " + std::to_string(padded_w) + ")");
    }
    return {input[0], input[1], (padded_h - p.window[0]) / p.stride[0] + 1, (padded_w - p.window[1]) / p.stride[1] + 1};
}

void pool2d_forward(Tensor &output, const Tensor &input, const Pool2dParams &params, Device device) {
    const Shape shape = pool2d_output_shape(input.shape(), params);
    if (output.shape() != shape) {
        throw Error("pool2d: output is " + shape_string(output.shape()) + ", expected " + shape_string(shape) +
                    " for input " + shape_string(input.shape()));
    }
    const Pool2dParams p = resolved(params);
    const bool is_max = p.mode == PoolMode::max;
    if (use_pool2x2(p, input, device) && output.raw()->device == 0) {
        auto in = rows_view(input), out = rows_view(output);
        check_kernel((is_max ? pool2x2_max_forward_cpu : pool2x2_avg_forward_cpu)(in.raw_buffer(), out.raw_buffer()),
                     is_max ? "pool2x2_max_forward" : "pool2x2_avg_forward");
        return;
    }
    const Pool2dKernels &k = kernels_for(device);
    check_kernel((is_max ? k.max_forward : k.avg_forward)(input.raw(), p.window[0], p.window[1], p.stride[0],
                                                          p.stride[1], p.padding[0], p.padding[1], output.raw()),
                 is_max ? "pool2d_max_forward" : "pool2d_avg_forward");
}

Tensor pool2d_forward(const Tensor &input, const Pool2dParams &params, Device device) {
    Tensor output(pool2d_output_shape(input.shape(), params));
    pool2d_forward(output, input, params, device);
    output.sync_to_host();
    return output;
}

void pool2d_backward(Tensor *d_input, const Tensor &d_output, const Tensor &input, const Pool2dParams &params,
                     Device device) {
    check_backward_shapes(d_output, input, params);
    if (!d_input) return;
    if (d_input->shape() != input.shape()) {
        throw Error("pool2d: d_input is " + shape_string(d_input->shape()) + ", expected the input's " +
                    shape_string(input.shape()));
    }
    const Pool2dParams p = resolved(params);
    const bool is_max = p.mode == PoolMode::max;
    if (use_pool2x2(p, input, device) && d_output.raw()->device == 0 && d_input->raw()->device == 0) {
        auto d_out = rows_view(d_output), in = phase_view(input), d_in = phase_view(*d_input);
        check_kernel((is_max ? pool2x2_max_backward_cpu : pool2x2_avg_backward_cpu)(
                         d_out.raw_buffer(), in.raw_buffer(), d_in.raw_buffer()),
                     is_max ? "pool2x2_max_backward" : "pool2x2_avg_backward");
        return;
    }
    const Pool2dKernels &k = kernels_for(device);
    check_kernel((is_max ? k.max_backward : k.avg_backward)(d_output.raw(), input.raw(), p.window[0], p.window[1],
                                                            p.stride[0], p.stride[1], p.padding[0], p.padding[1],
                                                            d_input->raw()),
                 is_max ? "pool2d_max_backward" : "pool2d_avg_backward");
}

Tensor pool2d_backward(const Tensor &d_output, const Tensor &input, const Pool2dParams &params, Device device) {
    Tensor d_input(input.shape());
    pool2d_backward(&d_input, d_output, input, params, device);
    d_input.sync_to_host();
    return d_input;
}

bool pool2d_backward_activation(Tensor &d_z, const Tensor &d_output, const Tensor &input, const Pool2dParams &params,
                                Activation activation, Device device) {
    check_backward_shapes(d_output, input, params);
    if (d_z.shape() != input.shape()) {
        throw Error("pool2d: d_z is " + shape_string(d_z.shape()) + ", expected the input's " + shape_string(input.shape()));
    }
    const Pool2dParams p = resolved(params);
    const bool relu = activation == Activation::relu;
    if (!(relu || activation == Activation::sigmoid) || !use_pool2x2(p, input, device) || d_output.raw()->device != 0 ||
        d_z.raw()->device != 0) {
        return false;
    }
    using Kernel = int (*)(halide_buffer_t *, halide_buffer_t *, halide_buffer_t *);
    // [max][relu]
    const Kernel kernels[2][2] = {{pool2x2_avg_sigmoid_backward_cpu, pool2x2_avg_relu_backward_cpu},
                                  {pool2x2_max_sigmoid_backward_cpu, pool2x2_max_relu_backward_cpu}};
    auto d_out = rows_view(d_output), y = pair_view(input), dz = pair_view(d_z);
    check_kernel(kernels[p.mode == PoolMode::max][relu](d_out.raw_buffer(), y.raw_buffer(), dz.raw_buffer()),
                 "pool2x2_act_backward");
    return true;
}

}  // namespace hnn
