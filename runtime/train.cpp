#include "train.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "error.h"
#include "ops.h"

namespace hnn {

std::vector<int> epoch_order(int n, uint64_t seed, int epoch) {
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch));
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng() % static_cast<uint64_t>(i + 1)]);
    return order;
}

Trainer::Trainer(Sequential &model, const TrainConfig &config)
    : model_(model), config_(config), optimizer_(config.optimizer, model.parameter_count() ? model.parameters().size() : 0) {
    if (config.batch_size <= 0) throw Error("batch size must be positive, got " + std::to_string(config.batch_size));
    if (config.epochs <= 0) throw Error("epochs must be positive, got " + std::to_string(config.epochs));
    model_.place(config.device);
    model_.plan(config.batch_size);
    Shape shape{config.batch_size};
    shape.insert(shape.end(), model.input_shape().begin(), model.input_shape().end());
    batch_ = Tensor(shape);
    loss_ = Tensor({1});
    labels_ = Halide::Runtime::Buffer<int32_t>(config.batch_size);
}

void Trainer::gather(const ImageDataset &data, const int *indices, int n) {
    const int64_t per = batch_.numel() / batch_.dim(0);
    for (int i = 0; i < n; ++i) {
        std::memcpy(batch_.data() + i * per, data.images.data() + int64_t(indices[i]) * per, per * sizeof(float));
        labels_(i) = data.labels[indices[i]];
    }
    // Tell a device copy that the host changed (a no-op on the CPU).
    batch_.buffer().set_host_dirty();
    labels_.set_host_dirty();
}

std::pair<float, int> Trainer::step(const ImageDataset &data, const int *indices, int n) {
    gather(data, indices, n);
    const Device device = config_.device;
    // Views of the planned memory for this batch size (the last batch of an epoch is smaller).
    Tensor input = n == batch_.dim(0) ? batch_ : batch_.view(0, [&] { Shape s = batch_.shape(); s[0] = n; return s; }());
    Halide::Runtime::Buffer<int32_t> labels = n == labels_.dim(0).extent() ? labels_ : labels_.cropped(0, 0, n);
    model_.set_training(true, optimizer_.steps_taken(), config_.seed);
    const Tensor &logits = model_.forward(input, device);
    const int correct = softmax_cross_entropy_forward(loss_, logits, labels, device);
    softmax_cross_entropy_backward(model_.d_logits(), logits, labels, device);
    model_.backward(device);
    optimizer_.step(model_.parameters().flat(), model_.gradients().flat(), device);
    loss_.sync_to_host();
    return {loss_.data()[0], correct};
}

std::vector<EpochMetrics> Trainer::fit(const ImageDataset &train, const ImageDataset &validation,
                                       const ProgressFn &progress, const EpochFn &on_epoch) {
    std::vector<EpochMetrics> history;
    for (int epoch = epochs_done_ + 1; epoch <= config_.epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        const std::vector<int> order = epoch_order(train.size(), config_.seed, epoch);
        double loss_sum = 0;
        int64_t correct = 0;
        for (int at = 0; at < train.size(); at += config_.batch_size) {
            const int n = std::min(config_.batch_size, train.size() - at);
            auto [loss, right] = step(train, order.data() + at, n);
            loss_sum += double(loss) * n;
            correct += right;
            if (progress) progress(at + n, train.size());
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const Evaluation eval = evaluate(model_, validation, config_.batch_size, config_.device);
        epochs_done_ = epoch;
        EpochMetrics m{epoch, loss_sum / train.size(), double(correct) / train.size(), eval.accuracy, seconds};
        history.push_back(m);
        if (on_epoch) on_epoch(m);
    }
    return history;
}

Evaluation evaluate(Sequential &model, const ImageDataset &data, int batch_size, Device device) {
    model.plan(batch_size);
    model.set_training(false);
    Evaluation eval;
    const int classes = model.classes();
    eval.confusion.assign(classes, std::vector<int>(classes, 0));
    Shape shape{batch_size};
    shape.insert(shape.end(), model.input_shape().begin(), model.input_shape().end());
    Tensor batch(shape);
    const int64_t per = batch.numel() / batch_size;
    double loss_sum = 0;
    int64_t correct = 0;
    for (int at = 0; at < data.size(); at += batch_size) {
        const int n = std::min(batch_size, data.size() - at);
        std::memcpy(batch.data(), data.images.data() + int64_t(at) * per, size_t(n) * per * sizeof(float));
        batch.buffer().set_host_dirty();
        Shape s = shape;
        s[0] = n;
        Tensor input = n == batch_size ? batch : batch.view(0, s);
        Tensor logits = model.forward(input, device);
        logits.sync_to_host();
        for (int i = 0; i < n; ++i) {
            const float *row = logits.data() + int64_t(i) * classes;
            const int predicted = static_cast<int>(std::max_element(row, row + classes) - row);
            const int truth = data.labels[at + i];
            eval.confusion[truth][predicted] += 1;
            correct += predicted == truth;
            double m = row[0], sum = 0;
            for (int c = 1; c < classes; ++c) m = std::max(m, double(row[c]));
            for (int c = 0; c < classes; ++c) sum += std::exp(double(row[c]) - m);
            loss_sum += m + std::log(sum) - row[truth];
        }
    }
    eval.accuracy = data.size() ? double(correct) / data.size() : 0;
    eval.loss = data.size() ? loss_sum / data.size() : 0;
    return eval;
}

void Trainer::save(const std::string &path, const std::string &model_name) {
    save_safetensors(path, model_.named_parameters(),
                     {{"format", "pt"}, {"hnn_model", model_name}, {"hnn_epochs_done", std::to_string(epochs_done_)}});
    // The optimizer's state goes beside it, so the weights file stays a plain PyTorch state_dict.
    Tensor &first = optimizer_.state(0), &second = optimizer_.state(1);
    first.sync_to_host();
    second.sync_to_host();
    save_safetensors(path + ".optimizer", {{"state0", &first}, {"state1", &second}},
                     {{"optimizer", optimizer_.config().name}, {"steps", std::to_string(optimizer_.steps_taken())},
                      {"epochs_done", std::to_string(epochs_done_)}, {"seed", std::to_string(config_.seed)}});
}

void Trainer::resume(const std::string &path) {
    const SafetensorsFile weights = load_safetensors(path);
    model_.load_parameters(weights, path);
    const std::string state_path = path + ".optimizer";
    const SafetensorsFile state = load_safetensors(state_path);
    auto meta = [&](const char *key) {
        auto it = state.metadata.find(key);
        if (it == state.metadata.end()) throw Error(state_path + ": metadata has no '" + key + "'");
        return it->second;
    };
    if (meta("optimizer") != config_.optimizer.name) {
        throw Error(state_path + ": was written by optimizer '" + meta("optimizer") + "', this run uses '" +
                    config_.optimizer.name + "'");
    }
    if (std::stoull(meta("seed")) != config_.seed) {
        throw Error(state_path + ": was trained with --seed " + meta("seed") + "; resume with the same seed");
    }
    for (int i = 0; i < 2; ++i) {
        const std::string key = "state" + std::to_string(i);
        auto it = state.tensors.find(key);
        Tensor &dst = optimizer_.state(i);
        if (it == state.tensors.end() || it->second.numel() != dst.numel()) {
            throw Error(state_path + ": tensor '" + key + "' is missing or does not fit this model");
        }
        std::copy(it->second.data(), it->second.data() + dst.numel(), dst.data());
        dst.buffer().set_host_dirty();
    }
    optimizer_.set_steps_taken(std::stoi(meta("steps")));
    epochs_done_ = std::stoi(meta("epochs_done"));
}

}  // namespace hnn
