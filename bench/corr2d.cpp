// Benchmark cases for corr2d.
#include <random>

#include "bench.h"
#include "ops.h"
#include "reference.h"

namespace hnn::bench {

namespace {

std::vector<BenchCase> corr2d_cases() {
    std::vector<BenchCase> cases;
    struct Shape2 {
        const char *label;
        int h, w, kh, kw;
    };
    for (const Shape2 s : {Shape2{"d2l-edge", 6, 8, 1, 2}, Shape2{"large", 512, 512, 3, 3}}) {
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> dist(-1, 1);
        auto input = std::make_shared<Tensor>(Shape{s.h, s.w});
        auto kernel = std::make_shared<Tensor>(Shape{s.kh, s.kw});
        for (int64_t i = 0; i < input->numel(); ++i) input->data()[i] = dist(rng);
        for (int64_t i = 0; i < kernel->numel(); ++i) kernel->data()[i] = dist(rng);
        auto output = std::make_shared<Tensor>(corr2d_output_shape(input->shape(), kernel->shape()));
        BenchCase c;
        const std::string shape_text = std::to_string(s.h) + "x" + std::to_string(s.w) + " k" + std::to_string(s.kh) + "x" + std::to_string(s.kw);
        c.name = std::string("corr2d_forward ") + s.label;
        c.shape = std::to_string(s.h) + "x" + std::to_string(s.w) + " k" + std::to_string(s.kh) + "x" + std::to_string(s.kw);
        c.flops = 2.0 * output->numel() * s.kh * s.kw;
        c.run = [=] { corr2d_forward(*output, *input, *kernel, Device::cpu); };
        c.check = [=](std::string &message) {
            return reference::within(*output, reference::corr2d(*input, *kernel), reference::kCorr2dTolerance, message);
        };
        cases.push_back(std::move(c));

        auto d_output = std::make_shared<Tensor>(output->shape());
        for (int64_t i = 0; i < d_output->numel(); ++i) d_output->data()[i] = dist(rng);
        auto d_input = std::make_shared<Tensor>(input->shape());
        auto d_kernel = std::make_shared<Tensor>(kernel->shape());
        BenchCase b;
        b.name = std::string("corr2d_backward ") + s.label;
        b.shape = shape_text + ", d_input + d_kernel";
        b.flops = 4.0 * output->numel() * s.kh * s.kw;
        b.run = [=] { corr2d_backward(d_input.get(), d_kernel.get(), *d_output, *input, *kernel, Device::cpu); };
        b.check = [=](std::string &message) {
            const auto want = reference::corr2d_backward(*d_output, *input, *kernel);
            return reference::within(*d_input, want.d_input, reference::kCorr2dGradientTolerance, message) &&
                   reference::within(*d_kernel, want.d_kernel, reference::kCorr2dGradientTolerance, message);
        };
        cases.push_back(std::move(b));
    }
    return cases;
}

const BenchRegistration register_corr2d(corr2d_cases);

}  // namespace

}  // namespace hnn::bench
