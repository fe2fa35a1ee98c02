#include "torch_random.h"

#include <utility>

namespace hnn {

float TorchRandom::uniform(double from, double to) {
    // ATen's uniform_real_distribution<float>: (random() & (2^24 - 1)) * 2^-24 in double,
    // times (to - from) plus from, with `from` and `to` first rounded to float.
    const double low = static_cast<float>(from), high = static_cast<float>(to);
    const double x = static_cast<double>(next() & ((1u << 24) - 1)) * (1.0 / (1u << 24));
    return static_cast<float>(x * (high - low) + low);
}

void TorchRandom::uniform(float *out, int64_t count, double from, double to) {
    for (int64_t i = 0; i < count; ++i) out[i] = uniform(from, to);
}

std::vector<int> TorchRandom::randperm(int n) {
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    for (int i = 0; i + 1 < n; ++i) std::swap(order[i], order[i + next() % static_cast<uint32_t>(n - i)]);
    return order;
}

}  // namespace hnn
