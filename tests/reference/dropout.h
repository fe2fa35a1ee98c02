// Naive reference for dropout: the kernel's mask drawn again element by element in plain C++
// (the same hash, so the masks must agree exactly), and its named tolerance.
#pragma once
#include <cstdint>

#include "ops.h"  // the runtime's header of the same name
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

// The kept values differ from x / (1 - p) only by the rounding of the float scale.
constexpr Tolerance kDropoutTolerance{0, 2e-7};

inline uint32_t mix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    return h ^ (h >> 16);
}

// Whether element `index` survives dropout with probability p of zeroing under `seed`.
inline bool dropout_keeps(int64_t index, uint32_t seed, float p) {
    const uint32_t h = mix32(static_cast<uint32_t>(index) * 0x9e3779b9u + mix32(seed));
    const float u = static_cast<float>(h >> 8) * (1.0f / 16777216.0f);
    return u >= p;
}

// input [any] -> [same]: x / (1 - p) where kept, else 0 (the backward is the same map of d_y)
inline Tensor dropout(const Tensor &input, float p, uint32_t seed) {
    Tensor out(input.shape());
    for (int64_t i = 0; i < input.numel(); ++i) {
        out.data()[i] = dropout_keeps(i, seed, p) ? static_cast<float>(input.data()[i] / (1.0 - double(p))) : 0.0f;
    }
    return out;
}

}  // namespace hnn::reference
