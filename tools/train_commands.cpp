// hnn train | summary | eval | predict | activations: the training runtime from the CLI.
#include <HalideRuntime.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "thread_pool.h"
#include "commands.h"
#include "error.h"
#include "idx.h"
#include "models.h"
#include "report.h"
#include "train.h"

namespace hnn::cli {

namespace {

struct ModelArgs {
    std::string model, activation, pool, data = kDefaultFashionMnistDir, device = "cpu", load;
    float dropout = 0;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

void add_model_flags(CLI::App &cmd, ModelArgs &args, bool with_data) {
    cmd.add_option("model", args.model, "lenet, lenet-modern, mlp, or a model file (.json)")->required();
    cmd.add_option("--activation", args.activation, "Replace every activation: relu, sigmoid or tanh");
    cmd.add_option("--pool", args.pool, "Replace every pooling layer: max or avg");
    cmd.add_option("--dropout", args.dropout, "Add Dropout(p) after each hidden Linear layer's activation (d2l 5.6)")
        ->check(CLI::Range(0.0f, 0.99f));
    if (with_data) {
        cmd.add_option("--data", args.data, "Folder with the IDX files (Fashion-MNIST or MNIST)")->capture_default_str();
        cmd.add_option("--device", args.device, "cpu or cuda")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda"}));
        cmd.add_option("--threads", args.threads, "CPU threads for the kernels")->capture_default_str();
    }
}

Sequential build(const ModelArgs &args) { return make_model(args.model, {args.activation, args.pool, args.dropout}); }

void use_threads(int threads) {
    if (threads <= 0) throw Error("--threads must be positive, got " + std::to_string(threads));
    hnn::set_cpu_threads(threads);
}

void make_parent_dir(const std::string &path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return;
    std::string dir;
    for (size_t i = 0; i <= slash; ++i) {
        if (path[i] == '/' && !dir.empty()) mkdir(dir.c_str(), 0755);
        dir += path[i];
    }
}

std::string default_path(const std::string &model, const std::string &file) {
    std::string stem = model;
    const size_t slash = stem.rfind('/');
    if (slash != std::string::npos) stem = stem.substr(slash + 1);
    if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".json") == 0) stem.resize(stem.size() - 5);
    return "runs/" + stem + "/" + file;
}

void print_summary(Sequential &model) {
    std::printf("%-12s %-20s %10s\n", "layer", "output shape", "parameters");
    for (const SummaryRow &row : model.summary(1)) {
        std::printf("%-12s %-20s %10lld\n", row.kind.c_str(), shape_string(row.output).c_str(),
                    static_cast<long long>(row.parameters));
    }
    std::printf("total parameters: %lld\n", static_cast<long long>(model.parameter_count()));
}

ImageDataset subset(const ImageDataset &data, int limit) {
    if (limit <= 0 || limit >= data.size()) return data;
    return first_examples(data, limit);
}

void add_train(CLI::App &app) {
    auto *cmd = app.add_subcommand("train", "Train a model on Fashion-MNIST (d2l's defaults)");
    struct Args : ModelArgs {
        int epochs = 10, batch_size = 128, limit = 0;
        float lr = 0.1f, momentum = 0, weight_decay = 0;
        std::string optimizer = "sgd", save, resume, metrics, plot;
        uint64_t seed = 0;
        bool stats = false;
    };
    auto args = std::make_shared<Args>();
    add_model_flags(*cmd, *args, true);
    cmd->add_option("--epochs", args->epochs, "Epochs")->capture_default_str();
    cmd->add_option("--batch-size", args->batch_size, "Minibatch size")->capture_default_str();
    cmd->add_option("--lr", args->lr, "Learning rate")->capture_default_str();
    cmd->add_option("--optimizer", args->optimizer, "sgd or adam")->capture_default_str()->check(CLI::IsMember({"sgd", "adam"}));
    cmd->add_option("--momentum", args->momentum, "SGD momentum")->capture_default_str();
    cmd->add_option("--weight-decay", args->weight_decay, "L2 weight decay")->capture_default_str();
    cmd->add_option("--seed", args->seed, "Seed of the initial weights and the shuffles")->capture_default_str();
    cmd->add_option("--save", args->save, "Checkpoint (safetensors) after every epoch [default: runs/MODEL/model.safetensors]");
    cmd->add_option("--resume", args->resume, "Continue from a checkpoint written by --save");
    cmd->add_option("--metrics", args->metrics, "Per-epoch metrics CSV [default: runs/MODEL/metrics.csv]");
    cmd->add_option("--plot", args->plot, "Training curves SVG [default: runs/MODEL/curves.svg]");
    cmd->add_option("--limit", args->limit, "Train on the first N training images only (0: all)");
    cmd->add_flag("--stats", args->stats, "After each epoch, print bytes moved between host and device and kernels run per step");
    cmd->callback([args] {
        use_threads(args->threads);
        const Device device = parse_device(args->device);
        require_device(device);
        Sequential model = build(*args);
        TrainConfig config;
        config.epochs = args->epochs;
        config.batch_size = args->batch_size;
        config.optimizer.name = args->optimizer;
        config.optimizer.lr = args->lr;
        config.optimizer.momentum = args->momentum;
        config.optimizer.weight_decay = args->weight_decay;
        config.seed = args->seed;
        config.device = device;
        const std::string save = args->save.empty() ? default_path(args->model, "model.safetensors") : args->save;
        const std::string metrics = args->metrics.empty() ? default_path(args->model, "metrics.csv") : args->metrics;
        const std::string plot = args->plot.empty() ? default_path(args->model, "curves.svg") : args->plot;

        const ImageDataset train = subset(load_mnist_split(args->data, "train"), args->limit);
        const ImageDataset test = load_mnist_split(args->data, "t10k");
        model.initialize(args->seed);
        Trainer trainer(model, config);
        if (!args->resume.empty()) trainer.resume(args->resume);
        std::printf("training %s (%lld parameters) on %d images, validating on %d; %s, %d thread%s, batch %d, %s lr %g\n",
                    args->model.c_str(), static_cast<long long>(model.parameter_count()), train.size(), test.size(),
                    device == Device::cpu ? ("cpu " + cpu_variant()).c_str() : cuda_info().name.c_str(), args->threads,
                    args->threads == 1 ? "" : "s", config.batch_size, config.optimizer.name.c_str(), config.optimizer.lr);
        if (trainer.first_epoch() > 0) std::printf("resumed from %s after epoch %d\n", args->resume.c_str(), trainer.first_epoch());
        std::fflush(stdout);

        const bool terminal = isatty(STDOUT_FILENO);
        auto epoch_start = std::chrono::steady_clock::now();
        int current_epoch = trainer.first_epoch() + 1;
        std::vector<EpochMetrics> history;
        auto progress = [&](int done, int total) {
            if (!terminal) return;
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
            const int width = 30, filled = static_cast<int>(double(done) / total * width);
            std::printf("\repoch %d/%d [%s%s] %3d%% %7.0f img/s ETA %4.1f s ", current_epoch, config.epochs,
                        std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(), 100 * done / total,
                        done / std::max(s, 1e-9), (total - done) / std::max(done / std::max(s, 1e-9), 1e-9));
            std::fflush(stdout);
        };
        auto on_epoch = [&](const EpochMetrics &m) {
            if (terminal) std::printf("\r%s\r", std::string(90, ' ').c_str());
            std::printf("epoch %2d/%d  train loss %.4f  train acc %.3f  val acc %.3f  %.2f s  (%.0f img/s)\n", m.epoch,
                        config.epochs, m.train_loss, m.train_accuracy, m.validation_accuracy, m.seconds,
                        train.size() / m.seconds);
            if (args->stats) {
                std::printf("  per step (%d steps): %s\n", trainer.last_epoch_steps(),
                            describe_transfers(trainer.last_epoch_transfers(), trainer.last_epoch_steps()).c_str());
            }
            std::fflush(stdout);
            history.push_back(m);
            make_parent_dir(save);
            trainer.save(save, args->model);
            make_parent_dir(metrics);
            write_metrics_csv(metrics, history);
            make_parent_dir(plot);
            write_curves_svg(plot, history, args->model + " on Fashion-MNIST");
            epoch_start = std::chrono::steady_clock::now();
            current_epoch = m.epoch + 1;
        };
        trainer.fit(train, test, progress, on_epoch);
        if (!history.empty()) {
            double total = 0;
            for (auto &m : history) total += m.seconds;
            std::printf("done: val acc %.3f, %.2f s per epoch; wrote %s, %s, %s\n", history.back().validation_accuracy,
                        total / history.size(), save.c_str(), metrics.c_str(), plot.c_str());
        }
    });
}

void add_summary(CLI::App &app) {
    auto *cmd = app.add_subcommand("summary", "Print a model's layers, output shapes and parameter counts (d2l's summary)");
    auto args = std::make_shared<ModelArgs>();
    add_model_flags(*cmd, *args, false);
    cmd->callback([args] {
        Sequential model = build(*args);
        print_summary(model);
    });
}

// Loads `--load FILE` into a fresh model.
Sequential load_model(const ModelArgs &args) {
    Sequential model = build(args);
    model.load_parameters(load_safetensors(args.load), args.load);
    return model;
}

void add_eval(CLI::App &app) {
    auto *cmd = app.add_subcommand("eval", "Test accuracy and confusion matrix of a trained model");
    auto args = std::make_shared<ModelArgs>();
    add_model_flags(*cmd, *args, true);
    cmd->add_option("--load", args->load, "Checkpoint written by hnn train (safetensors)")->required();
    cmd->callback([args] {
        use_threads(args->threads);
        const Device device = parse_device(args->device);
        Sequential model = load_model(*args);
        const ImageDataset test = load_mnist_split(args->data, "t10k");
        const Evaluation eval = evaluate(model, test, 256, device);
        std::printf("test accuracy %.4f, loss %.4f on %d images\n\nconfusion matrix (rows: true class, columns: predicted)\n",
                    eval.accuracy, eval.loss, test.size());
        std::printf("%-12s", "");
        for (int c = 0; c < 10; ++c) std::printf(" %5d", c);
        std::printf("\n");
        for (int t = 0; t < static_cast<int>(eval.confusion.size()); ++t) {
            std::printf("%d %-10s", t, t < 10 ? kFashionMnistClasses[t] : "");
            for (int count : eval.confusion[t]) std::printf(" %5d", count);
            std::printf("\n");
        }
    });
}

void add_predict(CLI::App &app) {
    auto *cmd = app.add_subcommand("predict", "Classify one test image and print the class probabilities");
    struct Args : ModelArgs {
        int image = 0;
    };
    auto args = std::make_shared<Args>();
    add_model_flags(*cmd, *args, true);
    cmd->add_option("--load", args->load, "Checkpoint written by hnn train (safetensors)")->required();
    cmd->add_option("--image", args->image, "Index into the test split")->required();
    cmd->callback([args] {
        use_threads(args->threads);
        Sequential model = load_model(*args);
        const ImageDataset test = load_mnist_split(args->data, "t10k");
        if (args->image < 0 || args->image >= test.size()) {
            throw Error("--image " + std::to_string(args->image) + ": expected 0.." + std::to_string(test.size() - 1));
        }
        model.plan(1);
        Tensor input = test.images.view(int64_t(args->image) * 784, {1, 1, 28, 28});
        Tensor logits = model.forward(input, parse_device(args->device));
        logits.sync_to_host();
        std::vector<double> p(model.classes());
        double m = *std::max_element(logits.data(), logits.data() + p.size()), sum = 0;
        for (size_t c = 0; c < p.size(); ++c) sum += p[c] = std::exp(logits.data()[c] - m);
        const int best = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
        std::printf("image %d: %s (true class: %s)\n", args->image, kFashionMnistClasses[best],
                    kFashionMnistClasses[test.labels[args->image]]);
        for (size_t c = 0; c < p.size(); ++c) std::printf("  %-12s %.4f\n", kFashionMnistClasses[c], p[c] / sum);
    });
}

void add_activations(CLI::App &app) {
    auto *cmd = app.add_subcommand("activations", "Draw the feature maps of the first and second conv layers as a PNG");
    struct Args : ModelArgs {
        int image = 0;
        std::string out = "activations.png";
    };
    auto args = std::make_shared<Args>();
    add_model_flags(*cmd, *args, true);
    cmd->add_option("--load", args->load, "Checkpoint written by hnn train (safetensors)")->required();
    cmd->add_option("--image", args->image, "Index into the test split")->capture_default_str();
    cmd->add_option("--out", args->out, "PNG to write")->capture_default_str();
    cmd->callback([args] {
        use_threads(args->threads);
        Sequential model = load_model(*args);
        const ImageDataset test = load_mnist_split(args->data, "t10k");
        if (args->image < 0 || args->image >= test.size()) throw Error("--image out of range");
        model.plan(1);
        Tensor input = test.images.view(int64_t(args->image) * 784, {1, 1, 28, 28});
        model.forward(input, parse_device(args->device));
        // Row 0: the input; then one row per conv layer (its activated output), maps scaled 3x.
        std::vector<std::pair<std::string, Tensor>> rows{{"input", input}};
        for (int i = 0; i < static_cast<int>(model.layers().size()) && rows.size() < 3; ++i) {
            if (model.layers()[i].kind != LayerKind::conv2d) continue;
            Tensor out = model.layer_output(i);
            out.sync_to_host();
            rows.emplace_back("conv" + std::to_string(rows.size()), out);
        }
        if (rows.size() < 2) throw Error(args->model + " has no conv layer to draw");
        const int scale = 3, gap = 4;
        int width = 0, height = gap;
        for (auto &[name, t] : rows) {
            width = std::max(width, gap + t.dim(1) * (t.dim(3) * scale + gap));
            height += t.dim(2) * scale + gap;
        }
        std::vector<uint8_t> pixels(size_t(width) * height, 255);
        int y0 = gap;
        for (auto &[name, t] : rows) {
            const int C = t.dim(1), H = t.dim(2), W = t.dim(3);
            for (int c = 0; c < C; ++c) {
                const float *map = t.data() + int64_t(c) * H * W;
                const float lo = *std::min_element(map, map + H * W), hi = *std::max_element(map, map + H * W);
                const int x0 = gap + c * (W * scale + gap);
                for (int y = 0; y < H * scale; ++y) {
                    for (int x = 0; x < W * scale; ++x) {
                        const float v = map[(y / scale) * W + x / scale];
                        pixels[size_t(y0 + y) * width + x0 + x] =
                            static_cast<uint8_t>(hi > lo ? 255.0f * (v - lo) / (hi - lo) : 128.0f);
                    }
                }
            }
            y0 += H * scale + gap;
        }
        write_png_gray(args->out, width, height, pixels);
        std::printf("wrote %s: the input, then %zu conv layer(s) of feature maps, each map scaled to its own range\n",
                    args->out.c_str(), rows.size() - 1);
    });
}

}  // namespace

void add_training_commands(CLI::App &app) {
    add_train(app);
    add_summary(app);
    add_eval(app);
    add_predict(app);
    add_activations(app);
}

}  // namespace hnn::cli
