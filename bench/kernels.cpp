// `hnn bench kernels`: time, GFLOP/s (or GB/s) and % of the measured FMA peak for every
// registered case, a reference check, and PyTorch's CPU operators on the same shapes.
#include <HalideRuntime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "thread_pool.h"
#include "bench.h"
#include "error.h"
#include "peak.h"
#include "peer.h"

namespace hnn::bench {

namespace {

std::vector<std::function<std::vector<BenchCase>()>> &registry() {
    static std::vector<std::function<std::vector<BenchCase>()>> makers;
    return makers;
}

// Seconds per run: the best of 5 batches, each long enough to cover `min_seconds` / 5.
double time_case(const std::function<void()> &run, double min_seconds) {
    using clock = std::chrono::steady_clock;
    run();
    int reps = 1;
    for (;;) {
        const auto start = clock::now();
        for (int i = 0; i < reps; ++i) run();
        const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
        if (elapsed >= min_seconds / 5 || reps >= (1 << 20)) break;
        reps = std::max(reps * 2, static_cast<int>(reps * (min_seconds / 5) / std::max(elapsed, 1e-9)));
    }
    double best = 1e30;
    for (int batch = 0; batch < 5; ++batch) {
        const auto start = clock::now();
        for (int i = 0; i < reps; ++i) run();
        best = std::min(best, std::chrono::duration<double>(clock::now() - start).count() / reps);
    }
    return best;
}

struct TorchResults {
    std::string about;  // version and BLAS, or why it did not run
    std::map<std::string, double> seconds;
};

TorchResults run_torch_peer(const std::vector<BenchCase> &cases, int threads, double min_seconds) {
    TorchResults results;
    std::string names;
    for (const auto &c : cases) names += (names.empty() ? "" : ";") + c.name;
    const nlohmann::json json = run_python_peer("torch_kernels.py", "--threads " + std::to_string(threads) + " --min-time " +
                                                                        std::to_string(min_seconds) + " --names '" + names + "'");
    if (json.contains("error")) {
        results.about = "not run: " + json["error"].get<std::string>();
        return results;
    }
    results.about = json.value("about", "");
    for (auto &[name, value] : json["seconds"].items()) results.seconds[name] = value.get<double>();
    return results;
}

void bench_kernels(const std::string &filter, int threads, double min_seconds, bool with_torch) {
    hnn::set_cpu_threads(threads);
    std::printf("Measuring the FP32 FMA peak on %d thread%s...\n", threads, threads == 1 ? "" : "s");
    const double peak = measure_fma_peak_gflops(threads);
    std::printf("peak: %.1f GFLOP/s (FMA chains, widest vectors, %d thread%s)\n\n", peak, threads,
                threads == 1 ? "" : "s");

    std::vector<BenchCase> cases;
    for (auto &make : registry()) {
        for (auto &c : make()) {
            if (filter.empty() || c.name.find(filter) != std::string::npos) cases.push_back(std::move(c));
        }
    }
    std::sort(cases.begin(), cases.end(), [](const BenchCase &a, const BenchCase &b) { return a.name < b.name; });

    std::vector<double> seconds;
    std::vector<std::string> checks;
    int failures = 0;
    for (auto &c : cases) {
        c.run();
        std::string message;
        const bool ok = c.check ? c.check(message) : true;
        if (!ok) ++failures;
        checks.push_back(ok ? "ok" : "FAIL " + message);
        seconds.push_back(time_case(c.run, min_seconds));
    }
    TorchResults torch;
    if (with_torch) {
        std::printf("Running PyTorch's peer (bench/torch_kernels.py)...\n");
        torch = run_torch_peer(cases, threads, min_seconds);
    } else {
        torch.about = "not run (--no-torch)";
    }
    std::printf("PyTorch: %s\n\n", torch.about.c_str());

    std::printf("%-34s %-40s %10s %12s %7s %10s %8s  %s\n", "kernel", "shape", "ms", "rate", "%peak", "torch ms",
                "speedup", "check");
    for (size_t i = 0; i < cases.size(); ++i) {
        const BenchCase &c = cases[i];
        const double s = seconds[i];
        char rate[32], percent[16] = "-", torch_ms[16] = "-", speedup[16] = "-";
        if (c.flops > 0) {
            std::snprintf(rate, sizeof rate, "%.1f GFLOP/s", c.flops / s / 1e9);
            std::snprintf(percent, sizeof percent, "%.0f%%", 100.0 * c.flops / s / 1e9 / peak);
        } else {
            std::snprintf(rate, sizeof rate, "%.1f GB/s", c.bytes / s / 1e9);
        }
        if (auto it = torch.seconds.find(c.name); it != torch.seconds.end()) {
            std::snprintf(torch_ms, sizeof torch_ms, "%.4f", it->second * 1e3);
            std::snprintf(speedup, sizeof speedup, "%.2fx", it->second / s);
        }
        std::printf("%-34s %-40s %10.4f %12s %7s %10s %8s  %s\n", c.name.c_str(), c.shape.c_str(), s * 1e3, rate,
                    percent, torch_ms, speedup, checks[i].c_str());
    }
    std::printf("\nspeedup = PyTorch time / hnn time (> 1: hnn is faster). %d case%s, %d failed the reference check.\n",
                static_cast<int>(cases.size()), cases.size() == 1 ? "" : "s", failures);
    if (failures) throw Error(std::to_string(failures) + " benchmark case(s) disagree with the reference");
}

}  // namespace

BenchRegistration::BenchRegistration(std::function<std::vector<BenchCase>()> make) {
    registry().push_back(std::move(make));
}

void add_bench_command(CLI::App &app) {
    auto *bench = app.add_subcommand("bench", "Benchmarks (hnn against PyTorch in the same invocation)");
    bench->require_subcommand(1);
    auto *kernels = bench->add_subcommand("kernels", "Time every kernel: GFLOP/s, % of measured peak, PyTorch ratio");
    struct Args {
        std::string filter;
        int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        double min_seconds = 0.5;
        bool no_torch = false;
    };
    auto args = std::make_shared<Args>();
    kernels->add_option("--filter", args->filter, "Only cases whose name contains this text");
    kernels->add_option("--threads", args->threads, "Threads for hnn and PyTorch")->capture_default_str();
    kernels->add_option("--min-time", args->min_seconds, "Seconds of timing per case")->capture_default_str();
    kernels->add_flag("--no-torch", args->no_torch, "Skip the PyTorch peer");
    kernels->footer("The PyTorch peer runs with $HNN_TORCH_PYTHON (default: .venv/bin/python;\n"
                    "`tools/setup.sh --with-torch` installs PyPI's torch there).");
    kernels->callback([args] { bench_kernels(args->filter, args->threads, args->min_seconds, !args->no_torch); });
    add_training_benches(*bench);
    add_device_conv_bench(*bench);
}

}  // namespace hnn::bench
