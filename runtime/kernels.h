// Kernel tables. Each op family keeps one table of its generated entry points per device
// beside its ops (runtime/<family>.cpp): op x device -> function. Generated functions take
// halide_buffer_t* in the generator's order (inputs, then outputs) and return 0 on success.
#pragma once
#include <string>

#include "device.h"

namespace hnn {

// Turns a generated kernel's non-zero return into hnn::Error carrying Halide's own message.
void check_kernel(int status, const char *kernel);

// The table for `device`, after checking that the device can run (hnn::Error otherwise).
template <class Table>
const Table &for_device(Device device, const Table &cpu, const Table &cuda) {
    require_device(device);
    return device == Device::cpu ? cpu : cuda;
}

}  // namespace hnn
