// NumPy .npy files: float32, C order, format versions 1.0, 2.0 and 3.0.
#pragma once
#include <string>

#include "tensor.h"

namespace hnn {

// Reads a float32 C-order array. Any other dtype, Fortran order, a malformed header or a
// truncated file is an hnn::Error naming the file and the problem.
Tensor read_npy(const std::string &path);

// Writes version 1.0 (2.0 if the header needs it) to a temporary file in the same folder and
// renames it over `path`, so a failed write never leaves a partial file.
void write_npy(const std::string &path, const Tensor &tensor);

}  // namespace hnn
