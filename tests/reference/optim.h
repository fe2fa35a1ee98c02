// Naive reference for the optimizers (torch.optim.SGD and Adam, one step), and tolerances.
#pragma once
#include <cmath>
#include <vector>

#include "tolerance.h"

namespace hnn::reference {

constexpr Tolerance kOptimizerTolerance{1e-6, 1e-5};

// One SGD step; params, grads, velocity [P], updated in place.
inline void sgd_step(std::vector<double> &param, const std::vector<double> &grad, std::vector<double> &velocity,
                     double lr, double momentum, double weight_decay) {
    for (size_t i = 0; i < param.size(); ++i) {
        const double g = grad[i] + weight_decay * param[i];
        velocity[i] = momentum * velocity[i] + g;
        param[i] -= lr * velocity[i];
    }
}

// One Adam step at 1-based `step`.
inline void adam_step(std::vector<double> &param, const std::vector<double> &grad, std::vector<double> &m,
                      std::vector<double> &v, double lr, double b1, double b2, double eps, double weight_decay, int step) {
    for (size_t i = 0; i < param.size(); ++i) {
        const double g = grad[i] + weight_decay * param[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        const double m_hat = m[i] / (1 - std::pow(b1, step)), v_hat = v[i] / (1 - std::pow(b2, step));
        param[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
}

}  // namespace hnn::reference
