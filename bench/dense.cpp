// Benchmark cases for dense: LeNet's three dense layers at batch 128 and a 1024^3 GEMM,
// forward and each backward kernel.
#include <random>

#include "bench.h"
#include "ops.h"
#include "reference.h"

namespace hnn::bench {

namespace {

std::vector<BenchCase> dense_cases() {
    std::vector<BenchCase> cases;
    struct Layer {
        const char *label;
        int n, in, out;
        bool bias;
        Activation activation;
    };
    for (const Layer l : {Layer{"lenet-f1", 128, 400, 120, true, Activation::sigmoid},
                          Layer{"lenet-f2", 128, 120, 84, true, Activation::sigmoid},
                          Layer{"lenet-f3", 128, 84, 10, true, Activation::none},
                          Layer{"gemm-1024", 1024, 1024, 1024, false, Activation::none}}) {
        std::mt19937 rng(5);
        auto x = random_shared({l.n, l.in}, rng), w = random_shared({l.out, l.in}, rng);
        auto b = random_shared({l.out}, rng), dy = random_shared({l.n, l.out}, rng);
        const bool has_bias = l.bias;
        auto y = std::make_shared<Tensor>(Shape{l.n, l.out});
        auto dx = std::make_shared<Tensor>(x->shape()), dw = std::make_shared<Tensor>(w->shape());
        auto db = std::make_shared<Tensor>(b->shape());
        const std::string shape = "N" + std::to_string(l.n) + " " + std::to_string(l.in) + "->" + std::to_string(l.out) +
                                  (l.bias ? "" : " no bias") +
                                  (l.activation == Activation::none ? "" : std::string(" ") + activation_name(l.activation));
        const double gemm_flops = 2.0 * l.n * l.in * l.out;
        // The forward output the backward cases start from (and that the forward check compares).
        auto want_y = std::make_shared<Tensor>(reference::dense(*x, *w, has_bias ? b.get() : nullptr, l.activation));
        auto want = std::make_shared<reference::DenseGradients>(reference::dense_backward(*dy, *x, *w, *want_y, l.activation));
        const Activation a = l.activation;

        BenchCase f;
        f.name = std::string("dense_forward ") + l.label;
        f.shape = shape;
        f.flops = gemm_flops;
        f.run = [=] { dense_forward(*y, *x, *w, has_bias ? b.get() : nullptr, a, Device::cpu); };
        f.check = [=](std::string &m) { return reference::within(*y, *want_y, reference::kDenseTolerance, m); };
        cases.push_back(f);

        BenchCase bi;
        bi.name = std::string("dense_backward_input ") + l.label;
        bi.shape = shape;
        bi.flops = gemm_flops;
        bi.run = [=] { dense_backward(dx.get(), nullptr, nullptr, *dy, *x, *w, *want_y, a, Device::cpu); };
        bi.check = [=](std::string &m) {
            return reference::within(*dx, want->d_input, reference::kDenseGradientTolerance, m);
        };
        cases.push_back(bi);

        BenchCase bw;
        bw.name = std::string("dense_backward_weight ") + l.label;
        bw.shape = shape;
        bw.flops = gemm_flops;
        bw.run = [=] { dense_backward(nullptr, dw.get(), nullptr, *dy, *x, *w, *want_y, a, Device::cpu); };
        bw.check = [=](std::string &m) {
            return reference::within(*dw, want->d_weight, reference::kDenseGradientTolerance, m);
        };
        cases.push_back(bw);

        BenchCase bb;
        bb.name = std::string("dense_backward_bias ") + l.label;
        bb.shape = shape;
        bb.bytes = 2.0 * l.n * l.out * sizeof(float);  // d_output (and y) read once; memory-bound
        bb.run = [=] { dense_backward(nullptr, nullptr, db.get(), *dy, *x, *w, *want_y, a, Device::cpu); };
        bb.check = [=](std::string &m) { return reference::within(*db, want->d_bias, reference::kDenseGradientTolerance, m); };
        cases.push_back(bb);
    }
    return cases;
}

const BenchRegistration register_dense(dense_cases);

}  // namespace

}  // namespace hnn::bench
