#include "tensor.h"

#include <algorithm>
#include <sstream>

#include "error.h"

namespace hnn {

std::string shape_string(const Shape &shape) {
    std::ostringstream out;
    out << '(';
    for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
    if (shape.size() == 1) out << ',';
    out << ')';
    return out.str();
}

static std::vector<int> halide_order(const Shape &shape) {
    for (int extent : shape) {
        if (extent <= 0) throw Error("tensor shape " + shape_string(shape) + " has a non-positive extent");
    }
    std::vector<int> sizes(shape.rbegin(), shape.rend());
    if (sizes.empty()) sizes.push_back(1);  // a scalar is stored as one element
    return sizes;
}

Tensor::Tensor(const Shape &shape) : shape_(shape), buffer_(halide_order(shape)) {
    buffer_.fill(0.0f);
}

Tensor Tensor::from_values(const Shape &shape, const std::vector<float> &values) {
    Tensor t(shape);
    if (static_cast<int64_t>(values.size()) != t.numel()) {
        throw Error("tensor of shape " + shape_string(shape) + " needs " + std::to_string(t.numel()) +
                    " values, got " + std::to_string(values.size()));
    }
    std::copy(values.begin(), values.end(), t.data());
    return t;
}

int64_t Tensor::numel() const {
    int64_t n = 1;
    for (int extent : shape_) n *= extent;
    return n;
}

std::vector<float> Tensor::values() const {
    return std::vector<float>(data(), data() + numel());
}

Tensor Tensor::reshaped(const Shape &shape) const {
    Tensor probe;
    probe.shape_ = shape;
    if (probe.numel() != numel()) throw Error("cannot view " + shape_string(shape_) + " as " + shape_string(shape));
    return view(0, shape);
}

Tensor Tensor::view(int64_t offset, const Shape &shape) const {
    Tensor v;
    v.shape_ = shape;
    if (offset < 0 || offset + v.numel() > numel()) {
        throw Error("a view of " + shape_string(shape) + " at element " + std::to_string(offset) +
                    " does not fit in a tensor of " + std::to_string(numel()) + " elements");
    }
    std::vector<int> sizes = halide_order(shape);
    std::vector<halide_dimension_t> dims(sizes.size());
    int stride = 1;
    for (size_t i = 0; i < sizes.size(); ++i) {
        dims[i] = halide_dimension_t(0, sizes[i], stride);
        stride *= sizes[i];
    }
    v.buffer_ = Halide::Runtime::Buffer<float>(const_cast<float *>(data()) + offset, static_cast<int>(dims.size()), dims.data());
    v.viewed_ = viewed_ ? viewed_ : std::make_shared<const Halide::Runtime::Buffer<float>>(buffer_);
    const halide_buffer_t *source = buffer_.raw_buffer();
    if (source->device && source->device_interface) {
        // Share the device memory too. A CUDA device handle is the device address (Halide's
        // own crops add byte offsets to it), so the view wraps the address plus its offset;
        // wrapped memory is never freed by the view. The view starts with the source's flags.
        v.buffer_.device_wrap_native(source->device_interface, source->device + uint64_t(offset) * sizeof(float));
        v.buffer_.set_host_dirty(buffer_.host_dirty());
        v.buffer_.set_device_dirty(buffer_.device_dirty());
    }
    return v;
}

void Tensor::sync_to_host() {
    if (buffer_.device_dirty()) {
        if (buffer_.copy_to_host() != 0) throw Error("copying a tensor from the device to the host failed");
    }
}

}  // namespace hnn
