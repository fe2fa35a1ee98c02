// Naive reference for dense (forward and backward), and its named tolerances.
#pragma once
#include <cmath>

#include "ops.h"  // runtime: Activation (a quoted "activation.h" here is the reference one)
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

// Float GEMMs of up to ~1000 products (rounding ~ sqrt(K) ulp of the terms) against a double reference.
constexpr Tolerance kDenseTolerance{1e-4, 1e-4};
constexpr Tolerance kDenseGradientTolerance{1e-4, 1e-4};

inline double dense_activate(double z, Activation activation) {
    switch (activation) {
    case Activation::relu: return z > 0 ? z : 0;
    case Activation::sigmoid: return 1 / (1 + std::exp(-z));
    case Activation::tanh: return std::tanh(z);
    default: return z;
    }
}

// input [N, in] (or [N, C, H, W], flattened), weight [out, in], bias [out] or null -> [N, out]
inline Tensor dense(const Tensor &input, const Tensor &weight, const Tensor *bias, Activation activation) {
    const int N = input.dim(0), out = weight.dim(0), in = weight.dim(1);
    Tensor y({N, out});
    for (int n = 0; n < N; ++n) {
        for (int o = 0; o < out; ++o) {
            double acc = bias ? bias->data()[o] : 0.0;
            for (int i = 0; i < in; ++i) acc += double(input.data()[n * in + i]) * weight.data()[o * in + i];
            y.data()[n * out + o] = static_cast<float>(dense_activate(acc, activation));
        }
    }
    return y;
}

// sum(d_output * dense(input, weight, bias)) in double, for finite differences of the backward.
inline double dense_objective(const Tensor &d_output, const Tensor &input, const Tensor &weight, const Tensor *bias,
                              Activation activation) {
    const int N = input.dim(0), out = weight.dim(0), in = weight.dim(1);
    double total = 0;
    for (int n = 0; n < N; ++n) {
        for (int o = 0; o < out; ++o) {
            double acc = bias ? bias->data()[o] : 0.0;
            for (int i = 0; i < in; ++i) acc += double(input.data()[n * in + i]) * weight.data()[o * in + i];
            total += d_output.data()[n * out + o] * dense_activate(acc, activation);
        }
    }
    return total;
}

struct DenseGradients {
    Tensor d_input, d_weight, d_bias;
};

// d_output [N, out], input, weight, output (the forward's result) -> d_input (input's shape),
// d_weight [out, in], d_bias [out], with d_z = d_output * act'(z) taken from the output.
inline DenseGradients dense_backward(const Tensor &d_output, const Tensor &input, const Tensor &weight,
                                     const Tensor &output, Activation activation) {
    const int N = input.dim(0), out = weight.dim(0), in = weight.dim(1);
    std::vector<double> d_z(static_cast<size_t>(N) * out);
    for (int k = 0; k < N * out; ++k) {
        const double y = output.data()[k], dy = d_output.data()[k];
        d_z[k] = activation == Activation::relu      ? (y > 0 ? dy : 0)
                 : activation == Activation::sigmoid ? dy * y * (1 - y)
                                                     : dy;
    }
    DenseGradients g{Tensor(input.shape()), Tensor(weight.shape()), Tensor({out})};
    for (int n = 0; n < N; ++n) {
        for (int i = 0; i < in; ++i) {
            double acc = 0;
            for (int o = 0; o < out; ++o) acc += d_z[n * out + o] * weight.data()[o * in + i];
            g.d_input.data()[n * in + i] = static_cast<float>(acc);
        }
    }
    for (int o = 0; o < out; ++o) {
        double bias_acc = 0;
        for (int n = 0; n < N; ++n) bias_acc += d_z[n * out + o];
        g.d_bias.data()[o] = static_cast<float>(bias_acc);
        for (int i = 0; i < in; ++i) {
            double acc = 0;
            for (int n = 0; n < N; ++n) acc += d_z[n * out + o] * input.data()[n * in + i];
            g.d_weight.data()[o * in + i] = static_cast<float>(acc);
        }
    }
    return g;
}

}  // namespace hnn::reference
