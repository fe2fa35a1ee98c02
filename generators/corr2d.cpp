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
