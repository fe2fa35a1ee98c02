// `hnn bench train` and `hnn bench house-prices`: whole workloads, hnn beside PyTorch in the
// same invocation, same model, batch, optimizer and threads.
#include <HalideRuntime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <thread>
#include <vector>

#include "thread_pool.h"
#include "bench.h"
#include "error.h"
#include "house_prices.h"
#include "idx.h"
#include "models.h"
#include "peer.h"
#include "train.h"

namespace hnn::bench {

namespace {

// CPU time the hypervisor gave to other guests ("steal", /proc/stat) while a run went on: on a
// shared virtual machine it slows hnn and PyTorch by different amounts, so the ratio of their
// seconds is only as good as the steal beside it is small. Linux only; elsewhere nothing prints.
struct CpuTicks {
    long long steal = 0, total = 0;
    bool ok = false;
};

CpuTicks cpu_ticks() {
    CpuTicks t;
    std::ifstream stat("/proc/stat");
    std::string cpu;
    if (!(stat >> cpu) || cpu != "cpu") return t;
    long long v[8] = {};
    for (long long &x : v) {
        if (!(stat >> x)) return t;
        t.total += x;  // user nice system idle iowait irq softirq steal
    }
    t.steal = v[7];
    t.ok = true;
    return t;
}

// The share of CPU time stolen over the intervals a side ran (ticks summed over its intervals).
struct StealShare {
    long long steal = 0, total = 0;
    bool ok = true;
    void add(const CpuTicks &before, const CpuTicks &after) {
        ok = ok && before.ok && after.ok && after.total >= before.total;
        steal += after.steal - before.steal;
        total += after.total - before.total;
    }
};

void print_steal(const char *who, const StealShare &share) {
    if (!share.ok || share.total <= 0) return;
    const double percent = 100.0 * double(share.steal) / double(share.total);
    std::printf("           (cpu steal while %s ran: %.1f%%%s)\n", who, percent,
                percent > 5.0 ? "; the host was busy, so this timing is unreliable: run again" : "");
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// PyTorch's untimed steps before its one timed epoch per run (a fresh process's first steps
// build oneDNN primitives and grow the allocator; ~1/5 of an epoch at batch 128).
constexpr int kTorchWarmupSteps = 100;

// Rounds: one hnn epoch, then one PyTorch epoch (a fresh process each time, warmed up first),
// so that both sides are timed in the same minutes of a shared machine whose speed drifts
// (PyTorch's epoch took 6.4 s in one hour and 10.5 s in another). Best epoch of each side, and
// the median of the rounds' ratios.
void bench_train(const std::string &model_name, int epochs, int batch, float lr, int threads, const std::string &data,
                 const std::string &device_name, bool with_torch) {
    hnn::set_cpu_threads(threads);
    const Device device = parse_device(device_name);
    require_device(device);
    const ImageDataset train = load_mnist_split(data, "train"), test = load_mnist_split(data, "t10k");
    Sequential model = make_model(model_name);
    model.initialize(0);
    TrainConfig config;
    config.epochs = epochs;
    config.batch_size = batch;
    config.optimizer.lr = lr;
    config.device = device;
    Trainer trainer(model, config);
    double best = 1e30, accuracy = 0, torch_best = 1e30, torch_accuracy = 0;
    std::vector<double> ratios;
    std::string torch_about, torch_error;
    StealShare hnn_steal, torch_steal;
    CpuTicks hnn_start = cpu_ticks();
    trainer.fit(train, test, nullptr, [&](const EpochMetrics &m) {
        hnn_steal.add(hnn_start, cpu_ticks());
        std::printf("hnn epoch %d: %.3f s, train loss %.4f, val acc %.3f\n", m.epoch, m.seconds, m.train_loss,
                    m.validation_accuracy);
        std::fflush(stdout);
        best = std::min(best, m.seconds);
        accuracy = m.validation_accuracy;
        if (with_torch && torch_error.empty()) {
            const CpuTicks torch_start = cpu_ticks();
            const nlohmann::json peer = run_python_peer(
                "torch_train.py", "--model " + model_name + " --epochs 1 --warmup-steps " + std::to_string(kTorchWarmupSteps) +
                                      " --batch-size " + std::to_string(batch) + " --lr " + std::to_string(lr) + " --threads " +
                                      std::to_string(threads) + " --device " + device_name + " --data '" + data + "'");
            if (peer.contains("error")) {
                torch_error = peer["error"].get<std::string>();
            } else {
                torch_steal.add(torch_start, cpu_ticks());
                const double seconds = peer["seconds_per_epoch"].get<double>();
                std::printf("PyTorch epoch after it: %.3f s (%.2fx hnn's)\n", seconds, seconds / m.seconds);
                std::fflush(stdout);
                torch_best = std::min(torch_best, seconds);
                torch_accuracy = peer["val_accuracy"].get<double>();
                torch_about = peer["about"].get<std::string>();
                ratios.push_back(seconds / m.seconds);
            }
        }
        hnn_start = cpu_ticks();
    });
    const double flops_note = model_name == "lenet" ? 136.0 : 0.0;
    std::printf("\n%-10s %-8s %6s %8s %14s %8s\n", "", "model", "batch", "threads", "s per epoch", "val acc");
    std::printf("%-10s %-8s %6d %8d %14.3f %8.3f\n", "hnn", model_name.c_str(), batch, threads, best, accuracy);
    if (flops_note > 0) std::printf("           (LeNet: ~%.0f GFLOP per epoch -> %.1f GFLOP/s)\n", flops_note, flops_note / best);
    print_steal("hnn", hnn_steal);
    if (!with_torch) return;
    if (ratios.empty()) {
        std::printf("PyTorch: not run: %s\n", torch_error.c_str());
        return;
    }
    if (!torch_error.empty()) std::printf("PyTorch failed after %zu rounds: %s\n", ratios.size(), torch_error.c_str());
    std::printf("%-10s %-8s %6d %8d %14.3f %8.3f   (%s; each run 1 epoch after %d warm-up steps)\n", "pytorch",
                model_name.c_str(), batch, threads, torch_best, torch_accuracy, torch_about.c_str(), kTorchWarmupSteps);
    print_steal("PyTorch", torch_steal);
    std::printf("hnn is %.2fx PyTorch's speed (PyTorch seconds / hnn seconds, best epoch of each; median of the %zu "
                "rounds' ratios %.2fx)\n",
                torch_best / best, ratios.size(), median(ratios));
}

void bench_house_prices(const std::string &train_path, const std::string &test_path, int threads, bool with_torch) {
    hnn::set_cpu_threads(threads);
    const HouseData data = preprocess_house_prices(read_csv(train_path), read_csv(test_path));
    // Each hnn run beside the peer's run of the same model and hyperparameters.
    struct Run {
        std::string name, peer_args;
        KFoldConfig config;
        double hnn = 0, seconds = 0, torch = -1;
    };
    KFoldConfig linear;
    linear.optimizer.lr = 0.01f;
    KFoldConfig mlp;
    mlp.model = "mlp";
    mlp.optimizer.name = "adam";
    mlp.optimizer.lr = 0.005f;
    KFoldConfig dropout = mlp;
    dropout.dropout = 0.1f;
    std::vector<Run> runs = {{"linear (sgd lr 0.01, d2l 5.7)", "--model linear --lr 0.01", linear},
                             {"mlp (256 relu, adam lr 0.005)", "--model mlp --lr 0.005", mlp},
                             {"mlp + dropout 0.1", "--model mlp --lr 0.005 --dropout 0.1", dropout}};
    std::string about;
    for (Run &run : runs) {
        const auto start = std::chrono::steady_clock::now();
        for (const FoldResult &f : k_fold(data, run.config)) run.hnn += f.validation_log_mse / run.config.k;
        run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!with_torch) continue;
        const nlohmann::json peer = run_python_peer("house_prices.py", "--train '" + train_path + "' --test '" + test_path +
                                                                           "' --threads " + std::to_string(threads) + " " +
                                                                           run.peer_args);
        if (peer.contains("error")) {
            about = "not run: " + peer["error"].get<std::string>();
            with_torch = false;
            continue;
        }
        run.torch = peer["average"].get<double>();
        about = peer["about"].get<std::string>();
    }
    std::printf("%zu encoded features, 5 folds, 10 epochs, batch 64; average validation log mse\n\n",
                data.encoded_columns.size());
    std::printf("%-32s %10s %10s %10s %12s\n", "model", "hnn", "PyTorch", "hnn/PyTorch", "hnn seconds");
    for (const Run &run : runs) {
        if (run.torch >= 0) {
            std::printf("%-32s %10.4f %10.4f %+9.1f%% %12.2f\n", run.name.c_str(), run.hnn, run.torch,
                        100.0 * (run.hnn / run.torch - 1), run.seconds);
        } else {
            std::printf("%-32s %10.4f %10s %10s %12.2f\n", run.name.c_str(), run.hnn, "-", "", run.seconds);
        }
    }
    std::printf("hnn mlp vs hnn linear: %.1f%% lower validation log mse\n", 100.0 * (1 - runs[1].hnn / runs[0].hnn));
    if (!about.empty()) std::printf("PyTorch: %s\n", about.c_str());
}

}  // namespace

void add_training_benches(CLI::App &bench) {
    const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    struct TrainArgs {
        std::string model = "lenet", data = kDefaultFashionMnistDir, device = "cpu";
        int epochs = 2, batch = 128, threads = 0;
        float lr = 0.1f;
        bool no_torch = false;
    };
    auto t = std::make_shared<TrainArgs>();
    t->threads = hardware;
    auto *train = bench.add_subcommand("train", "Seconds per training epoch, hnn and PyTorch (same model, batch, threads)");
    train->add_option("--model", t->model, "lenet, lenet-modern or mlp")->capture_default_str();
    train->add_option("--epochs", t->epochs, "Epochs to time (the best is reported)")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    train->add_option("--batch-size", t->batch, "Minibatch size")->capture_default_str();
    train->add_option("--lr", t->lr, "SGD learning rate")->capture_default_str();
    train->add_option("--threads", t->threads, "Threads for both")->capture_default_str();
    train->add_option("--data", t->data, "Fashion-MNIST folder")->capture_default_str();
    train->add_option("--device", t->device, "cpu or cuda (PyTorch uses the same)")->capture_default_str();
    train->add_flag("--no-torch", t->no_torch, "Skip PyTorch");
    train->callback([t] { bench_train(t->model, t->epochs, t->batch, t->lr, t->threads, t->data, t->device, !t->no_torch); });

    struct HouseArgs {
        std::string train = HNN_SOURCE_DIR "/data/ames/train.csv.gz", test = HNN_SOURCE_DIR "/data/ames/test.csv.gz";
        int threads = 0;
        bool no_torch = false;
    };
    auto h = std::make_shared<HouseArgs>();
    h->threads = hardware;
    auto *house = bench.add_subcommand("house-prices", "k-fold log mse of hnn's linear and mlp models beside d2l's PyTorch pipeline");
    house->add_option("--train", h->train, "Training CSV")->capture_default_str();
    house->add_option("--test", h->test, "Test CSV")->capture_default_str();
    house->add_option("--threads", h->threads, "Threads")->capture_default_str();
    house->add_flag("--no-torch", h->no_torch, "Skip PyTorch");
    house->callback([h] { bench_house_prices(h->train, h->test, h->threads, !h->no_torch); });
}

}  // namespace hnn::bench
