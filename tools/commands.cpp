#include "commands.h"

#include <cstdio>
#include <string>

#include "device.h"
#include "error.h"
#include "npy.h"
#include "ops.h"

namespace hnn::cli {

namespace {
int status = 0;
}

int exit_status() { return status; }
void set_exit_status(int s) { status = s; }

void add_train(CLI::App &app) {
    auto *cmd = app.add_subcommand("train", "Train a model on Fashion-MNIST (lenet, lenet-modern, mlp)");
    auto model = std::make_shared<std::string>();
    cmd->add_option("model", *model, "Model to train")->required();
    cmd->allow_extras();
    cmd->callback([model] {
        std::fprintf(stderr,
                     "hnn: training is not built yet: `hnn train %s` arrives with the training runtime "
                     "(LeNet-5, MLP on Fashion-MNIST). Today hnn runs single kernels: see `hnn op --help`.\n",
                     model->c_str());
        set_exit_status(2);
    });
}

void add_devices(CLI::App &app) {
    auto *cmd = app.add_subcommand("devices", "Show the CPU kernel variant and the CUDA device");
    cmd->callback([] {
        std::printf("cpu:  x86-64, kernels dispatched to the %s variant\n", cpu_variant().c_str());
        const CudaInfo &cuda = cuda_info();
        if (cuda.usable) {
            std::printf("cuda: %s, %.1f GiB, compute capability %d.%d, driver %d.%d\n", cuda.name.c_str(),
                        cuda.memory_bytes / 1073741824.0, cuda.capability_major, cuda.capability_minor,
                        cuda.driver_version / 1000, cuda.driver_version % 1000 / 10);
        } else {
            std::printf("cuda: no CUDA device: %s\n", cuda.reason.c_str());
        }
    });
}

void add_op(CLI::App &app) {
    auto *op = app.add_subcommand("op", "Run one kernel on NumPy .npy files (float32, C order)");
    op->require_subcommand(1);

    struct Corr2dArgs {
        std::string input, kernel, output, device = "cpu";
    };
    auto args = std::make_shared<Corr2dArgs>();
    auto *corr2d = op->add_subcommand("corr2d", "d2l 7.2 cross-correlation: [H, W] * [kh, kw] -> [H-kh+1, W-kw+1]");
    corr2d->add_option("--in", args->input, "Input array [H, W]")->required();
    corr2d->add_option("--kernel", args->kernel, "Kernel array [kh, kw]")->required();
    corr2d->add_option("--out", args->output, "Where to write the result")->required();
    corr2d->add_option("--device", args->device, "cpu or cuda")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda"}));
    corr2d->callback([args] {
        const Device device = parse_device(args->device);
        Tensor input = read_npy(args->input);
        Tensor kernel = read_npy(args->kernel);
        Tensor output;
        try {
            output = corr2d_forward(input, kernel, device);
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (input " + args->input + ", kernel " + args->kernel + ")");
        }
        write_npy(args->output, output);
    });
}

}  // namespace hnn::cli
