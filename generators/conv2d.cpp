// conv2d: d2l 7.3/7.4's multi-channel convolution (PyTorch's Conv2d: cross-correlation with
// zero padding and stride, NCHW float32) with a fused activation, conv1x1 (7.4.3's 1x1
// convolution as a matrix product), and their backward kernels.
//
// Halide dimensions run innermost first: an NCHW tensor is f(x, y, c, n), a weight
// [Co, Ci, kh, kw] is w(kx, ky, ci, co).
//
// x86 schedules. Two register-tiled direct-convolution paths (shared by the forward and by
// d_input, which is a convolution of d_output with the transposed kernel):
// - channel-vectorized (enough output channels, >= one vector): a vector of output channels
//   times a few output columns and rows accumulate in registers over the whole (ci, ky, kx)
//   reduction; the input is broadcast, the weights (transposed once per call to put the
//   output channel innermost) load as vectors, so no lane is wasted on narrow images (LeNet's
//   c2, 10x10) and none on a 56-wide row either.
// - x-vectorized (few output channels, e.g. LeNet's c1 with 6): a vector of output columns
//   times several channels and rows.
// - narrow fallback: one vector of columns (GuardWithIf), any size.
// The padded input is copied once per image (compute_at the batch loop), so the inner loop
// reads without bounds checks.
//
// Measured with `hnn bench kernels` on the 2-core Xeon @ 2.5 GHz, AVX-512, while other builds
// shared the machine (measured FMA peak 90 GFLOP/s at the time; PyTorch 2.15 CPU, oneDNN, in
// the same run):
//   conv2d_forward large (N8 64->64 56x56 k3 p1)  23.8 ms  77.9 GFLOP/s  86%   torch 40.8 ms
//   conv2d_forward lenet-c1 (N128 1->6 28x28 k5)   0.96 ms 31.3 GFLOP/s  35%   torch 13.0 ms
//   conv2d_forward lenet-c2 (N128 6->16 14x14 k5)  0.96 ms 64.3 GFLOP/s  71%   torch 18.7 ms
//   conv2d_backward_input large 27.0 ms (76%), lenet-c2 3.8 ms (18%)
//   conv2d_backward_weight large 52.1 ms (39%), lenet-c1 2.4 ms (14%), lenet-c2 2.9 ms (23%)
//   conv1x1_forward large 9.3 ms (24%), conv1x1_backward large 16.8 ms (27%)
// What moved the numbers: unit-stride specializations (a run-time stride turns dense vector
// loads into gathers: lenet-c1 5.1 -> 1.6 ms), constant-size accumulator tiles (LLVM keeps
// only those in registers), unrolled 3x3 / 5-wide windows (large 57 -> 40 ms), and the
// channel-vectorized variant (large 2280 -> 60 ms: the first version stored the channel
// vector strided in the accumulator, i.e. in memory).
#include "common.h"

namespace {
using namespace Halide;

enum class Act { none, relu, sigmoid };
const std::map<std::string, Act> kActNames{{"none", Act::none}, {"relu", Act::relu}, {"sigmoid", Act::sigmoid}};

// x86 (fast_reciprocal): sigmoid's division as a refined reciprocal estimate (hnn_gen::sigmoid).
Expr activate(Expr z, Act act, bool fast_reciprocal) {
    switch (act) {
    case Act::relu: return max(z, 0.0f);
    case Act::sigmoid: return hnn_gen::sigmoid(z, fast_reciprocal);
    default: return z;
    }
}

// The backward kernels compute d_z = d_output * act'(z) inline from (output, d_output)
// (hnn_gen::activation_gradient) rather than reading a materialized d_z: the separate d_z pass
// (a fresh 2.4 MB tensor per call, page faults and a round trip through memory) cost more than
// LeNet's d_bias reduction itself (0.65 ms of it).
using hnn_gen::activation_gradient;

// x86: the input zero-extended as a zeroed plane with the input written into it by dense
// stores (the returned RDom's rows, for the schedule to vectorize). Read through a boundary
// condition instead, every vector straddling the input's edge (LeNet's 28-wide rows padded to
// 32, 14-wide rows in 16 lanes) ran as extracted gathers: ~15% of lenet-c1's forward.
// With images defined, the batch is part of the RDom (interior.z), for a plane computed over a range of
// images that may run past the batch (d_weight's partial last chunk reads zeros there).
RDom zero_extended(Func padded, Func input, Expr width, Expr height, Expr images, Var x, Var y, Var c, Var n) {
    padded(x, y, c, n) = 0.0f;
    if (!images.defined()) {
        RDom interior(0, width, 0, height, "interior");
        padded(interior.x, interior.y, c, n) = input(interior.x, interior.y, c, n);
        return interior;
    }
    RDom interior(0, width, 0, height, 0, images, "interior");
    padded(interior.x, interior.y, c, interior.z) = input(interior.x, interior.y, c, interior.z);
    return interior;
}

// The d_weight kernels' input, zero-extended for the whole batch: on x86 the zeroed plane (the
// returned RDom writes the input into it), on CUDA read through a boundary condition.
template <class In>
RDom zero_extended_batch(Func padded, const In &input, bool gpu, Var x, Var y, Var c, Var n) {
    if (gpu) {
        padded(x, y, c, n) = BoundaryConditions::constant_exterior(input, 0.0f)(x, y, c, n);
        return RDom();
    }
    return zero_extended(padded, input, input.dim(0).extent(), input.dim(1).extent(), input.dim(3).extent(), x, y, c, n);
}

// Tile sizes of the direct-convolution schedule (see the file comment).
struct DirectTiles {
    int lanes;
    bool channel_vectors;  // the channel-vectorized variant, else the x-vectorized one
    int cvec_x, cvec_y;    // channel-vectorized: output columns x rows per tile
    int xvec_c, xvec_y;    // x-vectorized: channels x rows per tile
    bool wide_rows;        // x-vectorized: tiles write a per-image plane with rows rounded up to whole vectors
    bool transpose_store = false;  // channel-vectorized: store the tile as rows (see narrow_rows)
};

// out(x, y, c, n) = f(acc(x, y, c, n)); acc = init, then one update reducing over r.
// plane: the per-image padded input the update reads (compute_at the batch loop);
// weights: the weights with the output channel innermost (computed once per call).
// The accumulator tile is stored with the vectorized dimension innermost (so LLVM keeps it in
// registers); that storage order is per Func, hence two kernel variants rather than one.
// kw, kh: the kernel's extents; 3x3 and 5-wide kernels get the window loop unrolled.
// unit_stride: whether the reads along x are dense (forward: stride_w == 1).
void schedule_direct_x86(Func out, Func wide, Func acc, Func plane, Func weights, RDom r, Expr width, Expr height,
                         Expr channels, Expr kw, Expr kh, Expr unit_stride, const DirectTiles &t, Var x, Var y, Var c,
                         Var n) {
    const int L = t.lanes;
    Var xo{"xo"}, xi{"xi"}, yo{"yo"}, yi{"yi"}, co{"co"}, ci{"ci"};
    out.parallel(n);
    if (t.channel_vectors) {
        // `wide` stays inline (the tiles store straight into the output) unless transpose_store.
        Expr tiled = channels >= L && width >= t.cvec_x && height >= t.cvec_y;
        Stage tiles = out.specialize(tiled)
                          .split(c, co, ci, L, TailStrategy::ShiftInwards)
                          .split(x, xo, xi, t.cvec_x, TailStrategy::ShiftInwards)
                          .split(y, yo, yi, t.cvec_y, TailStrategy::ShiftInwards);
        if (t.transpose_store) {
            // The tile's channel vectors go through registers into rows (Halide's block-transpose
            // idiom), stored as row vectors; stored straight, each channel vector was 16 lane
            // extracts and scalar stores (~20% of lenet-c2's forward, perf annotate).
            tiles.reorder(xi, ci, yi, xo, yo, co, n).vectorize(xi).unroll(ci).unroll(yi);
            wide.compute_at(out, xo).reorder_storage(x, c, y, n).vectorize(c).unroll(x).unroll(y);
        } else {
            tiles.reorder(ci, xi, yi, xo, yo, co, n).vectorize(ci).unroll(xi).unroll(yi);
        }
        acc.reorder_storage(c, x, y, n);
        acc.specialize(tiled).vectorize(c, L).unroll(x, t.cvec_x).unroll(y, t.cvec_y);
        // The window loops unrolled for 3x3 and 5-wide kernels: a 3-iteration inner loop spent
        // as much on loop overhead as on its 30 FMAs. At unit stride the tile's input addresses
        // are constant offsets of one pointer (else ten live pointers, and spills).
        acc.update()
            .specialize(tiled && unit_stride && kw == 3 && kh == 3)
            .reorder(c, x, y, r.x, r.y, r.z)
            .vectorize(c, L)
            .unroll(x, t.cvec_x)
            .unroll(y, t.cvec_y)
            .unroll(r.x)
            .unroll(r.y);
        acc.update()
            .specialize(tiled && unit_stride && kw == 5)
            .reorder(c, x, y, r.x, r.y, r.z)
            .vectorize(c, L)
            .unroll(x, t.cvec_x)
            .unroll(y, t.cvec_y)
            .unroll(r.x);
        acc.update().specialize(tiled).reorder(c, x, y, r.x, r.y, r.z).vectorize(c, L).unroll(x, t.cvec_x).unroll(y, t.cvec_y);
        // Anything else: one vector of columns at a time.
        out.split(x, xo, xi, L, TailStrategy::GuardWithIf).vectorize(xi).reorder(xi, xo, y, c, n);
        acc.compute_at(out, xo);
    } else if (!t.wide_rows) {
        // Whole vectors of columns (the last one shifted inwards) when rows are at least a vector
        // wide, else half vectors; loads along x must be dense (unit stride), strided ones would
        // be gathers.
        for (int lanes : {L, L / 2}) {
            Expr tiled = unit_stride && channels >= t.xvec_c && height >= t.xvec_y && width >= lanes;
            if (lanes < L) tiled = tiled && width < L;  // says so to the simplifier: a constant tile
            out.specialize(tiled)
                .split(x, xo, xi, lanes, TailStrategy::ShiftInwards)
                .split(c, co, ci, t.xvec_c, TailStrategy::ShiftInwards)
                .split(y, yo, yi, t.xvec_y, TailStrategy::ShiftInwards)
                .reorder(xi, ci, yi, xo, yo, co, n)
                .vectorize(xi)
                .unroll(ci)
                .unroll(yi);
            acc.specialize(tiled).vectorize(x, lanes).unroll(c, t.xvec_c).unroll(y, t.xvec_y);
            acc.update()
                .specialize(tiled && kw == 5)
                .reorder(x, c, y, r.x, r.y, r.z)
                .vectorize(x, lanes)
                .unroll(c, t.xvec_c)
                .unroll(y, t.xvec_y)
                .unroll(r.x);
            acc.update().specialize(tiled).reorder(x, c, y, r.x, r.y, r.z).vectorize(x, lanes).unroll(c, t.xvec_c).unroll(y, t.xvec_y);
        }
        out.split(x, xo, xi, L, TailStrategy::GuardWithIf).vectorize(xi).reorder(xi, xo, y, c, n);
        acc.compute_at(out, xo);
    } else {
        // The tiles compute a per-image plane `wide` whose rows are rounded up to whole vectors
        // (the padded input plane is zero-extended, so the extra columns are harmless), then
        // copied into the output: full vectors even on rows narrower than one (LeNet c2's
        // d_input, 14 wide, ran on half vectors before: 5.3 -> 3.7 ms on a loaded machine; the
        // forward's lenet-c1, 28 wide, got slower with it: 1.75 -> 2.8 ms); loads along x must be
        // dense (unit stride), strided ones would be gathers.
        wide.compute_at(out, n);
        Expr tiled = unit_stride && channels >= t.xvec_c && height >= t.xvec_y;
        wide.specialize(tiled)
            .split(x, xo, xi, L, TailStrategy::RoundUp)
            .split(c, co, ci, t.xvec_c, TailStrategy::ShiftInwards)
            .split(y, yo, yi, t.xvec_y, TailStrategy::ShiftInwards)
            .reorder(xi, ci, yi, xo, yo, co)
            .vectorize(xi)
            .unroll(ci)
            .unroll(yi);
        acc.specialize(tiled).vectorize(x, L).unroll(c, t.xvec_c).unroll(y, t.xvec_y);
        acc.update()
            .specialize(tiled && kw == 5)
            .reorder(x, c, y, r.x, r.y, r.z)
            .vectorize(x, L)
            .unroll(c, t.xvec_c)
            .unroll(y, t.xvec_y)
            .unroll(r.x);
        acc.update().specialize(tiled).reorder(x, c, y, r.x, r.y, r.z).vectorize(x, L).unroll(c, t.xvec_c).unroll(y, t.xvec_y);
        wide.split(x, xo, xi, L, TailStrategy::GuardWithIf).vectorize(xi).reorder(xi, xo, y, c);
        acc.compute_at(wide, xo);
        // The copy: whole or half vectors of columns, the last shifted inwards.
        out.specialize(width >= L).split(x, xo, xi, L, TailStrategy::ShiftInwards).vectorize(xi);
        out.specialize(width >= L / 2).split(x, xo, xi, L / 2, TailStrategy::ShiftInwards).vectorize(xi);
    }
    // Guarded, not rounded up: rounding here would make the tiled paths' accumulator size a
    // run-time select, which keeps it out of registers.
    acc.vectorize(x, L, TailStrategy::GuardWithIf);
    acc.update().vectorize(x, L, TailStrategy::GuardWithIf);
    if (plane.defined()) plane.compute_at(out, n).vectorize(plane.args()[0], L);
    weights.compute_root();
}

// The forward: output = act(bias + conv(input, weight)).
// input [N, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co] -> output [N, Co, OH, OW]
class Conv2dForward : public Generator<Conv2dForward> {
public:
    GeneratorParam<Act> activation{"activation", Act::none, kActNames};
    // Vectorize over output channels (for >= 16 of them) instead of output columns.
    GeneratorParam<bool> channel_vectors{"channel_vectors", false};
    GeneratorParam<int> vector_width{"vector_width", 0};  // 0 = the target's natural width
    // Channel-vectorized tile: 1 vector of channels x 5 columns x 2 rows = 10 accumulators
    // (LeNet c2's 10x10 output in exact tiles); x-vectorized tile: 1 vector x 6 channels x
    // xvec_y rows (LeNet c1's 6 channels).
    GeneratorParam<int> cvec_x{"cvec_x", 5}, cvec_y{"cvec_y", 2};
    // 1 vector x 6 channels x 4 rows = 24 accumulators: lenet-c1 0.54 -> 0.44 ms against 2 rows
    // (quiet machine, FMA peak ~290 GFLOP/s).
    GeneratorParam<int> xvec_c{"xvec_c", 6}, xvec_y{"xvec_y", 4};
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 16}, gpu_tile_y{"gpu_tile_y", 8};
    // Channel-vectorized, for rows of 10 to 15 outputs (LeNet c2's 10): a tile of a whole
    // 10-wide row, stored as row vectors through an in-register transpose. lenet-c2 forward
    // 0.85x-0.87x (same-process A/B, sigmoid); the 56-wide conv was 1.02x-1.05x with it, so it
    // is a variant of its own (runtime/conv2d.cpp picks it by output width).
    GeneratorParam<bool> narrow_rows{"narrow_rows", false};
    // narrow_rows with the output stored channels-last (hnn_gen::require_channels_last): the
    // channel vectors stored straight, no transpose (LeNet c2 before its pool; CPU only).
    GeneratorParam<bool> channels_last{"channels_last", false};
    // x86, for padding 0 only (the runtime's channels-last path): the input read in place, not
    // through a zero-extended plane per image. lenet-c2 forward and pool: 0.896x-0.920x
    // (same-process A/B inside epochs, three runs), the same bits.
    GeneratorParam<bool> unpadded{"unpadded", false};

    Input<Buffer<float, 4>> input{"input"};
    Input<Buffer<float, 4>> weight{"weight"};
    Input<Buffer<float, 1>> bias{"bias"};
    Input<int> stride_h{"stride_h"}, stride_w{"stride_w"}, padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> output{"output"};

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func padded{"padded"}, weights{"weights"}, acc{"acc"}, wide{"wide"};
    RDom r, interior;

    void generate() {
        if (get_target().has_gpu_feature()) {
            padded(x, y, c, n) = BoundaryConditions::constant_exterior(input, 0.0f)(x, y, c, n);
        } else if (unpadded) {  // every read is inside the input (padding 0)
            padded(x, y, c, n) = input(x, y, c, n);
        } else {
            interior = zero_extended(padded, input, input.dim(0).extent(), input.dim(1).extent(), Expr(), x, y, c, n);
        }
        weights(c, x, y, n) = weight(x, y, n, c);  // (co, kx, ky, ci): output channel innermost
        r = RDom(0, weight.dim(0).extent(), 0, weight.dim(1).extent(), 0, weight.dim(2).extent(), "r");
        acc(x, y, c, n) = bias(c);
        acc(x, y, c, n) += padded(x * stride_w + r.x - padding_w, y * stride_h + r.y - padding_h, r.z, n) *
                           weights(c, r.x, r.y, r.z);
        wide(x, y, c, n) = activate(acc(x, y, c, n), activation, !get_target().has_gpu_feature());
        output(x, y, c, n) = wide(x, y, c, n);
        if (channels_last) {
            if (get_target().has_gpu_feature() || !narrow_rows) {
                throw std::runtime_error("conv2d_forward: channels_last is a CPU variant of narrow_rows");
            }
            hnn_gen::require_channels_last(output);
        }

        input.set_estimates({{0, 28}, {0, 28}, {0, 6}, {0, 128}});
        weight.set_estimates({{0, 5}, {0, 5}, {0, 6}, {0, 16}});
        bias.set_estimates({{0, 16}});
        stride_h.set_estimate(1);
        stride_w.set_estimate(1);
        padding_h.set_estimate(0);
        padding_w.set_estimate(0);
        output.set_estimates({{0, 24}, {0, 24}, {0, 16}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_cuda();
        } else {
            schedule_x86();
        }
    }

    void schedule_x86() {
        DirectTiles tiles{hnn_gen::vector_lanes(get_target(), vector_width), channel_vectors, cvec_x, cvec_y, xvec_c, xvec_y,
                          false};
        if (narrow_rows) {
            tiles.channel_vectors = true;
            tiles.cvec_x = 10;
            tiles.cvec_y = 1;
            tiles.transpose_store = !channels_last;
        }
        schedule_direct_x86(output, wide, acc, unpadded ? Func() : padded, weights, r, output.dim(0).extent(), output.dim(1).extent(),
                            output.dim(2).extent(), weight.dim(0).extent(), weight.dim(1).extent(), stride_w == 1, tiles, x, y, c, n);
        if (!unpadded) padded.update().vectorize(interior.x, tiles.lanes, TailStrategy::GuardWithIf);
    }

    void schedule_cuda() {
        Var xo{"xo"}, yo{"yo"}, xi{"xi"}, yi{"yi"};
        output.gpu_tile(x, y, xo, yo, xi, yi, gpu_tile_x, gpu_tile_y, TailStrategy::GuardWithIf).fuse(c, n, c).gpu_blocks(c);
        acc.compute_at(output, xi);
        weights.compute_root().gpu_tile(c, x, xo, xi, 16, 1, TailStrategy::GuardWithIf);
    }
};

// d_input = conv(d_z upsampled by the stride, weight rotated by 180 degrees), i.e.
// d_input[n, ci, y, x] = sum_{co, ky, kx} d_z[n, co, (y + ph - ky) / sh, (x + pw - kx) / sw] w[co, ci, ky, kx]
// over the terms whose divisions are exact and in range.
// d_z [N, Co, OH, OW], weight [Co, Ci, kh, kw] -> d_input [N, Ci, H, W]
class Conv2dBackwardInput : public Generator<Conv2dBackwardInput> {
public:
    GeneratorParam<bool> channel_vectors{"channel_vectors", false};  // over input channels
    // x-vectorized: rows rounded up to whole vectors in a per-image plane (see schedule_direct_x86).
    GeneratorParam<bool> wide_rows{"wide_rows", true};
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> cvec_x{"cvec_x", 5}, cvec_y{"cvec_y", 2};
    GeneratorParam<int> xvec_c{"xvec_c", 6}, xvec_y{"xvec_y", 2};
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 16}, gpu_tile_y{"gpu_tile_y", 8};

    Input<Buffer<float, 4>> output{"output"};  // the forward's y = act(z) (any when activation is 0)
    Input<Buffer<float, 4>> d_output{"d_output"};
    Input<int> activation{"activation"};
    Input<Buffer<float, 4>> weight{"weight"};
    Input<int> stride_h{"stride_h"}, stride_w{"stride_w"}, padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> d_input{"d_input"};

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func upsampled{"upsampled"}, weights{"weights"}, acc{"acc"}, wide{"wide"};
    RDom r, scatter;

    void generate() {
        Func d_z_f("d_z_f");
        d_z_f(x, y, c, n) = activation_gradient(output(x, y, c, n), d_output(x, y, c, n), activation);
        Func dz = BoundaryConditions::constant_exterior(d_z_f, 0.0f, {{0, d_output.dim(0).extent()}, {0, d_output.dim(1).extent()},
                                                                     {0, d_output.dim(2).extent()}, {0, d_output.dim(3).extent()}});
        if (get_target().has_gpu_feature()) {
            upsampled(x, y, c, n) = select(x % stride_w == 0 && y % stride_h == 0, dz(x / stride_w, y / stride_h, c, n), 0.0f);
        } else {
            // x86: a zeroed plane, then d_z written into it (dense stores at unit stride). Read
            // through the boundary condition instead, every vector of the plane straddled d_z's
            // edge (LeNet c2: an 18-wide plane around a 10-wide d_z), so the clamped loads ran as
            // scalar loops or extracted gathers (35-65% of lenet-c2's d_input time).
            RDom rz(0, d_output.dim(0).extent(), 0, d_output.dim(1).extent(), "rz");
            upsampled(x, y, c, n) = 0.0f;
            upsampled(rz.x * stride_w, rz.y * stride_h, c, n) = d_z_f(rz.x, rz.y, c, n);
            scatter = rz;
        }
        weights(c, x, y, n) = weight(x, y, c, n);  // (ci, kx, ky, co): input channel innermost
        r = RDom(0, weight.dim(0).extent(), 0, weight.dim(1).extent(), 0, weight.dim(3).extent(), "r");
        acc(x, y, c, n) = 0.0f;
        acc(x, y, c, n) += upsampled(x + padding_w - r.x, y + padding_h - r.y, r.z, n) * weights(c, r.x, r.y, r.z);
        wide(x, y, c, n) = acc(x, y, c, n);
        d_input(x, y, c, n) = wide(x, y, c, n);

        output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        d_output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        activation.set_estimate(2);
        weight.set_estimates({{0, 5}, {0, 5}, {0, 6}, {0, 16}});
        stride_h.set_estimate(1);
        stride_w.set_estimate(1);
        padding_h.set_estimate(0);
        padding_w.set_estimate(0);
        d_input.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var xo{"xo"}, yo{"yo"}, xi{"xi"}, yi{"yi"};
            d_input.gpu_tile(x, y, xo, yo, xi, yi, gpu_tile_x, gpu_tile_y, TailStrategy::GuardWithIf).fuse(c, n, c).gpu_blocks(c);
            acc.compute_at(d_input, xi);
            weights.compute_root().gpu_tile(c, x, xo, xi, 16, 1, TailStrategy::GuardWithIf);
        } else {
            const DirectTiles tiles{hnn_gen::vector_lanes(get_target(), vector_width), channel_vectors, cvec_x, cvec_y, xvec_c, xvec_y,
                                    wide_rows};
            schedule_direct_x86(d_input, wide, acc, upsampled, weights, r, d_input.dim(0).extent(), d_input.dim(1).extent(),
                                d_input.dim(2).extent(), weight.dim(0).extent(), weight.dim(1).extent(), Internal::const_true(),
                                tiles, x, y, c, n);
            // Unit stride: dense rows of d_z, whole and partial vectors (LeNet c2's are 10 wide).
            // No race: the columns rz.x * stride_w are distinct for any stride >= 1 (the runtime
            // rejects others), which Halide cannot prove for a run-time stride.
            Stage scatter_rows = upsampled.update();
            scatter_rows.specialize(stride_w == 1 && activation == 2)
                .allow_race_conditions()
                .vectorize(scatter.x, tiles.lanes / 2, TailStrategy::GuardWithIf);
            scatter_rows.specialize(stride_w == 1).allow_race_conditions().vectorize(scatter.x, tiles.lanes / 2, TailStrategy::GuardWithIf);
        }
    }
};

// The conv's d_output when a 2x2 stride-2 average pool follows it, from the pool's d_output
// [N, C, OH / 2, OW / 2] (OH, OW even): each output gets a quarter of its window's gradient.
// The pooled kernels (CPU: this d_weight for LeNet c1; the channel d_weight and the batch-lane
// d_input for c2) take it with the activation's slope, so the pool's backward never writes the
// conv's d_z (2.4 MB at c1, read back by d_weight and d_bias).
//
// A row of OW >= L outputs as vectors of L lanes, RDom (lane, vector, row): the whole vectors
// from the left, then one ending at the row's end, which overlaps the one before where L does
// not divide OW (the overlap written twice with the same values). Each vector starts at an
// even column, so x / 2 is a constant lane pattern over d_output's half row (a dense load and
// a shuffle).
struct PooledRow {
    RDom r;
    Expr x, y, half_x;
    Expr gradient(Func d_pooled, Expr c, Expr image) const { return d_pooled(half_x, y / 2, c, image) / 4.0f; }
};
PooledRow pooled_rows(Expr out_w, Expr out_h, int L) {
    Expr whole = (out_w - 1) / L;  // whole vectors before the last one
    RDom r(0, L, 0, whole + 1, 0, out_h, "row");
    Expr start = min(r.y * L, out_w - L);
    return PooledRow{r, start + r.x, r.z, min(r.y * (L / 2), out_w / 2 - L / 2) + r.x / 2};
}

// d_weight[co, ci, ky, kx] = sum_{n, oy, ox} d_z[n, co, oy, ox] * padded_input[n, ci, oy sh + ky - ph, ox sw + kx - pw]
// d_z [N, Co, OH, OW], input [N, Ci, H, W] -> d_weight [Co, Ci, kh, kw]   (pooled: + d_bias [Co])
//
// x86: the reduction over ox runs in vector lanes (output columns rounded up to whole vectors
// over a zero-extended copy of d_z), so `lanes` partial sums per weight are reduced at the
// end; a tile of kx (whole kernel rows of width 5 or 3) times tile_co output channels
// accumulates in registers over the whole (n, oy, ox) reduction.
class Conv2dBackwardWeight : public Generator<Conv2dBackwardWeight> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    // With 5-wide kernels: 5 x 6 = 30 accumulators, LeNet c1's 6 channels in one tile (4 took two
    // overlapping tiles): lenet-c1 0.89 -> 0.72 ms (quiet machine).
    GeneratorParam<int> tile_co{"tile_co", 6};
    GeneratorParam<int> tile_co_k3{"tile_co_k3", 8};  // with 3-wide kernels: 3 x 8 = 24
    // Images per chunk: each chunk's partial sums are reduced by one thread while its slice of
    // d_z and of the input stays in L2; the chunks are then added in order (deterministic,
    // whatever the thread count). Without chunks every (co tile, ci, ky) pass streamed the whole
    // batch from L3: lenet-c2 6.3 -> 4.1 ms, lenet-c1 3.7 -> 2.9 ms, large 96 -> 79 ms (measured
    // on a loaded machine, FMA peak ~70-90 GFLOP/s at the time).
    GeneratorParam<int> batch_chunk{"batch_chunk", 16};
    // d_output is the gradient of a 2x2 average pool after the conv (see PooledRow).
    GeneratorParam<bool> pooled{"pooled", false};
    // x86: the zero-extended input made per chunk of images, inside the task that reads it (from
    // L1/L2), not for the whole batch before the tasks start (a pass through L3 on one thread's
    // turn: LeNet c1's 590 KB). Worth it with one output-channel tile (LeNet c1's 6 channels);
    // with several, each tile would make the chunk's copy again. lenet-c1: 0.90x-0.96x the
    // kernel's time (same-process A/B inside epochs, four runs), the same bits.
    GeneratorParam<bool> chunk_padded{"chunk_padded", false};

    Input<Buffer<float, 4>> output{"output"};  // the forward's y = act(z) (any when activation is 0 and not pooled)
    Input<Buffer<float, 4>> d_output{"d_output"};
    Input<int> activation{"activation"};
    Input<Buffer<float, 4>> input{"input"};
    Input<int> stride_h{"stride_h"}, stride_w{"stride_w"}, padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> d_weight{"d_weight"};
    // pooled: the bias's gradient as well, summed from the same d_z while it is in cache (a
    // separate kernel read the conv's output from L3 again: 92 of ~2400 ms of an epoch).
    Output<Buffer<float, 1>> *d_bias = nullptr;

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"}, u{"u"}, k{"k"};

    void configure() {
        if (pooled) d_bias = add_output<Buffer<float, 1>>("d_bias");
    }

    void generate() {
        const bool gpu = get_target().has_gpu_feature();
        if (pooled && gpu) throw std::runtime_error("conv2d_backward_weight with pooled=true is a CPU kernel");
        const int L = gpu ? 1 : hnn_gen::vector_lanes(get_target(), vector_width);
        Expr out_w = pooled ? output.dim(0).extent() : d_output.dim(0).extent();
        Expr out_h = pooled ? output.dim(1).extent() : d_output.dim(1).extent();
        Expr batch = d_output.dim(3).extent();
        Expr chunk = gpu ? batch : min(batch, int(batch_chunk));  // images per chunk
        Expr chunks = (batch + chunk - 1) / chunk;
        Func padded("padded"), dz_wide("dz_wide"), partial("partial"), chunk_sum("chunk_sum");
        const bool per_chunk = chunk_padded && !gpu;
        RDom interior;
        Func padded_k("padded_k");
        if (per_chunk) {
            // padded_k(x, y, ci, i, chunk): image i of the chunk (a partial last chunk repeats the
            // batch's last image, whose d_z there is zero).
            padded_k(x, y, c, n, k) = 0.0f;
            interior = RDom(0, input.dim(0).extent(), 0, input.dim(1).extent(), 0, chunk, "interior");
            padded_k(interior.x, interior.y, c, interior.z, k) = input(interior.x, interior.y, c, min(k * chunk + interior.z, batch - 1));
        } else {
            interior = zero_extended_batch(padded, input, gpu, x, y, c, n);
        }
        Expr nc = min(n, batch - 1);
        // Zero past the row's end (whole vectors) and past the batch (a partial last chunk): a
        // zeroed plane with the rows written into it. As select(x < out_w, f(min(x, out_w - 1))),
        // the clamped index turned every vector crossing the row's end into a gather (lenet-c1:
        // 28-wide rows in 32 lanes; extracts and inserts were ~30% of the kernel, perf annotate).
        // Only the columns past the row's end are zeroed (a zero pure definition is a memset of
        // the whole plane, as large as the rows themselves).
        // CUDA (L = 1, no vectors): the select, inlined into the reduction.
        RDom rz(0, out_w, 0, out_h, "rz"), tail(out_w, (out_w + L - 1) / L * L - out_w, 0, out_h, "tail");
        PooledRow row;  // pooled: the rows' vectors
        if (gpu) {
            Expr xc = min(x, out_w - 1);
            dz_wide(x, y, c, n) = select(x < out_w && n < batch,
                                         activation_gradient(output(xc, y, c, nc), d_output(xc, y, c, nc), activation), 0.0f);
        } else if (!pooled) {
            dz_wide(x, y, c, n) = undef<float>();
            dz_wide(tail.x, tail.y, c, n) = 0.0f;
            dz_wide(rz.x, rz.y, c, n) =
                select(n < batch, activation_gradient(output(rz.x, rz.y, c, nc), d_output(rz.x, rz.y, c, nc), activation), 0.0f);
        } else {
            // Each row as whole vectors from the left and one last vector ending at the row's
            // end (overlapping them, the same values written twice): dense loads of y and of the
            // pool's half rows. Guarded instead, the tail vector's d_output(x / 2) was a masked
            // gather per row (1.2x the unfused kernels' time).
            dz_wide(x, y, c, n) = undef<float>();
            dz_wide(tail.x, tail.y, c, n) = 0.0f;
            row = pooled_rows(out_w, out_h, L);
            dz_wide(row.x, row.y, c, n) =
                select(n < batch, activation_gradient(output(row.x, row.y, c, nc), row.gradient(d_output, c, nc), activation), 0.0f);
        }
        RDom r(0, (out_w + L - 1) / L, 0, out_h, 0, chunk, "r");
        Expr ox = r.x * L + u, image = k * chunk + r.z;
        // partial(u, kx, ky, ci, co, chunk): lane u of the chunk's sum
        partial(u, x, y, c, n, k) = 0.0f;
        Expr in_x = ox * stride_w + x - padding_w, in_y = r.y * stride_h + y - padding_h;
        partial(u, x, y, c, n, k) += dz_wide(ox, r.y, n, image) *
                                     (per_chunk ? padded_k(in_x, in_y, c, r.z, k) : padded(in_x, in_y, c, image));
        // The lanes summed in a pure definition (no update stage: its tiles may shift inwards).
        Expr total = partial(0, x, y, c, n, k);
        for (int i = 1; i < L; ++i) total += partial(i, x, y, c, n, k);
        RDom rk(0, chunks, "rk");
        Func bias_part("bias_part");  // pooled: bias_part(u, co, chunk), lane u of the chunk's d_z sum
        RDom rb;
        if (pooled) {
            // The chunk's d_z, zero past the rows' ends and the batch: every lane counts. Each
            // chunk_sum point carries its tile's sum (the lanes added: 16 adds per point).
            rb = RDom(0, (out_w + L - 1) / L, 0, out_h, 0, chunk, "rb");
            bias_part(u, n, k) = 0.0f;
            bias_part(u, n, k) += dz_wide(rb.x * L + u, rb.y, n, k * chunk + rb.z);
            Expr bias_total = bias_part(0, n, k);
            for (int i = 1; i < L; ++i) bias_total += bias_part(i, n, k);
            chunk_sum(x, y, c, n, k) = Tuple(total, bias_total);
            d_weight(x, y, c, n) = 0.0f;
            d_weight(x, y, c, n) += chunk_sum(x, y, c, n, rk)[0];
            Var co_b{"co_b"};
            (*d_bias)(co_b) = 0.0f;
            (*d_bias)(co_b) += chunk_sum(0, 0, 0, co_b, rk)[1];
        } else {
            chunk_sum(x, y, c, n, k) = total;
            if (gpu) {
                d_weight(x, y, c, n) = chunk_sum(x, y, c, n, 0);  // one chunk
            } else {
                d_weight(x, y, c, n) = 0.0f;
                d_weight(x, y, c, n) += chunk_sum(x, y, c, n, rk);  // chunks in order
            }
        }

        if (pooled) {  // LeNet c1's shapes
            output.set_estimates({{0, 28}, {0, 28}, {0, 6}, {0, 128}});
            d_output.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});
            input.set_estimates({{0, 28}, {0, 28}, {0, 1}, {0, 128}});
            d_weight.set_estimates({{0, 5}, {0, 5}, {0, 1}, {0, 6}});
            d_bias->set_estimates({{0, 6}});
        } else {  // LeNet c2's
            output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
            d_output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
            input.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});
            d_weight.set_estimates({{0, 5}, {0, 5}, {0, 6}, {0, 16}});
        }
        activation.set_estimate(2);
        stride_h.set_estimate(1);
        stride_w.set_estimate(1);
        padding_h.set_estimate(pooled ? 2 : 0);
        padding_w.set_estimate(pooled ? 2 : 0);

        if (using_autoscheduler()) return;
        Var xo{"xo"}, xi{"xi"}, co{"co"}, ci{"ci"};
        if (gpu) {
            d_weight.gpu_tile(x, y, xo, co, xi, ci, 8, 8, TailStrategy::GuardWithIf).fuse(c, n, c).gpu_blocks(c);
            partial.compute_at(d_weight, xi);
            return;
        }
        Expr kw = d_weight.dim(0).extent();
        Expr channels_tiled = d_weight.dim(3).extent() >= tile_co;
        // kx tiles of 5 and 3 (LeNet's and the large conv's kernels); other widths one kx at a time.
        Expr channels = d_weight.dim(3).extent();
        auto co_tile_of = [&](int kx_tile) { return kx_tile == 3 ? int(tile_co_k3) : int(tile_co); };
        for (int kx_tile : {5, 3, 1}) {
            Expr cond = kx_tile == 1 ? channels_tiled : (channels >= co_tile_of(kx_tile) && kw == kx_tile);
            chunk_sum.specialize(cond)
                .split(x, xo, xi, kx_tile, TailStrategy::ShiftInwards)
                .split(n, co, ci, co_tile_of(kx_tile), TailStrategy::ShiftInwards)
                .reorder(xi, ci, xo, y, c, co, k)
                .fuse(co, k, co)
                .parallel(co);
        }
        chunk_sum.split(x, xo, xi, 1).split(n, co, ci, 1).reorder(xi, ci, xo, y, c, co, k).fuse(co, k, co).parallel(co);
        chunk_sum.compute_root();
        partial.compute_at(chunk_sum, xo);
        partial.vectorize(u);
        partial.update().reorder(u, x, n, r.x, r.y, r.z).vectorize(u);
        // Unit stride first: the input loads along ox are dense (else strided gathers).
        Expr unit = stride_w == 1;
        for (int kx_tile : {5, 3}) {
            partial.update()
                .specialize(unit && channels >= co_tile_of(kx_tile) && kw == kx_tile)
                .unroll(x, kx_tile)
                .unroll(n, co_tile_of(kx_tile));
        }
        partial.update().specialize(unit && channels_tiled).unroll(n, tile_co);
        partial.update().specialize(channels_tiled).unroll(n, tile_co);
        if (per_chunk) {
            padded_k.compute_at(chunk_sum, co).vectorize(x, L);
            padded_k.update().vectorize(interior.x, L, TailStrategy::GuardWithIf);
        } else {
            padded.compute_root().parallel(n, 8, TailStrategy::GuardWithIf).vectorize(x, L);
            padded.update().parallel(interior.z, 8, TailStrategy::GuardWithIf).vectorize(interior.x, L, TailStrategy::GuardWithIf);
        }
        // d_z per chunk and output-channel tile, right before the reduction that reads it (from
        // L2): compute_root wrote and re-read a whole d_z (2.75 MB at lenet-c1) through memory.
        dz_wide.compute_at(chunk_sum, co);
        if (pooled) {
            // Read once more from cache, the tile's channels as independent chains of adds.
            bias_part.compute_at(chunk_sum, co).vectorize(u);
            bias_part.update().reorder(u, n, rb.x, rb.y, rb.z).vectorize(u).unroll(n);
        }
        dz_wide.update(0).vectorize(tail.x, L, TailStrategy::GuardWithIf);
        if (pooled) {
            // x = start + lane: distinct lanes write distinct columns, which Halide's race check
            // does not prove (overlapping vectors write the same values).
            dz_wide.update(1).allow_race_conditions().vectorize(row.r.x);
            dz_wide.update(1).specialize(activation == 2);  // sigmoid, LeNet's
        } else {
            dz_wide.update(1).vectorize(rz.x, L, TailStrategy::GuardWithIf);
            dz_wide.update(1).specialize(activation == 2);  // sigmoid, LeNet's: no per-element select
            dz_wide.update(1).specialize(activation == 0);
        }
    }
};

// d_weight vectorized over output channels (Co >= one vector, 5x5 kernels: LeNet's c2): a
// vector of output channels x the whole 5x5 window = 25 accumulators per input channel and
// 16-image chunk; each step is one vector load of d_z (transposed to put the output channel
// innermost) and 25 broadcast FMAs from the input. No lane is wasted on 10-wide rows (the
// x-lane kernel used 10 of 16 lanes). Chunks are added in order (deterministic).
class Conv2dChannelsBackwardWeight : public Generator<Conv2dChannelsBackwardWeight> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> batch_chunk{"batch_chunk", 16};
    // d_output is the gradient of a 2x2 average pool after the conv (x86, even outputs at least
    // 8 wide; LeNet c2): d_z is made from it in the transpose, and d_bias is summed from the
    // transposed d_z (the pool's backward and the bias kernel each read y and wrote or read d_z).
    GeneratorParam<bool> pooled{"pooled", false};
    // pooled, with y stored channels-last (LeNet c2; runtime/conv2d.h's
    // conv2d_channels_last_pooled): d_z is given, channels-last (c, x, y, n), as the batch-lane
    // d_input kernel (conv2d_batch.cpp) wrote it; output, d_output's values and activation are
    // not read.
    GeneratorParam<bool> channels_last{"channels_last", false};
    // x86, for padding 0 only: the input read in place, not through a zero-extended copy per
    // (input channel, chunk) task. LeNet c2 (channels-last): 0.885x-0.892x the kernel's time
    // (same-process A/B inside epochs, three runs), the same bits.
    GeneratorParam<bool> unpadded{"unpadded", false};

    Input<Buffer<float, 4>> output{"output"};  // the forward's y = act(z) (any when activation is 0 and not pooled)
    Input<Buffer<float, 4>> d_output{"d_output"};
    Input<int> activation{"activation"};
    Input<Buffer<float, 4>> input{"input"};
    Input<int> stride_h{"stride_h"}, stride_w{"stride_w"}, padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> d_weight{"d_weight"};
    Output<Buffer<float, 1>> *d_bias = nullptr;  // pooled
    Input<Buffer<float, 4>> *d_z = nullptr;        // channels_last

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"}, k{"k"}, co{"co"}, kx{"kx"}, ky{"ky"}, ci{"ci"};

    void configure() {
        if (pooled) d_bias = add_output<Buffer<float, 1>>("d_bias");
        if (channels_last) d_z = add_input<Buffer<float, 4>>("d_z");
    }

    void generate() {
        const bool gpu = get_target().has_gpu_feature();
        if (pooled && gpu) throw std::runtime_error("conv2d_channels_backward_weight with pooled=true is a CPU kernel");
        const int L = gpu ? 1 : hnn_gen::vector_lanes(get_target(), vector_width);
        Expr out_w = pooled ? hnn_gen::known_even(output.dim(0).extent()) : d_output.dim(0).extent();
        Expr out_h = pooled ? hnn_gen::known_even(output.dim(1).extent()) : d_output.dim(1).extent();
        Expr batch = d_output.dim(3).extent();
        Expr chunk = gpu ? batch : min(batch, int(batch_chunk));
        Expr chunks = (batch + chunk - 1) / chunk;
        Func padded("padded"), dzt("dzt"), acc("acc"), chunk_sum("chunk_sum");
        // x86: each (input channel, chunk) task zero-extends its own images just before reading
        // them (images past the batch read the last one: their d_z is zero).
        RDom interior;
        if (gpu) {
            interior = zero_extended_batch(padded, input, gpu, x, y, c, n);
        } else if (unpadded) {  // the runtime calls it with padding 0: every read is in the input
            padded(x, y, c, n) = input(x, y, c, min(n, batch - 1));
        } else {
            Func clamped("clamped");
            clamped(x, y, c, n) = input(x, y, c, min(n, batch - 1));
            interior = zero_extended(padded, clamped, input.dim(0).extent(), input.dim(1).extent(), Expr(), x, y, c, n);
        }
        Expr nc = min(n, batch - 1);
        Func dz_rows("dz_rows");
        Expr gradient = pooled ? hnn_gen::avg_pool_2x2_gradient(d_output, x, y, c, nc) : d_output(x, y, c, nc);
        dz_rows(x, y, c, n) = select(n < batch, activation_gradient(output(x, y, c, nc), gradient, activation), 0.0f);
        if (channels_last) {
            if (!pooled) throw std::runtime_error("conv2d_channels_backward_weight: channels_last needs pooled");
            hnn_gen::require_channels_last(output);  // its extents are read, not its values
            // Read in place; the reductions below skip the images past the batch (the clamp never
            // changes a value; it bounds d_z for bounds inference).
            dzt(c, x, y, n) = (*d_z)(c, x, y, nc);
        } else {
            dzt(c, x, y, n) = dz_rows(x, y, c, n);
        }
        // pooled: d_bias from dzt, channels in lanes, a task per chunk (images past the batch are
        // zero), even and odd columns as two chains of adds; the chunks added in order. Serial,
        // over the whole batch, it left the other core idle for ~2% of an epoch (perf).
        Func bias_part("bias_part");
        RDom rb, rbk;
        if (pooled) {
            rb = RDom(0, 2, 0, out_w / 2, 0, out_h, 0, chunk, "rb");
            if (channels_last) rb.where(k * chunk + rb.w < batch);
            bias_part(c, x, k) = 0.0f;
            bias_part(c, rb.x, k) += dzt(c, 2 * rb.y + rb.x, rb.z, k * chunk + rb.w);
            rbk = RDom(0, chunks, "rbk");
            (*d_bias)(c) = 0.0f;
            (*d_bias)(c) += bias_part(c, 0, rbk) + bias_part(c, 1, rbk);
        }
        RDom r(0, out_w, 0, out_h, 0, chunk, "r");
        Expr image = k * chunk + r.z;
        if (channels_last) r.where(image < batch);
        acc(co, kx, ky, ci, k) = 0.0f;
        acc(co, kx, ky, ci, k) += dzt(co, r.x, r.y, image) *
                                  padded(r.x * stride_w + kx - padding_w, r.y * stride_h + ky - padding_h, ci, image);
        chunk_sum(co, kx, ky, ci, k) = acc(co, kx, ky, ci, k);
        RDom rk(0, chunks, "rk");
        if (gpu) {
            d_weight(kx, ky, ci, co) = chunk_sum(co, kx, ky, ci, 0);  // one chunk
        } else {
            // The chunks in order, as an inline sum: d_weight is then one pure loop nest that runs
            // in parallel. As a zero definition and an update it ran serially on the host thread,
            // with a 20-byte memset per kernel row, while the other core waited (perf: ~1% of a
            // LeNet epoch).
            d_weight(kx, ky, ci, co) = sum(chunk_sum(co, kx, ky, ci, rk), "chunks");
        }

        output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        if (pooled) {
            d_output.set_estimates({{0, 5}, {0, 5}, {0, 16}, {0, 128}});
            d_bias->set_estimates({{0, 16}});
        } else {
            d_output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        }
        activation.set_estimate(2);
        input.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});
        stride_h.set_estimate(1);
        stride_w.set_estimate(1);
        padding_h.set_estimate(0);
        padding_w.set_estimate(0);
        d_weight.set_estimates({{0, 5}, {0, 5}, {0, 6}, {0, 16}});

        if (using_autoscheduler()) return;
        Var xo{"xo"}, xi{"xi"}, yo{"yo"}, yi{"yi"}, coo{"coo"}, coi{"coi"};
        if (gpu) {
            d_weight.gpu_tile(kx, ky, xo, yo, xi, yi, 8, 8, TailStrategy::GuardWithIf).fuse(ci, co, ci).gpu_blocks(ci);
            acc.compute_at(d_weight, xi);
            return;
        }
        Expr tiled = d_weight.dim(3).extent() >= L && d_weight.dim(0).extent() == 5 && d_weight.dim(1).extent() == 5;
        d_weight.parallel(co);
        chunk_sum.compute_root();
        chunk_sum.specialize(tiled)
            .split(co, coo, coi, L, TailStrategy::ShiftInwards)
            .split(kx, xo, xi, 5, TailStrategy::ShiftInwards)
            .split(ky, yo, yi, 5, TailStrategy::ShiftInwards)
            .reorder(coi, xi, yi, xo, yo, coo, ci, k)
            .vectorize(coi)
            .unroll(xi)
            .unroll(yi)
            .fuse(ci, k, ci)
            .parallel(ci);
        chunk_sum.split(co, coo, coi, 1)
            .split(kx, xo, xi, 1)
            .split(ky, yo, yi, 1)
            .reorder(coi, xi, yi, xo, yo, coo, ci, k)
            .fuse(ci, k, ci)
            .parallel(ci);
        acc.compute_at(chunk_sum, xo);
        acc.specialize(tiled).vectorize(co, L).unroll(kx, 5).unroll(ky, 5);
        acc.update().specialize(tiled).reorder(co, kx, ky, r.x, r.y, r.z).vectorize(co, L).unroll(kx, 5).unroll(ky, 5);
        if (!unpadded) {
            padded.compute_at(chunk_sum, ci).vectorize(x, L);
            padded.update().vectorize(interior.x, L, TailStrategy::GuardWithIf);
        }
        if (pooled) {
            bias_part.compute_root().bound(x, 0, 2).vectorize(c, L, TailStrategy::GuardWithIf).unroll(x);
            bias_part.update()
                .reorder(c, rb.x, rb.y, rb.z, rb.w, k)
                .vectorize(c, L, TailStrategy::GuardWithIf)
                .unroll(rb.x)
                .parallel(k);
        }
        if (channels_last) return;  // dzt is the given d_z, read in place
        // For the whole batch, before the (input channel, chunk) tasks: computed per chunk and read
        // by every input channel's task, lenet-c2 went from 0.60 to 0.70 ms (min of 6 runs).
        // The transpose in tiles of 8 columns x a vector of channels, Halide's block-transpose
        // idiom: rows loaded as vectors, re-stored channel-major in registers (shuffles), stored
        // as dzt's channel vectors. Vectorized over channels alone, every load was a gather:
        // lenet-c2 d_weight 0.92-0.94x with d_z given (the model's case), 1.02-1.03x with the
        // sigmoid's slope applied here.
        dzt.compute_root();
        Expr channel_vector = d_output.dim(2).extent() >= L;
        dzt.specialize(channel_vector && out_w >= 8)
            .split(x, xo, xi, 8, TailStrategy::ShiftInwards)
            .split(c, coo, coi, L, TailStrategy::ShiftInwards)
            .reorder(coi, xi, coo, xo, y, n)
            .vectorize(coi)
            .unroll(xi)
            .parallel(n, 8, TailStrategy::GuardWithIf);
        dzt.specialize(channel_vector)
            .split(x, xo, xi, 1)
            .split(c, coo, coi, L, TailStrategy::ShiftInwards)
            .reorder(coi, xi, coo, xo, y, n)
            .vectorize(coi)
            .parallel(n, 8, TailStrategy::GuardWithIf);
        dzt.split(x, xo, xi, 1).split(c, coo, coi, 1).reorder(coi, xi, coo, xo, y, n).parallel(n, 8, TailStrategy::GuardWithIf);
        Func rows = dz_rows.in(dzt), cols = rows.in(dzt);
        // pooled: the rows of the 16 channels in a loop (one pointer each for y and d_output);
        // unrolled, the 32 row pointers spilled: 0.95x-0.97x the kernel's time.
        rows.compute_at(dzt, coo).vectorize(x);
        if (!pooled) rows.unroll(c);
        rows.specialize(activation == 2);  // sigmoid: no per-element select
        rows.specialize(activation == 0);
        cols.compute_at(dzt, coo).reorder_storage(c, x, y, n).vectorize(x).unroll(c);
    }
};

// d_bias[co] = sum_{n, y, x} d_z[n, co, y, x]
// d_z [N, Co, OH, OW] -> d_bias [Co]
class Conv2dBackwardBias : public Generator<Conv2dBackwardBias> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    Input<Buffer<float, 4>> output{"output"};  // the forward's y = act(z) (any when activation is 0)
    Input<Buffer<float, 4>> d_output{"d_output"};
    Input<int> activation{"activation"};
    Output<Buffer<float, 1>> d_bias{"d_bias"};

    Var c{"c"}, u{"u"};

    void generate() {
        RDom r(0, d_output.dim(0).extent(), 0, d_output.dim(1).extent(), 0, d_output.dim(3).extent(), "r");
        d_bias(c) = 0.0f;
        d_bias(c) += activation_gradient(output(r.x, r.y, c, r.z), d_output(r.x, r.y, c, r.z), activation);

        output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        d_output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        activation.set_estimate(2);
        d_bias.set_estimates({{0, 16}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var co{"co"}, ci{"ci"};
            d_bias.gpu_tile(c, co, ci, 32, TailStrategy::GuardWithIf);
            d_bias.update().gpu_tile(c, co, ci, 32, TailStrategy::GuardWithIf);
            return;
        }
        // The row sum runs in vector lanes (rfactor), guarded for rows that are not whole vectors.
        const int L = hnn_gen::vector_lanes(get_target(), vector_width);
        RVar rxo{"rxo"}, rxi{"rxi"};
        Func lanes_sum = d_bias.update().split(r.x, rxo, rxi, L, TailStrategy::GuardWithIf).rfactor(rxi, u);
        d_bias.parallel(c);
        d_bias.update().parallel(c);
        lanes_sum.compute_at(d_bias, c).vectorize(u);
        lanes_sum.update().reorder(u, rxo, r.y, r.z).vectorize(u);
        lanes_sum.update().specialize(activation == 2);  // sigmoid, LeNet's: no per-element select
        lanes_sum.update().specialize(activation == 0);
    }
};

// conv1x1 (d2l 7.4.3): Y[n] = W (Co x Ci) . X[n] (Ci x H*W) + b, on [N, C, H*W] views.
// GEMM schedule: 2 vectors of pixels x tile_co output channels in registers over the whole ci
// reduction (2 vector loads + tile_co broadcasts per 2 tile_co FMAs).
// input [N, Ci, P], weight [Co, Ci, 1, 1], bias [Co] -> output [N, Co, P]   (d_input: the
// same with W transposed: d_z [N, Co, P], weight -> d_input [N, Ci, P])
void schedule_gemm_x86(Func out, Func acc, RDom r, Expr pixels, Expr channels, int L, int pixel_vectors, int tile_c, Var p,
                       Var c, Var n) {
    Var po{"po"}, pi{"pi"}, co{"co"}, ci{"ci"};
    Expr tiled = pixels >= L * pixel_vectors && channels >= tile_c;
    Expr wide = pixels >= L;
    out.specialize(tiled)
        .split(p, po, pi, L * pixel_vectors, TailStrategy::ShiftInwards)
        .split(c, co, ci, tile_c, TailStrategy::ShiftInwards)
        .reorder(pi, ci, po, co, n)
        .vectorize(pi, L)
        .unroll(pi)
        .unroll(ci)
        .fuse(co, n, co)
        .parallel(co);
    out.specialize(wide).split(p, po, pi, L, TailStrategy::ShiftInwards).vectorize(pi).fuse(c, n, c).parallel(c);
    out.split(p, po, pi, 1).fuse(c, n, c).parallel(c);  // fewer pixels than lanes: scalar
    acc.compute_at(out, po);
    Var pv{"pv"};
    acc.specialize(tiled).split(p, p, pv, L).vectorize(pv).unroll(p, pixel_vectors).unroll(c, tile_c);
    acc.specialize(wide).vectorize(p, L);
    acc.update().specialize(tiled).reorder(p, c, r).split(p, p, pv, L).vectorize(pv).unroll(p, pixel_vectors).unroll(c, tile_c);
    acc.update().specialize(wide).vectorize(p, L);
}

class Conv1x1Forward : public Generator<Conv1x1Forward> {
public:
    GeneratorParam<bool> transposed{"transposed", false};  // true: d_input = W^T . d_z, no bias
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> pixel_vectors{"pixel_vectors", 2};
    GeneratorParam<int> tile_c{"tile_c", 8};

    Input<Buffer<float, 3>> input{"input"};
    Input<Buffer<float, 4>> weight{"weight"};
    Input<Buffer<float, 1>> bias{"bias"};
    Output<Buffer<float, 3>> output{"output"};

    Var p{"p"}, c{"c"}, n{"n"};
    Func acc{"acc"};

    void generate() {
        const int reduce_dim = transposed ? 3 : 2;
        RDom r(0, weight.dim(reduce_dim).extent(), "r");
        Expr w = transposed ? weight(0, 0, c, r) : weight(0, 0, r, c);
        acc(p, c, n) = transposed ? Expr(0.0f) : bias(c);
        acc(p, c, n) += w * input(p, r, n);
        output(p, c, n) = acc(p, c, n);

        input.set_estimates({{0, 3136}, {0, 64}, {0, 8}});
        weight.set_estimates({{0, 1}, {0, 1}, {0, 64}, {0, 64}});
        bias.set_estimates({{0, 64}});
        output.set_estimates({{0, 3136}, {0, 64}, {0, 8}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var po{"po"}, pi{"pi"};
            output.gpu_tile(p, po, pi, 64, TailStrategy::GuardWithIf).fuse(c, n, c).gpu_blocks(c);
            acc.compute_at(output, pi);
        } else {
            schedule_gemm_x86(output, acc, r, output.dim(0).extent(), output.dim(1).extent(),
                              hnn_gen::vector_lanes(get_target(), vector_width), pixel_vectors, tile_c, p, c, n);
        }
    }
};

// d_weight[co, ci] = sum_{n, p} d_z[n, co, p] x[n, ci, p]: whole vectors of p in lanes (rfactor
// by hand), the p % lanes tail as scalars; a tile_ci x tile_co block of lane sums in registers.
// d_z [N, Co, P], input [N, Ci, P] -> d_weight [Co, Ci, 1, 1]
class Conv1x1BackwardWeight : public Generator<Conv1x1BackwardWeight> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> tile_ci{"tile_ci", 4}, tile_co{"tile_co", 4};

    Input<Buffer<float, 3>> d_z{"d_z"};
    Input<Buffer<float, 3>> input{"input"};
    Output<Buffer<float, 4>> d_weight{"d_weight"};

    Var u{"u"}, kx{"kx"}, ky{"ky"}, ci{"ci"}, co{"co"};

    void generate() {
        const bool gpu = get_target().has_gpu_feature();
        const int L = gpu ? 1 : hnn_gen::vector_lanes(get_target(), vector_width);
        Expr P = d_z.dim(0).extent(), N = d_z.dim(2).extent();
        Func partial("partial");
        RDom whole(0, P / L, 0, N, "whole");
        RDom tail(P / L * L, P % L, 0, N, "tail");
        partial(u, ci, co) = 0.0f;
        partial(u, ci, co) += d_z(whole.x * L + u, co, whole.y) * input(whole.x * L + u, ci, whole.y);
        partial(0, ci, co) += d_z(tail.x, co, tail.y) * input(tail.x, ci, tail.y);
        Expr total = partial(0, ci, co);
        for (int i = 1; i < L; ++i) total += partial(i, ci, co);
        d_weight(kx, ky, ci, co) = total;

        d_z.set_estimates({{0, 3136}, {0, 64}, {0, 8}});
        input.set_estimates({{0, 3136}, {0, 64}, {0, 8}});
        d_weight.set_estimates({{0, 1}, {0, 1}, {0, 64}, {0, 64}});

        if (using_autoscheduler()) return;
        Var cio{"cio"}, cii{"cii"}, coo{"coo"}, coi{"coi"};
        if (gpu) {
            d_weight.gpu_tile(ci, co, cio, coo, cii, coi, 16, 16, TailStrategy::GuardWithIf);
            partial.compute_at(d_weight, cii);
            return;
        }
        Expr tiled = d_weight.dim(2).extent() >= tile_ci && d_weight.dim(3).extent() >= tile_co;
        d_weight.specialize(tiled)
            .split(ci, cio, cii, tile_ci, TailStrategy::ShiftInwards)
            .split(co, coo, coi, tile_co, TailStrategy::ShiftInwards)
            .reorder(kx, ky, cii, coi, cio, coo)
            .parallel(coo);
        d_weight.split(ci, cio, cii, 1).split(co, coo, coi, 1).reorder(kx, ky, cii, coi, cio, coo).parallel(coo);
        partial.compute_at(d_weight, cio);
        partial.vectorize(u);
        partial.update(0).reorder(u, ci, co, whole.x, whole.y).vectorize(u);
        partial.update(0).specialize(tiled).unroll(ci, tile_ci).unroll(co, tile_co);
        partial.update(1).unscheduled();  // the p % lanes tail: at most lanes - 1 scalar steps
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Conv2dForward, conv2d_forward)
HALIDE_REGISTER_GENERATOR(Conv2dBackwardInput, conv2d_backward_input)
HALIDE_REGISTER_GENERATOR(Conv2dBackwardWeight, conv2d_backward_weight)
HALIDE_REGISTER_GENERATOR(Conv2dChannelsBackwardWeight, conv2d_channels_backward_weight)
HALIDE_REGISTER_GENERATOR(Conv2dBackwardBias, conv2d_backward_bias)
HALIDE_REGISTER_GENERATOR(Conv1x1Forward, conv1x1_forward)
HALIDE_REGISTER_GENERATOR(Conv1x1BackwardWeight, conv1x1_backward_weight)
