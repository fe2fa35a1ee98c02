#include "optim.h"

#include <cmath>

#include "adam_update_cpu.h"
#include "adam_update_cuda.h"
#include "error.h"
#include "kernels.h"
#include "sgd_update_cpu.h"
#include "sgd_update_cuda.h"

namespace hnn {

namespace {

struct OptimKernels {
    decltype(&sgd_update_cpu) sgd;
    decltype(&adam_update_cpu) adam;
};
const OptimKernels cpu_kernels{sgd_update_cpu, adam_update_cpu};
const OptimKernels cuda_kernels{sgd_update_cuda, adam_update_cuda};

}  // namespace

Optimizer::Optimizer(const OptimizerConfig &config, int64_t parameter_count) : config_(config) {
    if (config.name != "sgd" && config.name != "adam") {
        throw Error("optimizer '" + config.name + "' is unknown: expected sgd or adam");
    }
    if (!(config.lr > 0)) throw Error("optimizer lr must be positive, got " + std::to_string(config.lr));
    if (config.momentum < 0 || config.momentum >= 1) throw Error("optimizer momentum must be in [0, 1), got " + std::to_string(config.momentum));
    if (config.weight_decay < 0) throw Error("optimizer weight_decay must be >= 0, got " + std::to_string(config.weight_decay));
    if (parameter_count <= 0) throw Error("optimizer: the model has no parameters");
    first_ = Tensor({static_cast<int>(parameter_count)});
    second_ = Tensor({static_cast<int>(parameter_count)});
}

void Optimizer::step(Tensor &params, const Tensor &grads, Device device) {
    if (params.numel() != first_.numel() || grads.numel() != first_.numel()) {
        throw Error("optimizer: parameters " + shape_string(params.shape()) + " and gradients " +
                    shape_string(grads.shape()) + " must both have " + std::to_string(first_.numel()) + " elements");
    }
    const OptimKernels &k = for_device(device, cpu_kernels, cuda_kernels);
    ++step_;
    if (config_.name == "sgd") {
        check_kernel(k.sgd(params.raw(), grads.raw(), first_.raw(), config_.lr, config_.momentum, config_.weight_decay,
                           params.raw(), first_.raw()),
                     "sgd_update");
    } else {
        const double bias_correction1 = 1.0 - std::pow(double(config_.beta1), step_);
        const double bias_correction2 = 1.0 - std::pow(double(config_.beta2), step_);
        check_kernel(k.adam(params.raw(), grads.raw(), first_.raw(), second_.raw(), config_.beta1, config_.beta2,
                            config_.epsilon, config_.weight_decay, float(config_.lr / bias_correction1),
                            float(std::sqrt(bias_correction2)), params.raw(), first_.raw(), second_.raw()),
                     "adam_update");
    }
}

}  // namespace hnn
