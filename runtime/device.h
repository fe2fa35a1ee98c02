// Devices: the CPU (x86 multi-target kernels) and CUDA. The runtime picks the library itself;
// Halide's multi-target dispatch cannot fall back from CUDA to the CPU (halide/Halide#8402).
#pragma once
#include <cstdint>
#include <string>

namespace hnn {

enum class Device { cpu, cuda };

Device parse_device(const std::string &name);  // "cpu" | "cuda", else hnn::Error
const char *device_name(Device device);

// The x86 variant Halide's dispatcher runs the CPU kernels on: "avx512", "avx2", "sse4.1".
std::string cpu_variant();

struct CudaInfo {
    bool usable = false;
    std::string reason;  // why not usable: no driver library, no device, capability too low
    std::string name;
    int64_t memory_bytes = 0;
    int capability_major = 0, capability_minor = 0;
    int driver_version = 0;
};

// Probes the CUDA driver (loaded at run time; nothing links against it). Cached.
const CudaInfo &cuda_info();

// Throws hnn::Error saying why CUDA cannot run, suggesting --device cpu.
void require_device(Device device);

// The minimum capability the CUDA kernels were compiled for (HNN_CUDA_TARGET).
constexpr int kMinCudaCapability = 70;

}  // namespace hnn
