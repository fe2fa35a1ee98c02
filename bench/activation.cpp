// Benchmark cases for the standalone activations: LeNet's first conv output at batch 128 and a
// ResNet-sized feature map. Memory-bound: GB/s counts the bytes read and written once.
#include <random>

#include "bench.h"
#include "ops.h"
#include "reference.h"

namespace hnn::bench {

namespace {

std::vector<BenchCase> activation_cases() {
    struct ActivationShape {
        const char *label;
        Shape shape;
        Activation activation;
        bool forward, backward;
    };
    const ActivationShape shapes[] = {
        {"lenet-c1", {128, 6, 28, 28}, Activation::sigmoid, true, true},
        {"lenet-c1", {128, 6, 28, 28}, Activation::tanh, true, true},
        {"large", {8, 64, 56, 56}, Activation::relu, true, true},
    };
    std::vector<BenchCase> cases;
    for (const ActivationShape &s : shapes) {
        std::mt19937 rng(9);
        std::uniform_real_distribution<float> dist(-4, 4);
        auto input = std::make_shared<Tensor>(s.shape);
        auto d_output = std::make_shared<Tensor>(s.shape);
        for (int64_t i = 0; i < input->numel(); ++i) input->data()[i] = dist(rng);
        for (int64_t i = 0; i < d_output->numel(); ++i) d_output->data()[i] = dist(rng);
        auto output = std::make_shared<Tensor>(s.shape);
        auto d_input = std::make_shared<Tensor>(s.shape);
        activation_forward(*output, *input, s.activation, Device::cpu);
        const std::string name = activation_name(s.activation);
        const double bytes = 4.0 * input->numel();
        const Activation activation = s.activation;

        BenchCase forward;
        forward.name = name + "_forward " + s.label;
        forward.shape = shape_string(s.shape);
        forward.bytes = 2 * bytes;
        forward.run = [=] { activation_forward(*output, *input, activation, Device::cpu); };
        forward.check = [=](std::string &message) {
            return reference::within(*output, reference::activation(*input, activation),
                                     reference::kActivationTolerance, message);
        };
        cases.push_back(std::move(forward));

        BenchCase backward;
        backward.name = name + "_backward " + s.label;
        backward.shape = shape_string(s.shape);
        backward.bytes = 3 * bytes;
        backward.run = [=] { activation_backward(d_input.get(), *d_output, *output, activation, Device::cpu); };
        backward.check = [=](std::string &message) {
            return reference::within(*d_input, reference::activation_backward(*d_output, *output, activation),
                                     reference::kActivationGradientTolerance, message);
        };
        cases.push_back(std::move(backward));
    }
    return cases;
}

const BenchRegistration register_activation(activation_cases);

}  // namespace

}  // namespace hnn::bench
