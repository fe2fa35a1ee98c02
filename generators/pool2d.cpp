// pool2d: d2l 7.5's max and average pooling with PyTorch's semantics (MaxPool2d, AvgPool2d with
// count_include_pad=True, ceil_mode=False), forward and backward, NCHW float32.
// Window, stride and padding are run-time scalars in PyTorch's (h, w) order; the runtime
// checks them (padding <= window / 2, window fits the padded input).
#include "common.h"

namespace {
using namespace Halide;

enum class Mode { max, average };
const std::map<std::string, Mode> kModes{{"max", Mode::max}, {"avg", Mode::average}};

// The activation fused into the conv before a pool (pool2x2_act_backward).
enum class Act { relu, sigmoid };
const std::map<std::string, Act> kActs{{"relu", Act::relu}, {"sigmoid", Act::sigmoid}};

// The index k = 2 dy + dx of a 2x2 window's first maximum in row-major order (PyTorch's, and
// the general kernel's running "v > max" scan from -inf); cell(k) is the window's value at k.
template <class Cell>
Expr first_max_index_2x2(Cell cell) {
    Expr best = Expr(-std::numeric_limits<float>::infinity()), index = Expr(0);
    for (int k = 0; k < 4; ++k) {
        const Expr v = cell(k);
        const Expr take = v > best;
        index = select(take, k, index);
        best = select(take, v, best);
    }
    return index;
}

// output[n, c, oy, ox] = max or mean over i < kh, j < kw of input[n, c, oy*sh - ph + i, ox*sw - pw + j]
// shapes: input [N, C, H, W] -> output [N, C, (H + 2ph - kh) / sh + 1, (W + 2pw - kw) / sw + 1]
// Max pads with -inf (a padded cell never wins), average with 0 and divides by kh*kw.
class Pool2dForward : public Generator<Pool2dForward> {
public:
    GeneratorParam<Mode> mode{"mode", Mode::max, kModes};
    GeneratorParam<int> vector_width{"vector_width", 0};  // 0 = the target's natural width
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 16};
    GeneratorParam<int> gpu_tile_y{"gpu_tile_y", 8};

    Input<Buffer<float, 4>> input{"input"};  // Halide order: (x = W, y = H, c, n)
    Input<int> window_h{"window_h"}, window_w{"window_w"};
    Input<int> stride_h{"stride_h"}, stride_w{"stride_w"};
    Input<int> padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> output{"output"};

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Func pooled{"pooled"};
    RDom r;  // the window

    void generate() {
        const bool is_max = mode == Mode::max;
        const Expr pad_value = is_max ? Expr(-std::numeric_limits<float>::infinity()) : Expr(0.0f);
        Func padded = BoundaryConditions::constant_exterior(
            input, pad_value, {{0, input.dim(0).extent()}, {0, input.dim(1).extent()}, Range(), Range()});
        r = RDom(0, window_w, 0, window_h, "r");
        const Expr ix = x * stride_w - padding_w + r.x, iy = y * stride_h - padding_h + r.y;
        // The boundary condition marks the in-bounds case likely, so Halide splits each row into
        // padded edges and a steady state of plain (deinterleaving, for stride 2) vector loads.
        const Expr value = padded(ix, iy, c, n);
        if (is_max) {
            pooled(x, y, c, n) = pad_value;
            pooled(x, y, c, n) = max(pooled(x, y, c, n), value);
            output(x, y, c, n) = pooled(x, y, c, n);
        } else {
            pooled(x, y, c, n) = 0.0f;
            pooled(x, y, c, n) += value;
            output(x, y, c, n) = pooled(x, y, c, n) / cast<float>(window_h * window_w);
        }

        input.set_estimates({{0, 28}, {0, 28}, {0, 6}, {0, 128}});
        window_h.set_estimate(2);
        window_w.set_estimate(2);
        stride_h.set_estimate(2);
        stride_w.set_estimate(2);
        padding_h.set_estimate(0);
        padding_w.set_estimate(0);
        output.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_cuda();
        } else {
            schedule_x86();
        }
    }

    void schedule_x86() {
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Var cn{"cn"}, xo{"xo"}, xi{"xi"};
        // One task per (n, c) plane. Each vector of outputs reduces its windows in registers.
        // Output rows narrower than the natural vector (LeNet's 14 and 5) take half or quarter
        // vectors, the last vector of a row shifting inwards; rows under 4 run scalar.
        output.fuse(c, n, cn).parallel(cn);
        const Expr width = output.dim(0).extent();
        auto vector_rows = [&](auto stage) {
            for (int l : {lanes, lanes / 2, lanes / 4}) {
                if (l >= 4) stage.specialize(width >= l).split(x, xo, xi, l, TailStrategy::ShiftInwards).vectorize(xi);
            }
            stage.split(x, xo, xi, 1);
        };
        // Constant strides (the pooling layers of LeNet, VGG, ResNet use 2) turn the window's
        // loads into dense or deinterleaving vector loads instead of gathers.
        vector_rows(output.specialize(stride_w == 2 && stride_h == 2));
        vector_rows(output.specialize(stride_w == 1 && stride_h == 1));
        vector_rows(Func(output));
        pooled.compute_at(output, xo);
        for (int l : {lanes, lanes / 2, lanes / 4}) {
            if (l < 4) continue;
            pooled.specialize(width >= l).vectorize(x, l);
            pooled.update().specialize(width >= l).reorder(x, r.x, r.y).vectorize(x, l);
        }
    }

    void schedule_cuda() {
        Var cn{"cn"}, xo{"xo"}, yo{"yo"}, xi{"xi"}, yi{"yi"};
        output.fuse(c, n, cn)
            .split(x, xo, xi, gpu_tile_x, TailStrategy::GuardWithIf)
            .split(y, yo, yi, gpu_tile_y, TailStrategy::GuardWithIf)
            .reorder(xi, yi, xo, yo, cn)
            .gpu_threads(xi, yi)
            .gpu_blocks(xo, yo, cn);
        pooled.compute_at(output, xi);
    }
};

// The gradient as a gather: each input cell sums over the output windows that cover it,
// ox in [ceil((x + pw - kw + 1) / sw), floor((x + pw) / sw)] (at most ceil(kw / sw) of them;
// windows outside the output read a zero gradient), so no two threads write the same cell.
// Average: d_input[x] = sum d_output[window] / (kh*kw) (padded cells count in the divisor).
// Max: a window's gradient goes to its FIRST maximal in-bounds cell in row-major order (as
// PyTorch); each window's winner is found once per plane, then gathered.
// shapes: d_output [N, C, OH, OW], input [N, C, H, W] (max only; average ignores its values)
//         -> d_input [N, C, H, W]
class Pool2dBackward : public Generator<Pool2dBackward> {
public:
    GeneratorParam<Mode> mode{"mode", Mode::max, kModes};
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> planes_per_task{"planes_per_task", 8};
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 16};
    GeneratorParam<int> gpu_tile_y{"gpu_tile_y", 8};

    Input<Buffer<float, 4>> d_output{"d_output"};
    Input<Buffer<float, 4>> input{"input"};
    Input<int> window_h{"window_h"}, window_w{"window_w"};
    Input<int> stride_h{"stride_h"}, stride_w{"stride_w"};
    Input<int> padding_h{"padding_h"}, padding_w{"padding_w"};
    Output<Buffer<float, 4>> d_input{"d_input"};

    Var x{"x"}, y{"y"}, c{"c"}, n{"n"};
    Var p{"p"}, q{"q"};  // phase space of the gather: x = q * stride_w + p
    Func winner{"winner"}, gathered{"gathered"};
    Func d_output_plane{"d_output_plane"};  // d_output, zero outside
    Func input_plane{"input_plane"};        // input, -inf outside (max only)
    RDom r;  // the output windows that may cover an input cell

    void generate() {
        const bool is_max = mode == Mode::max;
        const Expr W = d_input.dim(0).extent(), H = d_input.dim(1).extent();
        const Expr OW = d_output.dim(0).extent(), OH = d_output.dim(1).extent();

        // Both boundary conditions tag the in-bounds case likely, so each row's steady state runs
        // without clamps; windows outside the output read a zero gradient.
        Func d_output_padded = BoundaryConditions::constant_exterior(d_output, 0.0f, {{0, OW}, {0, OH}, Range(), Range()});
        d_output_plane(x, y, c, n) = d_output_padded(x, y, c, n);
        if (is_max) {
            // winner(ox, oy) = (y * W + x of the window's first maximum, that maximum); padded
            // cells read -inf and never win.
            Func input_padded = BoundaryConditions::constant_exterior(
                input, -std::numeric_limits<float>::infinity(), {{0, W}, {0, H}, Range(), Range()});
            Var ox{"ox"}, oy{"oy"};
            const Expr x0 = ox * stride_w - padding_w, y0 = oy * stride_h - padding_h;
            const Expr first_x = clamp(x0, 0, W - 1), first_y = clamp(y0, 0, H - 1);
            // As PyTorch: the index starts at the first in-bounds cell, the value at -inf.
            winner(ox, oy, c, n) = Tuple(first_y * W + first_x, -std::numeric_limits<float>::infinity());
            input_plane(x, y, c, n) = input_padded(x, y, c, n);
            RDom w(0, window_w, 0, window_h, "w");
            const Expr ix = x0 + w.x, iy = y0 + w.y;
            const Expr v = input_plane(ix, iy, c, n);
            const Expr take = v > winner(ox, oy, c, n)[1];
            winner(ox, oy, c, n) = Tuple(select(take, iy * W + ix, winner(ox, oy, c, n)[0]),
                                         select(take, v, winner(ox, oy, c, n)[1]));
        }

        // The gather runs in phase space: input column x = q * sw + p (phase p < sw). For a fixed
        // phase the first covering window is q + a constant, so a vector over q reads d_output
        // and the winners densely and accumulates in a plain vector (a vector over x would mix
        // phases and deinterleave its accumulator through memory).
        const Expr xp = q * stride_w + p;
        // Halide's integer division floors, as these bounds need.
        const Expr ox_lo = (xp + padding_w - window_w) / stride_w + 1, ox_hi = (xp + padding_w) / stride_w;
        const Expr oy_lo = (y + padding_h - window_h) / stride_h + 1, oy_hi = (y + padding_h) / stride_h;
        r = RDom(0, (window_w + stride_w - 1) / stride_w, 0, (window_h + stride_h - 1) / stride_h, "r");
        const Expr ox = ox_lo + r.x, oy = oy_lo + r.y;
        Expr contribution = d_output_plane(ox, oy, c, n);
        if (is_max) {
            // A window that does not cover (x, y) never names it as its winner: no range check.
            contribution = select(winner(ox, oy, c, n)[0] == y * W + xp, contribution, 0.0f);
        } else {
            contribution = select(ox <= ox_hi && oy <= oy_hi, contribution, 0.0f);
        }
        gathered(p, q, y, c, n) = 0.0f;
        gathered(p, q, y, c, n) += contribution;
        const Expr total = gathered(x % stride_w, x / stride_w, y, c, n);
        if (is_max) {
            d_input(x, y, c, n) = total;
        } else {
            d_input(x, y, c, n) = total / cast<float>(window_h * window_w);
        }

        d_output.set_estimates({{0, 14}, {0, 14}, {0, 6}, {0, 128}});
        input.set_estimates({{0, 28}, {0, 28}, {0, 6}, {0, 128}});
        window_h.set_estimate(2);
        window_w.set_estimate(2);
        stride_h.set_estimate(2);
        stride_w.set_estimate(2);
        padding_h.set_estimate(0);
        padding_w.set_estimate(0);
        d_input.set_estimates({{0, 28}, {0, 28}, {0, 6}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_cuda();
        } else {
            schedule_x86();
        }
    }

    void schedule_x86() {
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Var cn{"cn"}, xo{"xo"}, xi{"xi"};
        const bool is_max = mode == Mode::max;
        // One task per (n, c) plane; the plane's window winners first, then the gather, a
        // vector of input cells at a time (narrow rows: half or quarter vectors; under 4: scalar).
        // A task runs planes_per_task planes, so the per-plane scratch (the winners, the bordered
        // planes) is allocated once per task rather than once per plane.
        Var cno{"cno"};
        d_input.fuse(c, n, cn).split(cn, cno, cn, planes_per_task, TailStrategy::GuardWithIf).parallel(cno);
        const Expr width = d_input.dim(0).extent();
        // Stride 2 (every common pooling layer): d_input vectors of 2l cells interleave the two
        // phases' l-wide vectors. Stride 1 has one phase. Other strides run the same way with
        // run-time phase arithmetic (gathered loads), correct but slower.
        std::vector<int> widths;
        for (int l : {lanes, lanes / 2, lanes / 4}) {
            if (l >= 4) widths.push_back(l);
        }
        Stage stride2 = d_input.specialize(stride_w == 2);
        for (int l : widths) stride2.specialize(width >= 2 * l).split(x, xo, xi, 2 * l, TailStrategy::ShiftInwards).vectorize(xi);
        stride2.split(x, xo, xi, 1);
        Stage stride1 = d_input.specialize(stride_w == 1);
        for (int l : widths) stride1.specialize(width >= l).split(x, xo, xi, l, TailStrategy::ShiftInwards).vectorize(xi);
        stride1.split(x, xo, xi, 1);
        for (int l : widths) d_input.specialize(width >= l).split(x, xo, xi, l, TailStrategy::ShiftInwards).vectorize(xi);
        d_input.split(x, xo, xi, 1);
        gathered.compute_at(d_input, xo).reorder_storage(q, p);  // a phase's vector is contiguous
        // The plane's d_output with its zero border, materialized once per plane: the gather then
        // reads it with plain vector loads (a boundary condition inside the vectorized gather
        // becomes a clamp per lane, an emulated gather).
        d_output_plane.store_at(d_input, cno).compute_at(d_input, cn).vectorize(x, lanes);
        Stage gathered2 = gathered.specialize(stride_w == 2), update2 = gathered.update().specialize(stride_w == 2);
        for (int l : widths) {
            gathered2.specialize(width >= 2 * l).reorder(q, p).vectorize(q, l).unroll(p, 2);
            update2.specialize(width >= 2 * l).reorder(q, r.x, r.y, p).vectorize(q, l).unroll(p, 2);
        }
        for (int l : widths) {
            gathered.specialize(width >= l).reorder(q, p).vectorize(q, l);
            gathered.update().specialize(width >= l).reorder(q, r.x, r.y, p).vectorize(q, l);
        }
        if (is_max) {
            Var ox = winner.args()[0];
            // The plane's input with its -inf border, once per plane, for the same reason.
            input_plane.store_at(d_input, cno).compute_at(d_input, cn).vectorize(x, lanes);
            winner.store_at(d_input, cno).compute_at(d_input, cn).vectorize(ox, lanes / 2);
            winner.update().vectorize(ox, lanes / 2);
        }
    }

    void schedule_cuda() {
        Var cn{"cn"}, xo{"xo"}, yo{"yo"}, xi{"xi"}, yi{"yi"};
        const bool is_max = mode == Mode::max;
        d_input.fuse(c, n, cn)
            .split(x, xo, xi, gpu_tile_x, TailStrategy::GuardWithIf)
            .split(y, yo, yi, gpu_tile_y, TailStrategy::GuardWithIf)
            .reorder(xi, yi, xo, yo, cn)
            .gpu_threads(xi, yi)
            .gpu_blocks(xo, yo, cn);
        gathered.compute_at(d_input, xi);
        if (is_max) {
            // The winners of all windows, one thread each, before the gather.
            Var ox = winner.args()[0], oy = winner.args()[1], c2 = winner.args()[2], n2 = winner.args()[3];
            Var wcn{"wcn"}, oxo{"oxo"}, oyo{"oyo"}, oxi{"oxi"}, oyi{"oyi"};
            winner.compute_root()
                .fuse(c2, n2, wcn)
                .split(ox, oxo, oxi, gpu_tile_x, TailStrategy::GuardWithIf)
                .split(oy, oyo, oyi, gpu_tile_y, TailStrategy::GuardWithIf)
                .reorder(oxi, oyi, oxo, oyo, wcn)
                .gpu_threads(oxi, oyi)
                .gpu_blocks(oxo, oyo, wcn);
            winner.update()
                .fuse(c2, n2, wcn)
                .split(ox, oxo, oxi, gpu_tile_x, TailStrategy::GuardWithIf)
                .split(oy, oyo, oyi, gpu_tile_y, TailStrategy::GuardWithIf)
                .reorder(oxi, oyi, oxo, oyo, wcn)
                .gpu_threads(oxi, oyi)
                .gpu_blocks(oxo, oyo, wcn);
        }
    }
};


// The common case of d2l's LeNet, VGG, ResNet: window 2, stride 2, no padding, even H and W.
// The runtime flattens (n, c, row) into one row dimension (rows of a plane pair up, so output
// row r reads input rows 2r and 2r+1 of the same plane), so the kernel sees one tall image and
// pays no per-plane overhead, no boundary conditions and no run-time window arithmetic.
// Measured (bench kernels, 2-core Xeon @ 2.5 GHz AVX-512, shared with other builds: minima):
// the general kernel above, one task per 14x14 or 5x5 plane, took 0.37-1.0 ms at LeNet's p1
// and 0.5-0.8 ms at p2, forward; 0.5-3.7 ms backward. These kernels, minima of 3 runs in a quiet
// moment: forward p1 0.049 (max) / 0.055 (avg) ms, p2 0.025 / 0.028 ms; backward p1 0.12 / 0.088
// ms, p2 0.057 / 0.038 ms (about 25-45 GB/s). rows_per_task 128 (80+ tasks) measured no better
// (0.05-0.24 ms, within the noise of the shared machine); 512 kept.
// shapes: input [W, 2R] (Halide order) -> output [W / 2, R]
class Pool2x2Forward : public Generator<Pool2x2Forward> {
public:
    GeneratorParam<Mode> mode{"mode", Mode::max, kModes};
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> rows_per_task{"rows_per_task", 512};  // output rows per parallel task (~20 tasks at LeNet's pools)

    Input<Buffer<float, 2>> input{"input"};
    Output<Buffer<float, 2>> output{"output"};

    Var x{"x"}, y{"y"};

    void generate() {
        const Expr a = input(2 * x, 2 * y), b = input(2 * x + 1, 2 * y);
        const Expr c = input(2 * x, 2 * y + 1), d = input(2 * x + 1, 2 * y + 1);
        // The same association as the general kernel's window loop (row-major), so results agree bit for bit.
        if (mode == Mode::max) {
            output(x, y) = max(max(max(a, b), c), d);
        } else {
            output(x, y) = (((a + b) + c) + d) / 4.0f;
        }
        input.set_estimates({{0, 28}, {0, 128 * 6 * 28}});
        output.set_estimates({{0, 14}, {0, 128 * 6 * 14}});
        if (using_autoscheduler()) return;
        // CPU only: CUDA runs the general kernel (the runtime's views are host memory).
        if (get_target().has_gpu_feature()) throw std::runtime_error("pool2x2_forward is a CPU kernel");
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Var yo{"yo"}, xo{"xo"}, xi{"xi"};
        output.split(y, yo, y, rows_per_task, TailStrategy::GuardWithIf).parallel(yo);
        // Rows narrower than a vector (LeNet's 14 and 5) take half or quarter vectors, the last
        // one of a row shifted inwards; the stride-2 loads deinterleave dense vector loads.
        const Expr width = output.dim(0).extent();
        for (int l : {lanes, lanes / 2, lanes / 4}) {
            if (l >= 4) output.specialize(width >= l).split(x, xo, xi, l, TailStrategy::ShiftInwards).vectorize(xi);
        }
    }
};

// The 2x2 average pool of a conv output stored channels-last (hnn_gen::require_channels_last;
// LeNet c2's y, see runtime/conv2d.h's conv2d_channels_last_pooled), into the NCHW tensor the
// next layer reads, seen as planes of P = (H / 2) * (W / 2) positions. Channel vectors summed
// as Pool2x2Forward writes its sum (LLVM may reassociate either, so the two agree to a last
// bit); blocks of 16 channels x 16 positions transposed in registers
// (Halide's block-transpose idiom) into the planes' rows: stored a float at a time, the copy was
// half the kernel (perf). CPU only.
// shapes: input channels-last (x, y, c, n) [W, H, C, N] -> output [P, C, N]
class Pool2x2AvgChannelsLast : public Generator<Pool2x2AvgChannelsLast> {
public:
    Input<Buffer<float, 4>> input{"input"};
    Output<Buffer<float, 3>> output{"output"};

    Var p{"p"}, c{"c"}, n{"n"};

    void generate() {
        if (get_target().has_gpu_feature()) throw std::runtime_error("pool2x2_avg_channels_last is a CPU kernel");
        hnn_gen::require_channels_last(input);
        const Expr pw = input.dim(0).extent() / 2, px = p % pw, py = p / pw;
        const Expr a = input(2 * px, 2 * py, c, n), b = input(2 * px + 1, 2 * py, c, n);
        const Expr cc = input(2 * px, 2 * py + 1, c, n), d = input(2 * px + 1, 2 * py + 1, c, n);
        Func pooled("pooled");
        pooled(c, p, n) = (((a + b) + cc) + d) / 4.0f;
        output(p, c, n) = pooled(c, p, n);
        input.set_estimates({{0, 10}, {0, 10}, {0, 16}, {0, 128}});
        output.set_estimates({{0, 25}, {0, 16}, {0, 128}});
        if (using_autoscheduler()) return;
        const int L = hnn_gen::natural_float_lanes(get_target());
        Var po{"po"}, pi{"pi"}, co{"co"}, ci{"ci"};
        output.parallel(n, 8, TailStrategy::GuardWithIf);
        const Expr blocks = output.dim(0).extent() >= L && output.dim(1).extent() >= L;
        output.specialize(blocks)
            .split(p, po, pi, L, TailStrategy::ShiftInwards)
            .split(c, co, ci, L, TailStrategy::ShiftInwards)
            .reorder(pi, ci, po, co, n)
            .vectorize(pi)
            .unroll(ci);
        // Elsewhere a position at a time, its channels as (guarded) vectors.
        output.split(p, po, pi, 1).reorder(pi, c, po, n);
        Func cols = pooled.in(output);
        pooled.compute_at(output, po).vectorize(c, L, TailStrategy::GuardWithIf).unroll(p);
        cols.compute_at(output, po).reorder_storage(p, c, n).vectorize(c, L, TailStrategy::GuardWithIf).unroll(p);
    }
};

// The gradient of Pool2x2Forward, written in phase space: d_input viewed as [2, W / 2, 2, R]
// (p = x % 2 with stride 1, q = x / 2 with stride 2, s = y % 2, r = y / 2), so each of the four
// phases is a plain function of the window (q, r) and the unrolled phase stores combine into
// dense interleaving stores.
// Average: d_input = d_output(q, r) / 4, a pure upsample.
// Max: the window's first maximum in row-major order (as PyTorch, and the general kernel's
// running "v > max" scan from -inf) takes d_output(q, r), the other three cells 0.
// shapes: d_output [W / 2, R], input [2, W / 2, 2, R] (max only) -> d_input [2, W / 2, 2, R]
class Pool2x2Backward : public Generator<Pool2x2Backward> {
public:
    GeneratorParam<Mode> mode{"mode", Mode::max, kModes};
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> rows_per_task{"rows_per_task", 512};  // window rows (r) per parallel task

    Input<Buffer<float, 2>> d_output{"d_output"};
    Input<Buffer<float, 4>> input{"input"};
    Output<Buffer<float, 4>> d_input{"d_input"};

    Var p{"p"}, q{"q"}, s{"s"}, r{"r"};
    Func winner{"winner"};

    void generate() {
        const bool is_max = mode == Mode::max;
        const Expr g = d_output(q, r);
        if (is_max) {
            winner(q, r) = first_max_index_2x2([&](int k) { return input(k % 2, q, k / 2, r); });
            d_input(p, q, s, r) = select(winner(q, r) == s * 2 + p, g, 0.0f);
        } else {
            d_input(p, q, s, r) = g / 4.0f;
        }
        // The phase dimensions are exactly 2 and q's stride is 2 (the runtime's view), so the
        // compiler sees dense rows.
        input.dim(0).set_extent(2).set_stride(1);
        input.dim(1).set_stride(2);
        input.dim(2).set_extent(2);
        d_input.dim(0).set_bounds(0, 2).set_stride(1);
        d_input.dim(1).set_stride(2);
        d_input.dim(2).set_bounds(0, 2);

        d_output.set_estimates({{0, 14}, {0, 128 * 6 * 14}});
        input.set_estimates({{0, 2}, {0, 14}, {0, 2}, {0, 128 * 6 * 14}});
        d_input.set_estimates({{0, 2}, {0, 14}, {0, 2}, {0, 128 * 6 * 14}});
        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) throw std::runtime_error("pool2x2_backward is a CPU kernel");
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Var ro{"ro"}, qo{"qo"}, qi{"qi"};
        d_input.reorder(p, s, q, r).unroll(p).unroll(s).split(r, ro, r, rows_per_task, TailStrategy::GuardWithIf).parallel(ro);
        const Expr width = d_input.dim(1).extent();
        for (int l : {lanes, lanes / 2, lanes / 4}) {
            if (l < 4) continue;
            Stage st = d_input.specialize(width >= l);
            st.split(q, qo, qi, l, TailStrategy::ShiftInwards).reorder(qi, p, s, qo, r).vectorize(qi);
        }
        d_input.split(q, qo, qi, 1).reorder(qi, p, s, qo, r);  // rows under 4 windows: scalar
        if (is_max) {
            // Each window's winner once, a vector of windows at a time, before its four phases.
            winner.compute_at(d_input, qo);
            for (int l : {lanes, lanes / 2, lanes / 4}) {
                if (l < 4) continue;
                winner.specialize(width >= l).vectorize(q, l);
            }
        }
    }
};


// Pool2x2Backward times the slope of the activation fused into the conv before the pool
// (LeNet's conv + sigmoid + AvgPool2d(2), conv + relu + MaxPool2d(2)): d_z = d_input * act'(y)
// from the pool's input y = act(z), written where d_input would go. The conv's backward then
// runs with activation none and reads d_z alone instead of y and d_y in each of its d_bias,
// d_weight and d_input kernels. Measured (bench of the kernel sequence, interleaved, medians):
// LeNet c1's pool + d_bias + d_weight 1.46 -> 1.21 ms, c2's (+ d_input) 0.95-1.00 of before.
// Row sums of d_z as a second output (compute_with, so the conv's d_bias would be a reduction
// of N*C*H/2 sums) measured slower than reading d_z again in the bias kernel: at c1 this
// kernel took 0.39 ms with them, 0.18 ms without, and the bias pass over d_z 0.05-0.1 ms.
// Rows are seen as (x, s, r): input row 2r + s of the flattened [N*C*H, W] image, so vectors
// run over x with dense loads of y and stores of d_z, and d_output is upsampled as
// d_output(x / 2, r) (Pool2x2Backward's phase space would deinterleave y and interleave d_z).
// shapes: d_output [W / 2, R], y [W, 2, R] -> d_z [W, 2, R]  (R = N*C*H/2)
class Pool2x2ActBackward : public Generator<Pool2x2ActBackward> {
public:
    GeneratorParam<Mode> mode{"mode", Mode::average, kModes};
    GeneratorParam<Act> activation{"activation", Act::sigmoid, kActs};
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> rows_per_task{"rows_per_task", 512};  // row pairs (r) per parallel task

    Input<Buffer<float, 2>> d_output{"d_output"};
    Input<Buffer<float, 3>> y{"y"};
    Output<Buffer<float, 3>> d_z{"d_z"};

    Var x{"x"}, s{"s"}, r{"r"}, q{"q"};
    Func winner{"winner"};

    void generate() {
        const Expr g = d_output(x / 2, r);
        Expr grad;  // the pool's d_input at (x, s, r), as Pool2x2Backward computes it
        if (mode == Mode::max) {
            winner(q, r) = first_max_index_2x2([&](int k) { return y(2 * q + k % 2, k / 2, r); });
            grad = select(winner(x / 2, r) == s * 2 + x % 2, g, 0.0f);
        } else {
            grad = g / 4.0f;
        }
        const Expr out = y(x, s, r);
        // As the conv kernels' activation_gradient: relu (y > 0), sigmoid (grad * y) * (1 - y).
        d_z(x, s, r) = activation == Act::relu ? select(out > 0.0f, grad, 0.0f) : grad * out * (1.0f - out);
        y.dim(1).set_extent(2);
        d_z.dim(1).set_bounds(0, 2);

        d_output.set_estimates({{0, 14}, {0, 128 * 6 * 14}});
        y.set_estimates({{0, 28}, {0, 2}, {0, 128 * 6 * 14}});
        d_z.set_estimates({{0, 28}, {0, 2}, {0, 128 * 6 * 14}});
        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) throw std::runtime_error("pool2x2_act_backward is a CPU kernel");
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Var ro{"ro"}, xo{"xo"}, xi{"xi"};
        // Vectors over x, the row's last one shifted inwards (rows narrower than a vector take
        // half or quarter vectors; under 4 columns scalar). A masked tail instead ran scalar.
        d_z.reorder(x, s, r).split(r, ro, r, rows_per_task, TailStrategy::GuardWithIf).parallel(ro);
        const Expr width = d_z.dim(0).extent();
        for (int l : {lanes, lanes / 2, lanes / 4}) {
            if (l >= 4) d_z.specialize(width >= l).split(x, xo, xi, l, TailStrategy::ShiftInwards).vectorize(xi);
        }
        d_z.split(x, xo, xi, 1);
        if (mode == Mode::max) {
            // The winners of a vector's windows, once for both rows of the pair.
            winner.compute_at(d_z, xo);
            for (int l : {lanes, lanes / 2}) {
                if (l >= 8) winner.specialize(width >= l).vectorize(q, l / 2);
            }
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Pool2dForward, pool2d_forward)
HALIDE_REGISTER_GENERATOR(Pool2dBackward, pool2d_backward)
HALIDE_REGISTER_GENERATOR(Pool2x2AvgChannelsLast, pool2x2_avg_channels_last)
HALIDE_REGISTER_GENERATOR(Pool2x2Forward, pool2x2_forward)
HALIDE_REGISTER_GENERATOR(Pool2x2Backward, pool2x2_backward)
HALIDE_REGISTER_GENERATOR(Pool2x2ActBackward, pool2x2_act_backward)
