// NumPy .npy files: float32, C order, format versions 1.0, 2.0 and 3.0.
#pragma once
#include <HalideBuffer.h>

#include <cstdint>
#include <string>

#include "tensor.h"

namespace hnn {

// Reads a float32 C-order array. Any other dtype, Fortran order, a malformed header or a
// truncated file is an hnn::Error naming the file and the problem.
Tensor read_npy(const std::string &path);

// Reads class labels of shape (N,) or (N, 1) stored as int32 ('<i4'), int64 ('<i8') or float32
// holding integral values, as an int32 buffer [N]. Other dtypes, a non-integral or out-of-range
// value, or a malformed file are hnn::Error naming the file (and the bad label's index).
Halide::Runtime::Buffer<int32_t> read_npy_labels(const std::string &path);

// Writes version 1.0 (2.0 if the header needs it) to a temporary file in the same folder and
// renames it over `path`, so a failed write never leaves a partial file.
void write_npy(const std::string &path, const Tensor &tensor);

}  // namespace hnn
