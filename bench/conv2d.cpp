// Benchmark cases for conv2d and conv1x1, forward and backward, at LeNet's training shapes
// (batch 128) and a large ResNet-like layer.
#include <optional>
#include <random>

#include "bench.h"
#include "ops.h"
#include "reference.h"

namespace hnn::bench {

namespace {

struct ConvShape {
    const char *label;
    int n, ci, h, w, co, k, pad;
    Activation activation;
    bool first_layer;  // no d_input case: the first layer never needs it
};

std::string describe(const ConvShape &s) {
    return "N" + std::to_string(s.n) + " " + std::to_string(s.ci) + "->" + std::to_string(s.co) + " " +
           std::to_string(s.h) + "x" + std::to_string(s.w) + " k" + std::to_string(s.k) + " p" + std::to_string(s.pad) +
           " " + activation_name(s.activation);
}

std::vector<BenchCase> conv2d_cases() {
    std::vector<BenchCase> cases;
    const ConvShape shapes[] = {{"lenet-c1", 128, 1, 28, 28, 6, 5, 2, Activation::sigmoid, true},
                                {"lenet-c2", 128, 6, 14, 14, 16, 5, 0, Activation::sigmoid, false},
                                {"large", 8, 64, 56, 56, 64, 3, 1, Activation::none, false}};
    for (const ConvShape &s : shapes) {
        const Conv2dParams p{1, 1, s.pad, s.pad, s.activation};
        auto x = random_shared({s.n, s.ci, s.h, s.w}, 1), w = random_shared({s.co, s.ci, s.k, s.k}, 2);
        auto b = random_shared({s.co}, 3);
        auto y = std::make_shared<Tensor>(conv2d_output_shape(x->shape(), w->shape(), p));
        conv2d_forward(*y, *x, *w, b.get(), p, Device::cpu);
        auto dy = random_shared(y->shape(), 4);
        auto dx = std::make_shared<Tensor>(x->shape()), dw = std::make_shared<Tensor>(w->shape());
        auto db = std::make_shared<Tensor>(Shape{s.co});
        // The reference once, shared by the checks.
        auto want = std::make_shared<std::optional<reference::Conv2dGradients>>();
        auto grads = [=] {
            if (!*want) *want = reference::conv2d_backward(*dy, *x, *w, *y, p);
            return **want;
        };
        const double macs = double(y->numel()) * s.ci * s.k * s.k;
        const std::string shape = describe(s);

        BenchCase forward;
        forward.name = std::string("conv2d_forward ") + s.label;
        forward.shape = shape;
        forward.flops = 2 * macs;
        forward.run = [=] { conv2d_forward(*y, *x, *w, b.get(), p, Device::cpu); };
        forward.check = [=](std::string &message) {
            return reference::within(*y, reference::conv2d(*x, *w, b.get(), p), reference::kConv2dTolerance, message);
        };
        cases.push_back(std::move(forward));

        if (!s.first_layer) {
            BenchCase input;
            input.name = std::string("conv2d_backward_input ") + s.label;
            input.shape = shape;
            input.flops = 2 * macs;
            input.run = [=] { conv2d_backward(dx.get(), nullptr, nullptr, *dy, *x, *w, *y, p, Device::cpu); };
            input.check = [=](std::string &message) {
                return reference::within(*dx, grads().d_input, reference::kConv2dGradientTolerance, message);
            };
            cases.push_back(std::move(input));
        }
        BenchCase weight;
        weight.name = std::string("conv2d_backward_weight ") + s.label;
        weight.shape = shape;
        weight.flops = 2 * macs;
        weight.run = [=] { conv2d_backward(nullptr, dw.get(), nullptr, *dy, *x, *w, *y, p, Device::cpu); };
        weight.check = [=](std::string &message) {
            return reference::within(*dw, grads().d_weight, reference::kConv2dGradientTolerance, message);
        };
        cases.push_back(std::move(weight));

        BenchCase bias;
        bias.name = std::string("conv2d_backward_bias ") + s.label;
        bias.shape = shape;
        bias.bytes = 4.0 * (y->numel() * (s.activation == Activation::none ? 1 : 3) + s.co);
        bias.run = [=] { conv2d_backward(nullptr, nullptr, db.get(), *dy, *x, *w, *y, p, Device::cpu); };
        bias.check = [=](std::string &message) {
            return reference::within(*db, grads().d_bias, reference::kConv2dGradientTolerance, message);
        };
        cases.push_back(std::move(bias));
    }

    // conv1x1 large: N8 64->64 56x56 as a GEMM per image.
    {
        auto x = random_shared({8, 64, 56, 56}, 5), w = random_shared({64, 64, 1, 1}, 6), b = random_shared({64}, 7);
        auto y = std::make_shared<Tensor>(conv1x1_output_shape(x->shape(), w->shape()));
        auto dy = random_shared(y->shape(), 8);
        auto dx = std::make_shared<Tensor>(x->shape()), dw = std::make_shared<Tensor>(w->shape());
        auto db = std::make_shared<Tensor>(Shape{64});
        const double flops = 2.0 * y->numel() * 64;
        BenchCase forward;
        forward.name = "conv1x1_forward large";
        forward.shape = "N8 64->64 56x56";
        forward.flops = flops;
        forward.run = [=] { conv1x1_forward(*y, *x, *w, b.get(), Device::cpu); };
        forward.check = [=](std::string &message) {
            return reference::within(*y, reference::conv2d(*x, *w, b.get(), {}), reference::kConv2dTolerance, message);
        };
        cases.push_back(std::move(forward));
        BenchCase backward;
        backward.name = "conv1x1_backward large";
        backward.shape = "N8 64->64 56x56, d_input + d_weight + d_bias";
        backward.flops = 2 * flops;
        backward.run = [=] { conv1x1_backward(dx.get(), dw.get(), db.get(), *dy, *x, *w, Device::cpu); };
        backward.check = [=](std::string &message) {
            const auto want = reference::conv2d_backward(*dy, *x, *w, *y, {});
            return reference::within(*dx, want.d_input, reference::kConv2dGradientTolerance, message) &&
                   reference::within(*dw, want.d_weight, reference::kConv2dGradientTolerance, message) &&
                   reference::within(*db, want.d_bias, reference::kConv2dGradientTolerance, message);
        };
        cases.push_back(std::move(backward));
    }
    return cases;
}

const BenchRegistration register_conv2d(conv2d_cases);

}  // namespace

}  // namespace hnn::bench
