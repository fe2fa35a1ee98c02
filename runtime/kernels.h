// Kernel tables. Each op family keeps one table of its generated entry points per device
// beside its ops (runtime/<family>.cpp): op x device -> function. Generated functions take
// halide_buffer_t* in the generator's order (inputs, then outputs) and return 0 on success.
#pragma once
#include <initializer_list>
#include <iterator>
#include <string>
#include <utility>

#include <HalideRuntime.h>

#include "device.h"
#include "tensor.h"

namespace hnn {

// Turns a generated kernel's non-zero return into hnn::Error carrying Halide's own message.
void check_kernel(int status, const char *kernel);

// The table for `device`, after checking that the device can run (hnn::Error otherwise).
template <class Table>
const Table &for_device(Device device, const Table &cpu, const Table &cuda) {
    require_device(device);
    return device == Device::cpu ? cpu : cuda;
}

// A dense tensor's buffer seen with fewer dimensions: 1-D over all its elements (elementwise
// kernels), 2-D as [rows, elements / rows] when `rows` > 0 (row gathers), or any shape of up
// to four dimensions given outermost first (conv1x1's [N, C, H*W]). The view shares the host
// and device memory; what the kernel does to the view's device state (a device allocation, a
// copy, the dirty flags) goes back to the tensor's buffer afterwards, so device residency
// works exactly as if the tensor itself had been passed.
class DenseView {
public:
    explicit DenseView(halide_buffer_t *tensor, int rows = 0)
        : DenseView(tensor, rows > 0 ? std::initializer_list<int32_t>{rows, -1} : std::initializer_list<int32_t>{-1}) {}
    // `extents` outermost first; one of them may be -1: whatever the others leave.
    DenseView(halide_buffer_t *tensor, std::initializer_list<int32_t> extents) : tensor_(tensor), view_(*tensor) {
        int64_t count = 1, known = 1;
        for (int i = 0; i < tensor->dimensions; ++i) count *= tensor->dim[i].extent;
        for (int32_t e : extents) known *= e > 0 ? e : 1;
        view_.dimensions = static_cast<int>(extents.size());
        int32_t stride = 1, d = 0;  // Halide's dimension 0 is the innermost
        for (auto it = std::rbegin(extents); it != std::rend(extents); ++it, ++d) {
            const int32_t extent = *it > 0 ? *it : static_cast<int32_t>(count / known);
            dims_[d] = halide_dimension_t(0, extent, stride);
            stride *= extent;
        }
        view_.dim = dims_;
    }
    ~DenseView() {
        tensor_->device = view_.device;
        tensor_->device_interface = view_.device_interface;
        tensor_->flags = view_.flags;
    }
    DenseView(const DenseView &) = delete;
    DenseView &operator=(const DenseView &) = delete;
    halide_buffer_t *raw() { return &view_; }

private:
    halide_buffer_t *tensor_;
    halide_buffer_t view_;
    halide_dimension_t dims_[4];
};

// A host view of `t`'s memory with the given (extent, stride) dimensions, innermost first:
// the same elements in another order or grouping (pool2x2's rows, conv2d's channels-last).
Halide::Runtime::Buffer<float> host_view(const Tensor &t, std::initializer_list<std::pair<int, int>> dims);

}  // namespace hnn
