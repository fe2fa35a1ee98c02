// Host-device traffic and kernel launches, counted for the whole process. The Halide runtime
// reaches the CUDA driver through halide_get_library_symbol; hnn hands it counting wrappers for
// the copy and launch entry points, so every copy is seen, the implicit ones a kernel makes
// for a host-dirty input included. Take a snapshot before and after the work and subtract.
#pragma once
#include <cstdint>
#include <string>

namespace hnn {

struct TransferCounts {
    int64_t to_device_bytes = 0, to_host_bytes = 0, on_device_bytes = 0;
    int64_t to_device_copies = 0, to_host_copies = 0, on_device_copies = 0;
    int64_t cuda_launches = 0;   // cuLaunchKernel calls (one pipeline may launch several)
    int64_t pipeline_calls = 0;  // generated kernels run, on the CPU or on CUDA

    TransferCounts operator-(const TransferCounts &before) const;
    TransferCounts operator+(const TransferCounts &more) const;
    int64_t host_device_bytes() const { return to_device_bytes + to_host_bytes; }
};

// The counts so far.
TransferCounts transfer_counts();

// Called for every generated kernel run (check_kernel does it).
void count_pipeline_call();

// "host->device 0 B in 0 copies, device->host 4 B in 1 copy, 37 kernels (52 CUDA launches)",
// each figure divided by `per` (steps).
std::string describe_transfers(const TransferCounts &counts, double per = 1);

}  // namespace hnn
