// Standalone activations (relu, sigmoid, tanh): known values, every size class of the
// schedule against the reference, backward against the reference and finite differences,
// shape errors and the CLI.
#include "npy.h"
#include "ops.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

namespace {

const Activation kActivations[] = {Activation::relu, Activation::sigmoid, Activation::tanh};

// Sizes below one vector, between vectors, below and above one task, in 1-D to 4-D shapes.
const Shape kShapes[] = {{1},         {3},          {15},          {16},          {17},
                         {2, 3, 5},   {1, 1, 7, 7}, {128, 120},    {3, 6, 28, 28}, {16385},
                         {2, 64, 56, 56}, {5, 1, 31, 33}};

}  // namespace

TEST_CASE("activations give PyTorch's values at known points") {
    Tensor x = Tensor::from_values({7}, {-100, -2, -0.5f, 0, 0.5f, 2, 100});
    test::check_values(activation_forward(x, Activation::relu, test::device()), {7}, {0, 0, 0, 0, 0.5f, 2, 100}, "relu");
    test::check_close(activation_forward(x, Activation::sigmoid, test::device()),
                      Tensor::from_values({7}, {0, 0.11920292f, 0.37754067f, 0.5f, 0.62245933f, 0.88079708f, 1}),
                      test::Tolerance{1e-7, 1e-6}, "sigmoid");
    test::check_close(activation_forward(x, Activation::tanh, test::device()),
                      Tensor::from_values({7}, {-1, -0.96402758f, -0.46211716f, 0, 0.46211716f, 0.96402758f, 1}),
                      test::Tolerance{1e-7, 1e-6}, "tanh");
    // Saturated inputs stay finite (no inf / inf).
    Tensor extreme = Tensor::from_values({4}, {-1e30f, -89, 89, 1e30f});
    test::check_values(activation_forward(extreme, Activation::sigmoid, test::device()), {4}, {0, 0, 1, 1},
                       "sigmoid saturates");
    test::check_values(activation_forward(extreme, Activation::tanh, test::device()), {4}, {-1, -1, 1, 1},
                       "tanh saturates");
}

TEST_CASE("activation backward uses the forward output: relu' = y > 0, sigmoid' = y(1-y), tanh' = 1-y^2") {
    Tensor y = Tensor::from_values({4}, {0, 0.25f, 0.5f, 1});
    Tensor d_y = Tensor::from_values({4}, {2, 2, 2, 2});
    test::check_values(activation_backward(d_y, y, Activation::relu, test::device()), {4}, {0, 2, 2, 2}, "relu'");
    test::check_values(activation_backward(d_y, y, Activation::sigmoid, test::device()), {4}, {0, 0.375f, 0.5f, 0},
                       "sigmoid'");
    test::check_values(activation_backward(d_y, y, Activation::tanh, test::device()), {4}, {2, 1.875f, 1.5f, 0},
                       "tanh'");
}

TEST_CASE("activations match the reference on every size class") {
    std::mt19937 rng(21);
    for (const Shape &shape : kShapes) {
        Tensor x = test::random_tensor(shape, rng, -6.0f, 6.0f);
        Tensor d_y = test::random_tensor(shape, rng);
        for (Activation a : kActivations) {
            const std::string what = std::string(activation_name(a)) + " " + shape_string(shape);
            Tensor y = activation_forward(x, a, test::device());
            test::check_close(y, reference::activation(x, a), reference::kActivationTolerance, what);
            test::check_close(activation_backward(d_y, y, a, test::device()), reference::activation_backward(d_y, y, a),
                              reference::kActivationGradientTolerance, what + " backward");
        }
    }
}

TEST_CASE("activation reference backward agrees with central finite differences") {
    std::mt19937 rng(22);
    for (Activation a : kActivations) {
        for (const Shape &shape : {Shape{5}, Shape{3, 2, 4, 4}}) {
            Tensor x = test::random_tensor(shape, rng, -3.0f, 3.0f);
            for (int64_t i = 0; i < x.numel(); ++i) {
                if (std::fabs(x.data()[i]) < 0.05f) x.data()[i] = 0.5f;  // relu's kink
            }
            Tensor d_y = test::random_tensor(shape, rng);
            const Tensor analytic = reference::activation_backward(d_y, reference::activation(x, a), a);
            for (int64_t i = 0; i < x.numel(); i += 7) {
                const double h = 1e-4, v = x.data()[i];
                const double numeric =
                    d_y.data()[i] * (reference::activate(a, v + h) - reference::activate(a, v - h)) / (2 * h);
                INFO(activation_name(a) << " x = " << v);
                CHECK(std::fabs(numeric - analytic.data()[i]) <= 1e-5 + 1e-4 * std::fabs(numeric));
            }
        }
    }
}

TEST_CASE("activations reject mismatched shapes, in-place use and 'none'") {
    Tensor x({2, 3}), out({3, 2});
    CHECK_THROWS_WITH_AS(activation_forward(out, x, Activation::relu, test::device()),
                         doctest::Contains("relu_forward: output is (3, 2) but input is (2, 3)"), Error);
    CHECK_THROWS_WITH_AS(activation_forward(x, x, Activation::sigmoid, test::device()),
                         doctest::Contains("no in-place"), Error);
    CHECK_THROWS_WITH_AS(activation_forward(x, Activation::none, test::device()), doctest::Contains("'none'"), Error);
    CHECK_THROWS_WITH_AS(activation_backward(Tensor({6}), x, Activation::tanh, test::device()),
                         doctest::Contains("tanh_backward: d_output is (6,) but output is (2, 3)"), Error);
    Tensor d_input({2, 2});
    CHECK_THROWS_WITH_AS(activation_backward(&d_input, x, x, Activation::tanh, test::device()),
                         doctest::Contains("d_input is (2, 2) but output is (2, 3)"), Error);
    activation_backward(nullptr, x, x, Activation::tanh, test::device());  // nothing to compute
}

// The CLI checks: only hnn_tests knows where the hnn binary is (HNN_BINARY); hnn_cuda_tests
// compiles this file without them.
#ifdef HNN_BINARY
#include "files.h"

TEST_CASE("hnn op relu|sigmoid|tanh, forward and backward") {
    if (test::device() != Device::cpu) return;
    using test::run_hnn;
    using test::scratch;
    write_npy(scratch("act_x.npy"), Tensor::from_values({2, 2}, {-1, 0, 0.5f, 2}));
    auto run = run_hnn("op relu --in " + scratch("act_x.npy") + " --out " + scratch("act_y.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    Tensor y = read_npy(scratch("act_y.npy"));
    CHECK(y.shape() == Shape{2, 2});
    CHECK(y.values() == std::vector<float>{0, 0, 0.5f, 2});

    write_npy(scratch("act_dy.npy"), Tensor::from_values({2, 2}, {1, 1, 1, 1}));
    run = run_hnn("op sigmoid --backward --in " + scratch("act_x.npy") + " --grad-out " + scratch("act_dy.npy") +
                  " --out-grad-in " + scratch("act_dx.npy"));
    REQUIRE(run.status == 0);
    Tensor dx = read_npy(scratch("act_dx.npy"));
    const Tensor want = reference::activation_backward(read_npy(scratch("act_dy.npy")),
                                                       reference::activation(read_npy(scratch("act_x.npy")),
                                                                             Activation::sigmoid),
                                                       Activation::sigmoid);
    test::check_close(dx, want, reference::kActivationGradientTolerance, "sigmoid backward via the CLI");

    write_npy(scratch("act_bad.npy"), Tensor({3}));
    const std::string never = scratch("act_never.npy");
    auto bad = run_hnn("op tanh --backward --in " + scratch("act_x.npy") + " --grad-out " + scratch("act_bad.npy") +
                       " --out-grad-in " + never);
    INFO(bad.output);
    CHECK(bad.status == 1);
    CHECK(bad.output.find("d_output is (3,) but output is (2, 2)") != std::string::npos);
    CHECK(bad.output.find("act_bad.npy") != std::string::npos);
    CHECK_FALSE(test::file_exists(never));
}
#endif  // HNN_BINARY
