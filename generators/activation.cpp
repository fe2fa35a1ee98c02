// Standalone activations (relu, sigmoid, tanh): elementwise over a tensor flattened to 1-D,
// forward and backward. Memory-bound: the schedules only vectorize and spread the work.
#include "common.h"

namespace {
using namespace Halide;

enum class Kind { relu, sigmoid, tanh };
const std::map<std::string, Kind> kKinds{{"relu", Kind::relu}, {"sigmoid", Kind::sigmoid}, {"tanh", Kind::tanh}};

// PyTorch's definitions. sigmoid and tanh go through hnn_gen::exp_clamped, a vectorized
// polynomial (tanh itself would be a scalar libm call per element), its argument clamped to
// [-87, 88], where both are saturated to well within a float's precision. fast_reciprocal:
// the sigmoid's division as a refined reciprocal estimate (x86).
Expr activate(Kind kind, Expr x, bool fast_reciprocal) {
    switch (kind) {
        case Kind::relu: return max(x, 0.0f);
        case Kind::sigmoid: return hnn_gen::sigmoid(x, fast_reciprocal);
        case Kind::tanh: {
            // tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|): no overflow for any x.
            Expr e = hnn_gen::exp_clamped(max(-2.0f * abs(x), -87.0f));
            Expr magnitude = (1.0f - e) / (1.0f + e);
            return select(x < 0.0f, -magnitude, magnitude);
        }
    }
    return x;
}

// The derivative from the forward output y: relu' = y > 0, sigmoid' = y (1 - y), tanh' = 1 - y^2.
Expr derivative_times(Kind kind, Expr y, Expr d_y) {
    switch (kind) {
        case Kind::relu: return select(y > 0.0f, d_y, 0.0f);
        case Kind::sigmoid: return d_y * y * (1.0f - y);
        case Kind::tanh: return d_y * (1.0f - y * y);
    }
    return d_y;
}

// output = activation(input); shapes: input [n], output [n]
class ActivationForward : public Generator<ActivationForward> {
public:
    GeneratorParam<Kind> activation{"activation", Kind::relu, kKinds};
    GeneratorParam<int> vector_width{"vector_width", 0};  // 0 = the target's natural width
    // 2-core Xeon (AVX-512): 16K elements per task gives 2x100+ tasks at LeNet's 128x6x28x28
    // and keeps each task's 64 KB of traffic well above the thread-pool overhead.
    GeneratorParam<int> elements_per_task{"elements_per_task", 16384};
    GeneratorParam<int> gpu_threads{"gpu_threads", 256};

    Input<Buffer<float, 1>> input{"input"};
    Output<Buffer<float, 1>> output{"output"};

    Var x{"x"};

    void generate() {
        output(x) = activate(activation, input(x), !get_target().has_gpu_feature());

        input.set_estimates({{0, 1 << 20}});
        output.set_estimates({{0, 1 << 20}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            hnn_gen::schedule_elementwise_cuda(output, gpu_threads);
        } else {
            hnn_gen::schedule_elementwise_x86(output, output.dim(0).extent(), hnn_gen::vector_lanes(get_target(), vector_width),
                                     elements_per_task);
        }
    }
};

// d_input = d_output * activation'(output); shapes: d_output, output, d_input [n]
class ActivationBackward : public Generator<ActivationBackward> {
public:
    GeneratorParam<Kind> activation{"activation", Kind::relu, kKinds};
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> elements_per_task{"elements_per_task", 16384};
    GeneratorParam<int> gpu_threads{"gpu_threads", 256};

    Input<Buffer<float, 1>> d_output{"d_output"};
    Input<Buffer<float, 1>> output{"output"};  // the forward's result y
    Output<Buffer<float, 1>> d_input{"d_input"};

    Var x{"x"};

    void generate() {
        d_input(x) = derivative_times(activation, output(x), d_output(x));

        d_output.set_estimates({{0, 1 << 20}});
        output.set_estimates({{0, 1 << 20}});
        d_input.set_estimates({{0, 1 << 20}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            hnn_gen::schedule_elementwise_cuda(d_input, gpu_threads);
        } else {
            hnn_gen::schedule_elementwise_x86(d_input, d_input.dim(0).extent(), hnn_gen::vector_lanes(get_target(), vector_width),
                                     elements_per_task);
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(ActivationForward, activation_forward)
HALIDE_REGISTER_GENERATOR(ActivationBackward, activation_backward)
