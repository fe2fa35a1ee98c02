// Naive reference for corr2d, and its tolerance.
#pragma once
#include <vector>

#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

constexpr Tolerance kCorr2dTolerance{1e-5, 1e-5};
constexpr Tolerance kCorr2dGradientTolerance{1e-4, 1e-4};

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

struct Corr2dGradients {
    Tensor d_input, d_kernel;
};

// d_input[i + a, j + b] += d_output[i, j] k[a, b]; d_kernel[a, b] += d_output[i, j] x[i + a, j + b]
// d_output [H - kh + 1, W - kw + 1], input [H, W], kernel [kh, kw] -> [H, W], [kh, kw]
inline Corr2dGradients corr2d_backward(const Tensor &d_output, const Tensor &input, const Tensor &kernel) {
    const int W = input.dim(1), kh = kernel.dim(0), kw = kernel.dim(1);
    const int OH = d_output.dim(0), OW = d_output.dim(1);
    std::vector<double> dx(input.numel()), dk(kernel.numel());
    for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
            const double g = d_output.data()[i * OW + j];
            for (int a = 0; a < kh; ++a)
                for (int b = 0; b < kw; ++b) {
                    dx[(i + a) * W + j + b] += g * kernel.data()[a * kw + b];
                    dk[a * kw + b] += g * input.data()[(i + a) * W + j + b];
                }
        }
    Corr2dGradients out{Tensor(input.shape()), Tensor(kernel.shape())};
    for (size_t i = 0; i < dx.size(); ++i) out.d_input.data()[i] = static_cast<float>(dx[i]);
    for (size_t i = 0; i < dk.size(); ++i) out.d_kernel.data()[i] = static_cast<float>(dk[i]);
    return out;
}

}  // namespace hnn::reference
