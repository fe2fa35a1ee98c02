// Whole training steps on the device under test: one step of every model gives the CPU's
// parameters within the ops' tolerances, and inside an epoch a step moves nothing between host
// and device (datasets resident, the order uploaded per epoch, the loss read back per epoch).
#include "house_prices.h"
#include "models.h"
#include "ops.h"
#include "optim.h"
#include "support.h"
#include "train.h"
#include "transfers.h"

using namespace hnn;

namespace {

// One step's updated parameters may differ by the kernels' accumulated rounding on each device.
constexpr test::Tolerance kStepTolerance{2e-5, 2e-4};

ImageDataset random_images(int n, std::mt19937 &rng) {
    ImageDataset data;
    data.images = test::random_tensor({n, 1, 28, 28}, rng, 0.0f, 1.0f);
    for (int i = 0; i < n; ++i) data.labels.push_back(static_cast<int32_t>(rng() % 10));
    return data;
}

std::vector<float> parameters_of(Sequential &model) {
    model.parameters().download();
    return model.parameters().flat().values();
}

}  // namespace

TEST_CASE("one training step of every model on the device gives the CPU's parameters") {
    std::mt19937 rng(81);
    const ImageDataset data = random_images(64, rng);
    std::vector<int> order(48);
    for (int i = 0; i < 48; ++i) order[i] = (i * 7) % 64;
    for (const std::string name : {"lenet", "lenet-modern", "mlp"}) {
        TrainConfig config;
        config.batch_size = 48;
        config.optimizer.momentum = 0.9f;
        config.seed = 5;
        Sequential on_cpu = make_model(name, {"", "", 0.3f}), on_device = make_model(name, {"", "", 0.3f});
        on_cpu.initialize(config.seed);
        on_device.initialize(config.seed);
        Trainer cpu(on_cpu, config);
        config.device = test::device();
        Trainer device(on_device, config);
        for (int step = 0; step < 2; ++step) {  // the second step uses the momentum state
            const auto [cpu_loss, cpu_correct] = cpu.step(data, order.data(), 48);
            const auto [loss, correct] = device.step(data, order.data(), 48);
            INFO(name << " step " << step);
            CHECK(std::fabs(loss - cpu_loss) <= 1e-5 + 1e-5 * std::fabs(cpu_loss));
            CHECK(correct == cpu_correct);
        }
        const std::vector<float> want = parameters_of(on_cpu), got = parameters_of(on_device);
        test::check_close(Tensor::from_values({static_cast<int>(got.size())}, got),
                          Tensor::from_values({static_cast<int>(want.size())}, want), kStepTolerance, name);
    }
}

TEST_CASE("one step of the house-price models (mse, adam) on the device gives the CPU's parameters") {
    std::mt19937 rng(82);
    const int n = 64, features = 40;
    const Tensor x = test::random_tensor({n, features}, rng), y = test::random_tensor({n, 1}, rng, 10.0f, 13.0f);
    for (const int hidden : {0, 32}) {
        std::vector<LayerSpec> layers;
        if (hidden) {
            layers.push_back({LayerKind::dense, 0, hidden});
            layers.push_back({LayerKind::relu});
            layers.push_back({LayerKind::dropout});
        }
        layers.push_back({LayerKind::dense, 0, 1});
        std::vector<float> results[2];
        for (const Device device : {Device::cpu, test::device()}) {
            Sequential model(layers, {features});
            model.initialize(9, Sequential::Init::pytorch_default);
            model.place(device);
            model.plan(n);
            OptimizerConfig adam;
            adam.name = "adam";
            adam.lr = 0.01f;
            Optimizer optimizer(adam, model.parameters().size());
            for (int step = 0; step < 2; ++step) {
                model.set_training(true, step, 4);
                const Tensor &prediction = model.forward(x, device);
                mse_backward(model.d_logits(), prediction, y, device);
                model.backward(device);
                optimizer.step(model.parameters().flat(), model.gradients().flat(), device);
            }
            results[device == Device::cpu ? 0 : 1] = parameters_of(model);
        }
        if (test::device() == Device::cpu) results[1] = results[0];
        const int size = static_cast<int>(results[0].size());
        test::check_close(Tensor::from_values({size}, results[1]), Tensor::from_values({size}, results[0]), kStepTolerance,
                          hidden ? "mlp" : "linear");
    }
}

TEST_CASE("inside a training epoch a step copies nothing between host and device") {
    std::mt19937 rng(83);
    const ImageDataset train = random_images(200, rng), validation = random_images(100, rng);
    TrainConfig config;
    config.epochs = 2;
    config.batch_size = 64;  // a smaller last batch too
    config.device = test::device();
    Sequential model = make_model("lenet-modern", {"", "", 0.2f});
    model.initialize(1);
    Trainer trainer(model, config);
    trainer.fit(train, validation, nullptr, nullptr);
    const TransferCounts &epoch = trainer.last_epoch_transfers();
    CHECK(trainer.last_epoch_steps() == 4);
    CHECK(epoch.to_device_bytes == 0);
    CHECK(epoch.to_host_bytes == 0);
    CHECK(epoch.to_device_copies == 0);
    CHECK(epoch.to_host_copies == 0);
    // Every step runs the same kernels as a lone step() does; that one uploads its indices and
    // reads back its loss and count (nothing at all on the CPU).
    std::vector<int> first(64);
    for (int i = 0; i < 64; ++i) first[i] = i;
    const TransferCounts before = transfer_counts();
    trainer.step(train, first.data(), 64);
    const TransferCounts one = transfer_counts() - before;
    CHECK(one.pipeline_calls >= 20);  // LeNet with dropout: 2 gathers, 9 forward, 2 loss, 1 update and the backward
    CHECK(epoch.pipeline_calls == 4 * one.pipeline_calls);
    CHECK(one.to_device_bytes == (test::device() == Device::cuda ? 64 * 4 : 0));
    CHECK(one.to_host_copies == (test::device() == Device::cuda ? 2 : 0));
    if (test::device() == Device::cuda) {
        CHECK(epoch.cuda_launches >= epoch.pipeline_calls);
    } else {
        CHECK(epoch.cuda_launches == 0);
    }
}

TEST_CASE("k-fold of the house-price MLP with dropout on the device gives the CPU's log mse") {
    std::mt19937 rng(84);
    HouseData data;
    data.train_features = test::random_tensor({120, 12}, rng);
    data.train_labels = Tensor({120, 1});
    for (int i = 0; i < 120; ++i) {
        data.train_labels.data()[i] = 12.0f + 0.3f * data.train_features.data()[i * 12] - 0.2f * data.train_features.data()[i * 12 + 5];
    }
    KFoldConfig config;
    config.model = "mlp";
    config.hidden = 16;
    config.dropout = 0.1f;
    config.epochs = 3;
    config.batch_size = 32;
    config.optimizer.name = "adam";
    config.optimizer.lr = 0.01f;
    const std::vector<FoldResult> cpu = k_fold(data, config);
    config.device = test::device();
    const std::vector<FoldResult> device = k_fold(data, config);
    REQUIRE(device.size() == cpu.size());
    for (size_t f = 0; f < cpu.size(); ++f) {
        INFO("fold " << f << ": cpu " << cpu[f].validation_log_mse << ", device " << device[f].validation_log_mse);
        CHECK(std::fabs(device[f].validation_log_mse - cpu[f].validation_log_mse) <= 1e-4 + 1e-3 * cpu[f].validation_log_mse);
        CHECK(std::fabs(device[f].train_log_mse - cpu[f].train_log_mse) <= 1e-4 + 1e-3 * cpu[f].train_log_mse);
    }
}
