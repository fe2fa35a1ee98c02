// pool2d: d2l 7.5's golden values, random shapes against the reference, the backward against
// the reference and the reference against finite differences, shape errors, and the CLI.
#include <algorithm>
#include <numeric>

#include "npy.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

namespace {

Pool2dParams pool(PoolMode mode, std::array<int, 2> window, std::array<int, 2> stride = {0, 0},
                  std::array<int, 2> padding = {0, 0}) {
    Pool2dParams p;
    p.mode = mode;
    p.window = window;
    p.stride = stride;
    p.padding = padding;
    return p;
}

Tensor arange(const Shape &shape, float start = 0) {
    Tensor t(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = start + static_cast<float>(i);
    return t;
}

std::string describe(const Shape &shape, const Pool2dParams &p) {
    return std::string(pool_mode_name(p.mode)) + " input " + shape_string(shape) + " window " +
           std::to_string(p.window[0]) + "x" + std::to_string(p.window[1]) + " stride " + std::to_string(p.stride[0]) +
           "," + std::to_string(p.stride[1]) + " padding " + std::to_string(p.padding[0]) + "," +
           std::to_string(p.padding[1]);
}

// Random shapes: {N, C, H, W, kh, kw, sh, sw, ph, pw}; stride 0 = the window.
const int kShapes[][10] = {
    {1, 1, 3, 3, 2, 2, 1, 1, 0, 0},     {1, 1, 4, 4, 3, 3, 0, 0, 0, 0},   {1, 1, 4, 4, 3, 3, 2, 2, 1, 1},
    {1, 1, 4, 4, 2, 3, 2, 3, 0, 1},     {3, 6, 28, 28, 2, 2, 2, 2, 0, 0}, {3, 16, 10, 10, 2, 2, 2, 2, 0, 0},
    {2, 5, 56, 56, 3, 3, 2, 2, 1, 1},   {1, 3, 17, 23, 3, 3, 3, 3, 1, 1}, {5, 2, 9, 31, 2, 5, 3, 2, 1, 2},
    {1, 1, 7, 50, 1, 4, 1, 3, 0, 2},    {3, 4, 13, 13, 2, 2, 3, 3, 0, 0}, {1, 2, 33, 47, 5, 4, 1, 1, 2, 2},
    {2, 3, 20, 19, 4, 2, 2, 1, 2, 1},   {1, 1, 2, 2, 2, 2, 1, 1, 1, 1},   {1, 7, 64, 70, 3, 3, 1, 1, 1, 1},
    {1, 1, 1, 40, 1, 2, 1, 2, 0, 1},
    // Window 2, stride 2, no padding (the flattened-rows kernels): rows of 1, 3, 6, 9, 32 windows
    // (scalar, quarter, half, shifted, full vectors), and odd H or W (the general kernels).
    {2, 3, 2, 2, 2, 2, 0, 0, 0, 0},     {2, 3, 6, 6, 2, 2, 0, 0, 0, 0},   {1, 5, 8, 12, 2, 2, 2, 2, 0, 0},
    {3, 2, 4, 18, 2, 2, 0, 0, 0, 0},    {1, 2, 16, 64, 2, 2, 0, 0, 0, 0}, {2, 2, 7, 8, 2, 2, 0, 0, 0, 0},
    {2, 2, 8, 9, 2, 2, 0, 0, 0, 0},     {1, 1, 2, 2, 2, 2, 2, 2, 0, 0},
};

Pool2dParams shape_params(const int *s, PoolMode mode) { return pool(mode, {s[4], s[5]}, {s[6], s[7]}, {s[8], s[9]}); }

}  // namespace

TEST_CASE("pool2d reproduces d2l 7.5's single-channel pool2d") {
    Tensor x = arange({1, 1, 3, 3});
    test::check_values(pool2d_forward(x, pool(PoolMode::max, {2, 2}, {1, 1}), test::device()), {1, 1, 2, 2},
                       {4, 5, 7, 8}, "max [[4,5],[7,8]]");
    test::check_values(pool2d_forward(x, pool(PoolMode::average, {2, 2}, {1, 1}), test::device()), {1, 1, 2, 2},
                       {2, 3, 5, 6}, "avg [[2,3],[5,6]]");
}

TEST_CASE("pool2d reproduces d2l 7.5's padding, stride and channel examples") {
    Tensor x = arange({1, 1, 4, 4});
    test::check_values(pool2d_forward(x, pool(PoolMode::max, {3, 3}), test::device()), {1, 1, 1, 1}, {10},
                       "MaxPool2d(3)");
    test::check_values(pool2d_forward(x, pool(PoolMode::max, {3, 3}, {2, 2}, {1, 1}), test::device()), {1, 1, 2, 2},
                       {5, 7, 13, 15}, "MaxPool2d(3, padding=1, stride=2)");
    test::check_values(pool2d_forward(x, pool(PoolMode::max, {2, 3}, {2, 3}, {0, 1}), test::device()), {1, 1, 2, 2},
                       {5, 7, 13, 15}, "MaxPool2d((2,3), stride=(2,3), padding=(0,1))");

    Tensor two({1, 2, 4, 4});
    for (int i = 0; i < 16; ++i) {
        two.data()[i] = static_cast<float>(i);
        two.data()[16 + i] = static_cast<float>(i + 1);
    }
    test::check_values(pool2d_forward(two, pool(PoolMode::max, {3, 3}, {2, 2}, {1, 1}), test::device()), {1, 2, 2, 2},
                       {5, 7, 13, 15, 6, 8, 14, 16}, "cat(X, X+1): channels stay separate");

    test::check_close(pool2d_forward(x, pool(PoolMode::average, {3, 3}, {2, 2}, {1, 1}), test::device()),
                      Tensor::from_values({1, 1, 2, 2}, {1.1111f, 2.6667f, 5.6667f, 10.0f}), test::Tolerance{1e-4, 0},
                      "AvgPool2d(3, padding=1, stride=2) counts the padding");
}

TEST_CASE("pool2d max backward gives a window's gradient to its first maximum only") {
    // One 2x2 window whose four cells tie: only the first (row-major) gets the gradient.
    Tensor ties = Tensor::from_values({1, 1, 2, 2}, {3, 3, 3, 3});
    Tensor d_y = Tensor::from_values({1, 1, 1, 1}, {2.5f});
    test::check_values(pool2d_backward(d_y, ties, pool(PoolMode::max, {2, 2}), test::device()), {1, 1, 2, 2},
                       {2.5f, 0, 0, 0}, "ties: first cell");
    // Ties in the second row only: the first of them, row-major.
    Tensor row = Tensor::from_values({1, 1, 2, 2}, {1, 0, 7, 7});
    test::check_values(pool2d_backward(d_y, row, pool(PoolMode::max, {2, 2}), test::device()), {1, 1, 2, 2},
                       {0, 0, 2.5f, 0}, "ties in row 2");
    // Overlapping windows (stride 1) that share a maximum accumulate into it.
    Tensor x = Tensor::from_values({1, 1, 3, 3}, {0, 1, 0, 1, 9, 1, 0, 1, 0});
    Tensor d_y4 = Tensor::from_values({1, 1, 2, 2}, {1, 2, 3, 4});
    test::check_values(pool2d_backward(d_y4, x, pool(PoolMode::max, {2, 2}, {1, 1}), test::device()), {1, 1, 3, 3},
                       {0, 0, 0, 0, 10, 0, 0, 0, 0}, "shared maximum sums");
}

TEST_CASE("pool2d max backward never sends the gradient to a padded cell") {
    // All real cells negative: the padded -inf cells must not win, even though a zero-padded
    // window would pick them. Window 3, padding 1, stride 2 on a 2x2 input: one window.
    Tensor x = Tensor::from_values({1, 1, 2, 2}, {-4, -3, -2, -1});
    const Pool2dParams p = pool(PoolMode::max, {3, 3}, {2, 2}, {1, 1});
    test::check_values(pool2d_forward(x, p, test::device()), {1, 1, 1, 1}, {-1}, "max of negatives");
    Tensor d_y = Tensor::from_values({1, 1, 1, 1}, {1.5f});
    test::check_values(pool2d_backward(d_y, x, p, test::device()), {1, 1, 2, 2}, {0, 0, 0, 1.5f}, "to cell (1,1)");
    // d2l's padded example: X = arange(16), window 3, padding 1, stride 2: maxima at 5, 7, 13, 15.
    Tensor x16 = arange({1, 1, 4, 4});
    Tensor d_y4 = Tensor::from_values({1, 1, 2, 2}, {1, 2, 3, 4});
    std::vector<float> want(16, 0.0f);
    want[5] = 1, want[7] = 2, want[13] = 3, want[15] = 4;
    test::check_values(pool2d_backward(d_y4, x16, p, test::device()), {1, 1, 4, 4}, want, "d2l padded windows");
}

TEST_CASE("pool2d avg backward spreads d_output / (kh*kw), padding included") {
    Tensor x = arange({1, 1, 4, 4});
    const Pool2dParams p = pool(PoolMode::average, {3, 3}, {2, 2}, {1, 1});
    Tensor d_y = Tensor::from_values({1, 1, 2, 2}, {9, 18, 27, 36});
    // Window (oy, ox) covers rows 2oy-1..2oy+1, columns 2ox-1..2ox+1; each adds d/9.
    test::check_values(pool2d_backward(d_y, x, p, test::device()), {1, 1, 4, 4},
                       {1, 3, 2, 2, 4, 10, 6, 6, 3, 7, 4, 4, 3, 7, 4, 4}, "gather of d/9");
}

TEST_CASE("pool2d forward matches the reference on random shapes") {
    std::mt19937 rng(11);
    for (const auto &s : kShapes) {
        Tensor x = test::random_tensor({s[0], s[1], s[2], s[3]}, rng);
        for (PoolMode mode : {PoolMode::max, PoolMode::average}) {
            const Pool2dParams p = shape_params(s, mode);
            test::check_close(pool2d_forward(x, p, test::device()), reference::pool2d(x, p), reference::kPool2dTolerance,
                              describe(x.shape(), p));
        }
    }
}

TEST_CASE("pool2d backward matches the reference on random shapes, ties included") {
    std::mt19937 rng(12);
    for (const auto &s : kShapes) {
        const Shape shape{s[0], s[1], s[2], s[3]};
        Tensor continuous = test::random_tensor(shape, rng);
        Tensor tied(shape);  // few distinct values: many windows tie
        std::uniform_int_distribution<int> level(0, 2);
        for (int64_t i = 0; i < tied.numel(); ++i) tied.data()[i] = static_cast<float>(level(rng));
        for (PoolMode mode : {PoolMode::max, PoolMode::average}) {
            const Pool2dParams p = shape_params(s, mode);
            Tensor d_y = test::random_tensor(pool2d_output_shape(shape, p), rng);
            for (const Tensor *x : {&continuous, &tied}) {
                test::check_close(pool2d_backward(d_y, *x, p, test::device()), reference::pool2d_backward(d_y, *x, p),
                                  reference::kPool2dGradientTolerance,
                                  describe(shape, p) + (x == &tied ? " (ties)" : ""));
            }
        }
    }
}

TEST_CASE("pool2d's reference backward agrees with central finite differences") {
    std::mt19937 rng(13);
    for (const auto &s : kShapes) {
        const Shape shape{s[0], s[1], s[2], s[3]};
        // Distinct values 0.1 apart: a step of 0.01 never changes which cell is a window's maximum.
        Tensor x(shape);
        std::vector<int> order(x.numel());
        std::iota(order.begin(), order.end(), 0);
        std::shuffle(order.begin(), order.end(), rng);
        for (int64_t i = 0; i < x.numel(); ++i) x.data()[i] = 0.1f * static_cast<float>(order[i]) - 1.0f;
        for (PoolMode mode : {PoolMode::max, PoolMode::average}) {
            // Average: values near 1, so the float outputs' rounding stays far below the step.
            if (mode == PoolMode::average) x = test::random_tensor(shape, rng);
            const Pool2dParams p = shape_params(s, mode);
            Tensor d_y = test::random_tensor(pool2d_output_shape(shape, p), rng);
            const Tensor analytic = reference::pool2d_backward(d_y, x, p);
            auto loss = [&](const Tensor &input) {
                const Tensor y = reference::pool2d(input, p);
                double sum = 0;
                for (int64_t i = 0; i < y.numel(); ++i) sum += double(y.data()[i]) * d_y.data()[i];
                return sum;
            };
            std::uniform_int_distribution<int64_t> pick(0, x.numel() - 1);
            for (int k = 0; k < 6; ++k) {
                const int64_t i = pick(rng);
                const float saved = x.data()[i], step = 0.01f;
                x.data()[i] = saved + step;
                const double up = loss(x);
                x.data()[i] = saved - step;
                const double down = loss(x);
                x.data()[i] = saved;
                const double numeric = (up - down) / (double(saved + step) - double(saved - step));
                INFO(describe(shape, p) << " element " << i);
                CHECK(std::fabs(numeric - analytic.data()[i]) <= 1e-3 + 1e-3 * std::fabs(numeric));
            }
        }
    }
}

TEST_CASE("pool2d's 2x2 stride-2 kernels agree with the general kernels") {
    // Even H and W take the flattened-rows kernels; the same data with one more (ignored) row
    // and column takes the general ones. The windows are the same, so max (values and which
    // cell wins a tie) must agree bit for bit; average's sums may round in another order.
    std::mt19937 rng(14);
    const int n = 2, c = 3, h = 8, w = 12;
    for (bool tied : {false, true}) {
        Tensor even = test::random_tensor({n, c, h, w}, rng), odd({n, c, h + 1, w + 1});
        std::uniform_int_distribution<int> level(0, 2);
        if (tied) {
            for (int64_t i = 0; i < even.numel(); ++i) even.data()[i] = static_cast<float>(level(rng));
        }
        for (int64_t i = 0; i < odd.numel(); ++i) odd.data()[i] = 5.0f;  // never inside a window
        for (int plane = 0; plane < n * c; ++plane) {
            for (int y = 0; y < h; ++y) {
                for (int x = 0; x < w; ++x) {
                    odd.data()[(plane * (h + 1) + y) * (w + 1) + x] = even.data()[(plane * h + y) * w + x];
                }
            }
        }
        for (PoolMode mode : {PoolMode::max, PoolMode::average}) {
            const Pool2dParams p = pool(mode, {2, 2});
            INFO(pool_mode_name(mode) << (tied ? " tied" : ""));
            const Tensor fast = pool2d_forward(even, p, test::device()), general = pool2d_forward(odd, p, test::device());
            REQUIRE(fast.shape() == general.shape());
            for (int64_t i = 0; i < fast.numel(); ++i) {
                INFO("output " << i);
                REQUIRE(std::fabs(fast.data()[i] - general.data()[i]) <= (mode == PoolMode::max ? 0.0f : 1e-6f));
            }
            Tensor d_y = test::random_tensor(fast.shape(), rng);
            const Tensor d_fast = pool2d_backward(d_y, even, p, test::device());
            const Tensor d_general = pool2d_backward(d_y, odd, p, test::device());
            for (int plane = 0; plane < n * c; ++plane) {
                for (int y = 0; y < h + 1; ++y) {
                    for (int x = 0; x < w + 1; ++x) {
                        const float g = d_general.data()[(plane * (h + 1) + y) * (w + 1) + x];
                        INFO("plane " << plane << " y " << y << " x " << x);
                        if (y == h || x == w) {
                            REQUIRE(g == 0.0f);
                        } else {
                            REQUIRE(std::fabs(d_fast.data()[(plane * h + y) * w + x] - g) <= (mode == PoolMode::max ? 0.0f : 1e-6f));
                        }
                    }
                }
            }
        }
    }
}

TEST_CASE("pool2d backward through a conv's fused activation is the pool's gradient times the slope") {
    // The fused kernels take 2x2 windows of stride 2 without padding on even H and W (on the
    // CPU); every other shape, and CUDA, returns false and leaves d_z alone.
    std::mt19937 rng(15);
    for (const auto &s : kShapes) {
        const Shape shape{s[0], s[1], s[2], s[3]};
        for (PoolMode mode : {PoolMode::max, PoolMode::average}) {
            const Pool2dParams p = shape_params(s, mode);
            const bool pool2x2 = s[4] == 2 && s[5] == 2 && (s[6] == 0 || s[6] == 2) && (s[7] == 0 || s[7] == 2) &&
                                 s[8] == 0 && s[9] == 0 && s[2] % 2 == 0 && s[3] % 2 == 0;
            for (Activation act : {Activation::sigmoid, Activation::relu}) {
                // y as the conv's output: sigmoid's in (0, 1), relu's >= 0 with exact zeros; ties for max.
                Tensor y = test::random_tensor(shape, rng, act == Activation::sigmoid ? 0.0f : -1.0f, 1.0f);
                std::uniform_int_distribution<int> level(0, 2);
                for (int64_t i = 0; i < y.numel(); ++i) {
                    if (act == Activation::relu) y.data()[i] = std::max(y.data()[i], 0.0f);
                    if (i % 3 == 0) y.data()[i] = 0.25f * static_cast<float>(level(rng));
                }
                Tensor d_y = test::random_tensor(pool2d_output_shape(shape, p), rng);
                Tensor d_z(shape);
                for (int64_t i = 0; i < d_z.numel(); ++i) d_z.data()[i] = -7.0f;
                const bool fused = pool2d_backward_activation(d_z, d_y, y, p, act, test::device());
                INFO(describe(shape, p) << " " << activation_name(act));
                CHECK(fused == (pool2x2 && test::device() == Device::cpu));
                if (!fused) {
                    CHECK(std::all_of(d_z.data(), d_z.data() + d_z.numel(), [](float v) { return v == -7.0f; }));
                    continue;
                }
                test::check_close(d_z, reference::activation_backward(reference::pool2d_backward(d_y, y, p), y, act),
                                  reference::kPool2dGradientTolerance, describe(shape, p) + " " + activation_name(act));
            }
            Tensor d_y = test::random_tensor(pool2d_output_shape(shape, p), rng), d_z(shape);
            CHECK_FALSE(pool2d_backward_activation(d_z, d_y, d_z, p, Activation::tanh, test::device()));  // not fused
        }
    }
}

TEST_CASE("pool2d rejects bad shapes and parameters, naming them") {
    Tensor x({1, 1, 4, 4});
    CHECK_THROWS_WITH_AS(pool2d_forward(x, pool(PoolMode::max, {3, 3}, {1, 1}, {2, 1}), test::device()),
                         doctest::Contains("padding (2, 1) must be at most half of window (3, 3)"), Error);
    CHECK_THROWS_WITH_AS(pool2d_forward(x, pool(PoolMode::average, {7, 2}, {1, 1}, {1, 0}), test::device()),
                         doctest::Contains("window (7, 2) is larger than input (1, 1, 4, 4) padded to (6, 4)"), Error);
    CHECK_THROWS_WITH_AS(pool2d_forward(Tensor({4, 4}), pool(PoolMode::max, {2, 2}), test::device()),
                         doctest::Contains("input must be 4-D [N, C, H, W], got (4, 4)"), Error);
    CHECK_THROWS_WITH_AS(pool2d_forward(x, pool(PoolMode::max, {0, 2}), test::device()),
                         doctest::Contains("window must be at least 1"), Error);
    Tensor wrong({1, 1, 3, 3});
    CHECK_THROWS_WITH_AS(pool2d_forward(wrong, x, pool(PoolMode::max, {2, 2}), test::device()),
                         doctest::Contains("output is (1, 1, 3, 3), expected (1, 1, 2, 2)"), Error);
    CHECK_THROWS_WITH_AS(pool2d_backward(Tensor({1, 1, 3, 3}), x, pool(PoolMode::max, {2, 2}), test::device()),
                         doctest::Contains("d_output is (1, 1, 3, 3) but input (1, 1, 4, 4) pools to (1, 1, 2, 2)"),
                         Error);
    Tensor d_input({1, 2, 4, 4});
    CHECK_THROWS_WITH_AS(pool2d_backward(&d_input, Tensor({1, 1, 2, 2}), x, pool(PoolMode::max, {2, 2}), test::device()),
                         doctest::Contains("d_input is (1, 2, 4, 4), expected the input's (1, 1, 4, 4)"), Error);
    // A null d_input runs nothing (and is not an error).
    pool2d_backward(nullptr, Tensor({1, 1, 2, 2}), x, pool(PoolMode::max, {2, 2}), test::device());
}

// The CLI checks: only hnn_tests knows where the hnn binary is (HNN_BINARY); hnn_cuda_tests
// compiles this file without them.
#ifdef HNN_BINARY
#include "files.h"

TEST_CASE("hnn op pool2d: 2-D and 4-D inputs, backward, and clean errors") {
    if (test::device() != Device::cpu) return;
    using test::run_hnn;
    using test::scratch;
    write_npy(scratch("pool_x.npy"), Tensor::from_values({3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
    auto run = run_hnn("op pool2d --in " + scratch("pool_x.npy") + " --window 2,2 --stride 1 --mode avg --out " +
                       scratch("pool_y.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    Tensor y = read_npy(scratch("pool_y.npy"));
    CHECK(y.shape() == Shape{2, 2});
    CHECK(y.values() == std::vector<float>{2, 3, 5, 6});

    write_npy(scratch("pool_x4.npy"), arange({1, 1, 4, 4}));
    run = run_hnn("op pool2d --in " + scratch("pool_x4.npy") + " --window 3 --stride 2 --padding 1 --out " +
                  scratch("pool_y4.npy"));
    REQUIRE(run.status == 0);
    Tensor y4 = read_npy(scratch("pool_y4.npy"));
    CHECK(y4.shape() == Shape{1, 1, 2, 2});
    CHECK(y4.values() == std::vector<float>{5, 7, 13, 15});

    write_npy(scratch("pool_dy.npy"), Tensor::from_values({1, 1, 2, 2}, {1, 2, 3, 4}));
    run = run_hnn("op pool2d --backward --in " + scratch("pool_x4.npy") + " --grad-out " + scratch("pool_dy.npy") +
                  " --window 3 --stride 2 --padding 1 --out-grad-in " + scratch("pool_dx.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    Tensor dx = read_npy(scratch("pool_dx.npy"));
    CHECK(dx.shape() == Shape{1, 1, 4, 4});
    CHECK(dx.values() == std::vector<float>{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4});

    struct Case {
        std::string args, message;
    };
    const Case cases[] = {
        {"--in " + scratch("pool_x.npy") + " --window 5,5", "window (5, 5) is larger than input (1, 1, 3, 3)"},
        {"--in " + scratch("pool_x4.npy") + " --window 2 --padding 2", "padding (2, 2) must be at most half"},
        {"--in " + scratch("pool_x4.npy") + " --window 2 --backward --grad-out " + scratch("pool_x4.npy"),
         "d_output is (1, 1, 4, 4)"},
        {"--in " + scratch("pool_x4.npy") + " --window 2 --backward", "--grad-out"},
    };
    for (const Case &c : cases) {
        const std::string out = scratch("pool_never.npy");
        auto bad = run_hnn("op pool2d " + c.args + " --out " + out + " --out-grad-in " + out);
        INFO(bad.output);
        CHECK(bad.status == 1);
        CHECK(bad.output.find(c.message) != std::string::npos);
        CHECK_FALSE(test::file_exists(out));
    }
}
#endif  // HNN_BINARY
