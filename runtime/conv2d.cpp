#include "conv2d.h"

#include "conv1x1_backward_input_cpu.h"
#include "conv1x1_backward_input_cuda.h"
#include "conv1x1_backward_weight_cpu.h"
#include "conv1x1_backward_weight_cuda.h"
#include "conv1x1_forward_cpu.h"
#include "conv1x1_forward_cuda.h"
#include "conv2d_channels_forward_cpu.h"
#include "conv2d_channels_forward_cuda.h"
#include "conv2d_relu_channels_forward_cpu.h"
#include "conv2d_relu_channels_forward_cuda.h"
#include "conv2d_sigmoid_channels_forward_cpu.h"
#include "conv2d_sigmoid_channels_forward_cuda.h"
#include "conv2d_channels_backward_input_cpu.h"
#include "conv2d_channels_backward_input_cuda.h"
#include "conv2d_backward_bias_cpu.h"
#include "conv2d_backward_bias_cuda.h"
#include "conv2d_backward_input_cpu.h"
#include "conv2d_backward_input_cuda.h"
#include "conv2d_backward_weight_cpu.h"
#include "conv2d_batch_backward_input_cpu.h"
#include "conv2d_backward_weight_cuda.h"
#include "conv2d_channels_backward_weight_cpu.h"
#include "conv2d_channels_backward_weight_cuda.h"
#include "conv2d_forward_cpu.h"
#include "conv2d_narrow_forward_cpu.h"
#include "conv2d_pooled_backward_weight_cpu.h"
#include "conv2d_channels_pooled_backward_weight_cpu.h"
#include "conv2d_batch_pooled_backward_input_cpu.h"
#include "conv2d_batch_pooled_cl_backward_input_cpu.h"
#include "conv2d_batch_pooled_clb_backward_input_cpu.h"
#include "conv2d_channels_pooled_cl_backward_weight_cpu.h"
#include "conv2d_narrow_cl_forward_cpu.h"
#include "conv2d_relu_narrow_cl_forward_cpu.h"
#include "conv2d_sigmoid_narrow_cl_forward_cpu.h"
#include "pool2x2_avg_channels_last_cpu.h"
#include "conv2d_relu_narrow_forward_cpu.h"
#include "conv2d_sigmoid_narrow_forward_cpu.h"
#include "conv2d_forward_cuda.h"
#include "conv2d_relu_forward_cpu.h"
#include "conv2d_relu_forward_cuda.h"
#include "conv2d_sigmoid_forward_cpu.h"
#include "conv2d_sigmoid_forward_cuda.h"
#include "error.h"
#include "kernels.h"

namespace hnn {

namespace {

using Buf = halide_buffer_t *;

using ForwardKernel = int (*)(Buf input, Buf weight, Buf bias, int sh, int sw, int ph, int pw, Buf output);

struct Conv2dKernels {
    // [vectorized over channels][activation]: see kChannelVectorsFrom
    ForwardKernel forward[2][3];
    // The backward kernels take the forward's output y and d_output and apply the activation's
    // slope themselves (activation 0 none, 1 relu, 2 sigmoid; with none, output is not read).
    int (*backward_input[2])(Buf output, Buf d_output, int act, Buf weight, int sh, int sw, int ph, int pw, Buf d_input);
    // [0]: vectorized over output columns, [1]: over output channels (see weight_variant)
    int (*backward_weight[2])(Buf output, Buf d_output, int act, Buf input, int sh, int sw, int ph, int pw, Buf d_weight);
    int (*backward_bias)(Buf output, Buf d_output, int act, Buf d_bias);
    int (*conv1x1_forward)(Buf input, Buf weight, Buf bias, Buf output);
    int (*conv1x1_backward_input)(Buf d_z, Buf weight, Buf unused_bias, Buf d_input);
    int (*conv1x1_backward_weight)(Buf d_z, Buf input, Buf d_weight);
};
const Conv2dKernels cpu_kernels{{{conv2d_forward_cpu, conv2d_relu_forward_cpu, conv2d_sigmoid_forward_cpu},
                                 {conv2d_channels_forward_cpu, conv2d_relu_channels_forward_cpu,
                                  conv2d_sigmoid_channels_forward_cpu}},
                                {conv2d_backward_input_cpu, conv2d_channels_backward_input_cpu},
                                {conv2d_backward_weight_cpu, conv2d_channels_backward_weight_cpu},
                                conv2d_backward_bias_cpu,
                                conv1x1_forward_cpu,
                                conv1x1_backward_input_cpu,
                                conv1x1_backward_weight_cpu};
const Conv2dKernels cuda_kernels{{{conv2d_forward_cuda, conv2d_relu_forward_cuda, conv2d_sigmoid_forward_cuda},
                                  {conv2d_channels_forward_cuda, conv2d_relu_channels_forward_cuda,
                                   conv2d_sigmoid_channels_forward_cuda}},
                                 {conv2d_backward_input_cuda, conv2d_channels_backward_input_cuda},
                                 {conv2d_backward_weight_cuda, conv2d_channels_backward_weight_cuda},
                                 conv2d_backward_bias_cuda,
                                 conv1x1_forward_cuda,
                                 conv1x1_backward_input_cuda,
                                 conv1x1_backward_weight_cuda};

// Direct convolutions producing at least this many channels use the variant vectorized over
// channels (a whole AVX-512 vector of them); fewer take the one vectorized over columns.
constexpr int kChannelVectorsFrom = 16;
int variant(int channels) { return channels >= kChannelVectorsFrom ? 1 : 0; }

// d_weight over output channels: a vector of them times a whole 5x5 window (LeNet's c2).
int weight_variant(const Shape &weight) {
    return weight[0] >= kChannelVectorsFrom && weight[2] == 5 && weight[3] == 5 ? 1 : 0;
}

// d_input with the batch in the vector lanes (generators/conv2d_batch.cpp): on the CPU, at stride
// 1, for a few input channels (6 to 15) of narrow images (8 to 16 wide) and a batch of at least
// 16, where the column-vectorized kernel spends half its work on padding (LeNet c2).
bool batch_lanes_input(Device device, const Shape &d_input, const Conv2dParams &p) {
    return device == Device::cpu && p.stride_h == 1 && p.stride_w == 1 && d_input[0] >= 16 && d_input[1] >= 6 &&
           d_input[1] < kChannelVectorsFrom && d_input[3] >= 8 && d_input[3] <= 16;
}
bool batch_lanes_input(Device device, const Tensor &d_input, const Conv2dParams &p) {
    return batch_lanes_input(device, d_input.shape(), p);
}

// Batches of a multiple of this many images take the channels-last d_input whose transposed d_z
// is stored in blocks of them (conv2d_batch.cmake: images=64, blocked=true).
constexpr int kBlockImages = 64;

// The channel-vectorized forward for rows of 10-15 outputs (LeNet c2): a whole row per tile,
// stored as rows through an in-register transpose (generators/conv2d.cpp, narrow_rows). CPU only.
const ForwardKernel narrow_forward[3]{conv2d_narrow_forward_cpu, conv2d_relu_narrow_forward_cpu,
                                      conv2d_sigmoid_narrow_forward_cpu};
bool narrow_rows(Device device, const Shape &output) {
    return device == Device::cpu && output[1] >= kChannelVectorsFrom && output[3] >= 10 && output[3] < 16;
}

// The channels-last variants (see conv2d_channels_last_pooled).
const ForwardKernel narrow_cl_forward[3]{conv2d_narrow_cl_forward_cpu, conv2d_relu_narrow_cl_forward_cpu,
                                         conv2d_sigmoid_narrow_cl_forward_cpu};

// An [N, C, H, W] tensor's memory holding (n, y, x, c) data, as the channels-last kernels take
// it: Halide dims (x, y, c, n) with c dense.
Halide::Runtime::Buffer<float> channels_last_view(const Tensor &t) {
    const Shape &s = t.shape();
    return host_view(t, {{s[3], s[1]}, {s[2], s[3] * s[1]}, {s[1], 1}, {s[0], s[1] * s[2] * s[3]}});
}

// The same memory with the channels as Halide's dim 0: dims (c, x, y, n), the d_z that the
// channels-last backward kernels pass between them.
Halide::Runtime::Buffer<float> channels_inner_view(const Tensor &t) {
    const Shape &s = t.shape();
    return host_view(t, {{s[1], 1}, {s[3], s[1]}, {s[2], s[3] * s[1]}, {s[0], s[1] * s[2] * s[3]}});
}

const Conv2dKernels &kernels_for(Device device) { return for_device(device, cpu_kernels, cuda_kernels); }

int activation_index(Activation activation) {
    switch (activation) {
        case Activation::none: return 0;
        case Activation::relu: return 1;
        case Activation::sigmoid: return 2;
        default: throw Error(std::string("conv2d: activation ") + activation_name(activation) +
                             " is not fused; use none, relu or sigmoid and apply it separately");
    }
}

void expect_shape(const char *op, const char *what, const Tensor &t, const Shape &shape) {
    if (t.shape() != shape) {
        throw Error(std::string(op) + ": " + what + " is " + shape_string(t.shape()) + ", expected " + shape_string(shape));
    }
}

// The bias buffer the kernels read: the given one (checked against Co) or `zeros`, filled.
Buf bias_or_zeros(const char *op, const Tensor *bias, int channels, Tensor &zeros) {
    if (!bias) {
        zeros = Tensor({channels});
        return zeros.raw();
    }
    if (bias->shape() != Shape{channels}) {
        throw Error(std::string(op) + ": bias " + shape_string(bias->shape()) + " does not match the " +
                    std::to_string(channels) + " output channels of the weight");
    }
    return bias->raw();
}

// A [N, C, H*W] view of a dense [N, C, H, W] tensor: what the conv1x1 kernels take.
DenseView plane_view(const Tensor &t) { return DenseView(t.raw(), {t.dim(0), t.dim(1), t.dim(2) * t.dim(3)}); }

}  // namespace

Shape conv2d_output_shape(const Shape &input, const Shape &weight, const Conv2dParams &p) {
    if (input.size() != 4) throw Error("conv2d: input must be 4-D [N, C, H, W], got " + shape_string(input));
    if (weight.size() != 4) throw Error("conv2d: weight must be 4-D [Co, Ci, kh, kw], got " + shape_string(weight));
    if (p.stride_h < 1 || p.stride_w < 1) {
        throw Error("conv2d: stride must be positive, got (" + std::to_string(p.stride_h) + ", " +
                    std::to_string(p.stride_w) + ")");
    }
    if (p.padding_h < 0 || p.padding_w < 0) {
        throw Error("conv2d: padding must be non-negative, got (" + std::to_string(p.padding_h) + ", " +
                    std::to_string(p.padding_w) + ")");
    }
    if (weight[1] != input[1]) {
        throw Error("conv2d: weight " + shape_string(weight) + " has " + std::to_string(weight[1]) +
                    " input channels but input " + shape_string(input) + " has " + std::to_string(input[1]));
    }
    const int padded_h = input[2] + 2 * p.padding_h, padded_w = input[3] + 2 * p.padding_w;
    if (weight[2] > padded_h || weight[3] > padded_w || weight[2] < 1 || weight[3] < 1) {
        throw Error("conv2d: kernel of weight " + shape_string(weight) + " is larger than the padded input (" +
                    std::to_string(padded_h) + ", " + std::to_string(padded_w) + ") of input " + shape_string(input));
    }
    return {input[0], weight[0], (padded_h - weight[2]) / p.stride_h + 1, (padded_w - weight[3]) / p.stride_w + 1};
}

void conv2d_forward(Tensor &output, const Tensor &input, const Tensor &weight, const Tensor *bias, const Conv2dParams &p,
                    Device device) {
    const Shape shape = conv2d_output_shape(input.shape(), weight.shape(), p);
    expect_shape("conv2d", "output", output, shape);
    const int act = activation_index(p.activation);
    Tensor zeros;
    Buf b = bias_or_zeros("conv2d", bias, weight.dim(0), zeros);
    const ForwardKernel kernel = narrow_rows(device, shape) ? narrow_forward[act] : kernels_for(device).forward[variant(weight.dim(0))][act];
    check_kernel(kernel(input.raw(), weight.raw(), b, p.stride_h, p.stride_w, p.padding_h, p.padding_w, output.raw()), "conv2d_forward");
}

Tensor conv2d_forward(const Tensor &input, const Tensor &weight, const Tensor *bias, const Conv2dParams &p, Device device) {
    Tensor output(conv2d_output_shape(input.shape(), weight.shape(), p));
    conv2d_forward(output, input, weight, bias, p, device);
    output.sync_to_host();
    return output;
}

void conv2d_backward(Tensor *d_input, Tensor *d_weight, Tensor *d_bias, const Tensor &d_output, const Tensor &input,
                     const Tensor &weight, const Tensor &output, const Conv2dParams &p, Device device) {
    const Shape shape = conv2d_output_shape(input.shape(), weight.shape(), p);
    expect_shape("conv2d_backward", "d_output", d_output, shape);
    const int act = activation_index(p.activation);
    if (act != 0) expect_shape("conv2d_backward", "output", output, shape);
    if (d_input) expect_shape("conv2d_backward", "d_input", *d_input, input.shape());
    if (d_weight) expect_shape("conv2d_backward", "d_weight", *d_weight, weight.shape());
    if (d_bias) expect_shape("conv2d_backward", "d_bias", *d_bias, {weight.dim(0)});
    const Conv2dKernels &k = kernels_for(device);
    // Without an activation the kernels never read `output`: d_output stands in for it.
    Buf y = act != 0 ? output.raw() : d_output.raw(), dy = d_output.raw();
    if (d_input && batch_lanes_input(device, *d_input, p)) {
        check_kernel(conv2d_batch_backward_input_cpu(y, dy, act, weight.raw(), p.padding_h, p.padding_w, d_input->raw()),
                     "conv2d_batch_backward_input");
    } else if (d_input) {
        check_kernel(k.backward_input[variant(weight.dim(1))](y, dy, act, weight.raw(), p.stride_h, p.stride_w, p.padding_h,
                                                              p.padding_w, d_input->raw()),
                     "conv2d_backward_input");
    }
    if (d_weight) {
        check_kernel(k.backward_weight[weight_variant(weight.shape())](y, dy, act, input.raw(), p.stride_h, p.stride_w,
                                                                       p.padding_h, p.padding_w, d_weight->raw()),
                     "conv2d_backward_weight");
    }
    if (d_bias) {
        // Each plane as one row of OH*OW (the kernel sums rows in vector lanes): LeNet c2's
        // 10-wide rows used 10 of 16 lanes. Bias kernel alone, interleaved, medians: c2 on d_z
        // 0.087-0.103 -> 0.023-0.032 ms, c1 on d_z 0.116-0.144 -> 0.103-0.104 ms, c2 on (y, d_y)
        // 0.106 -> 0.076 ms.
        const std::initializer_list<int32_t> rows{shape[0], shape[1], 1, shape[2] * shape[3]};
        DenseView dz_rows(d_output.raw(), rows);
        if (act == 0) {
            check_kernel(k.backward_bias(dz_rows.raw(), dz_rows.raw(), act, d_bias->raw()), "conv2d_backward_bias");
        } else {
            DenseView y_rows(output.raw(), rows);
            check_kernel(k.backward_bias(y_rows.raw(), dz_rows.raw(), act, d_bias->raw()), "conv2d_backward_bias");
        }
    }
}

bool conv2d_channels_last_pooled(const Shape &input, const Shape &weight, const Conv2dParams &p, bool d_input, Device device) {
    const Shape out = conv2d_output_shape(input, weight, p);
    // No padding: the forward and d_weight kernels read the input in place.
    return device == Device::cpu && d_input && p.padding_h == 0 && p.padding_w == 0 && out[2] % 2 == 0 &&
           out[3] % 2 == 0 && weight_variant(weight) == 1 && batch_lanes_input(device, input, p) && narrow_rows(device, out);
}

void conv2d_avg_pool_channels_last_forward(Tensor &output, Tensor &pooled, const Tensor &input, const Tensor &weight,
                                           const Tensor *bias, const Conv2dParams &p) {
    const Shape shape = conv2d_output_shape(input.shape(), weight.shape(), p);
    expect_shape("conv2d_avg_pool_channels_last_forward", "output", output, shape);
    expect_shape("conv2d_avg_pool_channels_last_forward", "pooled", pooled, {shape[0], shape[1], shape[2] / 2, shape[3] / 2});
    if (!conv2d_channels_last_pooled(input.shape(), weight.shape(), p, true, Device::cpu)) {
        throw Error("conv2d_avg_pool_channels_last_forward: input " + shape_string(input.shape()) + " and weight " +
                    shape_string(weight.shape()) + " are not a shape its kernels take (conv2d_channels_last_pooled)");
    }
    Tensor zeros;
    Buf b = bias_or_zeros("conv2d", bias, weight.dim(0), zeros);
    auto y = channels_last_view(output);
    check_kernel(narrow_cl_forward[activation_index(p.activation)](input.raw(), weight.raw(), b, p.stride_h, p.stride_w,
                                                                   p.padding_h, p.padding_w, y.raw_buffer()),
                 "conv2d_narrow_cl_forward");
    const Shape &ps = pooled.shape();  // as planes: (P, C, N)
    auto out = host_view(pooled, {{ps[2] * ps[3], 1}, {ps[1], ps[2] * ps[3]}, {ps[0], ps[1] * ps[2] * ps[3]}});
    check_kernel(pool2x2_avg_channels_last_cpu(y.raw_buffer(), out.raw_buffer()), "pool2x2_avg_channels_last");
}

void channels_last_to_nchw(Tensor &nchw, const Tensor &stored) {
    const Shape &s = stored.shape();
    expect_shape("channels_last_to_nchw", "nchw", nchw, s);
    const int64_t plane = int64_t(s[2]) * s[3];
    for (int64_t n = 0; n < s[0]; ++n) {
        const float *from = stored.data() + n * s[1] * plane;
        float *to = nchw.data() + n * s[1] * plane;
        for (int64_t c = 0; c < s[1]; ++c) {
            for (int64_t i = 0; i < plane; ++i) to[c * plane + i] = from[i * s[1] + c];
        }
    }
}

bool conv2d_backward_avg_pooled(Tensor *d_input, Tensor &d_weight, Tensor &d_bias, const Tensor &d_pooled, const Tensor &input,
                                const Tensor &weight, const Tensor &output, const Conv2dParams &p, Device device,
                                bool channels_last, Tensor *d_z) {
    const Shape shape = conv2d_output_shape(input.shape(), weight.shape(), p);
    expect_shape("conv2d_backward_avg_pooled", "output", output, shape);
    expect_shape("conv2d_backward_avg_pooled", "d_weight", d_weight, weight.shape());
    expect_shape("conv2d_backward_avg_pooled", "d_bias", d_bias, {weight.dim(0)});
    if (d_input) expect_shape("conv2d_backward_avg_pooled", "d_input", *d_input, input.shape());
    if (channels_last) {
        if (!d_input || !conv2d_channels_last_pooled(input.shape(), weight.shape(), p, true, device)) {
            throw Error("conv2d_backward_avg_pooled: a channels-last output for a conv its kernels do not take (input " +
                        shape_string(input.shape()) + ", weight " + shape_string(weight.shape()) + ")");
        }
        auto y = channels_last_view(output);
        expect_shape("conv2d_backward_avg_pooled", "d_pooled", d_pooled, {shape[0], shape[1], shape[2] / 2, shape[3] / 2});
        Tensor own;
        if (d_z) {
            expect_shape("conv2d_backward_avg_pooled", "d_z", *d_z, shape);
        } else {
            own = Tensor(shape);
            d_z = &own;
        }
        auto dz = channels_inner_view(*d_z);
        const int act = activation_index(p.activation);
        // d_input first: it writes d_z, channels-last, which d_weight reads.
        const auto d_input_kernel = shape[0] % kBlockImages == 0 ? conv2d_batch_pooled_clb_backward_input_cpu
                                                                 : conv2d_batch_pooled_cl_backward_input_cpu;
        check_kernel(d_input_kernel(y.raw_buffer(), d_pooled.raw(), act, weight.raw(), p.padding_h, p.padding_w,
                                    d_input->raw(), dz.raw_buffer()),
                     "conv2d_batch_pooled_cl_backward_input");
        check_kernel(conv2d_channels_pooled_cl_backward_weight_cpu(y.raw_buffer(), d_pooled.raw(), act, input.raw(), p.stride_h,
                                                                   p.stride_w, p.padding_h, p.padding_w, dz.raw_buffer(),
                                                                   d_weight.raw(), d_bias.raw()),
                     "conv2d_channels_pooled_cl_backward_weight");
        return true;
    }
    if (shape[2] % 2 != 0 || shape[3] % 2 != 0 || device != Device::cpu) return false;
    const bool channels = weight_variant(weight.shape()) == 1;
    if (d_input ? !(channels && shape[3] >= 8 && batch_lanes_input(device, *d_input, p)) : (channels || shape[3] < 16)) {
        return false;
    }
    expect_shape("conv2d_backward_avg_pooled", "d_pooled", d_pooled, {shape[0], shape[1], shape[2] / 2, shape[3] / 2});
    const int act = activation_index(p.activation);
    if (d_input) {
        check_kernel(conv2d_batch_pooled_backward_input_cpu(output.raw(), d_pooled.raw(), act, weight.raw(), p.padding_h,
                                                            p.padding_w, d_input->raw()),
                     "conv2d_batch_pooled_backward_input");
        check_kernel(conv2d_channels_pooled_backward_weight_cpu(output.raw(), d_pooled.raw(), act, input.raw(), p.stride_h,
                                                                p.stride_w, p.padding_h, p.padding_w, d_weight.raw(), d_bias.raw()),
                     "conv2d_channels_pooled_backward_weight");
    } else {
        check_kernel(conv2d_pooled_backward_weight_cpu(output.raw(), d_pooled.raw(), act, input.raw(), p.stride_h, p.stride_w,
                                                       p.padding_h, p.padding_w, d_weight.raw(), d_bias.raw()),
                     "conv2d_pooled_backward_weight");
    }
    return true;
}

Shape conv1x1_output_shape(const Shape &input, const Shape &weight) {
    if (input.size() != 4) throw Error("conv1x1: input must be 4-D [N, C, H, W], got " + shape_string(input));
    if (weight.size() != 4 || weight[2] != 1 || weight[3] != 1) {
        throw Error("conv1x1: weight must be [Co, Ci, 1, 1], got " + shape_string(weight));
    }
    if (weight[1] != input[1]) {
        throw Error("conv1x1: weight " + shape_string(weight) + " has " + std::to_string(weight[1]) +
                    " input channels but input " + shape_string(input) + " has " + std::to_string(input[1]));
    }
    return {input[0], weight[0], input[2], input[3]};
}

void conv1x1_forward(Tensor &output, const Tensor &input, const Tensor &weight, const Tensor *bias, Device device) {
    expect_shape("conv1x1", "output", output, conv1x1_output_shape(input.shape(), weight.shape()));
    Tensor zeros;
    Buf b = bias_or_zeros("conv1x1", bias, weight.dim(0), zeros);
    DenseView x = plane_view(input), y = plane_view(output);
    check_kernel(kernels_for(device).conv1x1_forward(x.raw(), weight.raw(), b, y.raw()), "conv1x1_forward");
}

Tensor conv1x1_forward(const Tensor &input, const Tensor &weight, const Tensor *bias, Device device) {
    Tensor output(conv1x1_output_shape(input.shape(), weight.shape()));
    conv1x1_forward(output, input, weight, bias, device);
    output.sync_to_host();
    return output;
}

void conv1x1_backward(Tensor *d_input, Tensor *d_weight, Tensor *d_bias, const Tensor &d_output, const Tensor &input,
                      const Tensor &weight, Device device) {
    expect_shape("conv1x1_backward", "d_output", d_output, conv1x1_output_shape(input.shape(), weight.shape()));
    if (d_input) expect_shape("conv1x1_backward", "d_input", *d_input, input.shape());
    if (d_weight) expect_shape("conv1x1_backward", "d_weight", *d_weight, weight.shape());
    if (d_bias) expect_shape("conv1x1_backward", "d_bias", *d_bias, {weight.dim(0)});
    const Conv2dKernels &k = kernels_for(device);
    if (d_input) {
        Tensor unused_bias({1});
        DenseView dz = plane_view(d_output), dx = plane_view(*d_input);
        check_kernel(k.conv1x1_backward_input(dz.raw(), weight.raw(), unused_bias.raw(), dx.raw()), "conv1x1_backward_input");
    }
    if (d_weight) {
        DenseView dz = plane_view(d_output), x = plane_view(input);
        check_kernel(k.conv1x1_backward_weight(dz.raw(), x.raw(), d_weight->raw()), "conv1x1_backward_weight");
    }
    if (d_bias) check_kernel(k.backward_bias(d_output.raw(), d_output.raw(), 0, d_bias->raw()), "conv1x1_backward_bias");
}

}  // namespace hnn
