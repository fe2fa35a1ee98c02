// Kernel benchmarks: each op family registers its cases from bench/<family>.cpp with one
// static BenchRegistration. `hnn bench kernels` measures the machine's FP32 FMA peak, times
// every case, checks it against tests/reference.h and runs PyTorch's peer
// (bench/torch_kernels.py, cases keyed by the same names) when torch is importable.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tensor.h"

namespace hnn::bench {

struct BenchCase {
    std::string name;   // "conv2d_forward lenet-c1": the key the PyTorch peer uses too
    std::string shape;  // one line, e.g. "N128 1->6 28x28 k5 p2 sigmoid"
    double flops = 0;   // useful floating-point operations per run (0: memory-bound)
    double bytes = 0;   // bytes read and written per run, for GB/s when flops == 0
    std::function<void()> run;         // one run of the hnn kernel(s), on tensors made beforehand
    std::function<bool(std::string &)> check;  // compares the last run with the reference;
                                               // false = mismatch, with a message
};

// One function per family that builds its cases (tensors allocated once, inside).
struct BenchRegistration {
    explicit BenchRegistration(std::function<std::vector<BenchCase>()> make);
};

void add_bench_command(CLI::App &app);

// A tensor of uniform(-1, 1) values for a case's inputs, shared by its run and check lambdas.
inline std::shared_ptr<Tensor> random_shared(const Shape &shape, std::mt19937 &rng) {
    std::uniform_real_distribution<float> dist(-1, 1);
    auto t = std::make_shared<Tensor>(shape);
    for (int64_t i = 0; i < t->numel(); ++i) t->data()[i] = dist(rng);
    return t;
}
inline std::shared_ptr<Tensor> random_shared(const Shape &shape, unsigned seed) {
    std::mt19937 rng(seed);
    return random_shared(shape, rng);
}
// hnn bench train | house-prices (bench/training.cpp)
void add_training_benches(CLI::App &bench);
// hnn bench conv --device (bench/device_conv.cpp)
void add_device_conv_bench(CLI::App &bench);

}  // namespace hnn::bench
