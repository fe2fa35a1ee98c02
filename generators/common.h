// Helpers shared by the generators: schedule keys and tail handling.
#pragma once
#include <algorithm>

#include "Halide.h"

namespace hnn_gen {

// Float lanes of the widest vector the target has (16 on AVX-512, 8 on AVX2, 4 on SSE).
inline int natural_float_lanes(const Halide::Target &t) {
    return t.natural_vector_size<float>();
}

// The vector width a schedule uses: the GeneratorParam when set (> 0), else the natural one.
inline int vector_lanes(const Halide::Target &t, int param) {
    return param > 0 ? param : natural_float_lanes(t);
}

// CPU schedule of a 1-D elementwise output: tasks of `elements_per_task` contiguous elements,
// vectors inside; outputs shorter than one vector run scalar, so no size reads out of bounds.
inline void schedule_elementwise_x86(Halide::Func output, Halide::Expr extent, int lanes, int elements_per_task) {
    Halide::Var x = output.args()[0], xo{"xo"}, xi{"xi"};
    const int task = std::max(lanes, elements_per_task / lanes * lanes);
    // Tasks shift inwards at the end: the last one overlaps its neighbour and writes the same
    // values twice, harmless for an elementwise op.
    output.specialize(extent >= task)
        .split(x, xo, xi, task, Halide::TailStrategy::ShiftInwards)
        .parallel(xo)
        .vectorize(xi, lanes);
    output.specialize(extent >= lanes).vectorize(x, lanes, Halide::TailStrategy::ShiftInwards);
}

// d_z = d_output * act'(z), from the forward's output y = act(z): relu -> (y > 0), sigmoid ->
// y (1 - y), none -> 1. activation is a run-time 0 none, 1 relu, 2 sigmoid (hnn::Activation's
// order), as the conv kernels take it.
inline Halide::Expr activation_gradient(Halide::Expr out, Halide::Expr grad, Halide::Expr activation) {
    using Halide::select;
    return select(activation == 1, select(out > 0.0f, grad, 0.0f), activation == 2, grad * out * (1.0f - out), grad);
}

// A conv output's gradient at (x, y, c, n) when a 2x2 stride-2 average pool follows it: a
// quarter of the pool's d_output at its window (the pooled backward kernels, LeNet c1 and c2).
template <class DPooled>
Halide::Expr avg_pool_2x2_gradient(const DPooled &d_pooled, Halide::Expr x, Halide::Expr y, Halide::Expr c, Halide::Expr n) {
    return d_pooled(x / 2, y / 2, c, n) / 4.0f;
}

// Channels-last storage of a 4-D (x, y, c, n) buffer: c dense, then x, y, n (PyTorch's
// channels_last, NHWC). LeNet c2's output between its forward, its pool and its backward
// (runtime/conv2d.h, conv2d_channels_last_pooled): stored so, the forward stores its channel
// vectors straight and the backward reads them as whole cache lines.
template <class B>
void require_channels_last(B &buffer) {
    buffer.dim(0).set_stride(Halide::Expr());
    buffer.dim(2).set_stride(1);
}

// An extent the runtime guarantees even, written so that Halide knows it too: tiles that start
// at min(t * 8, extent - 8) then start at even columns, and x / 2 over a tile is a dense load
// and a shuffle rather than two loads and an interleave.
inline Halide::Expr known_even(Halide::Expr extent) { return extent / 2 * 2; }

// exp(x) for x in [-87, 88] (the caller clamps): Cephes' expf, the range reduced by ln 2 in
// two parts and a degree-5 polynomial on [-ln2/2, ln2/2], within ~1 ulp; 2^k is built in the
// exponent bits, which the clamp keeps normal. Halide's exp carries range checks and, on
// AVX-512, split half of its integer steps into 8-lane halves (vextract/vinsert): sigmoid was
// ~40% of lenet-c1's forward with it.
inline Halide::Expr exp_clamped(Halide::Expr x) {
    using Halide::Expr;
    // k = round(x / ln 2) as floor(v + 0.5) by truncating a positive value: Halide's round and
    // floor lower to 8-lane vroundps on AVX-512 (each vector split in two).
    Expr biased = Halide::cast<int>(x * 1.44269504088896341f + 128.5f);  // k + 128, in [1, 255]
    Expr k = Halide::cast<float>(biased - 128);
    Expr r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    Expr p = 1.9875691500e-4f;
    for (float c : {1.3981999507e-3f, 8.3334519073e-3f, 4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f}) p = p * r + c;
    Expr e = p * (r * r) + r + 1.0f;
    Expr scale = Halide::reinterpret<float>((biased - 1) << 23);  // 2^k
    return e * scale;
}

// sigmoid(z) = 1 / (1 + exp(-z)), exp's argument clamped to [-87, 88] (sigmoid is 1 or 0 to
// float precision outside). fast_reciprocal (x86): 1 / d as the reciprocal estimate refined
// by one Newton step, r (2 - d r), within a few ulp of the division (vdivps on 16 lanes costs
// ~10 cycles, as much as lenet-c1's 25 FMAs per output vector).
inline Halide::Expr sigmoid(Halide::Expr z, bool fast_reciprocal) {
    Halide::Expr d = 1.0f + exp_clamped(Halide::clamp(-z, -87.0f, 88.0f));
    if (!fast_reciprocal) return 1.0f / d;
    Halide::Expr estimate = Halide::fast_inverse(d);
    return estimate * (2.0f - d * estimate);
}

// CUDA: one thread per element in 1-D blocks.
inline void schedule_elementwise_cuda(Halide::Func output, int threads) {
    Halide::Var x = output.args()[0], xo{"xo"}, xi{"xi"};
    output.gpu_tile(x, xo, xi, threads, Halide::TailStrategy::GuardWithIf);
}

}  // namespace hnn_gen
