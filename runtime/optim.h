// Optimizers: minibatch SGD (momentum, weight decay) and Adam, as torch.optim, each one
// generated update kernel over the flat parameter arena, in place.
#pragma once
#include <string>

#include "device.h"
#include "tensor.h"

namespace hnn {

struct OptimizerConfig {
    std::string name = "sgd";  // sgd | adam
    float lr = 0.1f;
    float momentum = 0.0f;      // sgd
    float weight_decay = 0.0f;  // both: L2 term added to the gradient
    float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;  // adam
};

class Optimizer {
public:
    // Validates the configuration (unknown name, negative lr, ...: hnn::Error naming the field).
    Optimizer(const OptimizerConfig &config, int64_t parameter_count);

    // params [P] -= update(grads [P]); state kept inside. Runs on `device`.
    void step(Tensor &params, const Tensor &grads, Device device);

    int steps_taken() const { return step_; }
    const OptimizerConfig &config() const { return config_; }
    // Optimizer state (velocity, or Adam's two moments) for checkpoints.
    Tensor &state(int i) { return i == 0 ? first_ : second_; }
    void set_steps_taken(int steps) { step_ = steps; }

private:
    OptimizerConfig config_;
    Tensor first_, second_;
    int step_ = 0;
};

}  // namespace hnn
