// The models hnn trains: d2l's LeNet-5, its modern variant and the MLP, and models read from a
// small JSON file, with the exercises' variations (activation, pooling) applied without
// recompiling.
#pragma once
#include <string>
#include <vector>

#include "model.h"

namespace hnn {

struct ModelOptions {
    std::string activation;  // "" keeps the model's; relu | sigmoid | tanh replaces every activation
    std::string pool;        // "" keeps the model's; max | avg replaces every pooling layer
    float dropout = 0;       // > 0 adds Dropout(p) after each hidden Linear layer's activation (d2l 5.6)
};

// lenet (d2l 7.6), lenet-modern (ReLU and max pooling, d2l 7.6 exercise 1), mlp (784-256-10
// ReLU, d2l 5.2), or a path ending in .json. Errors list the known names.
std::vector<LayerSpec> model_layers(const std::string &name, const ModelOptions &options = {});
Shape model_input_shape(const std::string &name);  // [1, 28, 28] for the built-in models

// A model file:
//   {"input": [1, 28, 28],
//    "layers": [
//      {"type": "Conv2d", "out_channels": 6, "kernel": 5, "padding": 2},
//      {"type": "Sigmoid"},
//      {"type": "AvgPool2d", "kernel": 2, "stride": 2},
//      {"type": "Flatten"},
//      {"type": "Dropout", "p": 0.5},
//      {"type": "Linear", "out_features": 10}]}
// kernel, stride and padding take a number or [h, w]. Errors name the file and the line.
struct ModelFile {
    Shape input;
    std::vector<LayerSpec> layers;
};
ModelFile read_model_file(const std::string &path);

// Builds the model (shape inference included); the name is also a model file's path.
Sequential make_model(const std::string &name, const ModelOptions &options = {});

}  // namespace hnn
