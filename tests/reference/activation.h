// Naive reference for relu, sigmoid, tanh (forward and backward), and its named tolerances.
#pragma once
#include <cmath>

#include "ops.h"  // the runtime's header of the same name
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

// The kernels compute sigmoid and tanh through a polynomial exp: a few ulps, plus the rounding
// of 1 - e near zero for tanh (absolute).
constexpr Tolerance kActivationTolerance{1e-6, 1e-5};
constexpr Tolerance kActivationGradientTolerance{1e-6, 1e-5};

inline double activate(Activation activation, double x) {
    switch (activation) {
        case Activation::relu: return x > 0 ? x : 0;
        case Activation::sigmoid: return 1 / (1 + std::exp(-x));
        case Activation::tanh: return std::tanh(x);
        case Activation::none: return x;
    }
    return x;
}

// input [any] -> [same]
inline Tensor activation(const Tensor &input, Activation kind) {
    Tensor out(input.shape());
    for (int64_t i = 0; i < input.numel(); ++i) out.data()[i] = static_cast<float>(activate(kind, input.data()[i]));
    return out;
}

// d_output, output y [any, same] -> d_input = d_output * f'(y)
inline Tensor activation_backward(const Tensor &d_output, const Tensor &output, Activation kind) {
    Tensor d_input(output.shape());
    for (int64_t i = 0; i < output.numel(); ++i) {
        const double y = output.data()[i], dy = d_output.data()[i];
        double slope = 1;
        if (kind == Activation::relu) slope = y > 0 ? 1 : 0;
        if (kind == Activation::sigmoid) slope = y * (1 - y);
        if (kind == Activation::tanh) slope = 1 - y * y;
        d_input.data()[i] = static_cast<float>(dy * slope);
    }
    return d_input;
}

}  // namespace hnn::reference
