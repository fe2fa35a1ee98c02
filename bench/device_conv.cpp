// `hnn bench conv --device cpu|cuda`: conv2d forward and backward at the large bench shape
// (N8 64->64 56x56, 3x3, padding 1) on one device, beside PyTorch on the same device (cuDNN on
// a GPU). Times include waiting for the device to finish.
#include <HalideRuntime.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "bench.h"
#include "error.h"
#include "ops.h"
#include "peer.h"

namespace hnn::bench {

namespace {

void finish(Tensor &t) {
    if (t.buffer().raw_buffer()->device) t.buffer().device_sync();
}

double time_ms(const std::function<void()> &run, Tensor &result) {
    run();
    finish(result);
    double best = 1e30;
    for (int trial = 0; trial < 5; ++trial) {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 5; ++i) run();
        finish(result);
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / 5);
    }
    return best * 1e3;
}

void bench_conv(const std::string &device_name, bool with_torch) {
    const Device device = parse_device(device_name);
    require_device(device);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    auto random = [&](const Shape &s) {
        Tensor t(s);
        for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = dist(rng);
        return t;
    };
    Conv2dParams params;
    params.padding_h = params.padding_w = 1;
    Tensor x = random({8, 64, 56, 56}), w = random({64, 64, 3, 3}), b = random({64});
    Tensor y(conv2d_output_shape(x.shape(), w.shape(), params)), dy = random(y.shape());
    Tensor dx(x.shape()), dw(w.shape()), db(b.shape());
    const double flops = 2.0 * y.numel() * 64 * 9;
    const double forward = time_ms([&] { conv2d_forward(y, x, w, &b, params, device); }, y);
    const double backward = time_ms([&] { conv2d_backward(&dx, &dw, &db, dy, x, w, y, params, device); }, dx);
    std::printf("hnn conv2d N8 64->64 56x56 k3 p1 on %s: forward %.3f ms (%.0f GFLOP/s), backward %.3f ms (%.0f GFLOP/s)\n",
                device_name.c_str(), forward, flops / forward / 1e6, backward, 2 * flops / backward / 1e6);
    if (!with_torch) return;
    const nlohmann::json peer = run_python_peer("torch_conv.py", "--device " + device_name);
    if (peer.contains("error")) {
        std::printf("PyTorch: not run: %s\n", peer["error"].get<std::string>().c_str());
        return;
    }
    const double tf = peer["forward_ms"].get<double>(), tb = peer["backward_ms"].get<double>();
    std::printf("PyTorch (%s): forward %.3f ms, backward %.3f ms\n", peer["about"].get<std::string>().c_str(), tf, tb);
    std::printf("hnn / PyTorch time: forward %.2fx, backward %.2fx (target on a GPU: within 2x of cuDNN)\n", forward / tf,
                backward / tb);
}

}  // namespace

void add_device_conv_bench(CLI::App &bench) {
    auto device = std::make_shared<std::string>("cpu");
    auto no_torch = std::make_shared<bool>(false);
    auto *cmd = bench.add_subcommand("conv", "conv2d forward+backward at the large shape on one device, beside PyTorch");
    cmd->add_option("--device", *device, "cpu or cuda")->capture_default_str();
    cmd->add_flag("--no-torch", *no_torch, "Skip PyTorch");
    cmd->callback([device, no_torch] { bench_conv(*device, !*no_torch); });
}

}  // namespace hnn::bench
