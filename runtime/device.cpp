#include "device.h"

#include <dlfcn.h>

#include <HalideBuffer.h>

#include "error.h"
#include "kernels.h"
#include "probe_variant_cpu.h"

namespace hnn {

Device parse_device(const std::string &name) {
    if (name == "cpu") return Device::cpu;
    if (name == "cuda") return Device::cuda;
    throw Error("unknown device '" + name + "': expected cpu or cuda");
}

const char *device_name(Device device) { return device == Device::cpu ? "cpu" : "cuda"; }

std::string cpu_variant() {
    Halide::Runtime::Buffer<int32_t> code(1);
    check_kernel(probe_variant_cpu(code.raw_buffer()), "probe_variant");
    switch (code(0)) {
        case 3: return "avx512";
        case 2: return "avx2";
        case 1: return "sse4.1";
        default: return "baseline x86-64";
    }
}

namespace {

// The few CUDA driver API entry points the probe needs (CUresult is an int, CUdevice an int).
using cuInit_t = int (*)(unsigned);
using cuDriverGetVersion_t = int (*)(int *);
using cuDeviceGetCount_t = int (*)(int *);
using cuDeviceGet_t = int (*)(int *, int);
using cuDeviceGetName_t = int (*)(char *, int, int);
using cuDeviceTotalMem_t = int (*)(size_t *, int);
using cuDeviceGetAttribute_t = int (*)(int *, int, int);
constexpr int kAttrCapabilityMajor = 75, kAttrCapabilityMinor = 76;

CudaInfo probe_cuda() {
    CudaInfo info;
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcuda.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        info.reason = "no driver library (libcuda.so.1 not found: no NVIDIA driver installed)";
        return info;
    }
    auto sym = [&](const char *name) { return dlsym(lib, name); };
    auto init = reinterpret_cast<cuInit_t>(sym("cuInit"));
    auto version = reinterpret_cast<cuDriverGetVersion_t>(sym("cuDriverGetVersion"));
    auto count = reinterpret_cast<cuDeviceGetCount_t>(sym("cuDeviceGetCount"));
    auto get = reinterpret_cast<cuDeviceGet_t>(sym("cuDeviceGet"));
    auto get_name = reinterpret_cast<cuDeviceGetName_t>(sym("cuDeviceGetName"));
    auto total_mem = reinterpret_cast<cuDeviceTotalMem_t>(sym("cuDeviceTotalMem_v2"));
    auto attribute = reinterpret_cast<cuDeviceGetAttribute_t>(sym("cuDeviceGetAttribute"));
    if (!init || !count || !get || !get_name || !total_mem || !attribute) {
        info.reason = "the driver library lacks the CUDA driver API";
        return info;
    }
    if (int rc = init(0); rc != 0) {
        info.reason = "no device (cuInit failed with CUDA error " + std::to_string(rc) + ")";
        return info;
    }
    if (version) version(&info.driver_version);
    int n = 0;
    if (count(&n) != 0 || n == 0) {
        info.reason = "no device (the driver reports no CUDA device)";
        return info;
    }
    int device = 0;
    get(&device, 0);
    char name[256] = {0};
    get_name(name, sizeof(name), device);
    info.name = name;
    size_t bytes = 0;
    total_mem(&bytes, device);
    info.memory_bytes = static_cast<int64_t>(bytes);
    attribute(&info.capability_major, kAttrCapabilityMajor, device);
    attribute(&info.capability_minor, kAttrCapabilityMinor, device);
    if (info.capability_major * 10 + info.capability_minor < kMinCudaCapability) {
        info.reason = "compute capability too low (" + std::to_string(info.capability_major) + "." +
                      std::to_string(info.capability_minor) + " < " + std::to_string(kMinCudaCapability / 10) +
                      "." + std::to_string(kMinCudaCapability % 10) + ")";
        return info;
    }
    info.usable = true;
    return info;
}

}  // namespace

const CudaInfo &cuda_info() {
    static const CudaInfo info = probe_cuda();
    return info;
}

void require_device(Device device) {
    if (device == Device::cuda && !cuda_info().usable) {
        throw Error("CUDA cannot run here: " + cuda_info().reason + "; use --device cpu");
    }
}

}  // namespace hnn
