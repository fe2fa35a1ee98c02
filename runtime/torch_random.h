#pragma once
// PyTorch's CPU random number generator, draw for draw: torch.manual_seed(s) seeds a
// Mersenne Twister (mt19937) with s, and Tensor.uniform_ and torch.randperm consume it as
// below. With it, hnn's --seed s starts from the weights and shuffles in the order that
// PyTorch's run with torch.manual_seed(s) has, so the two can be compared run for run.
#include <cstdint>
#include <random>
#include <vector>

namespace hnn {

class TorchRandom {
public:
    explicit TorchRandom(uint64_t seed) : engine_(static_cast<uint32_t>(seed)) {}

    uint32_t next() { return engine_(); }  // generator->random()
    void discard(uint64_t draws) { engine_.discard(draws); }

    // One float of Tensor.uniform_(from, to): 24 random bits, scaled in double (one draw).
    float uniform(double from, double to);
    // Tensor.uniform_(from, to) over `count` floats, in memory order.
    void uniform(float *out, int64_t count, double from, double to);
    // torch.randperm(n) on the CPU: a Fisher-Yates pass from the front (n - 1 draws), PyTorch's
    // algorithm for n below 2^32 / 20 (any n an int holds here is; larger n it draws differently).
    std::vector<int> randperm(int n);

private:
    std::mt19937 engine_;
};

}  // namespace hnn
