// Tensor: a float32 array with its shape in PyTorch's order (NCHW, outermost first) over a
// Halide::Runtime::Buffer, whose dimensions run the other way (dim 0 = innermost = W).
// Memory is dense and row-major (C order), so tensor.data() is what numpy would hold.
#pragma once
#include <HalideBuffer.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hnn {

using Shape = std::vector<int>;

std::string shape_string(const Shape &shape);  // "(2, 3, 3)"

class Tensor {
public:
    Tensor() = default;
    explicit Tensor(const Shape &shape);  // zero-filled host memory
    static Tensor from_values(const Shape &shape, const std::vector<float> &values);

    const Shape &shape() const { return shape_; }
    int rank() const { return static_cast<int>(shape_.size()); }
    int dim(int i) const { return shape_.at(i); }
    int64_t numel() const;
    bool defined() const { return buffer_.data() != nullptr || !shape_.empty(); }

    // Host data, C order. Call sync_to_host() first after a device kernel wrote the tensor.
    float *data() { return buffer_.data(); }
    const float *data() const { return buffer_.data(); }
    std::vector<float> values() const;

    // The same host memory viewed with a different shape of equal element count (flatten is a
    // view); the view keeps the memory alive. Host data only: sync_to_host() first.
    Tensor reshaped(const Shape &shape) const;

    // `shape`'s worth of this tensor's memory starting at flat element `offset` (an arena
    // carves its parameters this way); the view keeps the memory alive and, when the tensor
    // has device memory, shares that too (see Arena::place).
    Tensor view(int64_t offset, const Shape &shape) const;

    // The underlying Halide buffer, dimensions innermost first; what generated kernels take.
    Halide::Runtime::Buffer<float> &buffer() { return buffer_; }
    const Halide::Runtime::Buffer<float> &buffer() const { return buffer_; }
    // For kernel calls. Inputs pass through the const overload: a CUDA kernel may attach a
    // device copy to the buffer (that is how data stays resident), but never changes values.
    halide_buffer_t *raw() { return buffer_.raw_buffer(); }
    halide_buffer_t *raw() const { return const_cast<Halide::Runtime::Buffer<float> &>(buffer_).raw_buffer(); }

    void sync_to_host();  // copies device data back if a device kernel left it dirty

private:
    Shape shape_;
    Halide::Runtime::Buffer<float> buffer_;
    std::shared_ptr<const Halide::Runtime::Buffer<float>> viewed_;  // owner of a view's memory
};

}  // namespace hnn
