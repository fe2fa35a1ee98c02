#include "activation.h"

#include "error.h"

namespace hnn {

Activation parse_activation(const std::string &name) {
    if (name == "none") return Activation::none;
    if (name == "relu") return Activation::relu;
    if (name == "sigmoid") return Activation::sigmoid;
    if (name == "tanh") return Activation::tanh;
    throw Error("unknown activation '" + name + "': expected none, relu, sigmoid or tanh");
}

const char *activation_name(Activation activation) {
    switch (activation) {
        case Activation::none: return "none";
        case Activation::relu: return "relu";
        case Activation::sigmoid: return "sigmoid";
        case Activation::tanh: return "tanh";
    }
    return "?";
}

}  // namespace hnn
