#include "arena.h"

#include <HalideRuntimeCuda.h>

#include <algorithm>

#include "error.h"

namespace hnn {

int Arena::add(const std::string &name, const Shape &shape) {
    if (storage_.numel() > 0 && !views_.empty()) throw Error("arena: '" + name + "' added after allocate()");
    int64_t n = 1;
    for (int d : shape) n *= d;
    // Keep every tensor 64-byte aligned so vector loads in the kernels stay aligned.
    size_ = (size_ + 15) / 16 * 16;
    names_.push_back(name);
    shapes_.push_back(shape);
    offsets_.push_back(size_);
    size_ += n;
    return count() - 1;
}

void Arena::place(Device device) {
    device_ = device;
    if (storage_.data() == nullptr) return;  // not allocated yet: allocate() places it
    if (device == Device::cuda) {
        require_device(device);
        auto &b = storage_.buffer();
        if (!b.raw_buffer()->device) {
            if (b.device_malloc(halide_cuda_device_interface()) != 0) {
                throw Error("arena: cannot allocate " + std::to_string(size_ * sizeof(float)) +
                            " bytes of CUDA device memory (out of device memory?); use --device cpu");
            }
        }
        upload();
    }
    views_.clear();
    for (int i = 0; i < count(); ++i) views_.push_back(storage_.view(offsets_[i], shapes_[i]));
}

void Arena::upload() {
    if (device_ != Device::cuda) return;
    storage_.buffer().set_host_dirty(true);
    if (storage_.buffer().copy_to_device(halide_cuda_device_interface()) != 0) throw Error("arena: host-to-device copy failed");
    for (Tensor &v : views_) {
        v.buffer().set_host_dirty(false);
        v.buffer().set_device_dirty(false);
    }
}

void Arena::download() {
    if (device_ != Device::cuda) return;
    storage_.buffer().set_device_dirty(true);
    if (storage_.buffer().copy_to_host() != 0) throw Error("arena: device-to-host copy failed");
    for (Tensor &v : views_) v.buffer().set_device_dirty(false);
}

void Arena::allocate() {
    storage_ = Tensor({static_cast<int>(std::max<int64_t>(size_, 1))});
    views_.clear();
    for (int i = 0; i < count(); ++i) views_.push_back(storage_.view(offsets_[i], shapes_[i]));
    if (device_ != Device::cpu) place(device_);
}

}  // namespace hnn
