// dense: PyTorch's Linear, y = act(x W^T + b), forward and backward. Every kernel is one GEMM
//   out(v, row) = init(v, row) + sum_r a(r, row) * b(v, r)      (Halide order: v innermost)
// with v the contiguous output dimension, so all four share one register-tiled schedule.
// Halide order throughout: x(i, n) is [N, in], weight(i, o) is [out, in], y(o, n) is [N, out].
#include "common.h"

namespace {
using namespace Halide;

enum class Act { none, relu, sigmoid };
const std::map<std::string, Act> kActivations{{"none", Act::none}, {"relu", Act::relu}, {"sigmoid", Act::sigmoid}};

// Packing and transposes run in parallel from this many floats: serial, LeNet f1's (48-51K)
// kept the other core idle for ~10% of an epoch with all the serial host work (perf, epoch
// window); a parallel launch costs a few microseconds, more than LeNet f2's and f3's packing.
constexpr int kParallelPacking = 32 * 1024;

// Register-tile sizes of the x86 GEMM schedule.
struct GemmTile {
    int lanes;  // vector width (floats)
    int cols;   // vectors per tile along v
    int rows;   // rows per tile
    int tiles_per_task;  // row tiles per parallel task (a task is one panel x this many tiles)
};

// The hand-picked tile when the GeneratorParams are 0. AVX-512 has 32 zmm registers: 8 rows x 2
// vectors = 16 accumulators plus 2 loads of b and the broadcasts of a (the inner loop is 16
// vfmadd231ps, 2 vmovaps, 8 vbroadcastss, no spills). AVX2 has 16 ymm: 6 x 2.
// Measured on the 2-core Xeon @ 2.5 GHz (AVX-512) while other builds shared it (load 5-9, so the
// measured FMA peak itself varied 58-150 GFLOP/s): GEMM 1024^3 forward 36-50 ms = 50-72% of the
// peak measured in the same run; before packing b it was 57 ms (25%), before any tiling of the
// backward's b 171 ms (8%). LeNet f1 (128 x 400 -> 120, sigmoid) 0.25-0.38 ms.
GemmTile default_tile(const Target &t, int vector_width, int cols, int rows, int tiles_per_task) {
    GemmTile tile;
    tile.lanes = hnn_gen::vector_lanes(t, vector_width);
    tile.cols = cols > 0 ? cols : 2;
    tile.rows = rows > 0 ? rows : (t.has_feature(Target::AVX512) ? 8 : t.has_feature(Target::AVX2) ? 6 : 4);
    tile.tiles_per_task = std::max(1, tiles_per_task);
    return tile;
}

// The GEMM out(v, row) = init(v) + sum_k a(k, row) * b(v, k), v < v_extent, row < row_extent.
// b is packed once per call into panels of `width` columns (packed(vi, k, vo) = b(vo * width + vi,
// k)), so a tile's vector loads are one contiguous stream instead of `width`-column strips at a
// large (often 4 KB: cache-set conflicting) stride; the panels and a's rows are padded (clamped
// reads), so every tile is a full register tile and any size works.
struct Gemm {
    Func packed{"packed"}, acc{"acc"};
    Var v{"v"}, row{"row"}, vi{"vi"}, k{"k"}, vo{"vo"};
    RDom r;
    Expr v_extent, k_extent;
    int width = 0;

    void define(Func a, Func b, Func init, Expr v_extent, Expr row_extent, Expr k_extent, int panel_width) {
        width = panel_width;
        this->v_extent = v_extent;
        this->k_extent = k_extent;
        r = RDom(0, k_extent, "r");
        packed(vi, k, vo) = b(min(vo * width + vi, v_extent - 1), k);
        acc(v, row) = init(min(v, v_extent - 1));
        acc(v, row) += a(r, min(row, row_extent - 1)) * packed(v % width, r, v / width);
    }

    Expr packed_elements() const { return k_extent * v_extent; }

    // x86: output(v, row) = epilogue(acc(v, row)) in tiles of `rows` x `width`; acc lives in
    // registers (rows x width/lanes vectors), updated with the reduction outermost. Tasks run over
    // panels first, then rows, so neighbouring tasks share a panel in cache.
    void schedule_x86(Func output, const GemmTile &tile) {
        Var rb{"rb"}, rr{"rr"}, ro{"ro"}, ri{"ri"}, vvo{"vvo"}, vvi{"vvi"}, task{"task"};
        Var ov = output.args()[0], orow = output.args()[1];
        output.split(orow, rb, rr, tile.rows * tile.tiles_per_task, TailStrategy::GuardWithIf)
            .split(rr, ro, ri, tile.rows, TailStrategy::GuardWithIf)
            .split(ov, vo, vi, width, TailStrategy::GuardWithIf)
            .reorder(vi, ri, ro, vo, rb)
            .fuse(rb, vo, task)
            .parallel(task)
            .vectorize(vi, tile.lanes);
        acc.compute_at(output, ro)
            .bound_extent(v, width)
            .bound_extent(row, tile.rows)
            .vectorize(v, tile.lanes)
            .unroll(v)
            .unroll(row);
        acc.update().split(v, vvo, vvi, tile.lanes).reorder(vvi, vvo, row, r).vectorize(vvi).unroll(vvo).unroll(row);
        // Packing is O(K x v) against the GEMM's O(K x v x rows): parallel only when large, as a
        // parallel launch costs microseconds (LeNet's f3: 128 x 84 -> 10).
        packed.compute_root();
        packed.specialize(packed_elements() >= kParallelPacking).vectorize(vi, tile.lanes).parallel(vo);
        packed.vectorize(vi, tile.lanes);
    }

    // CUDA: one thread per output element, its reduction in registers.
    void schedule_cuda(Func output, int tile_v, int tile_row) {
        Var ov = output.args()[0], orow = output.args()[1];
        Var a{"a"}, b{"b"}, c{"c"}, d{"d"};
        output.gpu_tile(ov, orow, a, b, c, d, tile_v, tile_row, TailStrategy::GuardWithIf);
        acc.compute_at(output, c);
        Var p{"p"}, q{"q"}, s{"s"}, t{"t"};
        packed.compute_root().gpu_tile(vi, k, p, q, s, t, 32, 8, TailStrategy::GuardWithIf).gpu_blocks(vo);
    }
};

// dense_forward: x [N, in], weight [out, in], bias [out] -> y [N, out] = act(x W^T + b)
class DenseForward : public Generator<DenseForward> {
public:
    GeneratorParam<Act> activation{"activation", Act::none, kActivations};
    GeneratorParam<int> vector_width{"vector_width", 0};  // 0 = the target's natural width
    GeneratorParam<int> tile_cols{"tile_cols", 0};        // vectors per register tile; 0 = auto
    GeneratorParam<int> tile_rows{"tile_rows", 0};        // rows per register tile; 0 = auto
    GeneratorParam<int> tiles_per_task{"tiles_per_task", 8};  // row tiles per parallel task
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 32};
    GeneratorParam<int> gpu_tile_y{"gpu_tile_y", 8};

    Input<Buffer<float, 2>> input{"input"};
    Input<Buffer<float, 2>> weight{"weight"};
    Input<Buffer<float, 1>> bias{"bias"};
    Output<Buffer<float, 2>> output{"output"};

    Gemm gemm;

    void generate() {
        // y(o, n) = act(b(o) + sum_i x(i, n) W(i, o)): the GEMM's b operand is W transposed,
        // which the packing does in the same pass.
        // On AVX-512 the forward's tile is 1 vector x 8 rows (panels of 16 outputs): LeNet f1
        // 0.72x-0.77x and f2 0.74x the 2 x 8 tile (same-process A/B), whose 16 accumulators spilled
        // (72 stack stores in its loop against 32). The backward GEMMs keep 2 x 8: 1 x 8 was
        // 1.07x-1.09x there.
        const int cols = tile_cols > 0 ? int(tile_cols) : get_target().has_feature(Target::AVX512) ? 1 : 0;
        const GemmTile tile = default_tile(get_target(), vector_width, cols, tile_rows, tiles_per_task);
        Var v{"v"}, k{"k"};
        Func a{"a"}, b{"b"}, init{"init"};
        a(k, v) = input(k, v);
        b(v, k) = weight(k, v);
        init(v) = bias(v);
        gemm.define(a, b, init, weight.dim(1).extent(), input.dim(1).extent(), input.dim(0).extent(),
                    tile.lanes * tile.cols);
        Var o{"o"}, n{"n"};
        Expr z = gemm.acc(o, n);
        switch ((Act)activation) {
        case Act::none: output(o, n) = z; break;
        case Act::relu: output(o, n) = max(z, 0.0f); break;
        case Act::sigmoid: output(o, n) = hnn_gen::sigmoid(z, !get_target().has_gpu_feature()); break;
        }
        output.dim(0).set_min(0);
        output.dim(1).set_min(0);

        input.set_estimates({{0, 400}, {0, 128}});
        weight.set_estimates({{0, 400}, {0, 120}});
        bias.set_estimates({{0, 120}});
        output.set_estimates({{0, 120}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            gemm.schedule_cuda(output, gpu_tile_x, gpu_tile_y);
        } else {
            gemm.schedule_x86(output, tile);
        }
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
    GeneratorParam<int> tiles_per_task{"tiles_per_task", 8};

    Input<Buffer<float, 2>> d_z{"d_z"};
    Input<Buffer<float, 2>> weight{"weight"};
    Output<Buffer<float, 2>> d_input{"d_input"};

    Gemm gemm;

    void generate() {
        // d_input(i, n) = sum_o d_z(o, n) W(i, o)
        const GemmTile tile = default_tile(get_target(), vector_width, tile_cols, tile_rows, tiles_per_task);
        Var v{"v"}, k{"k"}, i{"i"}, n{"n"};
        Func a{"a"}, b{"b"}, init{"init"};
        a(k, v) = d_z(k, v);
        b(v, k) = weight(v, k);
        init(v) = 0.0f;
        gemm.define(a, b, init, weight.dim(0).extent(), d_z.dim(1).extent(), d_z.dim(0).extent(), tile.lanes * tile.cols);
        d_input(i, n) = gemm.acc(i, n);
        d_input.dim(0).set_min(0);
        d_input.dim(1).set_min(0);

        d_z.set_estimates({{0, 120}, {0, 128}});
        weight.set_estimates({{0, 400}, {0, 120}});
        d_input.set_estimates({{0, 400}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            gemm.schedule_cuda(d_input, 32, 8);
        } else {
            gemm.schedule_x86(d_input, tile);
        }
    }
};

// dense_backward_weight: d_z [N, out], input [N, in] -> d_weight [out, in] = d_z^T x
class DenseBackwardWeight : public Generator<DenseBackwardWeight> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> tile_cols{"tile_cols", 0};
    GeneratorParam<int> tile_rows{"tile_rows", 0};
    GeneratorParam<int> tiles_per_task{"tiles_per_task", 8};

    Input<Buffer<float, 2>> d_z{"d_z"};
    Input<Buffer<float, 2>> input{"input"};
    Output<Buffer<float, 2>> d_weight{"d_weight"};

    Gemm gemm;

    void generate() {
        // d_weight(i, o) = sum_n d_z(o, n) x(i, n)
        const GemmTile tile = default_tile(get_target(), vector_width, tile_cols, tile_rows, tiles_per_task);
        Var v{"v"}, k{"k"}, i{"i"}, o{"o"};
        Func a{"a"}, b{"b"}, init{"init"};
        a(k, v) = d_z(v, k);
        b(v, k) = input(v, k);
        init(v) = 0.0f;
        gemm.define(a, b, init, input.dim(0).extent(), d_z.dim(0).extent(), d_z.dim(1).extent(), tile.lanes * tile.cols);
        d_weight(i, o) = gemm.acc(i, o);
        d_weight.dim(0).set_min(0);
        d_weight.dim(1).set_min(0);

        d_z.set_estimates({{0, 120}, {0, 128}});
        input.set_estimates({{0, 400}, {0, 128}});
        d_weight.set_estimates({{0, 400}, {0, 120}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            gemm.schedule_cuda(d_weight, 32, 8);
        } else {
            gemm.schedule_x86(d_weight, tile);
            // d_z transposed once, so each tile row's broadcasts walk one contiguous row instead
            // of striding by `out` floats (4 KB at 1024: a new page, no prefetch, per step).
            // gemm-1024 d_weight: 112 -> 63 ms (machine under load).
            // In 8x8 tiles through registers (Halide's block-transpose idiom: rows of d_z loaded
            // as vectors, shuffled, stored as rows of a); element by element it was most of this
            // kernel's serial time (perf: LeNet f1's d_z is 120 x 128).
            Var ko{"ko"}, vo{"vo"}, ki{"ki"}, vi{"vi"};
            a.compute_root();
            Expr tiles = d_z.dim(0).extent() >= 8 && d_z.dim(1).extent() >= 8;
            a.specialize(tiles && d_z.dim(0).extent() * d_z.dim(1).extent() >= kParallelPacking)
                .tile(k, v, ko, vo, ki, vi, 8, 8, TailStrategy::ShiftInwards)
                .vectorize(ki)
                .unroll(vi)
                .parallel(vo);
            a.specialize(tiles).tile(k, v, ko, vo, ki, vi, 8, 8, TailStrategy::ShiftInwards).vectorize(ki).unroll(vi);
            a.tile(k, v, ko, vo, ki, vi, 8, 8, TailStrategy::GuardWithIf);  // fewer than 8 rows or columns
            Func rows = d_z.in(a), cols = rows.in(a);
            Var r0 = rows.args()[0], r1 = rows.args()[1], c0 = cols.args()[0], c1 = cols.args()[1];
            rows.compute_at(a, ko).vectorize(r0, 8, TailStrategy::GuardWithIf).unroll(r1, 8, TailStrategy::GuardWithIf);
            cols.compute_at(a, ko)
                .reorder_storage(c1, c0)
                .vectorize(c0, 8, TailStrategy::GuardWithIf)
                .unroll(c1, 8, TailStrategy::GuardWithIf);
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
