// Training and evaluation of an image classifier (Sequential + softmax cross-entropy) on an
// ImageDataset: minibatches from a per-epoch shuffle of one seed, an optimizer over the
// parameter arena, metrics per epoch, checkpoints that resume exactly.
//
// On CUDA everything stays on the device: the datasets are uploaded once, each epoch's order
// once per epoch, and a step gathers its batch there, so a step inside fit() copies nothing
// between host and device; its loss and accuracy count are written to per-epoch device
// buffers that are read back once, when the epoch's line is printed.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "idx.h"
#include "loss.h"
#include "model.h"
#include "optim.h"
#include "report.h"
#include "transfers.h"

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

    // Host-device traffic and kernel runs of the training steps fit() ran (evaluation and the
    // once-per-epoch uploads and read-backs excluded): all of them, and the last epoch's.
    const TransferCounts &step_transfers() const { return step_transfers_; }
    int64_t steps_run() const { return steps_run_; }
    const TransferCounts &last_epoch_transfers() const { return last_epoch_transfers_; }
    int last_epoch_steps() const { return last_epoch_steps_; }
    Optimizer &optimizer() { return optimizer_; }

    // Parameters plus the optimizer state and progress, for --save / --resume.
    void save(const std::string &path, const std::string &model_name);
    void resume(const std::string &path);

private:
    // A dataset's images and labels on the training device (sharing the host memory).
    struct Resident {
        const float *source = nullptr;  // the ImageDataset's host images it was made from
        Tensor images;
        Labels labels;
        Halide::Runtime::Buffer<uint8_t, 2> bytes;  // the dataset's bytes (CPU), if it has them
    };
    Resident &resident(const ImageDataset &data);
    // One step on the examples order[0..n) of `data`, writing its loss and count of correct
    // predictions to `loss` [1] and `correct` [1] where they are (the device on CUDA).
    void run_step(const ImageDataset &data, const Labels &order, int n, Tensor &loss, Labels &correct);

    Sequential &model_;
    TrainConfig config_;
    Optimizer optimizer_;
    Tensor batch_, loss_;
    Labels labels_, indices_, correct_;
    Labels order_;             // this epoch's order, on the device
    Tensor epoch_losses_;      // [steps per epoch]
    Labels epoch_correct_;     // [steps per epoch]
    std::vector<Resident> resident_;
    TransferCounts step_transfers_, last_epoch_transfers_;
    int64_t steps_run_ = 0;
    int last_epoch_steps_ = 0;
    int epochs_done_ = 0;
};

// The permutation of [0, n) that epoch `epoch` (1-based) trains in, from `seed` alone.
std::vector<int> epoch_order(int n, uint64_t seed, int epoch);
// The order Trainer takes epoch `epoch` (1-based) in: torch.randperm(n) once per epoch from
// PyTorch's generator seeded with `seed`, after the `skip` draws that initialized the model,
// as a PyTorch script that seeds, builds its model and shuffles with randperm does.
std::vector<int> torch_epoch_order(int n, uint64_t seed, uint64_t skip, int epoch);

Evaluation evaluate(Sequential &model, const ImageDataset &data, int batch_size, Device device);

}  // namespace hnn
