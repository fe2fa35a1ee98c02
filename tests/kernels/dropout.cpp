// Dropout: the kernel's mask against the reference's on every size class, PyTorch's
// semantics (p = 0 is the identity, p = 1 gives zeros, kept values scaled by 1 / (1 - p)),
// the statistics of the mask, the backward pass reusing the forward's mask, and errors.
#include <cmath>

#include "ops.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

namespace {

const Shape kShapes[] = {{1}, {15}, {17}, {2, 3, 5}, {128, 256}, {16385}, {3, 6, 28, 28}};
const float kProbabilities[] = {0.0f, 0.1f, 0.5f, 0.9f, 1.0f};

}  // namespace

TEST_CASE("dropout draws the reference's mask on every size class, forward and backward") {
    std::mt19937 rng(61);
    for (const Shape &shape : kShapes) {
        Tensor x = test::random_tensor(shape, rng, -2.0f, 2.0f);
        for (float p : kProbabilities) {
            for (uint32_t seed : {0u, 1u, 12345u}) {
                const std::string what = "p " + std::to_string(p) + " seed " + std::to_string(seed) + " " + shape_string(shape);
                const Tensor want = reference::dropout(x, p, seed);
                test::check_close(dropout_forward(x, p, seed, test::device()), want, reference::kDropoutTolerance, what);
                // The backward pass is the same mask and scale applied to d_y.
                test::check_close(dropout_backward(x, p, seed, test::device()), want, reference::kDropoutTolerance,
                                  what + " backward");
            }
        }
    }
}

TEST_CASE("dropout follows PyTorch: identity at p = 0, zeros at p = 1, kept values scaled by 1 / (1 - p)") {
    std::mt19937 rng(62);
    Tensor x = test::random_tensor({4, 100}, rng);
    CHECK(dropout_forward(x, 0.0f, 7, test::device()).values() == x.values());
    for (float v : dropout_forward(x, 1.0f, 7, test::device()).values()) CHECK(v == 0.0f);
    const Tensor y = dropout_forward(x, 0.25f, 7, test::device());
    int kept = 0;
    for (int64_t i = 0; i < x.numel(); ++i) {
        if (y.data()[i] == 0.0f) continue;
        ++kept;
        CHECK(std::fabs(y.data()[i] - x.data()[i] / 0.75f) <= 2e-7 * std::fabs(x.data()[i] / 0.75f));
    }
    CHECK(kept > 0);
    CHECK(kept < x.numel());
}

TEST_CASE("dropout's mask drops a fraction p, independently per element and per seed") {
    const int64_t n = 1 << 16;
    Tensor ones({n});
    for (int64_t i = 0; i < n; ++i) ones.data()[i] = 1.0f;
    for (float p : {0.1f, 0.5f, 0.8f}) {
        const Tensor a = dropout_forward(ones, p, 3, test::device());
        const Tensor b = dropout_forward(ones, p, 4, test::device());
        int64_t dropped = 0, same_as_next = 0, same_across_seeds = 0;
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) {
            const bool keep = a.data()[i] != 0.0f;
            dropped += !keep;
            sum += a.data()[i];
            if (i + 1 < n) same_as_next += keep == (a.data()[i + 1] != 0.0f);
            same_across_seeds += keep == (b.data()[i] != 0.0f);
        }
        // Binomial standard deviations are below 0.002 here; the bounds are 8 of them or more.
        const double agree = p * p + (1 - p) * (1 - p);  // P(two independent draws agree)
        INFO("p = " << p);
        CHECK(std::fabs(double(dropped) / n - p) < 0.016);
        CHECK(std::fabs(sum / n - 1.0) < 0.03);  // E[y] = x, as PyTorch scales
        CHECK(std::fabs(double(same_as_next) / (n - 1) - agree) < 0.016);
        CHECK(std::fabs(double(same_across_seeds) / n - agree) < 0.016);
    }
}

TEST_CASE("dropout rejects p outside [0, 1], mismatched shapes and in-place use") {
    Tensor x({2, 3}), out({3, 2});
    CHECK_THROWS_WITH_AS(dropout_forward(x, 1.5f, 0, test::device()), doctest::Contains("p must be in [0, 1], got 1.5"), Error);
    CHECK_THROWS_WITH_AS(dropout_forward(x, -0.1f, 0, test::device()), doctest::Contains("p must be in [0, 1]"), Error);
    CHECK_THROWS_WITH_AS(dropout_forward(out, x, 0.5f, 0, test::device()),
                         doctest::Contains("dropout_forward: output is (3, 2) but input is (2, 3)"), Error);
    CHECK_THROWS_WITH_AS(dropout_forward(x, x, 0.5f, 0, test::device()), doctest::Contains("no in-place"), Error);
    CHECK_THROWS_WITH_AS(dropout_backward(&out, x, 0.5f, 0, test::device()),
                         doctest::Contains("dropout_backward: d_input is (3, 2) but d_output is (2, 3)"), Error);
    dropout_backward(nullptr, x, 0.5f, 0, test::device());  // nothing to compute
}
