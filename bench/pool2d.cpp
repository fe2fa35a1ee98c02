// Benchmark cases for pool2d: LeNet's two pooling layers at batch 128 and a ResNet-style 3x3
// stride-2 max pool. Memory-bound: GB/s counts the bytes read and written once.
#include <random>

#include "bench.h"
#include "ops.h"
#include "reference.h"

namespace hnn::bench {

namespace {

std::vector<BenchCase> pool2d_cases() {
    struct PoolShape {
        const char *label;
        int n, c, h, w, window, stride, padding;
        bool avg;
    };
    const PoolShape shapes[] = {
        {"lenet-p1", 128, 6, 28, 28, 2, 2, 0, true},  {"lenet-p2", 128, 16, 10, 10, 2, 2, 0, true},
        {"lenet-p1", 128, 6, 28, 28, 2, 2, 0, false}, {"lenet-p2", 128, 16, 10, 10, 2, 2, 0, false},
        {"large", 8, 64, 56, 56, 3, 2, 1, false},
    };
    std::vector<BenchCase> cases;
    for (const PoolShape &s : shapes) {
        std::mt19937 rng(5);
        Pool2dParams params;
        params.mode = s.avg ? PoolMode::average : PoolMode::max;
        params.window = {s.window, s.window};
        params.stride = {s.stride, s.stride};
        params.padding = {s.padding, s.padding};
        auto input = random_shared({s.n, s.c, s.h, s.w}, rng);
        auto output = std::make_shared<Tensor>(pool2d_output_shape(input->shape(), params));
        auto d_output = random_shared(output->shape(), rng);
        auto d_input = std::make_shared<Tensor>(input->shape());
        const std::string mode = pool_mode_name(params.mode);
        const std::string shape = "N" + std::to_string(s.n) + " C" + std::to_string(s.c) + " " + std::to_string(s.h) +
                                  "x" + std::to_string(s.w) + " " + mode + " k" + std::to_string(s.window) + " s" +
                                  std::to_string(s.stride) + (s.padding ? " p" + std::to_string(s.padding) : "");
        const double in_bytes = 4.0 * input->numel(), out_bytes = 4.0 * output->numel();

        BenchCase forward;
        forward.name = "pool2d_" + mode + "_forward " + s.label;
        forward.shape = shape;
        forward.bytes = in_bytes + out_bytes;
        forward.run = [=] { pool2d_forward(*output, *input, params, Device::cpu); };
        forward.check = [=](std::string &message) {
            return reference::within(*output, reference::pool2d(*input, params), reference::kPool2dTolerance, message);
        };
        cases.push_back(std::move(forward));

        BenchCase backward;
        backward.name = "pool2d_" + mode + "_backward " + s.label;
        backward.shape = shape;
        // d_output read, d_input written; max also reads the input to find each window's maximum.
        backward.bytes = out_bytes + in_bytes + (s.avg ? 0 : in_bytes);
        backward.run = [=] { pool2d_backward(d_input.get(), *d_output, *input, params, Device::cpu); };
        backward.check = [=](std::string &message) {
            return reference::within(*d_input, reference::pool2d_backward(*d_output, *input, params),
                                     reference::kPool2dGradientTolerance, message);
        };
        cases.push_back(std::move(backward));
    }
    return cases;
}

const BenchRegistration register_pool2d(pool2d_cases);

}  // namespace

}  // namespace hnn::bench
