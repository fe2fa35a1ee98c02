// Checkpoints in the safetensors format (PyTorch loads the weights with safetensors.torch):
// an 8-byte little-endian header length, a JSON header naming every tensor's dtype, shape and
// byte range, then the raw float32 data. Written to a temporary file and renamed.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "tensor.h"

namespace hnn {

struct NamedTensor {
    std::string name;
    const Tensor *tensor;
};

// `metadata` goes into the header's "__metadata__" (string values only, as the format says).
void save_safetensors(const std::string &path, const std::vector<NamedTensor> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

struct SafetensorsFile {
    std::map<std::string, Tensor> tensors;
    std::map<std::string, std::string> metadata;
};

// Reads F32 tensors; anything malformed is an hnn::Error naming the file and the field.
SafetensorsFile load_safetensors(const std::string &path);

}  // namespace hnn
