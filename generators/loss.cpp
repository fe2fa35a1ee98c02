// Losses with PyTorch's semantics (reduction='mean'): softmax cross-entropy over class logits
// with integer labels (CrossEntropyLoss) and mean squared error (MSELoss), forward and backward.
// Scalars are 1-element buffers. Sums to a scalar accumulate in double in a fixed order, so a
// result never depends on the thread count.
#include "common.h"

namespace {
using namespace Halide;

// Per-row statistics of logits(c, n): the first maximal index (torch.argmax), the maximum, and
// sum_c exp(logits - max) (stable log-sum-exp).
struct RowStats {
    Func best{"best"};  // (max value, first index of it)
    Func sum_exp{"sum_exp"};
};

RowStats row_stats(Func logits, Expr classes) {
    Var n{"n"};
    RowStats s;
    RDom rc(1, classes - 1, "rc");
    s.best(n) = {logits(0, n), 0};
    s.best(n) = select(logits(rc, n) > s.best(n)[0], Tuple(logits(rc, n), rc), s.best(n));
    RDom ra(0, classes, "ra");
    s.sum_exp(n) = 0.0f;
    s.sum_exp(n) += exp(logits(ra, n) - s.best(n)[0]);
    return s;
}

// softmax_cross_entropy_forward: logits [N, C], labels [N] (int32, 0 <= label < C, checked by
// the runtime) -> loss [1] = mean_n (logsumexp(logits_n) - logits_n[label_n]),
//                 correct [1] = #rows whose first argmax equals the label
class SoftmaxCrossEntropyForward : public Generator<SoftmaxCrossEntropyForward> {
public:
    Input<Buffer<float, 2>> logits{"logits"};
    Input<Buffer<int32_t, 1>> labels{"labels"};
    Output<Buffer<float, 1>> loss{"loss"};
    Output<Buffer<int32_t, 1>> correct{"correct"};

    Var n{"n"}, i{"i"};
    Func row_loss{"row_loss"}, total{"total"}, hits{"hits"}, label{"label"};

    void generate() {
        const Expr classes = logits.dim(0).extent(), rows = logits.dim(1).extent();
        RowStats s = row_stats(logits, classes);
        label(n) = clamp(labels(n), 0, classes - 1);
        row_loss(n) = s.best(n)[0] + log(s.sum_exp(n)) - logits(label(n), n);
        RDom rn(0, rows, "rn");
        total() = cast<double>(0);
        total() += cast<double>(row_loss(rn));
        hits() = 0;
        hits() += select(s.best(rn)[1] == label(rn), 1, 0);
        loss(i) = cast<float>(total() / cast<double>(rows));
        correct(i) = hits();

        logits.set_estimates({{0, 10}, {0, 128}});
        labels.set_estimates({{0, 128}});
        loss.set_estimates({{0, 1}});
        correct.set_estimates({{0, 1}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var no{"no"}, ni{"ni"};
            // Row statistics one thread per row; the two sums over rows in a single thread
            // each (N is a batch: small).
            s.best.compute_root().gpu_tile(n, no, ni, 64, TailStrategy::GuardWithIf);
            s.best.update().gpu_tile(n, no, ni, 64, TailStrategy::GuardWithIf);
            Var no2{"no2"}, ni2{"ni2"};
            row_loss.compute_root().gpu_tile(n, no2, ni2, 64, TailStrategy::GuardWithIf);
            s.sum_exp.compute_at(row_loss, ni2);
            total.compute_root().gpu_single_thread();
            total.update().gpu_single_thread();
            hits.compute_root().gpu_single_thread();
            hits.update().gpu_single_thread();
            loss.gpu_single_thread();
            correct.gpu_single_thread();
        } else {
            // Rows are short (C = 10 at LeNet's shape), so the row statistics are vectorized
            // across rows (one gather per class); serial: N = 128 is too small to split.
            const int lanes = hnn_gen::natural_float_lanes(get_target());
            row_loss.compute_root().vectorize(n, lanes, TailStrategy::GuardWithIf);
            s.best.compute_root().vectorize(n, lanes, TailStrategy::GuardWithIf);
            s.best.update().vectorize(n, lanes, TailStrategy::GuardWithIf);
            s.sum_exp.compute_at(row_loss, n).vectorize(n);
            s.sum_exp.update().vectorize(n);
            total.compute_root();
            hits.compute_root();
        }
    }
};

// softmax_cross_entropy_backward: logits [N, C], labels [N], d_loss (scalar)
//   -> d_logits [N, C] = (softmax(logits) - onehot(labels)) * d_loss / N
class SoftmaxCrossEntropyBackward : public Generator<SoftmaxCrossEntropyBackward> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};

    Input<Buffer<float, 2>> logits{"logits"};
    Input<Buffer<int32_t, 1>> labels{"labels"};
    Input<float> d_loss{"d_loss"};
    Output<Buffer<float, 2>> d_logits{"d_logits"};

    Var c{"c"}, n{"n"};

    void generate() {
        const Expr classes = logits.dim(0).extent(), rows = logits.dim(1).extent();
        RowStats s = row_stats(logits, classes);
        Func scale{"scale"};
        scale(n) = d_loss / (cast<float>(rows) * s.sum_exp(n));
        Expr onehot = select(c == labels(n), d_loss / cast<float>(rows), 0.0f);
        d_logits(c, n) = exp(logits(c, n) - s.best(n)[0]) * scale(n) - onehot;

        logits.set_estimates({{0, 10}, {0, 128}});
        labels.set_estimates({{0, 128}});
        d_loss.set_estimate(1.0f);
        d_logits.set_estimates({{0, 10}, {0, 128}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var no{"no"}, ni{"ni"};
            d_logits.gpu_tile(n, no, ni, 64, TailStrategy::GuardWithIf);
            s.best.compute_at(d_logits, ni);
            s.sum_exp.compute_at(d_logits, ni);
            scale.compute_at(d_logits, ni);
        } else {
            // Row statistics vectorized across rows (see the forward), then d_logits per row.
            const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
            d_logits.specialize(classes >= lanes).vectorize(c, lanes, TailStrategy::ShiftInwards);
            // Fewer classes than lanes (LeNet: 10): vectorize down the rows (gathers/scatters),
            // 18 -> 6 us at N128 C10 (the forward: 23 -> 3 us).
            Var no{"no"}, ni{"ni"};
            d_logits.reorder(n, c).split(n, no, ni, lanes, TailStrategy::GuardWithIf).vectorize(ni);
            scale.compute_root().vectorize(n, lanes, TailStrategy::GuardWithIf);
            s.best.compute_root().vectorize(n, lanes, TailStrategy::GuardWithIf);
            s.best.update().vectorize(n, lanes, TailStrategy::GuardWithIf);
            s.sum_exp.compute_at(scale, n).vectorize(n);
            s.sum_exp.update().vectorize(n);
        }
    }
};

// mse_forward: prediction [R, C], target [R, C] -> loss [1] = mean((prediction - target)^2)
// (any other shape is viewed as 2-D by the runtime)
class MseForward : public Generator<MseForward> {
public:
    Input<Buffer<float, 2>> prediction{"prediction"};
    Input<Buffer<float, 2>> target_values{"target_values"};
    Output<Buffer<float, 1>> loss{"loss"};

    Var r{"r"}, i{"i"};
    Func row_sum{"row_sum"}, total{"total"};

    void generate() {
        const Expr cols = prediction.dim(0).extent(), rows = prediction.dim(1).extent();
        RDom rc(0, cols, "rc");
        Expr d = cast<double>(prediction(rc, r)) - cast<double>(target_values(rc, r));
        row_sum(r) = cast<double>(0);
        row_sum(r) += d * d;
        RDom rr(0, rows, "rr");
        total() = cast<double>(0);
        total() += row_sum(rr);
        loss(i) = cast<float>(total() / (cast<double>(rows) * cast<double>(cols)));

        prediction.set_estimates({{0, 1}, {0, 64}});
        target_values.set_estimates({{0, 1}, {0, 64}});
        loss.set_estimates({{0, 1}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var ro{"ro"}, ri{"ri"};
            row_sum.compute_root().gpu_tile(r, ro, ri, 64, TailStrategy::GuardWithIf);
            row_sum.update().gpu_tile(r, ro, ri, 64, TailStrategy::GuardWithIf);
            total.compute_root().gpu_single_thread();
            total.update().gpu_single_thread();
            loss.gpu_single_thread();
        } else {
            // Double accumulation per row, then over rows: exact enough for any size and
            // cheap at the house-price shape (64 x 1).
            row_sum.compute_at(total, rr);
            total.compute_root();
        }
    }
};

// mse_backward: prediction [R, C], target [R, C], d_loss (scalar)
//   -> d_prediction [R, C] = 2 (prediction - target) * d_loss / numel
class MseBackward : public Generator<MseBackward> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};

    Input<Buffer<float, 2>> prediction{"prediction"};
    Input<Buffer<float, 2>> target_values{"target_values"};
    Input<float> d_loss{"d_loss"};
    Output<Buffer<float, 2>> d_prediction{"d_prediction"};

    Var c{"c"}, r{"r"};

    void generate() {
        const Expr cols = prediction.dim(0).extent(), rows = prediction.dim(1).extent();
        Expr scale = 2.0f * d_loss / (cast<float>(rows) * cast<float>(cols));
        d_prediction(c, r) = (prediction(c, r) - target_values(c, r)) * scale;

        prediction.set_estimates({{0, 1}, {0, 64}});
        target_values.set_estimates({{0, 1}, {0, 64}});
        d_loss.set_estimate(1.0f);
        d_prediction.set_estimates({{0, 1}, {0, 64}});

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            Var co{"co"}, ro{"ro"}, ci{"ci"}, ri{"ri"};
            d_prediction.gpu_tile(c, r, co, ro, ci, ri, 32, 8, TailStrategy::GuardWithIf);
        } else {
            const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
            Var ro{"ro"}, ri{"ri"};
            d_prediction.specialize(cols >= lanes).vectorize(c, lanes, TailStrategy::ShiftInwards);
            // A single column (regression targets [N, 1]): vectorize down the rows instead.
            d_prediction
                .specialize(cols == 1 && rows >= lanes && prediction.dim(1).stride() == 1 &&
                            target_values.dim(1).stride() == 1 && d_prediction.dim(1).stride() == 1)
                .split(r, ro, ri, lanes, TailStrategy::ShiftInwards)
                .vectorize(ri);
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(SoftmaxCrossEntropyForward, softmax_cross_entropy_forward)
HALIDE_REGISTER_GENERATOR(SoftmaxCrossEntropyBackward, softmax_cross_entropy_backward)
HALIDE_REGISTER_GENERATOR(MseForward, mse_forward)
HALIDE_REGISTER_GENERATOR(MseBackward, mse_backward)
