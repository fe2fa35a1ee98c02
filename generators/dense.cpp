// dense: PyTorch's Linear, y = act(x W^T + b), forward and backward. Every kernel is one GEMM
//   out(v, row) = init(v, row) + sum_r a(r, row) * b(v, r)      (Halide order: v innermost)
// with v the contiguous output dimension, so all four share one register-tiled schedule.
// Halide order throughout: x(i, n) is [N, in], weight(i, o) is [out, in], y(o, n) is [N, out].
#include "common.h"

namespace {
using namespace Halide;

enum class Act { none, relu, sigmoid };
const std::map<std::string, Act> kActivations{{"none", Act::none}, {"relu", Act::relu}, {"sigmoid", Act::sigmoid}};

// Register-tile sizes of the x86 GEMM schedule.
struct GemmTile {
    int lanes;  // vector width (floats)
    int cols;   // vectors per tile along v
    int rows;   // rows per tile
};

// The hand-picked tile when the GeneratorParams are 0. AVX-512 has 32 zmm registers: 8 rows x 2
// vectors = 16 accumulators plus 2 loads of b and the broadcasts of a. AVX2 has 16 ymm: 6 x 2.
GemmTile default_tile(const Target &t, int vector_width, int cols, int rows) {
    GemmTile tile;
    tile.lanes = hnn_gen::vector_lanes(t, vector_width);
    tile.cols = cols > 0 ? cols : 2;
    tile.rows = rows > 0 ? rows : (t.has_feature(Target::AVX512) ? 8 : t.has_feature(Target::AVX2) ? 6 : 4);
    return tile;
}

// Schedules output(v, row) = epilogue(acc(v, row)) where acc's update reduces over r.
// Tiers, tried in order, so that any size works without reading out of bounds (ShiftInwards
// needs the extent to be at least the tile): a full register tile (rows x cols vectors), one
// vector by rows, half a vector by rows, one vector by one row, then scalar.
void schedule_gemm_x86(Func output, Func acc, Var v, Var row, RVar r, Expr v_extent, Expr row_extent,
                       const GemmTile &tile) {
    Var vo{"vo"}, vi{"vi"}, ro{"ro"}, ri{"ri"};
    struct Tier {
        int lanes, cols, rows;
    };
    const int half = std::max(1, tile.lanes / 2);
    const Tier tiers[] = {{tile.lanes, tile.cols, tile.rows},
                          {tile.lanes, 1, tile.rows},
                          {half, 1, tile.rows},
                          {tile.lanes, 1, 1},
                          {half, 1, 1}};
    for (const Tier &t : tiers) {
        if (t.lanes < 2) continue;
        const int width = t.lanes * t.cols;
        Expr fits = v_extent >= width && row_extent >= t.rows;
        output.specialize(fits)
            .split(row, ro, ri, t.rows, TailStrategy::ShiftInwards)
            .split(v, vo, vi, width, TailStrategy::ShiftInwards)
            .reorder(vi, ri, vo, ro)
            .vectorize(vi, t.lanes)
            .unroll(vi)
            .unroll(ri)
            .parallel(ro);
        acc.specialize(fits).vectorize(v, t.lanes).unroll(v).unroll(row);
        Var vvo{"vvo"}, vvi{"vvi"};
        acc.update()
            .specialize(fits)
            .split(v, vvo, vvi, t.lanes)
            .reorder(vvi, vvo, row, r)
            .vectorize(vvi)
            .unroll(vvo)
            .unroll(row);
    }
    output.split(row, ro, ri, 1).split(v, vo, vi, 1).reorder(vi, ri, vo, ro).parallel(ro);
    acc.compute_at(output, vo);
}

// CUDA: one thread per output element, its reduction in registers.
void schedule_gemm_cuda(Func output, Func acc, Var v, Var row, int tile_v, int tile_row) {
    Var vo{"vo"}, vi{"vi"}, ro{"ro"}, ri{"ri"};
    output.gpu_tile(v, row, vo, ro, vi, ri, tile_v, tile_row, TailStrategy::GuardWithIf);
    acc.compute_at(output, vi);
}

// dense_forward: x [N, in], weight [out, in], bias [out] -> y [N, out] = act(x W^T + b)
class DenseForward : public Generator<DenseForward> {
public:
    GeneratorParam<Act> activation{"activation", Act::none, kActivations};
    GeneratorParam<int> vector_width{"vector_width", 0};  // 0 = the target's natural width
    GeneratorParam<int> tile_cols{"tile_cols", 0};        // vectors per register tile; 0 = auto
    GeneratorParam<int> tile_rows{"tile_rows", 0};        // rows per register tile; 0 = auto
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 32};
    GeneratorParam<int> gpu_tile_y{"gpu_tile_y", 8};

    Input<Buffer<float, 2>> input{"input"};
    Input<Buffer<float, 2>> weight{"weight"};
    Input<Buffer<float, 1>> bias{"bias"};
    Output<Buffer<float, 2>> output{"output"};

    Var o{"o"}, n{"n"}, i{"i"};
    Func weight_t{"weight_t"}, acc{"acc"};
    RDom r;

    void generate() {
        r = RDom(0, input.dim(0).extent(), "r");
        // W transposed once per call, so the GEMM's vector loads along `out` are contiguous.
        weight_t(o, i) = weight(i, o);
        acc(o, n) = bias(o);
        acc(o, n) += input(r, n) * weight_t(o, r);
        Expr z = acc(o, n);
        switch ((Act)activation) {
        case Act::none: output(o, n) = z; break;
        case Act::relu: output(o, n) = max(z, 0.0f); break;
        case Act::sigmoid: output(o, n) = 1.0f / (1.0f + exp(-z)); break;
        }

        input.set_estimates({{0, 400}, {0, 128}});
        weight.set_estimates({{0, 400}, {0, 120}});
        bias.set_estimates({{0, 120}});
        output.set_estimates({{0, 120}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_cuda();
        } else {
            schedule_x86();
        }
    }

    void schedule_x86() {
        const GemmTile tile = default_tile(get_target(), vector_width, tile_cols, tile_rows);
        schedule_gemm_x86(output, acc, o, n, r.x, output.dim(0).extent(),
                          output.dim(1).extent(), tile);
        Var io{"io"};
        weight_t.compute_root().split(i, io, i, 16, TailStrategy::GuardWithIf).parallel(io);
        weight_t.specialize(output.dim(0).extent() >= tile.lanes).vectorize(o, tile.lanes, TailStrategy::ShiftInwards);
    }

    void schedule_cuda() {
        Var oo{"oo"}, io{"io"}, oi{"oi"}, ii{"ii"};
        weight_t.compute_root().gpu_tile(o, i, oo, io, oi, ii, 16, 16, TailStrategy::GuardWithIf);
        schedule_gemm_cuda(output, acc, o, n, gpu_tile_x, gpu_tile_y);
    }
};

// dense_backward_z: d_output [N, out], output [N, out] -> d_z [N, out] = d_output * act'(z),
// act' from the forward output y: relu y > 0, sigmoid y (1 - y).
class DenseBackwardZ : public Generator<DenseBackwardZ> {
public:
    GeneratorParam<Act> activation{"activation", Act::sigmoid, kActivations};
    GeneratorParam<int> vector_width{"vector_width", 0};

    Input<Buffer<float, 2>> d_output{"d_output"};
    Input<Buffer<float, 2>> output{"output"};
    Output<Buffer<float, 2>> d_z{"d_z"};

    Var o{"o"}, n{"n"};

    void generate() {
        Expr y = output(o, n), dy = d_output(o, n);
        switch ((Act)activation) {
        case Act::none: d_z(o, n) = dy; break;
        case Act::relu: d_z(o, n) = select(y > 0.0f, dy, 0.0f); break;
        case Act::sigmoid: d_z(o, n) = dy * y * (1.0f - y); break;
        }
        d_output.set_estimates({{0, 120}, {0, 128}});
        output.set_estimates({{0, 120}, {0, 128}});
        d_z.set_estimates({{0, 120}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var oo{"oo"}, no{"no"}, oi{"oi"}, ni{"ni"};
            d_z.gpu_tile(o, n, oo, no, oi, ni, 32, 8, TailStrategy::GuardWithIf);
        } else {
            // Elementwise and tiny at LeNet's shapes (N128 x 120: ~1 us); parallel only for
            // large batches.
            const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
            Var no{"no"}, ni{"ni"};
            d_z.specialize(d_z.dim(0).extent() >= lanes).vectorize(o, lanes, TailStrategy::ShiftInwards);
            d_z.specialize(d_z.dim(1).extent() >= 512).split(n, no, ni, 64, TailStrategy::GuardWithIf).parallel(no);
        }
    }
};

// dense_backward_input: d_z [N, out], weight [out, in] -> d_input [N, in] = d_z W
class DenseBackwardInput : public Generator<DenseBackwardInput> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> tile_cols{"tile_cols", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float, 2>> d_z{"d_z"};
    Input<Buffer<float, 2>> weight{"weight"};
    Output<Buffer<float, 2>> d_input{"d_input"};

    Var i{"i"}, n{"n"};
    Func acc{"acc"};

    void generate() {
        RDom r(0, d_z.dim(0).extent(), "r");
        acc(i, n) = 0.0f;
        acc(i, n) += d_z(r, n) * weight(i, r);
        d_input(i, n) = acc(i, n);

        d_z.set_estimates({{0, 120}, {0, 128}});
        weight.set_estimates({{0, 400}, {0, 120}});
        d_input.set_estimates({{0, 400}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_gemm_cuda(d_input, acc, i, n, 32, 8);
        } else {
            schedule_gemm_x86(d_input, acc, i, n, r.x, d_input.dim(0).extent(), d_input.dim(1).extent(),
                              default_tile(get_target(), vector_width, tile_cols, tile_rows));
        }
    }
};

// dense_backward_weight: d_z [N, out], input [N, in] -> d_weight [out, in] = d_z^T x
class DenseBackwardWeight : public Generator<DenseBackwardWeight> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> tile_cols{"tile_cols", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};

    Input<Buffer<float, 2>> d_z{"d_z"};
    Input<Buffer<float, 2>> input{"input"};
    Output<Buffer<float, 2>> d_weight{"d_weight"};

    Var i{"i"}, o{"o"};
    Func acc{"acc"};

    void generate() {
        RDom r(0, d_z.dim(1).extent(), "r");
        acc(i, o) = 0.0f;
        acc(i, o) += d_z(o, r) * input(i, r);
        d_weight(i, o) = acc(i, o);

        d_z.set_estimates({{0, 120}, {0, 128}});
        input.set_estimates({{0, 400}, {0, 128}});
        d_weight.set_estimates({{0, 400}, {0, 120}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_gemm_cuda(d_weight, acc, i, o, 32, 8);
        } else {
            schedule_gemm_x86(d_weight, acc, i, o, r.x, d_weight.dim(0).extent(), d_weight.dim(1).extent(),
                              default_tile(get_target(), vector_width, tile_cols, tile_rows));
        }
    }
};

// dense_backward_bias: d_z [N, out] -> d_bias [out] = sum_n d_z
class DenseBackwardBias : public Generator<DenseBackwardBias> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};

    Input<Buffer<float, 2>> d_z{"d_z"};
    Output<Buffer<float, 1>> d_bias{"d_bias"};

    Var o{"o"};
    Func acc{"acc"};

    void generate() {
        RDom r(0, d_z.dim(1).extent(), "r");
        acc(o) = 0.0f;
        acc(o) += d_z(o, r);
        d_bias(o) = acc(o);

        d_z.set_estimates({{0, 120}, {0, 128}});
        d_bias.set_estimates({{0, 120}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var oo{"oo"}, oi{"oi"};
            d_bias.gpu_tile(o, oo, oi, 64, TailStrategy::GuardWithIf);
            acc.compute_at(d_bias, oi);
        } else {
            // One vector of sums per task in registers; the reduction over N runs serially, so
            // the result does not depend on the thread count.
            const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
            Var oo{"oo"}, oi{"oi"};
            Expr wide = d_bias.dim(0).extent() >= lanes;
            d_bias.specialize(wide).split(o, oo, oi, lanes, TailStrategy::ShiftInwards).vectorize(oi);
            d_bias.split(o, oo, oi, 1);
            acc.compute_at(d_bias, oo);
            acc.specialize(wide).vectorize(o, lanes);
            acc.update().specialize(wide).vectorize(o, lanes);
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(DenseForward, dense_forward)
HALIDE_REGISTER_GENERATOR(DenseBackwardZ, dense_backward_z)
HALIDE_REGISTER_GENERATOR(DenseBackwardInput, dense_backward_input)
HALIDE_REGISTER_GENERATOR(DenseBackwardWeight, dense_backward_weight)
HALIDE_REGISTER_GENERATOR(DenseBackwardBias, dense_backward_bias)
