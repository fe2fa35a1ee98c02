#include "transfers.h"

#include <HalideRuntime.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>

namespace hnn {

namespace {

std::atomic<int64_t> to_device_bytes{0}, to_host_bytes{0}, on_device_bytes{0};
std::atomic<int64_t> to_device_copies{0}, to_host_copies{0}, on_device_copies{0};
std::atomic<int64_t> cuda_launches{0}, pipeline_calls{0};

// The driver API's types as the Halide runtime declares them (cuda_functions.h): CUresult is
// an int, CUdeviceptr a 64-bit integer, streams and functions opaque pointers.
using CUdeviceptr = unsigned long long;
using HtoD = int (*)(CUdeviceptr, const void *, size_t);
using DtoH = int (*)(void *, CUdeviceptr, size_t);
using DtoD = int (*)(CUdeviceptr, CUdeviceptr, size_t);
using HtoDAsync = int (*)(CUdeviceptr, const void *, size_t, void *);
using DtoHAsync = int (*)(void *, CUdeviceptr, size_t, void *);
using DtoDAsync = int (*)(CUdeviceptr, CUdeviceptr, size_t, void *);
using Launch = int (*)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *, void **,
                       void **);

HtoD real_htod;
DtoH real_dtoh;
DtoD real_dtod;
HtoDAsync real_htod_async;
DtoHAsync real_dtoh_async;
DtoDAsync real_dtod_async;
Launch real_launch;

void to_device(size_t n) { to_device_bytes += static_cast<int64_t>(n), ++to_device_copies; }
void to_host(size_t n) { to_host_bytes += static_cast<int64_t>(n), ++to_host_copies; }
void on_device(size_t n) { on_device_bytes += static_cast<int64_t>(n), ++on_device_copies; }

int htod(CUdeviceptr d, const void *h, size_t n) { return to_device(n), real_htod(d, h, n); }
int dtoh(void *h, CUdeviceptr d, size_t n) { return to_host(n), real_dtoh(h, d, n); }
int dtod(CUdeviceptr a, CUdeviceptr b, size_t n) { return on_device(n), real_dtod(a, b, n); }
int htod_async(CUdeviceptr d, const void *h, size_t n, void *s) { return to_device(n), real_htod_async(d, h, n, s); }
int dtoh_async(void *h, CUdeviceptr d, size_t n, void *s) { return to_host(n), real_dtoh_async(h, d, n, s); }
int dtod_async(CUdeviceptr a, CUdeviceptr b, size_t n, void *s) { return on_device(n), real_dtod_async(a, b, n, s); }
int launch(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared,
           void *stream, void **params, void **extra) {
    ++cuda_launches;
    return real_launch(f, gx, gy, gz, bx, by, bz, shared, stream, params, extra);
}

halide_get_library_symbol_t previous_get_symbol = nullptr;

// Swaps in a counting wrapper for the entry points that move data or launch kernels.
template <class Fn>
void *wrap(void *real, Fn &slot, Fn wrapper) {
    slot = reinterpret_cast<Fn>(real);
    return reinterpret_cast<void *>(wrapper);
}

void *counting_get_symbol(void *lib, const char *name) {
    void *real = previous_get_symbol(lib, name);
    if (!real || std::strncmp(name, "cu", 2) != 0) return real;
    if (!std::strcmp(name, "cuMemcpyHtoD_v2")) return wrap(real, real_htod, &htod);
    if (!std::strcmp(name, "cuMemcpyDtoH_v2")) return wrap(real, real_dtoh, &dtoh);
    if (!std::strcmp(name, "cuMemcpyDtoD_v2")) return wrap(real, real_dtod, &dtod);
    if (!std::strcmp(name, "cuMemcpyHtoDAsync_v2")) return wrap(real, real_htod_async, &htod_async);
    if (!std::strcmp(name, "cuMemcpyDtoHAsync_v2")) return wrap(real, real_dtoh_async, &dtoh_async);
    if (!std::strcmp(name, "cuMemcpyDtoDAsync_v2")) return wrap(real, real_dtod_async, &dtod_async);
    if (!std::strcmp(name, "cuLaunchKernel")) return wrap(real, real_launch, &launch);
    return real;
}

// Installed before main(), so before the Halide runtime first loads the driver's symbols.
struct InstallCounting {
    InstallCounting() { previous_get_symbol = halide_set_custom_get_library_symbol(counting_get_symbol); }
} install_counting;

std::string bytes_text(double bytes) {
    char text[32];
    if (bytes >= 1e6) std::snprintf(text, sizeof(text), "%.1f MB", bytes / 1e6);
    else if (bytes >= 1e3) std::snprintf(text, sizeof(text), "%.1f kB", bytes / 1e3);
    else std::snprintf(text, sizeof(text), "%.0f B", bytes);
    return text;
}

}  // namespace

namespace {

template <class Op>
TransferCounts combine(const TransferCounts &a, const TransferCounts &b, Op op) {
    TransferCounts c;
    c.to_device_bytes = op(a.to_device_bytes, b.to_device_bytes);
    c.to_host_bytes = op(a.to_host_bytes, b.to_host_bytes);
    c.on_device_bytes = op(a.on_device_bytes, b.on_device_bytes);
    c.to_device_copies = op(a.to_device_copies, b.to_device_copies);
    c.to_host_copies = op(a.to_host_copies, b.to_host_copies);
    c.on_device_copies = op(a.on_device_copies, b.on_device_copies);
    c.cuda_launches = op(a.cuda_launches, b.cuda_launches);
    c.pipeline_calls = op(a.pipeline_calls, b.pipeline_calls);
    return c;
}

}  // namespace

TransferCounts TransferCounts::operator-(const TransferCounts &b) const { return combine(*this, b, std::minus<int64_t>()); }
TransferCounts TransferCounts::operator+(const TransferCounts &b) const { return combine(*this, b, std::plus<int64_t>()); }

TransferCounts transfer_counts() {
    TransferCounts c;
    c.to_device_bytes = to_device_bytes;
    c.to_host_bytes = to_host_bytes;
    c.on_device_bytes = on_device_bytes;
    c.to_device_copies = to_device_copies;
    c.to_host_copies = to_host_copies;
    c.on_device_copies = on_device_copies;
    c.cuda_launches = cuda_launches;
    c.pipeline_calls = pipeline_calls;
    return c;
}

void count_pipeline_call() { ++pipeline_calls; }

std::string describe_transfers(const TransferCounts &c, double per) {
    char text[256];
    std::snprintf(text, sizeof(text), "host->device %s in %.1f copies, device->host %s in %.1f copies, %.1f kernels (%.1f CUDA launches)",
                  bytes_text(c.to_device_bytes / per).c_str(), c.to_device_copies / per,
                  bytes_text(c.to_host_bytes / per).c_str(), c.to_host_copies / per, c.pipeline_calls / per,
                  c.cuda_launches / per);
    return text;
}

}  // namespace hnn
