// Naive reference for corr2d, and its tolerance.
#pragma once
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

constexpr Tolerance kCorr2dTolerance{1e-5, 1e-5};

// input [H, W], kernel [kh, kw] -> [H - kh + 1, W - kw + 1]
inline Tensor corr2d(const Tensor &input, const Tensor &kernel) {
    const int H = input.dim(0), W = input.dim(1), kh = kernel.dim(0), kw = kernel.dim(1);
    Tensor out({H - kh + 1, W - kw + 1});
    for (int i = 0; i < H - kh + 1; ++i) {
        for (int j = 0; j < W - kw + 1; ++j) {
            double acc = 0;
            for (int a = 0; a < kh; ++a) {
                for (int b = 0; b < kw; ++b) {
                    acc += double(input.data()[(i + a) * W + j + b]) * kernel.data()[a * kw + b];
                }
            }
            out.data()[i * (W - kw + 1) + j] = static_cast<float>(acc);
        }
    }
    return out;
}

}  // namespace hnn::reference
