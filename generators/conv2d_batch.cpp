// conv2d_batch: conv2d's d_input with the batch in the vector lanes (x86 only), for narrow
// images with a few input channels, LeNet c2's [128, 6, 14, 14] from d_z [128, 16, 10, 10].
//
// d_input[n, ci, y, x] = sum over co, ky, kx of w[co, ci, ky, kx] * d_z[n, co, y + ph - ky, x + pw - kx]
// at stride 1, over the taps that land inside d_z only.
//
// Why: conv2d_backward_input computes this as a full correlation over a zero-padded d_z plane
// vectorized along x; at LeNet c2 half of its multiply-adds are with padding zeros (196 outputs
// x 25 taps where 100 x 25 are real) and a 14-wide row fills 14 of 16 lanes. With the images in
// the lanes every lane is a real image, and RDom::where's bounds (which Halide turns into the
// tap loops' limits per output pixel) skip the taps outside d_z, so every multiply-add counts.
// The price is a transpose of d_z to (n, co, x, y), and one of each row of results back to
// d_input's rows (8x8 tiles through registers; stored straight, each vector of images was 16
// scalar stores, ~30% of the kernel: with the transpose 0.90x-0.92x, min 0.75 -> 0.69 ms).
//
// Measured (same-process A/B, 2 threads, interleaved medians, LeNet c2 d_input): against
// conv2d_backward_input 0.66x-0.78x over six runs (e.g. 1.43 -> 0.97 ms), with the sigmoid's
// slope as well 0.80x. The transpose of d_z is about a quarter of it: 8x8 tiles of rows
// shuffled into image-major vectors; its loads (8 images, 6.4 KB apart) miss cache.
// The same scheme for the forward lost (c2 1.4x, c1 2.2x the x- and channel-vectorized
// kernels): there, nothing is wasted on padding to win back the transposes.
#include "common.h"

namespace {
using namespace Halide;

class Conv2dBatchBackwardInput : public Generator<Conv2dBatchBackwardInput> {
public:
    GeneratorParam<int> images{"images", 64};  // per register tile (4 AVX-512 vectors); a task is a row of them
    GeneratorParam<int> channels{"channels", 6};  // input channels per register tile
    // d_output is the gradient of a 2x2 average pool after the conv ([N, Co, OH / 2, OW / 2],
    // OH and OW even): d_z is made from it in the transpose (conv2d.cpp's pooled kernels).
    GeneratorParam<bool> pooled{"pooled", false};
    // pooled, with y stored channels-last (hnn_gen::require_channels_last; LeNet c2): d_z is
    // made along channel vectors and written out channels-last, (c, x, y, n), for the d_weight
    // kernel (conv2d_channels_backward_weight with channels_last); the transpose then takes
    // blocks of 8 channels x 8 images of it.
    GeneratorParam<bool> channels_last{"channels_last", false};
    // channels_last, N a multiple of `images` (the runtime checks): the transposed d_z stored in
    // blocks of `images` images, dzb(i, c, x, y, block), instead of one (n, c, x, y) array. A
    // tile's four image vectors stay 256 contiguous bytes, and the transpose's stores land at
    // strides Halide knows (64 floats): with N's stride it spilled its row addresses and stored
    // 32-byte pieces across the whole array (~4 GB/s). LeNet c2, same-process A/B inside epochs:
    // the transpose 0.56x, the kernel 0.84x-0.85x its time over three runs, the same bits. In
    // blocks of one vector of images (16), the tile's four loads took four block addresses that
    // LLVM built and extracted from a vector each step (the kernel 1.02x-1.03x).
    GeneratorParam<bool> blocked{"blocked", false};

    Input<Buffer<float, 4>> output{"output"};  // the forward's y = act(z) (not read when activation is 0)
    Input<Buffer<float, 4>> d_output{"d_output"};
    Input<int> activation{"activation"};  // 0 none, 1 relu, 2 sigmoid
    Input<Buffer<float, 4>> weight{"weight"};
    Input<int> padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> d_input{"d_input"};
    Output<Buffer<float, 4>> *d_z_out = nullptr;  // channels_last: d_z, (c, x, y, n)

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};

    void configure() {
        if (channels_last) d_z_out = add_output<Buffer<float, 4>>("d_z");
    }

    void generate() {
        if (get_target().has_gpu_feature()) throw std::runtime_error("conv2d_batch_backward_input is a CPU kernel");
        const int L = hnn_gen::natural_float_lanes(get_target());
        // pooled: OW and OH even, as the runtime checks (hnn_gen::known_even).
        Expr OW = output.dim(0).extent(), OH = output.dim(1).extent();
        if (pooled) {
            OW = hnn_gen::known_even(OW);
            OH = hnn_gen::known_even(OH);
        }

        // d_z = d_output * act'(y), transposed to (n, co, x, y) through 8x8 tiles.
        Func d_z("d_z"), dzt("dzt"), dpt("dpt");
        Expr gradient = pooled ? hnn_gen::avg_pool_2x2_gradient(d_output, x, y, c, n) : d_output(x, y, c, n);
        if (channels_last) {
            if (!pooled) throw std::runtime_error("conv2d_batch_backward_input: channels_last needs pooled");
            hnn_gen::require_channels_last(output);
            // The pool's d_output with the channels innermost, for d_z's channel vectors.
            dpt(x, y, c, n) = d_output(x, y, c, n);
            gradient = hnn_gen::avg_pool_2x2_gradient(dpt, x, y, c, n);
        }
        d_z(x, y, c, n) = hnn_gen::activation_gradient(output(x, y, c, n), gradient, activation);
        Func dz_cl;  // channels_last: the d_z output
        Func dzb("dzb");
        Var bi{"bi"}, bn{"bn"};
        if (channels_last) {
            (*d_z_out)(c, x, y, n) = d_z(x, y, c, n);
            dz_cl = *d_z_out;
            if (blocked) {
                const int B = images;
                dzb(bi, c, x, y, bn) = dz_cl(c, x, y, bn * B + bi);
                dzt(n, x, y, c) = dzb(n % B, c, x, y, n / B);
            } else {
                dzt(n, x, y, c) = dz_cl(c, x, y, n);
            }
        } else {
            dzt(n, x, y, c) = d_z(x, y, c, n);
        }

        RDom r(0, weight.dim(0).extent(), 0, weight.dim(1).extent(), 0, weight.dim(3).extent(), "r");
        Expr ox = x + padding_w - r.x, oy = y + padding_h - r.y;
        r.where(ox >= 0 && ox < OW && oy >= 0 && oy < OH);
        Func acc("acc");
        acc(n, x, y, c) = 0.0f;
        // The clamps never change a value (the where holds); they bound dzt for bounds inference.
        acc(n, x, y, c) += weight(r.x, r.y, c, r.z) * dzt(n, clamp(ox, 0, OW - 1), clamp(oy, 0, OH - 1), r.z);
        Func res("res");  // a row's results, images innermost, for the transpose into d_input's rows
        res(n, x, y, c) = acc(n, x, y, c);
        d_input(x, y, c, n) = res(n, x, y, c);

        output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        if (pooled) {
            d_output.set_estimates({{0, 5}, {0, 5}, {0, 16}, {0, 128}});
        } else {
            d_output.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        }
        activation.set_estimate(pooled ? 2 : 0);
        weight.set_estimates({{0, 5}, {0, 5}, {0, 6}, {0, 16}});
        padding_h.set_estimate(0);
        padding_w.set_estimate(0);
        d_input.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});
        if (channels_last) d_z_out->set_estimates({{0, 16}, {0, 10}, {0, 10}, {0, 128}});
        if (blocked) {
            // Whole blocks of images (the runtime checks), so that Halide knows every tile of
            // images starts at a block's start and reads dzb's vectors whole (else n % B and
            // n / B were per-lane gathers).
            d_input.dim(3).set_min(0).set_extent(d_input.dim(3).extent() / int(images) * int(images));
        }
        if (using_autoscheduler()) return;

        // The runtime calls this with N >= L images, C >= `channels` input channels and rows of
        // W >= 8; tiles at the ends shift inwards and recompute a few values.
        const int tc = channels;
        Var no{"no"}, ni{"ni"}, co{"co"}, ci{"ci"}, nn{"nn"}, nv{"nv"};
        Expr N = d_input.dim(3).extent(), W = d_input.dim(0).extent();
        Var xo{"xo"}, xi{"xi"}, nio{"nio"}, nii{"nii"}, t{"t"};
        for (int nb : {int(images), L}) {
            if (blocked && nb != int(images)) continue;  // N is a multiple of `images`
            // d_input's loops: task of (nb images, row) > channel tile >
            // [the row's results, res] > channel > 8 images > 8 columns, stored as rows of 8
            // through an in-register transpose of res (Halide's block-transpose idiom). Stored
            // straight from the accumulators, each vector of images was 16 scalar stores: ~30% of
            // the kernel (perf annotate, lenet-c2). A task per row of each 64 images (LeNet c2:
            // 28, not 2): with two tasks one core often waited for the other's last one (8-89 ms
            // of an epoch); in same-process A/B the kernel's time 0.95x-1.00x.
            d_input.specialize(N >= nb && W >= 8)
                .split(n, no, ni, nb, TailStrategy::ShiftInwards)
                .split(c, co, ci, tc, TailStrategy::ShiftInwards)
                .split(ni, nio, nii, 8)
                .split(x, xo, xi, 8, TailStrategy::ShiftInwards)
                .reorder(xi, nii, xo, nio, ci, co, y, no)
                .fuse(y, no, t)
                .parallel(t)
                .vectorize(xi)
                .unroll(nii);
        }
        d_input.specialize_fail("conv2d_batch_backward_input needs at least one vector of images and rows of 8");
        // The register tile: nb/L vectors of images x tc channels, over the whole reduction.
        res.compute_at(d_input, co).split(n, nn, nv, L).reorder(nv, nn, c, x, y).vectorize(nv).unroll(nn).unroll(c);
        acc.compute_at(res, x).split(n, nn, nv, L).reorder(nv, nn, c, x, y).vectorize(nv).unroll(nn).unroll(c);
        acc.update().split(n, nn, nv, L).reorder(nv, nn, c, r.z, r.x, r.y).vectorize(nv).unroll(nn).unroll(c);
        Func res_rows = res.in(d_input), res_cols = res_rows.in(d_input);
        res_rows.compute_at(d_input, xo).vectorize(n).unroll(x);
        res_cols.compute_at(d_input, xo).reorder_storage(x, n, y, c).vectorize(x).unroll(n);

        if (channels_last) {
            // d_z, channels-last, a task per 8 images.
            dz_cl.split(c, co, ci, L, TailStrategy::ShiftInwards)
                .reorder(ci, co, x, y, n)
                .vectorize(ci)
                .parallel(n, 8, TailStrategy::GuardWithIf);
            dz_cl.specialize(activation == 2);  // sigmoid: no per-element select
            dpt.compute_root()
                .reorder_storage(c, x, y, n)
                .split(c, co, ci, L, TailStrategy::ShiftInwards)
                .reorder(ci, co, x, y, n)
                .vectorize(ci)
                .parallel(n, 8, TailStrategy::GuardWithIf);
            // The transpose: per pixel, 8 images' rows of 8 channels to 8 channels' rows of 8
            // images, in registers (the block-transpose idiom below). LLVM turns a 16x16 block
            // into ~340 vpermt2ps (1.3 per element, against ~1 for 8x8): with 16x16 blocks the
            // kernel took 1.04x-1.06x its time (A/B inside epochs).
            const int T = 8;
            Func into = blocked ? dzb : dzt;
            Var at;
            if (blocked) {
                // A task per row of a block: 64 streams of rows in, one 40 KB run of blocks out.
                // (A task per 8 or 16 images of a block, writing 32-64 bytes of each 256-byte
                // row: the transpose 1.2x-1.3x this one's time.)
                Var bio{"bio"}, bii{"bii"}, yb{"yb"};
                dzb.compute_root()
                    .split(c, co, ci, T, TailStrategy::ShiftInwards)
                    .split(bi, bio, bii, T)
                    .reorder(bii, ci, bio, co, x, y, bn)
                    .vectorize(bii)
                    .unroll(ci)
                    .fuse(y, bn, yb)
                    .parallel(yb);
                at = bio;
            } else {
                // A task per 8 images.
                dzt.compute_root().reorder_storage(n, c, x, y);
                dzt.split(c, co, ci, T, TailStrategy::ShiftInwards)
                    .split(n, no, ni, T, TailStrategy::ShiftInwards)
                    .reorder(ni, ci, co, x, y, no)
                    .vectorize(ni)
                    .unroll(ci)
                    .parallel(no);
                at = co;
            }
            Func rows = dz_cl.in(into), cols = rows.in(into);
            rows.compute_at(into, at).vectorize(c).unroll(n);
            cols.compute_at(into, at).reorder_storage(n, c, x, y).vectorize(c).unroll(n);
            return;
        }
        // The transpose: an 8x8 tile of d_z loaded as rows, stored as columns (dzt's n innermost).
        dzt.compute_root().reorder_storage(n, c, x, y);
        dzt.specialize(OW >= 8)
            .split(x, xo, xi, 8, TailStrategy::ShiftInwards)
            .split(n, no, ni, 8, TailStrategy::ShiftInwards)
            .reorder(ni, xi, no, xo, y, c)
            .vectorize(ni)
            .unroll(xi)
            .parallel(c);
        dzt.split(n, no, ni, 8, TailStrategy::ShiftInwards).reorder(ni, no, x, y, c).vectorize(ni).parallel(c);
        // Halide's block-transpose idiom (test/performance/block_transpose.cpp): rows loaded as
        // vectors, re-stored image-major in registers (shuffles), then stored as dzt's vectors.
        // With one stack tile read at stride 8 instead, LLVM built each vector from 8 scalar
        // inserts: this is 0.91x that kernel's time (the transpose 25% faster).
        Func rows = d_z.in(dzt), cols = rows.in(dzt);
        // pooled: the 8 images' rows in a loop (one pointer each for y and d_output); unrolled,
        // the 16 row pointers spilled: 0.95x-0.98x the kernel's time.
        rows.compute_at(dzt, no).vectorize(x);
        if (!pooled) rows.unroll(n);
        rows.specialize(activation == 2);  // sigmoid: no per-element select
        rows.specialize(activation == 0);
        cols.compute_at(dzt, no).reorder_storage(n, x, y, c).vectorize(x).unroll(n);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Conv2dBatchBackwardInput, conv2d_batch_backward_input)
