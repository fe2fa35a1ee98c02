// Optimizer updates over the flat parameter arena (every parameter of a model in one buffer),
// PyTorch's torch.optim semantics. Elementwise: the runtime passes the same buffers as inputs
// and outputs, so the update happens in place in one pass over memory.
#include "common.h"

namespace {
using namespace Halide;

// Vectorized, parallel in chunks; the same schedule for every elementwise update.
// `staged` holds every input value of one vector of elements: it is loaded before any output is
// stored, which keeps the in-place update correct where Halide stores a Tuple's values one by
// one (the predicated tail).
void schedule_in_place(const Target &target, Func updated, Func staged, Var i, int lanes, int chunk) {
    Var outer{"outer"}, inner{"inner"}, lane{"lane"};
    if (target.has_gpu_feature()) {
        updated.gpu_tile(i, outer, inner, 256, TailStrategy::GuardWithIf);
        staged.compute_at(updated, inner);
        return;
    }
    updated.specialize(updated.output_buffers()[0].dim(0).extent() >= chunk)
        .split(i, outer, inner, chunk, TailStrategy::GuardWithIf)
        .parallel(outer)
        .split(inner, inner, lane, lanes, TailStrategy::GuardWithIf)
        .vectorize(lane);
    updated.split(i, inner, lane, lanes, TailStrategy::GuardWithIf).vectorize(lane);
    staged.compute_at(updated, inner).vectorize(i);
}

// SGD with momentum and weight decay (dampening 0, not Nesterov):
//   g = grad + weight_decay * param;  velocity = momentum * velocity + g;  param -= lr * velocity
// (momentum 0: param -= lr * g; velocity is then left as g). shapes: all [P]
class SgdUpdate : public Generator<SgdUpdate> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> chunk{"chunk", 16384};

    Input<Buffer<float, 1>> param{"param"};
    Input<Buffer<float, 1>> grad{"grad"};
    Input<Buffer<float, 1>> velocity{"velocity"};
    Input<float> lr{"lr"};
    Input<float> momentum{"momentum"};
    Input<float> weight_decay{"weight_decay"};
    // (param, velocity) in one loop, so that passing the inputs' buffers updates them in place.
    Output<Func> updated{"updated", {Float(32), Float(32)}, 1};

    void generate() {
        Var i{"i"};
        Func staged{"staged"};
        staged(i) = Tuple(param(i), grad(i), velocity(i));
        Expr p = staged(i)[0], g = staged(i)[1] + weight_decay * p;
        Expr v = momentum * staged(i)[2] + g;
        updated(i) = Tuple(p - lr * v, v);

        for (auto *b : {&param, &grad, &velocity}) b->set_estimates({{0, 61706}});
        lr.set_estimate(0.1f);
        momentum.set_estimate(0.0f);
        weight_decay.set_estimate(0.0f);
        updated.set_estimates({{0, 61706}});
        if (using_autoscheduler()) return;
        schedule_in_place(get_target(), updated, staged, i, hnn_gen::vector_lanes(get_target(), vector_width), chunk);
    }
};

// Adam (L2 weight decay added to the gradient, as torch.optim.Adam), with the bias corrections
// bc1 = 1 - b1^t and bc2 = 1 - b2^t computed by the caller in double precision, as PyTorch does:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;  param -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps)
// shapes: all [P]
class AdamUpdate : public Generator<AdamUpdate> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> chunk{"chunk", 16384};

    Input<Buffer<float, 1>> param{"param"};
    Input<Buffer<float, 1>> grad{"grad"};
    Input<Buffer<float, 1>> first_moment{"first_moment"};
    Input<Buffer<float, 1>> second_moment{"second_moment"};
    Input<float> beta1{"beta1"};
    Input<float> beta2{"beta2"};
    Input<float> epsilon{"epsilon"};
    Input<float> weight_decay{"weight_decay"};
    Input<float> step_size{"step_size"};            // lr / bc1
    Input<float> sqrt_bias_correction2{"sqrt_bias_correction2"};  // sqrt(bc2)
    // (param, first moment, second moment) in one loop, updated in place.
    Output<Func> updated{"updated", {Float(32), Float(32), Float(32)}, 1};

    void generate() {
        Var i{"i"};
        Func staged{"staged"};
        staged(i) = Tuple(param(i), grad(i), first_moment(i), second_moment(i));
        Expr p = staged(i)[0], g = staged(i)[1] + weight_decay * p;
        Expr m = beta1 * staged(i)[2] + (1.0f - beta1) * g;
        Expr v = beta2 * staged(i)[3] + (1.0f - beta2) * g * g;
        updated(i) = Tuple(p - step_size * m / (sqrt(v) / sqrt_bias_correction2 + epsilon), m, v);

        for (auto *b : {&param, &grad, &first_moment, &second_moment}) b->set_estimates({{0, 61706}});
        beta1.set_estimate(0.9f);
        beta2.set_estimate(0.999f);
        epsilon.set_estimate(1e-8f);
        weight_decay.set_estimate(0.0f);
        step_size.set_estimate(0.01f);
        sqrt_bias_correction2.set_estimate(0.03f);
        updated.set_estimates({{0, 61706}});
        if (using_autoscheduler()) return;
        schedule_in_place(get_target(), updated, staged, i, hnn_gen::vector_lanes(get_target(), vector_width), chunk);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(SgdUpdate, sgd_update)
HALIDE_REGISTER_GENERATOR(AdamUpdate, adam_update)
