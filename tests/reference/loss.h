// Naive reference for softmax_cross_entropy and mse (forward and backward), and its named tolerances.
#pragma once
#include <cmath>
#include <vector>

#include "ops.h"  // runtime: Labels
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

constexpr Tolerance kLossTolerance{1e-6, 1e-5};          // the scalar losses
constexpr Tolerance kLossGradientTolerance{1e-7, 1e-5};  // d_logits, d_prediction

struct CrossEntropy {
    double loss;
    int correct;
};

// logits [N, C], labels [N] -> mean cross-entropy and the count of rows whose first argmax is the label
inline CrossEntropy softmax_cross_entropy(const Tensor &logits, const Labels &labels) {
    const int N = logits.dim(0), C = logits.dim(1);
    CrossEntropy result{0, 0};
    for (int n = 0; n < N; ++n) {
        const float *row = logits.data() + static_cast<size_t>(n) * C;
        int best = 0;
        for (int c = 1; c < C; ++c) {
            if (row[c] > row[best]) best = c;
        }
        double sum = 0;
        for (int c = 0; c < C; ++c) sum += std::exp(double(row[c]) - row[best]);
        result.loss += row[best] + std::log(sum) - row[labels(n)];
        result.correct += best == labels(n);
    }
    result.loss /= N;
    return result;
}

// logits [N, C], labels [N], d_loss -> d_logits [N, C] = (softmax - onehot) * d_loss / N
inline Tensor softmax_cross_entropy_backward(const Tensor &logits, const Labels &labels, double d_loss = 1) {
    const int N = logits.dim(0), C = logits.dim(1);
    Tensor d(logits.shape());
    for (int n = 0; n < N; ++n) {
        const float *row = logits.data() + static_cast<size_t>(n) * C;
        double max = row[0];
        for (int c = 1; c < C; ++c) max = std::max(max, double(row[c]));
        double sum = 0;
        for (int c = 0; c < C; ++c) sum += std::exp(row[c] - max);
        for (int c = 0; c < C; ++c) {
            const double p = std::exp(row[c] - max) / sum - (c == labels(n) ? 1 : 0);
            d.data()[static_cast<size_t>(n) * C + c] = static_cast<float>(p * d_loss / N);
        }
    }
    return d;
}

// prediction, target [same shape] -> mean squared error
inline double mse(const Tensor &prediction, const Tensor &target) {
    double sum = 0;
    for (int64_t i = 0; i < prediction.numel(); ++i) {
        const double d = double(prediction.data()[i]) - target.data()[i];
        sum += d * d;
    }
    return sum / prediction.numel();
}

// -> d_prediction = 2 (prediction - target) * d_loss / numel
inline Tensor mse_backward(const Tensor &prediction, const Tensor &target, double d_loss = 1) {
    Tensor d(prediction.shape());
    for (int64_t i = 0; i < prediction.numel(); ++i) {
        d.data()[i] = static_cast<float>(2 * (double(prediction.data()[i]) - target.data()[i]) * d_loss /
                                         prediction.numel());
    }
    return d;
}

}  // namespace hnn::reference
