#include "idx.h"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "error.h"

namespace hnn {

const char *const kFashionMnistClasses[10] = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

namespace {

// The whole file, inflated when it is gzip (gzread passes raw files through unchanged).
std::vector<uint8_t> read_all(const std::string &path) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::vector<uint8_t> bytes;
    uint8_t chunk[1 << 16];
    for (;;) {
        const int got = gzread(file, chunk, sizeof chunk);
        if (got < 0) {
            int code = 0;
            const std::string why = gzerror(file, &code);
            gzclose(file);
            throw Error(path + ": corrupt gzip data (" + why + ")");
        }
        if (got == 0) break;
        bytes.insert(bytes.end(), chunk, chunk + got);
    }
    gzclose(file);
    return bytes;
}

uint32_t big_endian(const uint8_t *p) { return (uint32_t(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) | p[3]; }

bool exists(const std::string &path) {
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

}  // namespace

IdxArray read_idx(const std::string &path, int expected_rank) {
    const std::vector<uint8_t> bytes = read_all(path);
    if (bytes.size() < 4) throw Error(path + ": truncated: " + std::to_string(bytes.size()) + " bytes, no IDX header");
    if (bytes[0] != 0 || bytes[1] != 0) {
        throw Error(path + ": not an IDX file (magic number starts " + std::to_string(bytes[0]) + " " +
                    std::to_string(bytes[1]) + ", expected 0 0)");
    }
    if (bytes[2] != 0x08) {
        throw Error(path + ": IDX data type 0x" + std::to_string(bytes[2]) + " is not supported; expected 0x08 (unsigned byte)");
    }
    const int rank = bytes[3];
    if (rank != expected_rank) {
        throw Error(path + ": has " + std::to_string(rank) + " dimensions, expected " + std::to_string(expected_rank));
    }
    if (bytes.size() < 4 + 4 * size_t(rank)) throw Error(path + ": truncated in the dimension sizes");
    IdxArray array;
    size_t count = 1;
    for (int i = 0; i < rank; ++i) {
        const uint32_t d = big_endian(&bytes[4 + 4 * i]);
        if (d == 0 || d > (1u << 28)) throw Error(path + ": dimension " + std::to_string(i) + " is " + std::to_string(d));
        array.dims.push_back(static_cast<int>(d));
        count *= d;
    }
    const size_t offset = 4 + 4 * size_t(rank);
    if (bytes.size() - offset != count) {
        throw Error(path + ": length mismatch: dimensions need " + std::to_string(count) + " data bytes, the file has " +
                    std::to_string(bytes.size() - offset));
    }
    array.data.assign(bytes.begin() + offset, bytes.end());
    return array;
}

ImageDataset first_examples(const ImageDataset &data, int n) {
    if (n < 0 || n > data.size()) {
        throw Error("first_examples: " + std::to_string(n) + " of a dataset of " + std::to_string(data.size()));
    }
    ImageDataset s;
    Shape shape = data.images.shape();
    shape[0] = n;
    s.images = Tensor(shape);
    std::copy(data.images.data(), data.images.data() + s.images.numel(), s.images.data());
    s.labels.assign(data.labels.begin(), data.labels.begin() + n);
    if (data.bytes.data()) {
        s.bytes = Halide::Runtime::Buffer<uint8_t, 2>(data.bytes.dim(0).extent(), n);
        std::copy(data.bytes.data(), data.bytes.data() + s.bytes.number_of_elements(), s.bytes.data());
    }
    return s;
}

ImageDataset load_mnist_split(const std::string &dir, const std::string &split) {
    auto find = [&](const std::string &stem) {
        const std::string base = dir + "/" + split + "-" + stem;
        if (exists(base + ".gz")) return base + ".gz";
        if (exists(base)) return base;
        throw Error(base + "[.gz]: not found (is the data directory right? Debian's dataset-fashion-mnist installs to " +
                    std::string(kDefaultFashionMnistDir) + ")");
    };
    const std::string image_path = find("images-idx3-ubyte"), label_path = find("labels-idx1-ubyte");
    const IdxArray images = read_idx(image_path, 3);
    const IdxArray labels = read_idx(label_path, 1);
    if (images.dims[0] != labels.dims[0]) {
        throw Error(image_path + " has " + std::to_string(images.dims[0]) + " images but " + label_path + " has " +
                    std::to_string(labels.dims[0]) + " labels");
    }
    ImageDataset set;
    set.images = Tensor({images.dims[0], 1, images.dims[1], images.dims[2]});
    float *pixels = set.images.data();
    for (size_t i = 0; i < images.data.size(); ++i) pixels[i] = images.data[i] / 255.0f;
    set.bytes = Halide::Runtime::Buffer<uint8_t, 2>(images.dims[1] * images.dims[2], images.dims[0]);
    std::copy(images.data.begin(), images.data.end(), set.bytes.data());
    set.labels.resize(labels.data.size());
    for (size_t i = 0; i < labels.data.size(); ++i) {
        if (labels.data[i] > 9) {
            throw Error(label_path + ": label " + std::to_string(i) + " is " + std::to_string(labels.data[i]) +
                        "; expected 0..9");
        }
        set.labels[i] = labels.data[i];
    }
    return set;
}

}  // namespace hnn
