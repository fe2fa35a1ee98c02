#include "kernels.h"

#include <HalideRuntime.h>

#include <mutex>
#include <vector>

#include "error.h"
#include "thread_pool.h"
#include "transfers.h"

namespace hnn {

namespace {

std::mutex halide_message_mutex;
std::string halide_message;

// Halide reports failures through this handler before a kernel returns non-zero; keep the
// text so that the Error names Halide's reason instead of a bare error code.
void capture_halide_error(void *, const char *message) {
    std::lock_guard<std::mutex> lock(halide_message_mutex);
    halide_message = message;
    while (!halide_message.empty() && (halide_message.back() == '\n' || halide_message.back() == ' ')) {
        halide_message.pop_back();
    }
}

// Also installs hnn's parallel-for before any kernel runs.
struct InstallHandler {
    InstallHandler() {
        halide_set_error_handler(capture_halide_error);
        cpu_threads();
    }
} install_handler;

}  // namespace

void check_kernel(int status, const char *kernel) {
    count_pipeline_call();
    if (status == 0) return;
    std::lock_guard<std::mutex> lock(halide_message_mutex);
    std::string text = std::string("kernel ") + kernel + " failed (Halide error " + std::to_string(status) + ")";
    if (!halide_message.empty()) text += ": " + halide_message;
    if (halide_message.find("OUT_OF_MEMORY") != std::string::npos) {
        text += " (out of device memory: try a smaller --batch-size, or --device cpu)";
    }
    halide_message.clear();
    throw Error(text);
}

Halide::Runtime::Buffer<float> host_view(const Tensor &t, std::initializer_list<std::pair<int, int>> dims) {
    std::vector<halide_dimension_t> shape;
    for (auto [extent, stride] : dims) shape.push_back(halide_dimension_t(0, extent, stride));
    return Halide::Runtime::Buffer<float>(const_cast<float *>(t.data()), static_cast<int>(shape.size()), shape.data());
}

}  // namespace hnn
