// dense: a hand-computed example, LeNet's shapes, random shapes against the reference, the
// backward against the reference and the reference against finite differences, errors, CLI.
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

const Activation kActivations[] = {Activation::none, Activation::relu, Activation::sigmoid};

std::string describe(const Shape &x, const Shape &w, bool bias, Activation a) {
    return "input " + shape_string(x) + " weight " + shape_string(w) + (bias ? " bias " : " no bias ") +
           activation_name(a);
}

// (N, in, out): batch 1 and odd batches, sizes below / not a multiple of the vector width,
// LeNet's three layers and a wide one.
const int kShapes[][3] = {{1, 1, 1},    {1, 5, 3},     {3, 7, 17},    {2, 16, 16},   {5, 33, 47},  {8, 400, 120},
                          {128, 120, 84}, {128, 84, 10}, {9, 100, 7},  {13, 3, 64},   {7, 130, 33}, {17, 9, 200},
                          {6, 31, 8},   {11, 12, 31},  {4, 2, 96},    {33, 64, 1}};

}  // namespace

TEST_CASE("dense computes x W^T + b with a fused activation") {
    Tensor x = Tensor::from_values({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor w = Tensor::from_values({2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f});
    Tensor b = Tensor::from_values({2}, {0.5f, -1});
    test::check_values(dense_forward(x, w, &b, Activation::none, test::device()), {2, 2}, {-1.5f, 2, -1.5f, 6.5f},
                       "x W^T + b");
    test::check_values(dense_forward(x, w, nullptr, Activation::none, test::device()), {2, 2}, {-2, 3, -2, 7.5f},
                       "no bias");
    test::check_values(dense_forward(x, w, &b, Activation::relu, test::device()), {2, 2}, {0, 2, 0, 6.5f}, "relu");
    Tensor s = dense_forward(x, w, &b, Activation::sigmoid, test::device());
    test::check_close(s, Tensor::from_values({2, 2}, {0.18242552f, 0.88079708f, 0.18242552f, 0.99850794f}),
                      test::Tolerance{1e-6, 1e-5}, "sigmoid");
}

TEST_CASE("dense follows LeNet's shapes from a flattened (N, 16, 5, 5) input") {
    std::mt19937 rng(1);
    Tensor x = test::random_tensor({3, 16, 5, 5}, rng);
    Tensor w1 = test::random_tensor({120, 400}, rng), b1 = test::random_tensor({120}, rng);
    Tensor w2 = test::random_tensor({84, 120}, rng), b2 = test::random_tensor({84}, rng);
    Tensor w3 = test::random_tensor({10, 84}, rng), b3 = test::random_tensor({10}, rng);
    Tensor h1 = dense_forward(x, w1, &b1, Activation::sigmoid, test::device());
    CHECK(h1.shape() == Shape{3, 120});
    test::check_close(h1, reference::dense(x, w1, &b1, Activation::sigmoid), reference::kDenseTolerance, "layer 1");
    Tensor h2 = dense_forward(h1, w2, &b2, Activation::sigmoid, test::device());
    CHECK(h2.shape() == Shape{3, 84});
    Tensor h3 = dense_forward(h2, w3, &b3, Activation::none, test::device());
    CHECK(h3.shape() == Shape{3, 10});
    test::check_close(h3, reference::dense(h2, w3, &b3, Activation::none), reference::kDenseTolerance, "layer 3");
}

TEST_CASE("dense matches the reference on random shapes") {
    std::mt19937 rng(11);
    for (const auto &s : kShapes) {
        for (Activation a : kActivations) {
            for (bool with_bias : {true, false}) {
                Tensor x = test::random_tensor({s[0], s[1]}, rng);
                Tensor w = test::random_tensor({s[2], s[1]}, rng);
                Tensor b = test::random_tensor({s[2]}, rng);
                const Tensor *bias = with_bias ? &b : nullptr;
                test::check_close(dense_forward(x, w, bias, a, test::device()), reference::dense(x, w, bias, a),
                                  reference::kDenseTolerance, describe(x.shape(), w.shape(), with_bias, a));
            }
        }
    }
}

TEST_CASE("dense's out-param forward overwrites a preallocated output") {
    std::mt19937 rng(5);
    Tensor x = test::random_tensor({4, 20}, rng), w = test::random_tensor({18, 20}, rng);
    Tensor y = test::random_tensor({4, 18}, rng);
    dense_forward(y, x, w, nullptr, Activation::relu, test::device());
    y.sync_to_host();
    test::check_close(y, reference::dense(x, w, nullptr, Activation::relu), reference::kDenseTolerance, "overwritten");
}

TEST_CASE("dense backward matches the reference, and skips null gradients") {
    std::mt19937 rng(23);
    for (const auto &s : kShapes) {
        for (Activation a : kActivations) {
            Tensor x = test::random_tensor({s[0], s[1]}, rng);
            Tensor w = test::random_tensor({s[2], s[1]}, rng);
            Tensor b = test::random_tensor({s[2]}, rng);
            Tensor y = reference::dense(x, w, &b, a);
            Tensor dy = test::random_tensor(y.shape(), rng);
            auto want = reference::dense_backward(dy, x, w, y, a);
            Tensor dx = test::random_tensor(x.shape(), rng), dw = test::random_tensor(w.shape(), rng),
                   db = test::random_tensor(b.shape(), rng);
            dense_backward(&dx, &dw, &db, dy, x, w, y, a, test::device());
            dx.sync_to_host();
            dw.sync_to_host();
            db.sync_to_host();
            const std::string what = describe(x.shape(), w.shape(), true, a);
            test::check_close(dx, want.d_input, reference::kDenseGradientTolerance, "d_input " + what);
            test::check_close(dw, want.d_weight, reference::kDenseGradientTolerance, "d_weight " + what);
            test::check_close(db, want.d_bias, reference::kDenseGradientTolerance, "d_bias " + what);
        }
    }
    // First layer: no d_input; a 4-D input's d_input keeps its shape.
    Tensor x = test::random_tensor({5, 2, 3, 3}, rng), w = test::random_tensor({7, 18}, rng);
    Tensor y = reference::dense(x, w, nullptr, Activation::sigmoid), dy = test::random_tensor({5, 7}, rng);
    auto want = reference::dense_backward(dy, x, w, y, Activation::sigmoid);
    Tensor dw(w.shape());
    dense_backward(nullptr, &dw, nullptr, dy, x, w, y, Activation::sigmoid, test::device());
    dw.sync_to_host();
    test::check_close(dw, want.d_weight, reference::kDenseGradientTolerance, "d_weight without d_input");
    Tensor dx(x.shape());
    dense_backward(&dx, nullptr, nullptr, dy, x, w, y, Activation::sigmoid, test::device());
    dx.sync_to_host();
    test::check_close(dx, want.d_input, reference::kDenseGradientTolerance, "4-D d_input");
}

TEST_CASE("dense's reference backward agrees with central finite differences") {
    std::mt19937 rng(31);
    const int shapes[][3] = {{1, 3, 2}, {3, 7, 5}, {4, 16, 17}, {5, 2, 9}};
    for (const auto &s : shapes) {
        for (Activation a : kActivations) {
            // Fixed seed: no relu pre-activation lies within the step of its kink here.
            Tensor x = test::random_tensor({s[0], s[1]}, rng), w = test::random_tensor({s[2], s[1]}, rng);
            Tensor b = test::random_tensor({s[2]}, rng);
            Tensor y = reference::dense(x, w, &b, a), dy = test::random_tensor(y.shape(), rng);
            auto g = reference::dense_backward(dy, x, w, y, a);
            struct Param {
                Tensor *values;
                const Tensor *grad;
                const char *name;
            };
            for (Param p : {Param{&x, &g.d_input, "input"}, Param{&w, &g.d_weight, "weight"}, Param{&b, &g.d_bias, "bias"}}) {
                std::uniform_int_distribution<int64_t> pick(0, p.values->numel() - 1);
                for (int trial = 0; trial < 3; ++trial) {
                    const int64_t k = pick(rng);
                    float &v = p.values->data()[k];
                    const float saved = v;
                    v = saved + 1e-3f;
                    const float up = v;
                    const double f_up = reference::dense_objective(dy, x, w, &b, a);
                    v = saved - 1e-3f;
                    const float down = v;
                    const double f_down = reference::dense_objective(dy, x, w, &b, a);
                    v = saved;
                    const double numeric = (f_up - f_down) / (double(up) - double(down));
                    INFO(p.name << "[" << k << "] " << describe(x.shape(), w.shape(), true, a));
                    CHECK(std::fabs(numeric - p.grad->data()[k]) <= 1e-4 + 1e-3 * std::fabs(numeric));
                }
            }
        }
    }
}

TEST_CASE("dense rejects mismatched shapes, naming both") {
    Tensor x({4, 5}), w({3, 6}), b({4});
    CHECK_THROWS_WITH_AS(dense_forward(x, w, nullptr, Activation::none, test::device()),
                         doctest::Contains("weight (3, 6) has 6 input features but input (4, 5) has 5"), Error);
    Tensor w_ok({3, 5});
    CHECK_THROWS_WITH_AS(dense_forward(x, w_ok, &b, Activation::none, test::device()),
                         doctest::Contains("bias (4,) does not match weight (3, 5)"), Error);
    CHECK_THROWS_WITH_AS(dense_forward(x, w_ok, nullptr, Activation::tanh, test::device()),
                         doctest::Contains("tanh is not fused"), Error);
    Tensor y({4, 3}), dy({4, 2}), dw({3, 5});
    CHECK_THROWS_WITH_AS(dense_backward(nullptr, &dw, nullptr, dy, x, w_ok, y, Activation::none, test::device()),
                         doctest::Contains("d_output is (4, 2), expected (4, 3)"), Error);
}

#ifdef HNN_BINARY
TEST_CASE("hnn op dense runs forward and backward through NPY files") {
    if (test::device() != Device::cpu) return;
    using test::scratch;
    std::mt19937 rng(3);
    Tensor x = test::random_tensor({6, 10}, rng), w = test::random_tensor({4, 10}, rng), b = test::random_tensor({4}, rng);
    Tensor dy = test::random_tensor({6, 4}, rng);
    write_npy(scratch("dense-x.npy"), x);
    write_npy(scratch("dense-w.npy"), w);
    write_npy(scratch("dense-b.npy"), b);
    write_npy(scratch("dense-dy.npy"), dy);
    const std::string common = " --in " + scratch("dense-x.npy") + " --weight " + scratch("dense-w.npy") + " --bias " +
                               scratch("dense-b.npy") + " --activation sigmoid";
    auto run = test::run_hnn("op dense" + common + " --out " + scratch("dense-y.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    Tensor y = reference::dense(x, w, &b, Activation::sigmoid);
    test::check_close(read_npy(scratch("dense-y.npy")), y, reference::kDenseTolerance, "forward via CLI");

    run = test::run_hnn("op dense" + common + " --backward --grad-out " + scratch("dense-dy.npy") + " --out-grad-in " +
                        scratch("dense-dx.npy") + " --out-grad-weight " + scratch("dense-dw.npy") +
                        " --out-grad-bias " + scratch("dense-db.npy") + " --out " + scratch("dense-unused.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    auto g = reference::dense_backward(dy, x, w, y, Activation::sigmoid);
    test::check_close(read_npy(scratch("dense-dx.npy")), g.d_input, reference::kDenseGradientTolerance, "dx via CLI");
    test::check_close(read_npy(scratch("dense-dw.npy")), g.d_weight, reference::kDenseGradientTolerance, "dw via CLI");
    test::check_close(read_npy(scratch("dense-db.npy")), g.d_bias, reference::kDenseGradientTolerance, "db via CLI");

    write_npy(scratch("dense-w-bad.npy"), Tensor({4, 9}));
    run = test::run_hnn("op dense --in " + scratch("dense-x.npy") + " --weight " + scratch("dense-w-bad.npy") + " --out " +
                        scratch("dense-never.npy"));
    CHECK(run.status == 1);
    CHECK(run.output.find("weight (4, 9) has 9 input features but input (6, 10) has 10") != std::string::npos);
    CHECK_FALSE(test::file_exists(scratch("dense-never.npy")));
}
#endif  // HNN_BINARY
