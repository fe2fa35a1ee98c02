// IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed, and the image classification data
// set built from a pair of them.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <HalideBuffer.h>

#include "tensor.h"

namespace hnn {

// An IDX file of unsigned bytes: dims outermost first, then the data, row-major.
struct IdxArray {
    std::vector<int> dims;
    std::vector<uint8_t> data;
};

// Reads an IDX file of type 0x08 (unsigned byte), gzip or raw (detected by its magic bytes).
// A wrong magic number, an unsupported type, a dimension count that is not `expected_rank`
// or a length that does not match the dimensions is an hnn::Error naming the file.
IdxArray read_idx(const std::string &path, int expected_rank);

// Images [N, 1, rows, cols] scaled to [0, 1] and labels 0..9.
struct ImageDataset {
    Tensor images;
    std::vector<int32_t> labels;
    // The same images as the file's bytes (images = bytes / 255), Halide order (rows * cols, N),
    // when they came from one: training on the CPU gathers its minibatches from these, a
    // quarter of the memory traffic of the floats. Empty for images made otherwise.
    Halide::Runtime::Buffer<uint8_t, 2> bytes;
    int size() const { return static_cast<int>(labels.size()); }
};

// The first n examples of `data` (n <= its size): images, labels and bytes, copied.
ImageDataset first_examples(const ImageDataset &data, int n);

// Reads `<dir>/<split>-images-idx3-ubyte[.gz]` and `<dir>/<split>-labels-idx1-ubyte[.gz]`
// (split: "train" or "t10k"); checks that counts agree and labels are below 10.
ImageDataset load_mnist_split(const std::string &dir, const std::string &split);

// Debian's dataset-fashion-mnist location.
constexpr const char *kDefaultFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Fashion-MNIST's class names, by label.
extern const char *const kFashionMnistClasses[10];

}  // namespace hnn
