// Arena: one allocation carved into named tensors, planned once (parameters, gradients and
// optimizer state each live in one; llm.c's layout). The flat view is what the optimizer's
// update kernel runs over.
#pragma once
#include <string>
#include <vector>

#include "device.h"
#include "tensor.h"

namespace hnn {

class Arena {
public:
    // Plans a tensor of `shape` called `name`; returns its index. Only before allocate().
    int add(const std::string &name, const Shape &shape);
    void allocate();  // one zero-filled allocation; views for every planned tensor

    // Moves the arena to `device` for good: on CUDA one device allocation, filled from the host,
    // that every view shares, so kernels update the same memory the optimizer reads. Views
    // made before this call must be made again.
    void place(Device device);
    Device device() const { return device_; }
    // After host code wrote the data (initialisation, a checkpoint): copy it to the device.
    void upload();
    // Before host code reads the data (a checkpoint, a report): copy it from the device.
    void download();

    int count() const { return static_cast<int>(names_.size()); }
    int64_t size() const { return size_; }  // elements in all
    const std::string &name(int i) const { return names_.at(i); }
    Tensor &operator[](int i) { return views_.at(i); }
    const Tensor &operator[](int i) const { return views_.at(i); }
    Tensor &flat() { return storage_; }  // [size()]
    const Tensor &flat() const { return storage_; }

private:
    std::vector<std::string> names_;
    std::vector<Shape> shapes_;
    std::vector<int64_t> offsets_;
    int64_t size_ = 0;
    Tensor storage_;
    std::vector<Tensor> views_;
    Device device_ = Device::cpu;
};

}  // namespace hnn
