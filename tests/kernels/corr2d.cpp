// corr2d: d2l 7.2's golden values and random shapes against the reference.
#include <cmath>

#include "npy.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

TEST_CASE("corr2d reproduces d2l 7.2's example") {
    Tensor x = Tensor::from_values({3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
    Tensor k = Tensor::from_values({2, 2}, {0, 1, 2, 3});
    test::check_values(corr2d_forward(x, k, test::device()), {2, 2}, {19, 25, 37, 43}, "[[19,25],[37,43]]");
}

TEST_CASE("corr2d detects the vertical edges of d2l 7.2.3") {
    Tensor x({6, 8});
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 8; ++j) x.data()[i * 8 + j] = (j >= 2 && j <= 5) ? 0.0f : 1.0f;
    Tensor k = Tensor::from_values({1, 2}, {1, -1});
    std::vector<float> want;
    for (int i = 0; i < 6; ++i) want.insert(want.end(), {0, 1, 0, 0, 0, -1, 0});
    test::check_values(corr2d_forward(x, k, test::device()), {6, 7}, want, "edges of X");

    Tensor xt({8, 6});
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 6; ++j) xt.data()[i * 6 + j] = x.data()[j * 8 + i];
    test::check_values(corr2d_forward(xt, k, test::device()), {8, 5}, std::vector<float>(40, 0.0f),
                       "X transposed has no vertical edge");
}

TEST_CASE("corr2d matches the reference on random shapes") {
    std::mt19937 rng(7);
    const int shapes[][4] = {{1, 1, 1, 1},   {5, 3, 2, 2},   {2, 17, 1, 3},  {16, 16, 3, 3}, {33, 47, 5, 4},
                             {64, 64, 3, 3}, {7, 100, 7, 1}, {9, 15, 9, 15}, {28, 28, 5, 5}, {3, 31, 2, 16}};
    for (const auto &s : shapes) {
        Tensor x = test::random_tensor({s[0], s[1]}, rng);
        Tensor k = test::random_tensor({s[2], s[3]}, rng);
        test::check_close(corr2d_forward(x, k, test::device()), reference::corr2d(x, k), reference::kCorr2dTolerance,
                          "input " + shape_string(x.shape()) + " kernel " + shape_string(k.shape()));
    }
}

TEST_CASE("corr2d rejects a kernel larger than the input, naming both shapes") {
    Tensor x({3, 3}), k({4, 2});
    CHECK_THROWS_WITH_AS(corr2d_forward(x, k, test::device()), doctest::Contains("(4, 2)"), Error);
}

TEST_CASE("corr2d backward matches the reference and skips a null d_input") {
    std::mt19937 rng(8);
    const int shapes[][4] = {{1, 1, 1, 1}, {5, 3, 2, 2}, {2, 17, 1, 3}, {16, 16, 3, 3}, {33, 47, 5, 4},
                             {7, 100, 7, 1}, {9, 15, 9, 15}, {28, 28, 5, 5}, {3, 31, 2, 16}, {6, 8, 1, 2}};
    for (const auto &s : shapes) {
        Tensor x = test::random_tensor({s[0], s[1]}, rng), k = test::random_tensor({s[2], s[3]}, rng);
        Tensor dy = test::random_tensor(corr2d_output_shape(x.shape(), k.shape()), rng);
        Tensor dx(x.shape()), dk = test::random_tensor(k.shape(), rng);  // stale values are overwritten
        corr2d_backward(&dx, &dk, dy, x, k, test::device());
        dx.sync_to_host();
        dk.sync_to_host();
        const auto want = reference::corr2d_backward(dy, x, k);
        const std::string what = "input " + shape_string(x.shape()) + " kernel " + shape_string(k.shape());
        test::check_close(dx, want.d_input, reference::kCorr2dGradientTolerance, "d_input " + what);
        test::check_close(dk, want.d_kernel, reference::kCorr2dGradientTolerance, "d_kernel " + what);
        Tensor dk_only(k.shape());
        corr2d_backward(nullptr, &dk_only, dy, x, k, test::device());
        dk_only.sync_to_host();
        test::check_close(dk_only, want.d_kernel, reference::kCorr2dGradientTolerance, "d_kernel alone " + what);
    }
}

TEST_CASE("corr2d's reference gradients agree with central finite differences") {
    std::mt19937 rng(9);
    const int shapes[][4] = {{5, 6, 2, 3}, {4, 9, 1, 2}, {7, 7, 3, 3}};
    for (const auto &s : shapes) {
        Tensor x = test::random_tensor({s[0], s[1]}, rng), k = test::random_tensor({s[2], s[3]}, rng);
        Tensor dy = test::random_tensor(corr2d_output_shape(x.shape(), k.shape()), rng);
        const auto grads = reference::corr2d_backward(dy, x, k);
        auto loss = [&] {  // sum(dy * corr2d(x, k)) in double
            const int OW = dy.dim(1), W = x.dim(1);
            double total = 0;
            for (int i = 0; i < dy.dim(0); ++i)
                for (int j = 0; j < OW; ++j)
                    for (int a = 0; a < k.dim(0); ++a)
                        for (int b = 0; b < k.dim(1); ++b)
                            total += double(dy.data()[i * OW + j]) * x.data()[(i + a) * W + j + b] * k.data()[a * k.dim(1) + b];
            return total;
        };
        for (auto [t, g] : {std::pair<Tensor *, const Tensor *>{&x, &grads.d_input}, {&k, &grads.d_kernel}}) {
            for (int64_t i = 0; i < t->numel(); i += 3) {
                const float saved = t->data()[i];
                t->data()[i] = saved + 1e-3f;
                const double up = loss(), step_up = double(t->data()[i]) - saved;
                t->data()[i] = saved - 1e-3f;
                const double down = loss(), step_down = double(t->data()[i]) - saved;
                t->data()[i] = saved;
                CHECK(std::fabs((up - down) / (step_up - step_down) - g->data()[i]) <= 1e-4);
            }
        }
    }
}

TEST_CASE("corr2d learns d2l 7.2.4's edge-detector kernel by gradient descent") {
    Tensor x({6, 8});
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 8; ++j) x.data()[i * 8 + j] = (j >= 2 && j <= 5) ? 0.0f : 1.0f;
    Tensor y = reference::corr2d(x, Tensor::from_values({1, 2}, {1, -1}));
    // PyTorch's default init for Conv2d(1, 1, (1, 2)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in 2.
    std::mt19937 rng(2024);
    Tensor k = test::random_tensor({1, 2}, rng, -1.0f / std::sqrt(2.0f), 1.0f / std::sqrt(2.0f));
    auto loss_of = [&](const Tensor &y_hat) {
        double total = 0;
        for (int64_t i = 0; i < y.numel(); ++i) total += std::pow(double(y_hat.data()[i]) - y.data()[i], 2);
        return total;
    };
    const double first = loss_of(corr2d_forward(x, k, test::device()));
    for (int step = 0; step < 10; ++step) {
        Tensor y_hat = corr2d_forward(x, k, test::device());
        Tensor d_y_hat(y.shape());  // d(sum of squares) / d y_hat = 2 (y_hat - y)
        for (int64_t i = 0; i < y.numel(); ++i) d_y_hat.data()[i] = 2 * (y_hat.data()[i] - y.data()[i]);
        Tensor d_k(k.shape());
        corr2d_backward(nullptr, &d_k, d_y_hat, x, k, test::device());
        d_k.sync_to_host();
        for (int i = 0; i < 2; ++i) k.data()[i] -= 3e-2f * d_k.data()[i];
    }
    const double last = loss_of(corr2d_forward(x, k, test::device()));
    INFO("loss " << first << " -> " << last << ", kernel [" << k.data()[0] << ", " << k.data()[1] << "]");
    CHECK(last * 20 <= first);
    CHECK(std::fabs(k.data()[0] - 1) <= 0.15);
    CHECK(std::fabs(k.data()[1] + 1) <= 0.15);
}

// The CLI checks build into hnn_tests only (hnn_cuda_tests has no HNN_BINARY).
#ifdef HNN_BINARY
#include "files.h"

TEST_CASE("hnn op corr2d --backward writes d_input and d_kernel") {
    if (test::device() != Device::cpu) return;
    std::mt19937 rng(10);
    Tensor x = test::random_tensor({5, 7}, rng), k = test::random_tensor({2, 3}, rng);
    Tensor dy = test::random_tensor({4, 5}, rng);
    write_npy(test::scratch("bx.npy"), x);
    write_npy(test::scratch("bk.npy"), k);
    write_npy(test::scratch("bdy.npy"), dy);
    auto run = test::run_hnn("op corr2d --backward --in " + test::scratch("bx.npy") + " --kernel " + test::scratch("bk.npy") +
                             " --grad-out " + test::scratch("bdy.npy") + " --out " + test::scratch("by.npy") +
                             " --out-grad-in " + test::scratch("bdx.npy") + " --out-grad-weight " + test::scratch("bdk.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    const auto want = reference::corr2d_backward(dy, x, k);
    test::check_close(read_npy(test::scratch("bdx.npy")), want.d_input, reference::kCorr2dGradientTolerance, "cli d_input");
    test::check_close(read_npy(test::scratch("bdk.npy")), want.d_kernel, reference::kCorr2dGradientTolerance, "cli d_kernel");
    write_npy(test::scratch("bdy-bad.npy"), Tensor({3, 5}));
    run = test::run_hnn("op corr2d --backward --in " + test::scratch("bx.npy") + " --kernel " + test::scratch("bk.npy") +
                        " --grad-out " + test::scratch("bdy-bad.npy") + " --out " + test::scratch("bnever.npy") +
                        " --out-grad-weight " + test::scratch("bnever2.npy"));
    CHECK(run.status == 1);
    CHECK(run.output.find("(3, 5)") != std::string::npos);
    CHECK(run.output.find("(4, 5)") != std::string::npos);
    CHECK_FALSE(test::file_exists(test::scratch("bnever.npy")));
    CHECK_FALSE(test::file_exists(test::scratch("bnever2.npy")));
}
#endif  // HNN_BINARY
