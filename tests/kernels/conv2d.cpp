// conv2d and conv1x1: d2l 7.3/7.4's golden values, random shapes against the reference
// (forward and backward), finite differences for the reference's gradients, errors, CLI.
#include <cmath>

#include "npy.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

namespace {

struct ConvCase {
    int n, ci, h, w, co, kh, kw, sh, sw, ph, pw;
};

std::string describe(const ConvCase &s, Activation act, bool bias) {
    return "N" + std::to_string(s.n) + " " + std::to_string(s.ci) + "->" + std::to_string(s.co) + " " +
           std::to_string(s.h) + "x" + std::to_string(s.w) + " k" + std::to_string(s.kh) + "x" + std::to_string(s.kw) +
           " s" + std::to_string(s.sh) + "," + std::to_string(s.sw) + " p" + std::to_string(s.ph) + "," +
           std::to_string(s.pw) + " " + activation_name(act) + (bias ? " bias" : " no-bias");
}

Conv2dParams params_of(const ConvCase &s, Activation act) { return Conv2dParams{s.sh, s.sw, s.ph, s.pw, act}; }

// Small and odd shapes, each path of the schedules: channel-vectorized (Co >= 16), x-vectorized
// (output width >= 16, Co >= 6), the narrow fallback; strides larger than the kernel, padding up
// to half the kernel, rectangular kernels, batch 1 and odd batches, 1 and many channels.
const ConvCase kCases[] = {
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},    {2, 3, 5, 7, 4, 3, 3, 1, 1, 1, 1},    {3, 2, 9, 8, 5, 2, 3, 2, 3, 1, 1},
    {1, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2},  {3, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, {2, 5, 19, 37, 7, 3, 5, 1, 1, 1, 2},
    {1, 4, 17, 23, 20, 3, 3, 2, 2, 1, 1}, {5, 3, 11, 13, 17, 4, 2, 3, 2, 2, 1}, {1, 2, 10, 10, 3, 1, 1, 3, 3, 0, 0},
    {2, 7, 12, 40, 33, 3, 3, 1, 1, 1, 1}, {1, 16, 9, 18, 9, 2, 2, 1, 1, 1, 0},  {3, 1, 6, 31, 2, 1, 7, 1, 4, 0, 3},
    {1, 3, 8, 8, 32, 5, 3, 1, 1, 2, 1},   {2, 2, 20, 20, 6, 3, 3, 2, 2, 1, 1},  {2, 3, 4, 3, 18, 3, 3, 1, 1, 1, 0},
    {1, 17, 3, 30, 2, 3, 1, 1, 1, 0, 0},  {2, 3, 12, 12, 7, 3, 3, 1, 1, 1, 1},  {1, 2, 9, 26, 6, 5, 5, 1, 1, 2, 2},
    // d_weight over output channels (>= 16, 5x5): a partial last 16-image chunk, strides, padding
    {19, 2, 9, 11, 20, 5, 5, 2, 1, 2, 1}, {1, 1, 7, 6, 17, 5, 5, 1, 2, 1, 2},
    // d_input with the batch in the lanes (CPU; stride 1, 6-15 input channels, 8-16 wide, N >= 16):
    // LeNet c2's and its smaller last batch, 16-image tasks, padding, rows of 5 (too narrow: the
    // general kernel), 3x3, rows of exactly 8 and of 8 from a 6-wide d_z
    {128, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, {96, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, {20, 7, 9, 12, 5, 3, 3, 1, 1, 1, 1},
    {17, 9, 6, 5, 3, 5, 5, 1, 1, 2, 2},     {70, 6, 16, 16, 4, 3, 3, 1, 1, 2, 0},   {33, 6, 8, 8, 5, 3, 3, 1, 1, 0, 0},
    {18, 6, 10, 8, 7, 5, 5, 1, 1, 2, 2},
    // the narrow-rows forward (CPU; >= 16 output channels, rows of 10-15): a partial second
    // channel vector, 15-wide rows, and 12-wide rows at stride 2 (with the cases above)
    {4, 3, 9, 15, 24, 3, 3, 1, 1, 1, 1},
};

Tensor conv(const Tensor &x, const Tensor &w, const Tensor *b, const Conv2dParams &p) {
    return conv2d_forward(x, w, b, p, test::device());
}

}  // namespace

TEST_CASE("conv2d output shapes follow d2l 7.3's padding and stride examples") {
    struct Example {
        int kh, kw, ph, pw, sh, sw, oh, ow;
    };
    const Example examples[] = {{3, 3, 1, 1, 1, 1, 8, 8}, {5, 3, 2, 1, 1, 1, 8, 8}, {3, 3, 1, 1, 2, 2, 4, 4}, {3, 5, 0, 1, 3, 4, 2, 2}};
    std::mt19937 rng(1);
    Tensor x = test::random_tensor({1, 1, 8, 8}, rng);
    for (const Example &e : examples) {
        Tensor w = test::random_tensor({1, 1, e.kh, e.kw}, rng);
        const Conv2dParams p{e.sh, e.sw, e.ph, e.pw, Activation::none};
        Tensor y = conv(x, w, nullptr, p);
        CHECK(y.shape() == Shape{1, 1, e.oh, e.ow});
        test::check_close(y, reference::conv2d(x, w, nullptr, p), reference::kConv2dTolerance, "7.3 example values");
    }
}

TEST_CASE("conv2d reproduces d2l 7.4's multi-input and multi-output examples") {
    Tensor x = Tensor::from_values({1, 2, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    const std::vector<float> k = {0, 1, 2, 3, 1, 2, 3, 4};
    Tensor w1 = Tensor::from_values({1, 2, 2, 2}, k);
    test::check_values(conv(x, w1, nullptr, {}), {1, 1, 2, 2}, {56, 72, 104, 120}, "multi-input [[56,72],[104,120]]");
    std::vector<float> stacked;
    for (int i = 0; i < 3; ++i)
        for (float v : k) stacked.push_back(v + i);
    Tensor w3 = Tensor::from_values({3, 2, 2, 2}, stacked);
    test::check_values(conv(x, w3, nullptr, {}), {1, 3, 2, 2}, {56, 72, 104, 120, 76, 100, 148, 172, 96, 128, 192, 224},
                       "multi-output (K, K+1, K+2)");
}

TEST_CASE("conv2d forward matches the reference on random shapes, activations and biases") {
    std::mt19937 rng(11);
    int index = 0;
    for (const ConvCase &s : kCases) {
        for (Activation act : {Activation::none, Activation::relu, Activation::sigmoid}) {
            const bool with_bias = (index++ % 2) == 0;
            Tensor x = test::random_tensor({s.n, s.ci, s.h, s.w}, rng);
            Tensor w = test::random_tensor({s.co, s.ci, s.kh, s.kw}, rng);
            Tensor b = test::random_tensor({s.co}, rng);
            const Tensor *bias = with_bias ? &b : nullptr;
            const Conv2dParams p = params_of(s, act);
            test::check_close(conv(x, w, bias, p), reference::conv2d(x, w, bias, p), reference::kConv2dTolerance,
                              describe(s, act, with_bias));
        }
    }
}

TEST_CASE("conv2d backward matches the reference's gradients") {
    std::mt19937 rng(12);
    int index = 0;
    for (const ConvCase &s : kCases) {
        const Activation act = std::array{Activation::none, Activation::relu, Activation::sigmoid}[index++ % 3];
        const Conv2dParams p = params_of(s, act);
        Tensor x = test::random_tensor({s.n, s.ci, s.h, s.w}, rng);
        Tensor w = test::random_tensor({s.co, s.ci, s.kh, s.kw}, rng);
        Tensor b = test::random_tensor({s.co}, rng);
        Tensor y = conv(x, w, &b, p);
        Tensor dy = test::random_tensor(y.shape(), rng);
        Tensor dx(x.shape()), dw(w.shape()), db({s.co});
        conv2d_backward(&dx, &dw, &db, dy, x, w, y, p, test::device());
        dx.sync_to_host();
        dw.sync_to_host();
        db.sync_to_host();
        const auto want = reference::conv2d_backward(dy, x, w, y, p);
        const std::string what = describe(s, act, true);
        test::check_close(dx, want.d_input, reference::kConv2dGradientTolerance, ("d_input " + what));
        test::check_close(dw, want.d_weight, reference::kConv2dGradientTolerance, ("d_weight " + what));
        test::check_close(db, want.d_bias, reference::kConv2dGradientTolerance, ("d_bias " + what));
    }
}

TEST_CASE("conv2d backward skips d_input when it is null and overwrites the others") {
    std::mt19937 rng(13);
    const Conv2dParams p{1, 1, 2, 2, Activation::sigmoid};
    Tensor x = test::random_tensor({2, 1, 12, 12}, rng), w = test::random_tensor({6, 1, 5, 5}, rng);
    Tensor y = conv(x, w, nullptr, p);
    Tensor dy = test::random_tensor(y.shape(), rng);
    Tensor dw = test::random_tensor(w.shape(), rng), db = test::random_tensor({6}, rng);  // stale values
    conv2d_backward(nullptr, &dw, &db, dy, x, w, y, p, test::device());
    dw.sync_to_host();
    db.sync_to_host();
    const auto want = reference::conv2d_backward(dy, x, w, y, p);
    test::check_close(dw, want.d_weight, reference::kConv2dGradientTolerance, "d_weight overwritten");
    test::check_close(db, want.d_bias, reference::kConv2dGradientTolerance, "d_bias overwritten");
}

TEST_CASE("conv2d backward from a following 2x2 average pool's gradient equals the pool's backward then the conv's") {
    // CPU kernels, two paths. Without d_input, few output channels, even outputs at least 16
    // wide (LeNet c1 first): 28-wide rows (a vector and an overlapping last one), 16 (exactly
    // one), 34 (two and a last). With d_input, 16 or more output channels and 5x5 kernels over
    // inputs the batch-lane d_input takes (LeNet c2 first): 10-wide outputs (an 8-column tile and
    // one shifted inwards by a pair), 8, 16; 20 channels (a channel tile shifted inwards). Odd
    // batches and every activation. Elsewhere the call declines and writes nothing.
    struct Case {
        ConvCase conv;
        Activation act;
        bool with_input;
        bool applies;  // on the CPU
    };
    const Case cases[] = {
        {{5, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2}, Activation::sigmoid, false, true},
        {{3, 2, 18, 16, 4, 3, 3, 1, 1, 1, 1}, Activation::relu, false, true},
        {{2, 3, 12, 36, 5, 3, 3, 1, 1, 0, 0}, Activation::none, false, true},
        {{17, 1, 16, 16, 3, 1, 1, 1, 1, 0, 0}, Activation::sigmoid, false, true},
        {{2, 2, 14, 14, 3, 3, 3, 1, 1, 0, 0}, Activation::sigmoid, false, false},   // 12 wide: narrower than 16
        {{2, 2, 17, 18, 3, 3, 3, 1, 1, 0, 0}, Activation::relu, false, false},      // 15 rows: odd
        {{2, 2, 20, 20, 16, 5, 5, 1, 1, 2, 2}, Activation::sigmoid, false, false},  // 16 channels, 5x5 without d_input
        {{18, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true, true},   // LeNet c2
        {{17, 7, 12, 16, 16, 5, 5, 1, 1, 2, 2}, Activation::relu, true, true},      // 12 x 16 outputs
        {{16, 6, 10, 10, 20, 5, 5, 1, 1, 1, 1}, Activation::none, true, true},      // 8 x 8 outputs, 20 channels
        {{18, 6, 14, 14, 6, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true, false},   // 6 channels with d_input
        {{18, 6, 15, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true, false},  // 11 rows: odd
        {{8, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true, false},   // batch of 8: fewer than 16
    };
    std::mt19937 rng(14);
    Pool2dParams pool;
    pool.mode = PoolMode::average;
    for (const Case &k : cases) {
        const ConvCase &s = k.conv;
        const Conv2dParams p = params_of(s, k.act);
        Tensor x = test::random_tensor({s.n, s.ci, s.h, s.w}, rng), w = test::random_tensor({s.co, s.ci, s.kh, s.kw}, rng);
        Tensor b = test::random_tensor({s.co}, rng);
        Tensor y = conv(x, w, &b, p);
        if (y.dim(2) % 2 != 0 || y.dim(3) % 2 != 0) {  // the pool drops the odd row or column: the call declines
            CHECK_MESSAGE(!k.applies, describe(s, k.act, true));
        }
        Tensor d_pooled = test::random_tensor(pool2d_output_shape(y.shape(), pool), rng);
        Tensor dw = test::random_tensor(w.shape(), rng), db = test::random_tensor({s.co}, rng);  // stale values
        Tensor dx = test::random_tensor(x.shape(), rng);
        const bool applied = conv2d_backward_avg_pooled(k.with_input ? &dx : nullptr, dw, db, d_pooled, x, w, y, p, test::device());
        const std::string what = describe(s, k.act, true) + (k.with_input ? " with d_input" : "");
        const bool expected = k.applies && test::device() == Device::cpu;
        CHECK_MESSAGE(applied == expected, what);
        if (!applied) continue;
        dw.sync_to_host();
        db.sync_to_host();
        const auto want = reference::conv2d_backward(reference::pool2d_backward(d_pooled, y, pool), x, w, y, p);
        test::check_close(dw, want.d_weight, reference::kConv2dGradientTolerance, "pooled d_weight " + what);
        test::check_close(db, want.d_bias, reference::kConv2dGradientTolerance, "pooled d_bias " + what);
        if (k.with_input) {
            dx.sync_to_host();
            test::check_close(dx, want.d_input, reference::kConv2dGradientTolerance, "pooled d_input " + what);
        }
    }
}

TEST_CASE("a conv stored channels-last for its 2x2 average pool agrees with the NCHW path") {
    // conv2d_channels_last_pooled's shapes (CPU): LeNet c2, 20 channels (a channel vector
    // shifted inwards) with 10 x 12 outputs, a batch of exactly 16 and of 17 (an image vector
    // shifted inwards), of 64 and 128 (d_input's d_z stored in blocks of 64 images), pooled
    // planes narrower than a vector, every activation. The forward's
    // output, once made NCHW again, is conv2d_forward's to the bit. The pool's sums and the
    // sigmoid's slope are reassociated by LLVM differently in each kernel (1-ulp differences
    // either way), so the pool and the gradients are compared with the pool's and the conv
    // gradients' tolerances against pool2d_forward and conv2d_backward_avg_pooled from the NCHW
    // output. Elsewhere (padding among it: those kernels read the input in place) the predicate
    // is false.
    struct Case {
        ConvCase conv;
        Activation act;
        bool applies;  // on the CPU
    };
    const Case cases[] = {
        {{18, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true},  // LeNet c2
        {{17, 7, 14, 16, 20, 5, 5, 1, 1, 0, 0}, Activation::relu, true},     // 10 x 12 outputs
        {{16, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::none, true},     // 10 x 10, 16 images
        {{16, 6, 6, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true},   // 2 x 10: 5 pooled positions
        {{64, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, true},   // a block of 64 images
        {{128, 7, 14, 16, 20, 5, 5, 1, 1, 0, 0}, Activation::relu, true},    // two blocks, 20 channels
        {{15, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, false}, // 15 images
        {{18, 6, 20, 20, 16, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, false}, // 16-wide outputs
        {{18, 6, 14, 14, 8, 5, 5, 1, 1, 0, 0}, Activation::sigmoid, false},  // 8 channels
        {{18, 6, 14, 14, 16, 3, 3, 1, 1, 0, 0}, Activation::sigmoid, false}, // a 3x3 kernel
        {{18, 6, 12, 12, 16, 5, 5, 1, 1, 1, 1}, Activation::sigmoid, false}, // padding
    };
    std::mt19937 rng(15);
    Pool2dParams pool;
    pool.mode = PoolMode::average;
    for (const Case &k : cases) {
        const ConvCase &s = k.conv;
        const std::string what = describe(s, k.act, true);
        const Conv2dParams p = params_of(s, k.act);
        Tensor x = test::random_tensor({s.n, s.ci, s.h, s.w}, rng), w = test::random_tensor({s.co, s.ci, s.kh, s.kw}, rng);
        Tensor b = test::random_tensor({s.co}, rng);
        const bool applies = conv2d_channels_last_pooled(x.shape(), w.shape(), p, true, test::device());
        CHECK_MESSAGE(applies == (k.applies && test::device() == Device::cpu), what);
        CHECK_MESSAGE(!conv2d_channels_last_pooled(x.shape(), w.shape(), p, false, test::device()), (what + " (first layer)"));
        if (!applies) continue;
        Tensor y = conv(x, w, &b, p);
        Tensor pooled = pool2d_forward(y, pool, Device::cpu);
        Tensor y_cl(y.shape()), y_back(y.shape()), pooled_cl(pooled.shape());
        conv2d_avg_pool_channels_last_forward(y_cl, pooled_cl, x, w, &b, p);
        channels_last_to_nchw(y_back, y_cl);
        CHECK_MESSAGE(y_back.values() == y.values(), ("forward " + what));
        test::check_close(pooled_cl, pooled, reference::kPool2dTolerance, "pool " + what);

        Tensor d_pooled = test::random_tensor(pooled.shape(), rng);
        Tensor dw(w.shape()), db(b.shape()), dx(x.shape()), dw_cl(w.shape()), db_cl(b.shape()), dx_cl(x.shape());
        REQUIRE(conv2d_backward_avg_pooled(&dx, dw, db, d_pooled, x, w, y, p, Device::cpu));
        REQUIRE(conv2d_backward_avg_pooled(&dx_cl, dw_cl, db_cl, d_pooled, x, w, y_cl, p, Device::cpu, true));
        test::check_close(dx_cl, dx, reference::kConv2dGradientTolerance, "d_input " + what);
        test::check_close(dw_cl, dw, reference::kConv2dGradientTolerance, "d_weight " + what);
        test::check_close(db_cl, db, reference::kConv2dGradientTolerance, "d_bias " + what);
    }
    // A channels-last output for a shape its kernels do not take is an error, not a wrong answer.
    Tensor x({18, 6, 14, 14}), w({8, 6, 5, 5}), y({18, 8, 10, 10}), d_pooled({18, 8, 5, 5}), dw(w.shape()), db({8}), dx(x.shape());
    CHECK_THROWS_WITH(conv2d_backward_avg_pooled(&dx, dw, db, d_pooled, x, w, y, Conv2dParams{}, Device::cpu, true),
                      doctest::Contains("channels-last"));
}

TEST_CASE("conv2d's reference gradients agree with central finite differences") {
    std::mt19937 rng(14);
    const ConvCase fd_cases[] = {{1, 2, 7, 6, 3, 3, 2, 2, 3, 1, 1}, {3, 1, 9, 9, 2, 3, 3, 3, 2, 1, 0},
                                 {2, 3, 6, 8, 2, 2, 3, 1, 1, 1, 1}, {1, 2, 5, 11, 3, 1, 4, 2, 2, 0, 2}};
    int index = 0;
    for (const ConvCase &s : fd_cases) {
        const Activation act = std::array{Activation::sigmoid, Activation::none, Activation::relu, Activation::sigmoid}[index++];
        const Conv2dParams p = params_of(s, act);
        Tensor x = test::random_tensor({s.n, s.ci, s.h, s.w}, rng);
        Tensor w = test::random_tensor({s.co, s.ci, s.kh, s.kw}, rng);
        Tensor b = test::random_tensor({s.co}, rng);
        Tensor y = reference::conv2d(x, w, &b, p);
        Tensor dy = test::random_tensor(y.shape(), rng);
        // loss = sum(dy * act(z)) in double
        auto loss = [&] {
            const std::vector<double> z = reference::conv2d_preactivation(x, w, &b, p);
            double total = 0;
            for (size_t i = 0; i < z.size(); ++i) total += double(dy.data()[i]) * reference::conv2d_activate(z[i], act);
            return total;
        };
        const auto grads = reference::conv2d_backward(dy, x, w, y, p);
        auto check = [&](Tensor &t, const Tensor &g, const std::string &name) {
            std::uniform_int_distribution<int64_t> pick(0, t.numel() - 1);
            for (int trial = 0; trial < 4; ++trial) {
                const int64_t i = pick(rng);
                const float saved = t.data()[i];
                // A small step: relu's kink must not fall between the two points.
                t.data()[i] = saved + 1e-5f;
                const double up = loss(), step_up = double(t.data()[i]) - saved;
                t.data()[i] = saved - 1e-5f;
                const double down = loss(), step_down = double(t.data()[i]) - saved;
                t.data()[i] = saved;
                const double numeric = (up - down) / (step_up - step_down);
                INFO(name << "[" << i << "] " << describe(s, act, true));
                CHECK(std::fabs(numeric - g.data()[i]) <= 1e-3 + 1e-3 * std::fabs(numeric));
            }
        };
        check(x, grads.d_input, "d_input");
        check(w, grads.d_weight, "d_weight");
        check(b, grads.d_bias, "d_bias");
    }
}

TEST_CASE("conv1x1 as a matrix product agrees with conv2d at kernel 1, forward and backward") {
    std::mt19937 rng(15);
    const int shapes[][4] = {{1, 1, 1, 1}, {2, 3, 5, 7}, {1, 64, 8, 8}, {3, 17, 9, 13}, {2, 8, 56, 56}, {1, 5, 1, 40}};
    int index = 0;
    for (const auto &s : shapes) {
        const int co = std::array{1, 4, 64, 9, 16, 3}[index++];
        Tensor x = test::random_tensor({s[0], s[1], s[2], s[3]}, rng);
        Tensor w = test::random_tensor({co, s[1], 1, 1}, rng);
        Tensor b = test::random_tensor({co}, rng);
        const std::string what = shape_string(x.shape()) + " -> " + std::to_string(co);
        Tensor y = conv1x1_forward(x, w, &b, test::device());
        test::check_close(y, conv(x, w, &b, {}), reference::kConv1x1Tolerance, "conv1x1 vs conv2d " + what);
        test::check_close(y, reference::conv2d(x, w, &b, {}), reference::kConv2dTolerance, "conv1x1 vs reference " + what);
        test::check_close(conv1x1_forward(x, w, nullptr, test::device()), reference::conv2d(x, w, nullptr, {}),
                          reference::kConv2dTolerance, "conv1x1 without bias " + what);

        Tensor dy = test::random_tensor(y.shape(), rng);
        Tensor dx(x.shape()), dw(w.shape()), db({co});
        conv1x1_backward(&dx, &dw, &db, dy, x, w, test::device());
        dx.sync_to_host();
        dw.sync_to_host();
        db.sync_to_host();
        const auto want = reference::conv2d_backward(dy, x, w, y, {});
        test::check_close(dx, want.d_input, reference::kConv2dGradientTolerance, "conv1x1 d_input " + what);
        test::check_close(dw, want.d_weight, reference::kConv2dGradientTolerance, "conv1x1 d_weight " + what);
        test::check_close(db, want.d_bias, reference::kConv2dGradientTolerance, "conv1x1 d_bias " + what);
    }
}

TEST_CASE("conv2d and conv1x1 reject mismatched shapes, naming both") {
    Tensor x({8, 1, 28, 28}), w({6, 3, 5, 5}), big({1, 1, 9, 9}), small({1, 1, 4, 4});
    CHECK_THROWS_WITH_AS(conv(x, w, nullptr, {}),
                         "conv2d: weight (6, 3, 5, 5) has 3 input channels but input (8, 1, 28, 28) has 1", Error);
    CHECK_THROWS_WITH_AS(conv(small, big, nullptr, Conv2dParams{1, 1, 2, 2}), doctest::Contains("(1, 1, 9, 9)"), Error);
    CHECK_THROWS_WITH_AS(conv(small, big, nullptr, Conv2dParams{1, 1, 2, 2}), doctest::Contains("(1, 1, 4, 4)"), Error);
    CHECK_NOTHROW(conv(small, big, nullptr, Conv2dParams{1, 1, 3, 3}));
    Tensor b({5});
    CHECK_THROWS_WITH_AS(conv(x, Tensor({6, 1, 5, 5}), &b, {}), doctest::Contains("bias (5,)"), Error);
    CHECK_THROWS_WITH_AS(conv(x, Tensor({6, 1, 5, 5}), nullptr, Conv2dParams{1, 1, 0, 0, Activation::tanh}),
                         doctest::Contains("not fused"), Error);
    CHECK_THROWS_WITH_AS(conv1x1_forward(x, Tensor({4, 2, 1, 1}), nullptr, test::device()),
                         doctest::Contains("(4, 2, 1, 1)"), Error);
    CHECK_THROWS_WITH_AS(conv1x1_forward(x, Tensor({4, 1, 3, 3}), nullptr, test::device()),
                         doctest::Contains("(4, 1, 3, 3)"), Error);
}

// The CLI checks build into hnn_tests only (hnn_cuda_tests has no HNN_BINARY).
#ifdef HNN_BINARY
#include "files.h"

TEST_CASE("hnn op conv2d and conv1x1 run forward and backward through NPY files") {
    if (test::device() != Device::cpu) return;
    using test::run_hnn;
    using test::scratch;
    std::mt19937 rng(16);
    Tensor x = test::random_tensor({2, 3, 9, 9}, rng), w = test::random_tensor({4, 3, 3, 3}, rng);
    Tensor b = test::random_tensor({4}, rng);
    write_npy(scratch("cx.npy"), x);
    write_npy(scratch("cw.npy"), w);
    write_npy(scratch("cb.npy"), b);
    const Conv2dParams p{2, 2, 1, 1, Activation::relu};
    Tensor want = reference::conv2d(x, w, &b, p);
    auto run = run_hnn("op conv2d --in " + scratch("cx.npy") + " --weight " + scratch("cw.npy") + " --bias " +
                       scratch("cb.npy") + " --stride 2,2 --padding 1 --activation relu --out " + scratch("cy.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    test::check_close(read_npy(scratch("cy.npy")), want, reference::kConv2dTolerance, "hnn op conv2d");

    Tensor dy = test::random_tensor(want.shape(), rng);
    write_npy(scratch("cdy.npy"), dy);
    run = run_hnn("op conv2d --backward --in " + scratch("cx.npy") + " --weight " + scratch("cw.npy") + " --bias " +
                  scratch("cb.npy") + " --stride 2 --padding 1,1 --activation relu --grad-out " + scratch("cdy.npy") +
                  " --out-grad-in " + scratch("cdx.npy") + " --out-grad-weight " + scratch("cdw.npy") +
                  " --out-grad-bias " + scratch("cdb.npy") + " --out " + scratch("cy2.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    const auto g = reference::conv2d_backward(dy, x, w, want, p);
    test::check_close(read_npy(scratch("cdx.npy")), g.d_input, reference::kConv2dGradientTolerance, "cli d_input");
    test::check_close(read_npy(scratch("cdw.npy")), g.d_weight, reference::kConv2dGradientTolerance, "cli d_weight");
    test::check_close(read_npy(scratch("cdb.npy")), g.d_bias, reference::kConv2dGradientTolerance, "cli d_bias");

    Tensor w1 = test::random_tensor({5, 3, 1, 1}, rng);
    write_npy(scratch("cw1.npy"), w1);
    run = run_hnn("op conv1x1 --in " + scratch("cx.npy") + " --weight " + scratch("cw1.npy") + " --out " + scratch("c1y.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    test::check_close(read_npy(scratch("c1y.npy")), reference::conv2d(x, w1, nullptr, {}), reference::kConv2dTolerance,
                      "hnn op conv1x1");

    // Errors name both shapes and leave no output behind.
    Tensor bad = test::random_tensor({4, 2, 3, 3}, rng);
    write_npy(scratch("cbad.npy"), bad);
    run = run_hnn("op conv2d --in " + scratch("cx.npy") + " --weight " + scratch("cbad.npy") + " --out " + scratch("cnever.npy"));
    CHECK(run.status == 1);
    CHECK(run.output.find("weight (4, 2, 3, 3) has 2 input channels but input (2, 3, 9, 9) has 3") != std::string::npos);
    CHECK_FALSE(test::file_exists(scratch("cnever.npy")));
    run = run_hnn("op conv2d --backward --in " + scratch("cx.npy") + " --weight " + scratch("cw.npy") + " --out " +
                  scratch("cnever.npy") + " --out-grad-weight " + scratch("cnever2.npy"));
    CHECK(run.status != 0);  // --backward needs --grad-out
    CHECK_FALSE(test::file_exists(scratch("cnever2.npy")));
}
#endif  // HNN_BINARY
