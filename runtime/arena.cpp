#include "arena.h"

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

void Arena::allocate() {
    storage_ = Tensor({static_cast<int>(std::max<int64_t>(size_, 1))});
    views_.clear();
    for (int i = 0; i < count(); ++i) views_.push_back(storage_.view(offsets_[i], shapes_[i]));
}

}  // namespace hnn
