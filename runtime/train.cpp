#include "train.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

#include "error.h"
#include "ops.h"
#include "resident.h"
#include "torch_random.h"

namespace hnn {

std::vector<int> epoch_order(int n, uint64_t seed, int epoch) {
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch));
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng() % static_cast<uint64_t>(i + 1)]);
    return order;
}

std::vector<int> torch_epoch_order(int n, uint64_t seed, uint64_t skip, int epoch) {
    TorchRandom random(seed);
    random.discard(skip + static_cast<uint64_t>(epoch - 1) * static_cast<uint64_t>(std::max(n - 1, 0)));
    return random.randperm(n);
}

namespace {

Shape with_rows(int n, const Shape &row) {
    Shape s{n};
    s.insert(s.end(), row.begin(), row.end());
    return s;
}

// Evaluation over images already on `device` (a view per batch, no copies but the logits).
Evaluation evaluate_resident(Sequential &model, const Tensor &images, const std::vector<int32_t> &labels, int batch_size,
                             Device device) {
    model.plan(batch_size);
    model.set_training(false);
    Evaluation eval;
    const int classes = model.classes(), size = static_cast<int>(labels.size());
    eval.confusion.assign(classes, std::vector<int>(classes, 0));
    const int64_t per = size ? images.numel() / size : 0;
    double loss_sum = 0;
    int64_t correct = 0;
    for (int at = 0; at < size; at += batch_size) {
        const int n = std::min(batch_size, size - at);
        Tensor logits = model.forward(images.view(at * per, with_rows(n, model.input_shape())), device);
        logits.sync_to_host();
        for (int i = 0; i < n; ++i) {
            const float *row = logits.data() + int64_t(i) * classes;
            const int predicted = static_cast<int>(std::max_element(row, row + classes) - row);
            const int truth = labels[at + i];
            eval.confusion[truth][predicted] += 1;
            correct += predicted == truth;
            double m = row[0], sum = 0;
            for (int c = 1; c < classes; ++c) m = std::max(m, double(row[c]));
            for (int c = 0; c < classes; ++c) sum += std::exp(double(row[c]) - m);
            loss_sum += m + std::log(sum) - row[truth];
        }
    }
    eval.accuracy = size ? double(correct) / size : 0;
    eval.loss = size ? loss_sum / size : 0;
    return eval;
}

}  // namespace

Trainer::Trainer(Sequential &model, const TrainConfig &config)
    : model_(model), config_(config), optimizer_(config.optimizer, model.parameter_count() ? model.parameters().size() : 0) {
    if (config.batch_size <= 0) throw Error("batch size must be positive, got " + std::to_string(config.batch_size));
    if (config.epochs <= 0) throw Error("epochs must be positive, got " + std::to_string(config.epochs));
    const Device device = config.device;
    model_.place(device);
    model_.plan(config.batch_size);
    batch_ = Tensor(with_rows(config.batch_size, model.input_shape()));
    loss_ = Tensor({1});
    labels_ = Labels(config.batch_size);
    indices_ = Labels(config.batch_size);
    correct_ = Labels(1);
    // Device memory for everything a step writes, so that the views and crops a step takes
    // share it instead of allocating their own.
    make_resident(batch_.buffer(), device);
    make_resident(loss_.buffer(), device);
    make_resident(labels_, device);
    make_resident(correct_, device);
}

Trainer::Resident &Trainer::resident(const ImageDataset &data) {
    for (Resident &r : resident_) {
        if (r.source == data.images.data()) return r;
    }
    if (data.size() == 0 || data.images.numel() % data.size() != 0) throw Error("a dataset needs images for its labels");
    Resident r;
    r.source = data.images.data();
    r.images = data.images;  // shares the host memory; the device copy is this tensor's
    r.labels = make_labels(data.labels);
    if (config_.device == Device::cpu && data.bytes.data()) {
        if (data.bytes.dimensions() != 2 || data.bytes.dim(1).extent() != data.size() ||
            data.bytes.dim(0).extent() != data.images.numel() / data.size()) {
            throw Error("a dataset's bytes do not match its images " + shape_string(data.images.shape()));
        }
        r.bytes = data.bytes;  // shares the memory
    }
    make_resident(r.images.buffer(), config_.device);
    make_resident(r.labels, config_.device);
    resident_.push_back(std::move(r));
    return resident_.back();
}

void Trainer::run_step(const ImageDataset &data, const Labels &order, int n, Tensor &loss, Labels &correct) {
    const Device device = config_.device;
    const Resident &r = resident(data);
    // Views of the planned memory for this batch size (the last batch of an epoch is smaller).
    Tensor input = n == batch_.dim(0) ? batch_ : batch_.view(0, with_rows(n, model_.input_shape()));
    Labels labels = n == labels_.dim(0).extent() ? labels_ : labels_.cropped(0, 0, n);
    if (r.bytes.data()) {
        gather_bytes(input, r.bytes, order);
    } else {
        gather_rows(input, r.images, order, device);
    }
    gather_labels(labels, r.labels, order, device);
    model_.set_training(true, optimizer_.steps_taken(), config_.seed);
    const Tensor &logits = model_.forward(input, device);
    softmax_cross_entropy_forward(loss, correct, logits, labels, device);
    softmax_cross_entropy_backward(model_.d_logits(), logits, labels, device);
    model_.backward(device);
    optimizer_.step(model_.parameters().flat(), model_.gradients().flat(), device);
}

std::pair<float, int> Trainer::step(const ImageDataset &data, const int *indices, int n) {
    if (n < 1 || n > batch_.dim(0)) throw Error("a step takes 1 to " + std::to_string(batch_.dim(0)) + " examples, got " + std::to_string(n));
    for (int i = 0; i < n; ++i) {
        if (indices[i] < 0 || indices[i] >= data.size()) throw Error("example index " + std::to_string(indices[i]) + " is outside the dataset");
        indices_(i) = indices[i];
    }
    indices_.set_host_dirty();  // the step's only upload: n indices
    run_step(data, n == indices_.dim(0).extent() ? indices_ : indices_.cropped(0, 0, n), n, loss_, correct_);
    loss_.sync_to_host();
    if (correct_.device_dirty()) correct_.copy_to_host();
    return {loss_.data()[0], correct_(0)};
}

std::vector<EpochMetrics> Trainer::fit(const ImageDataset &train, const ImageDataset &validation,
                                       const ProgressFn &progress, const EpochFn &on_epoch) {
    std::vector<EpochMetrics> history;
    const Device device = config_.device;
    const int batch = config_.batch_size, steps = (train.size() + batch - 1) / batch;
    resident(train);
    const Resident &valid = resident(validation);
    // (A default Tensor has numel() 1, so test the labels: a one-step epoch must allocate too.)
    if (epoch_correct_.dimensions() != 1 || epoch_correct_.dim(0).extent() != steps) {
        epoch_losses_ = Tensor({steps});
        epoch_correct_ = Labels(steps);
        make_resident(epoch_losses_.buffer(), device);
        make_resident(epoch_correct_, device);
    }
    for (int epoch = epochs_done_ + 1; epoch <= config_.epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        order_ = make_labels(torch_epoch_order(train.size(), config_.seed, model_.initialization_draws(), epoch));
        make_resident(order_, device);  // once per epoch
        const TransferCounts before = transfer_counts();
        for (int s = 0; s < steps; ++s) {
            const int at = s * batch, n = std::min(batch, train.size() - at);
            Tensor loss = epoch_losses_.view(s, {1});
            // Crops share the device memory; the kernels index from 0.
            Labels correct = epoch_correct_.cropped(0, s, 1).translated(0, -s);
            run_step(train, order_.cropped(0, at, n).translated(0, -at), n, loss, correct);
            if (progress) progress(at + n, train.size());
        }
        last_epoch_transfers_ = transfer_counts() - before;
        last_epoch_steps_ = steps;
        step_transfers_ = step_transfers_ + last_epoch_transfers_;
        steps_run_ += steps;
        read_back(epoch_losses_.buffer(), device);
        read_back(epoch_correct_, device);
        double loss_sum = 0;
        int64_t correct = 0;
        for (int s = 0; s < steps; ++s) {
            loss_sum += double(epoch_losses_.data()[s]) * std::min(batch, train.size() - s * batch);
            correct += epoch_correct_(s);
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const Evaluation eval = evaluate_resident(model_, valid.images, validation.labels, batch, device);
        epochs_done_ = epoch;
        EpochMetrics m{epoch, loss_sum / train.size(), double(correct) / train.size(), eval.accuracy, seconds};
        history.push_back(m);
        if (on_epoch) on_epoch(m);
    }
    return history;
}

Evaluation evaluate(Sequential &model, const ImageDataset &data, int batch_size, Device device) {
    Tensor images = data.images;  // shares the host memory; uploaded once for the whole pass
    make_resident(images.buffer(), device);
    return evaluate_resident(model, images, data.labels, batch_size, device);
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
