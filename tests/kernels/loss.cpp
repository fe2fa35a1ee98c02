// Losses: hand-computed values, stability, ties, random shapes against the reference, the
// backward against the reference and finite differences, label and shape errors, CLI.
#include "npy.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

// files.h runs the hnn binary, which only hnn_tests (the CPU binary) knows.
#ifdef HNN_BINARY
#include "files.h"
#endif

using namespace hnn;

namespace {

Labels random_labels(int n, int classes, std::mt19937 &rng) {
    std::uniform_int_distribution<int> pick(0, classes - 1);
    Labels labels(n);
    for (int i = 0; i < n; ++i) labels(i) = pick(rng);
    return labels;
}

}  // namespace

TEST_CASE("softmax_cross_entropy reproduces hand-computed values") {
    // Uniform logits: loss log 3; torch.argmax picks the first index on ties, so only row 0 hits.
    Tensor zeros({2, 3});
    Labels labels = make_labels({0, 2});
    auto r = softmax_cross_entropy(zeros, labels, test::device());
    CHECK(r.loss == doctest::Approx(1.0986123).epsilon(1e-6));
    CHECK(r.correct == 1);
    Tensor d(zeros.shape());
    softmax_cross_entropy_backward(d, zeros, labels, test::device());
    d.sync_to_host();
    const float third = 1.0f / 6, big = (1.0f / 3 - 1) / 2;
    test::check_values(d, {2, 3}, {big, third, third, third, third, big}, "(softmax - onehot) / N");

    Tensor row = Tensor::from_values({1, 3}, {1, 2, 3});
    r = softmax_cross_entropy(row, make_labels({2}), test::device());
    CHECK(r.loss == doctest::Approx(0.40760596).epsilon(1e-6));
    CHECK(r.correct == 1);

    // Stable log-sum-exp: huge logits neither overflow nor lose the answer.
    Tensor huge = Tensor::from_values({2, 2}, {1000, 0, -1000, 50});
    r = softmax_cross_entropy(huge, make_labels({1, 1}), test::device());
    CHECK(r.loss == doctest::Approx(500.0).epsilon(1e-6));
    CHECK(r.correct == 1);

    // d_loss scales the gradient.
    Tensor d2(zeros.shape());
    softmax_cross_entropy_backward(d2, zeros, labels, test::device(), 2.0f);
    d2.sync_to_host();
    test::check_values(d2, {2, 3}, {2 * big, 2 * third, 2 * third, 2 * third, 2 * third, 2 * big}, "times d_loss");
}

TEST_CASE("softmax_cross_entropy matches the reference on random shapes") {
    std::mt19937 rng(17);
    const int shapes[][2] = {{1, 1}, {1, 10}, {128, 10}, {3, 17}, {7, 2}, {64, 100}, {5, 1000}, {33, 16}, {2, 31}};
    for (const auto &s : shapes) {
        Tensor logits = test::random_tensor({s[0], s[1]}, rng, -8.0f, 8.0f);
        Labels labels = random_labels(s[0], s[1], rng);
        INFO("logits " << shape_string(logits.shape()));
        auto got = softmax_cross_entropy(logits, labels, test::device());
        auto want = reference::softmax_cross_entropy(logits, labels);
        CHECK(std::fabs(got.loss - want.loss) <= reference::kLossTolerance.absolute +
                                                     reference::kLossTolerance.relative * std::fabs(want.loss));
        CHECK(got.correct == want.correct);
        Tensor d(logits.shape());
        softmax_cross_entropy_backward(d, logits, labels, test::device(), 0.5f);
        d.sync_to_host();
        test::check_close(d, reference::softmax_cross_entropy_backward(logits, labels, 0.5),
                          reference::kLossGradientTolerance, "d_logits " + shape_string(logits.shape()));
    }
}

TEST_CASE("the loss references' gradients agree with central finite differences") {
    std::mt19937 rng(29);
    for (const Shape &shape : {Shape{1, 4}, Shape{5, 3}, Shape{8, 10}}) {
        Tensor logits = test::random_tensor(shape, rng, -3.0f, 3.0f);
        Labels labels = random_labels(shape[0], shape[1], rng);
        Tensor d = reference::softmax_cross_entropy_backward(logits, labels);
        Tensor target = test::random_tensor(shape, rng);
        Tensor dm = reference::mse_backward(logits, target);
        std::uniform_int_distribution<int64_t> pick(0, logits.numel() - 1);
        for (int trial = 0; trial < 4; ++trial) {
            const int64_t k = pick(rng);
            float &v = logits.data()[k];
            const float saved = v;
            v = saved + 1e-3f;
            const float up = v;
            const double ce_up = reference::softmax_cross_entropy(logits, labels).loss, mse_up = reference::mse(logits, target);
            v = saved - 1e-3f;
            const float down = v;
            const double ce_down = reference::softmax_cross_entropy(logits, labels).loss,
                         mse_down = reference::mse(logits, target);
            v = saved;
            INFO("element " << k << " of " << shape_string(shape));
            const double step = double(up) - double(down);
            CHECK(std::fabs((ce_up - ce_down) / step - d.data()[k]) <= 1e-6 + 1e-4 * std::fabs(d.data()[k]));
            CHECK(std::fabs((mse_up - mse_down) / step - dm.data()[k]) <= 1e-6 + 1e-4 * std::fabs(dm.data()[k]));
        }
    }
}

TEST_CASE("softmax_cross_entropy rejects bad labels, naming the index and value") {
    Tensor logits({3, 4});
    CHECK_THROWS_WITH_AS(softmax_cross_entropy(logits, make_labels({0, 4, 1}), test::device()),
                         doctest::Contains("label 1 is 4, outside [0, 4)"), Error);
    Tensor d(logits.shape());
    CHECK_THROWS_WITH_AS(softmax_cross_entropy_backward(d, logits, make_labels({0, 1, -1}), test::device()),
                         doctest::Contains("label 2 is -1"), Error);
    CHECK_THROWS_WITH_AS(softmax_cross_entropy(logits, make_labels({0, 1}), test::device()),
                         doctest::Contains("labels (2,) do not match logits (3, 4)"), Error);
}

TEST_CASE("mse reproduces hand-computed values and matches the reference") {
    Tensor p = Tensor::from_values({3, 1}, {1, 2, 3}), t = Tensor::from_values({3, 1}, {1, 1, 1});
    CHECK(mse(p, t, test::device()) == doctest::Approx(5.0 / 3).epsilon(1e-6));
    Tensor d(p.shape());
    mse_backward(d, p, t, test::device());
    d.sync_to_host();
    test::check_values(d, {3, 1}, {0, 2.0f / 3, 4.0f / 3}, "2 (p - t) / numel");

    std::mt19937 rng(41);
    for (const Shape &shape : {Shape{64, 1}, Shape{1}, Shape{5}, Shape{17, 33}, Shape{2, 3, 4, 5}, Shape{100, 1},
                               Shape{3, 16}, Shape{1, 1}}) {
        Tensor pred = test::random_tensor(shape, rng, -5, 5), target = test::random_tensor(shape, rng, -5, 5);
        INFO("shape " << shape_string(shape));
        const double want = reference::mse(pred, target);
        CHECK(std::fabs(mse(pred, target, test::device()) - want) <= 1e-6 + 1e-6 * want);
        Tensor grad = test::random_tensor(shape, rng);
        mse_backward(grad, pred, target, test::device(), 3.0f);
        grad.sync_to_host();
        test::check_close(grad, reference::mse_backward(pred, target, 3.0), reference::kLossGradientTolerance,
                          "d_prediction " + shape_string(shape));
    }
}

TEST_CASE("mse rejects a target of another shape, naming both") {
    Tensor p({4, 1}), t({4});
    CHECK_THROWS_WITH_AS(mse(p, t, test::device()), doctest::Contains("target (4,) does not match prediction (4, 1)"),
                         Error);
}

#ifdef HNN_BINARY
TEST_CASE("hnn op softmax_cross_entropy and mse run through NPY files") {
    if (test::device() != Device::cpu) return;
    using test::scratch;
    write_npy(scratch("ce-logits.npy"), Tensor::from_values({2, 3}, {0, 0, 0, 1, 2, 3}));
    int64_t labels64[2] = {0, 2};
    test::write_bytes(scratch("ce-labels.npy"), test::npy_bytes("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
                                                                std::string(reinterpret_cast<char *>(labels64), 16)));
    auto run = test::run_hnn("op softmax_cross_entropy --in " + scratch("ce-logits.npy") + " --labels " +
                             scratch("ce-labels.npy") + " --out " + scratch("ce-loss.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    Tensor loss = read_npy(scratch("ce-loss.npy"));
    CHECK(loss.shape() == Shape{1});
    CHECK(loss.data()[0] == doctest::Approx((1.0986123 + 0.40760596) / 2).epsilon(1e-6));
    CHECK(run.output.find("correct 2 of 2") != std::string::npos);

    run = test::run_hnn("op softmax_cross_entropy --in " + scratch("ce-logits.npy") + " --labels " +
                        scratch("ce-labels.npy") + " --backward --out-grad-in " + scratch("ce-d.npy") + " --out " +
                        scratch("ce-unused.npy"));
    REQUIRE(run.status == 0);
    Tensor logits = read_npy(scratch("ce-logits.npy"));
    test::check_close(read_npy(scratch("ce-d.npy")),
                      reference::softmax_cross_entropy_backward(logits, make_labels({0, 2})),
                      reference::kLossGradientTolerance, "d_logits via CLI");

    write_npy(scratch("ce-labels-short.npy"), Tensor::from_values({1}, {0}));
    run = test::run_hnn("op softmax_cross_entropy --in " + scratch("ce-logits.npy") + " --labels " +
                        scratch("ce-labels-short.npy") + " --out " + scratch("ce-never.npy"));
    CHECK(run.status == 1);
    CHECK(run.output.find("labels (1,) do not match logits (2, 3)") != std::string::npos);
    CHECK_FALSE(test::file_exists(scratch("ce-never.npy")));

    write_npy(scratch("mse-p.npy"), Tensor::from_values({3, 1}, {1, 2, 3}));
    write_npy(scratch("mse-t.npy"), Tensor::from_values({3, 1}, {1, 1, 1}));
    run = test::run_hnn("op mse --in " + scratch("mse-p.npy") + " --target " + scratch("mse-t.npy") + " --out " +
                        scratch("mse-loss.npy"));
    REQUIRE(run.status == 0);
    CHECK(read_npy(scratch("mse-loss.npy")).data()[0] == doctest::Approx(5.0 / 3).epsilon(1e-6));
    run = test::run_hnn("op mse --in " + scratch("mse-p.npy") + " --target " + scratch("mse-t.npy") +
                        " --backward --out-grad-in " + scratch("mse-d.npy") + " --out " + scratch("mse-unused.npy"));
    REQUIRE(run.status == 0);
    test::check_values(read_npy(scratch("mse-d.npy")), {3, 1}, {0, 2.0f / 3, 4.0f / 3}, "d_prediction via CLI");

    write_npy(scratch("mse-t-bad.npy"), Tensor({3}));
    run = test::run_hnn("op mse --in " + scratch("mse-p.npy") + " --target " + scratch("mse-t-bad.npy") + " --out " +
                        scratch("mse-never.npy"));
    CHECK(run.status == 1);
    CHECK(run.output.find("target (3,) does not match prediction (3, 1)") != std::string::npos);
    CHECK_FALSE(test::file_exists(scratch("mse-never.npy")));
}
#endif  // HNN_BINARY
