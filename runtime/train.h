// Training and evaluation of an image classifier (Sequential + softmax cross-entropy) on an
// ImageDataset: minibatches from a per-epoch shuffle of one seed, an optimizer over the
// parameter arena, metrics per epoch, checkpoints that resume exactly.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "idx.h"
#include "model.h"
#include "optim.h"
#include "report.h"

namespace hnn {

struct TrainConfig {
    int epochs = 10;
    int batch_size = 128;
    OptimizerConfig optimizer;
    uint64_t seed = 0;
    Device device = Device::cpu;
};

struct Evaluation {
    double accuracy = 0, loss = 0;
    std::vector<std::vector<int>> confusion;  // [true class][predicted class]
};

// What happens inside an epoch, for a progress display: (images done, images in the epoch).
using ProgressFn = std::function<void(int done, int total)>;
// Called after each epoch with its metrics; checkpoints are written here.
using EpochFn = std::function<void(const EpochMetrics &)>;

class Trainer {
public:
    Trainer(Sequential &model, const TrainConfig &config);

    // Trains epochs (first_epoch() + 1 .. config.epochs) and evaluates on `validation` after each.
    std::vector<EpochMetrics> fit(const ImageDataset &train, const ImageDataset &validation, const ProgressFn &progress,
                                  const EpochFn &on_epoch);

    // One step on the examples `indices` of `data`; returns (loss, correct). Exposed for tests.
    std::pair<float, int> step(const ImageDataset &data, const int *indices, int n);

    int first_epoch() const { return epochs_done_; }
    Optimizer &optimizer() { return optimizer_; }

    // Parameters plus the optimizer state and progress, for --save / --resume.
    void save(const std::string &path, const std::string &model_name);
    void resume(const std::string &path);

private:
    void gather(const ImageDataset &data, const int *indices, int n);

    Sequential &model_;
    TrainConfig config_;
    Optimizer optimizer_;
    Tensor batch_;
    Tensor loss_;
    Halide::Runtime::Buffer<int32_t> labels_;
    int epochs_done_ = 0;
};

// The permutation of [0, n) that epoch `epoch` (1-based) trains in, from `seed` alone.
std::vector<int> epoch_order(int n, uint64_t seed, int epoch);

Evaluation evaluate(Sequential &model, const ImageDataset &data, int batch_size, Device device);

}  // namespace hnn
