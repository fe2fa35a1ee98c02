#include "commands.h"

#include <cstdio>
#include <string>

#include "device.h"
#include "error.h"
#include "op_common.h"

namespace hnn::cli {

namespace {
int status = 0;
}

int exit_status() { return status; }
void set_exit_status(int s) { status = s; }

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
    add_registered_op_commands(*op);
}

}  // namespace hnn::cli
