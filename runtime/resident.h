// Keeping buffers on a device for a whole run: upload once, and read back buffers that kernels
// wrote through views and crops (whose dirty flags the buffer itself never saw).
#pragma once
#include <HalideBuffer.h>
#include <HalideRuntimeCuda.h>

#include <string>

#include "device.h"
#include "error.h"

namespace hnn {

// Puts a buffer's host contents on `device` and keeps them there (nothing to do on the CPU).
template <class T>
void make_resident(Halide::Runtime::Buffer<T> &buffer, Device device) {
    if (device != Device::cuda) return;
    require_device(device);
    if (!buffer.raw_buffer()->device && buffer.device_malloc(halide_cuda_device_interface()) != 0) {
        throw Error("cannot allocate " + std::to_string(buffer.size_in_bytes()) +
                    " bytes of CUDA device memory (out of device memory?); use --device cpu");
    }
    buffer.set_device_dirty(false);
    buffer.set_host_dirty(true);
    if (buffer.copy_to_device(halide_cuda_device_interface()) != 0) throw Error("host-to-device copy failed");
}

// Copies a device buffer's contents to the host, whatever its flags say.
template <class T>
void read_back(Halide::Runtime::Buffer<T> &buffer, Device device) {
    if (device != Device::cuda) return;
    buffer.set_host_dirty(false);
    buffer.set_device_dirty(true);
    if (buffer.copy_to_host() != 0) throw Error("device-to-host copy failed");
}

}  // namespace hnn
