// corr2d: d2l 7.2's single-channel 2D cross-correlation, no padding, stride 1.
#include "common.h"

namespace {
using namespace Halide;

// output[oh, ow] = sum_{i<kh, j<kw} input[oh + i, ow + j] * kernel[i, j]
// shapes: input [H, W], kernel [kh, kw], output [H - kh + 1, W - kw + 1] (row-major, x = column)
class Corr2dForward : public Generator<Corr2dForward> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};  // 0 = the target's natural width
    GeneratorParam<int> rows_per_task{"rows_per_task", 8};
    GeneratorParam<int> gpu_tile_x{"gpu_tile_x", 32};
    GeneratorParam<int> gpu_tile_y{"gpu_tile_y", 8};

    Input<Buffer<float, 2>> input{"input"};
    Input<Buffer<float, 2>> kernel{"kernel"};
    Output<Buffer<float, 2>> output{"output"};

    Var x{"x"}, y{"y"};
    Func accumulated{"accumulated"};

    void generate() {
        RDom r(0, kernel.dim(0).extent(), 0, kernel.dim(1).extent(), "r");
        accumulated(x, y) = 0.0f;
        accumulated(x, y) += input(x + r.x, y + r.y) * kernel(r.x, r.y);
        output(x, y) = accumulated(x, y);

        input.set_estimates({{0, 64}, {0, 64}});
        kernel.set_estimates({{0, 3}, {0, 3}});
        output.set_estimates({{0, 62}, {0, 62}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            schedule_cuda();
        } else {
            schedule_x86();
        }
    }

    void schedule_x86() {
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Var xo{"xo"}, xi{"xi"}, yo{"yo"}, yi{"yi"};
        // One vector of outputs accumulates in registers over the whole window. Rows at least
        // one vector wide take the vector path (the last vector shifts inwards); narrower
        // outputs (d2l's 2x2 example) take a scalar path, so no size needs padding.
        Expr wide = output.width() >= lanes;
        output.split(y, yo, yi, rows_per_task, TailStrategy::GuardWithIf).parallel(yo);
        output.specialize(wide).split(x, xo, xi, lanes, TailStrategy::ShiftInwards).vectorize(xi);
        output.split(x, xo, xi, 1);
        accumulated.compute_at(output, xo);
        accumulated.specialize(wide).vectorize(x, lanes);
        accumulated.update().specialize(wide).vectorize(x, lanes);
    }

    void schedule_cuda() {
        Var xo{"xo"}, yo{"yo"}, xi{"xi"}, yi{"yi"};
        output.gpu_tile(x, y, xo, yo, xi, yi, gpu_tile_x, gpu_tile_y, TailStrategy::GuardWithIf);
        accumulated.compute_at(output, xi);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Corr2dForward, corr2d_forward)

namespace {

// d_input[i, j] = sum_{a, b} d_output[i - a, j - b] * kernel[a, b] (d_output zero outside)
// d_output [H - kh + 1, W - kw + 1], kernel [kh, kw] -> d_input [H, W]
class Corr2dBackwardInput : public Generator<Corr2dBackwardInput> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    Input<Buffer<float, 2>> d_output{"d_output"};
    Input<Buffer<float, 2>> kernel{"kernel"};
    Output<Buffer<float, 2>> d_input{"d_input"};

    Var x{"x"}, y{"y"};

    void generate() {
        Func padded("padded"), accumulated("accumulated");
        padded(x, y) = BoundaryConditions::constant_exterior(d_output, 0.0f)(x, y);
        RDom r(0, kernel.dim(0).extent(), 0, kernel.dim(1).extent(), "r");
        accumulated(x, y) = 0.0f;
        accumulated(x, y) += padded(x - r.x, y - r.y) * kernel(r.x, r.y);
        d_input(x, y) = accumulated(x, y);

        d_output.set_estimates({{0, 62}, {0, 62}});
        kernel.set_estimates({{0, 3}, {0, 3}});
        d_input.set_estimates({{0, 64}, {0, 64}});

        if (using_autoscheduler()) return;
        Var xo{"xo"}, xi{"xi"}, yo{"yo"}, yi{"yi"};
        if (get_target().has_gpu_feature()) {
            d_input.gpu_tile(x, y, xo, yo, xi, yi, 32, 8, TailStrategy::GuardWithIf);
            accumulated.compute_at(d_input, xi);
            return;
        }
        // As the forward: a vector of outputs accumulates in registers, over a zero-padded copy
        // of d_output (so the inner loop has no bounds checks); narrow rows go scalar.
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        Expr wide = d_input.width() >= lanes;
        d_input.specialize(wide).split(x, xo, xi, lanes, TailStrategy::ShiftInwards).vectorize(xi);
        d_input.split(x, xo, xi, 1);
        accumulated.compute_at(d_input, xo);
        accumulated.specialize(wide).vectorize(x, lanes);
        accumulated.update().specialize(wide).vectorize(x, lanes);
        padded.compute_root();
    }
};

// d_kernel[a, b] = sum_{i, j} d_output[i, j] * input[i + a, j + b]
// d_output [H - kh + 1, W - kw + 1], input [H, W] -> d_kernel [kh, kw]
class Corr2dBackwardKernel : public Generator<Corr2dBackwardKernel> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    Input<Buffer<float, 2>> d_output{"d_output"};
    Input<Buffer<float, 2>> input{"input"};
    Output<Buffer<float, 2>> d_kernel{"d_kernel"};

    Var x{"x"}, y{"y"}, u{"u"};

    void generate() {
        RDom r(0, d_output.dim(0).extent(), 0, d_output.dim(1).extent(), "r");
        d_kernel(x, y) = 0.0f;
        d_kernel(x, y) += d_output(r.x, r.y) * input(r.x + x, r.y + y);

        d_output.set_estimates({{0, 62}, {0, 62}});
        input.set_estimates({{0, 64}, {0, 64}});
        d_kernel.set_estimates({{0, 3}, {0, 3}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var xo{"xo"}, xi{"xi"}, yo{"yo"}, yi{"yi"};
            d_kernel.gpu_tile(x, y, xo, yo, xi, yi, 8, 8, TailStrategy::GuardWithIf);
            d_kernel.update().gpu_tile(x, y, xo, yo, xi, yi, 8, 8, TailStrategy::GuardWithIf);
            return;
        }
        // The sum over columns runs in vector lanes (rfactor), guarded on the last partial vector.
        const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
        RVar rxo{"rxo"}, rxi{"rxi"};
        Func lanes_sum = d_kernel.update().split(r.x, rxo, rxi, lanes, TailStrategy::GuardWithIf).rfactor(rxi, u);
        lanes_sum.compute_at(d_kernel, x).vectorize(u);
        lanes_sum.update().reorder(u, rxo, r.y).vectorize(u);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Corr2dBackwardInput, corr2d_backward_input)
HALIDE_REGISTER_GENERATOR(Corr2dBackwardKernel, corr2d_backward_kernel)
