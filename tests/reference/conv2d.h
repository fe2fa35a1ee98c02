// Naive reference for conv2d and conv1x1 (forward and backward), and its named tolerances.
#pragma once
#include <cmath>
#include <vector>

#include "ops.h"  // runtime/conv2d.h (a bare "conv2d.h" would name this file)
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

// Float accumulation order differs from the double reference by ~1e-7 per term; sums run to a
// few hundred terms of size ~1 here, gradients to tens of thousands (batch x pixels).
constexpr Tolerance kConv2dTolerance{1e-4, 1e-4};
constexpr Tolerance kConv2dGradientTolerance{2e-4, 2e-4};
// conv1x1 (a GEMM) against conv2d at kernel 1: the same sums in another order.
constexpr Tolerance kConv1x1Tolerance{2e-6, 2e-6};

inline double conv2d_activate(double z, Activation activation) {
    switch (activation) {
        case Activation::relu: return z > 0 ? z : 0;
        case Activation::sigmoid: return 1 / (1 + std::exp(-z));
        default: return z;
    }
}

// d act / dz from y = act(z): relu -> y > 0, sigmoid -> y (1 - y).
inline double conv2d_activation_slope(double y, Activation activation) {
    switch (activation) {
        case Activation::relu: return y > 0 ? 1 : 0;
        case Activation::sigmoid: return y * (1 - y);
        default: return 1;
    }
}

// Pre-activation z in double. input [N, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co] or null
inline std::vector<double> conv2d_preactivation(const Tensor &input, const Tensor &weight, const Tensor *bias,
                                                const Conv2dParams &p) {
    const int N = input.dim(0), Ci = input.dim(1), H = input.dim(2), W = input.dim(3);
    const int Co = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
    const int OH = (H + 2 * p.padding_h - kh) / p.stride_h + 1, OW = (W + 2 * p.padding_w - kw) / p.stride_w + 1;
    std::vector<double> z(size_t(N) * Co * OH * OW);
    const float *x = input.data(), *w = weight.data();
    for (int n = 0; n < N; ++n)
        for (int co = 0; co < Co; ++co)
            for (int oy = 0; oy < OH; ++oy)
                for (int ox = 0; ox < OW; ++ox) {
                    double acc = bias ? bias->data()[co] : 0.0;
                    for (int ci = 0; ci < Ci; ++ci)
                        for (int ky = 0; ky < kh; ++ky) {
                            const int iy = oy * p.stride_h + ky - p.padding_h;
                            if (iy < 0 || iy >= H) continue;
                            for (int kx = 0; kx < kw; ++kx) {
                                const int ix = ox * p.stride_w + kx - p.padding_w;
                                if (ix < 0 || ix >= W) continue;
                                acc += double(x[((size_t(n) * Ci + ci) * H + iy) * W + ix]) *
                                       w[((size_t(co) * Ci + ci) * kh + ky) * kw + kx];
                            }
                        }
                    z[((size_t(n) * Co + co) * OH + oy) * OW + ox] = acc;
                }
    return z;
}

// input [N, Ci, H, W], weight [Co, Ci, kh, kw], bias [Co] or null -> [N, Co, OH, OW]
inline Tensor conv2d(const Tensor &input, const Tensor &weight, const Tensor *bias, const Conv2dParams &p) {
    const std::vector<double> z = conv2d_preactivation(input, weight, bias, p);
    Tensor out({input.dim(0), weight.dim(0), (input.dim(2) + 2 * p.padding_h - weight.dim(2)) / p.stride_h + 1,
                (input.dim(3) + 2 * p.padding_w - weight.dim(3)) / p.stride_w + 1});
    for (size_t i = 0; i < z.size(); ++i) out.data()[i] = static_cast<float>(conv2d_activate(z[i], p.activation));
    return out;
}

struct Conv2dGradients {
    Tensor d_input, d_weight, d_bias;
};

// Analytic gradients in plain loops: d_z = d_output * act'(z) from y = output, then
// d_input[n,ci,iy,ix] += d_z[n,co,oy,ox] w[co,ci,ky,kx], d_weight[co,ci,ky,kx] += d_z x, d_bias[co] += d_z.
// d_output, output [N, Co, OH, OW], input [N, Ci, H, W], weight [Co, Ci, kh, kw]
inline Conv2dGradients conv2d_backward(const Tensor &d_output, const Tensor &input, const Tensor &weight,
                                       const Tensor &output, const Conv2dParams &p) {
    const int N = input.dim(0), Ci = input.dim(1), H = input.dim(2), W = input.dim(3);
    const int Co = weight.dim(0), kh = weight.dim(2), kw = weight.dim(3);
    const int OH = d_output.dim(2), OW = d_output.dim(3);
    std::vector<double> dx(input.numel()), dw(weight.numel()), db(Co);
    const float *x = input.data(), *w = weight.data();
    for (int n = 0; n < N; ++n)
        for (int co = 0; co < Co; ++co)
            for (int oy = 0; oy < OH; ++oy)
                for (int ox = 0; ox < OW; ++ox) {
                    const size_t o = ((size_t(n) * Co + co) * OH + oy) * OW + ox;
                    const double dz = double(d_output.data()[o]) *
                                      (p.activation == Activation::none ? 1.0
                                                                        : conv2d_activation_slope(output.data()[o], p.activation));
                    db[co] += dz;
                    for (int ci = 0; ci < Ci; ++ci)
                        for (int ky = 0; ky < kh; ++ky) {
                            const int iy = oy * p.stride_h + ky - p.padding_h;
                            if (iy < 0 || iy >= H) continue;
                            for (int kx = 0; kx < kw; ++kx) {
                                const int ix = ox * p.stride_w + kx - p.padding_w;
                                if (ix < 0 || ix >= W) continue;
                                const size_t i = ((size_t(n) * Ci + ci) * H + iy) * W + ix;
                                const size_t k = ((size_t(co) * Ci + ci) * kh + ky) * kw + kx;
                                dx[i] += dz * w[k];
                                dw[k] += dz * x[i];
                            }
                        }
                }
    Conv2dGradients g{Tensor(input.shape()), Tensor(weight.shape()), Tensor({Co})};
    for (size_t i = 0; i < dx.size(); ++i) g.d_input.data()[i] = static_cast<float>(dx[i]);
    for (size_t i = 0; i < dw.size(); ++i) g.d_weight.data()[i] = static_cast<float>(dw[i]);
    for (int i = 0; i < Co; ++i) g.d_bias.data()[i] = static_cast<float>(db[i]);
    return g;
}

}  // namespace hnn::reference
