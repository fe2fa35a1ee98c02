// The built-in models, layer by layer as d2l writes them.
#include "error.h"
#include "models.h"

namespace hnn {

namespace {

LayerSpec conv(int out_channels, int kernel, int padding = 0) {
    LayerSpec s{LayerKind::conv2d};
    s.out_channels = out_channels;
    s.kernel = {kernel, kernel};
    s.padding = {padding, padding};
    return s;
}
LayerSpec pool(LayerKind kind, int window, int stride) {
    LayerSpec s{kind};
    s.kernel = {window, window};
    s.stride = {stride, stride};
    return s;
}
LayerSpec dense(int out_features) {
    LayerSpec s{LayerKind::dense};
    s.out_features = out_features;
    return s;
}
LayerSpec layer(LayerKind kind) { return LayerSpec{kind}; }

bool ends_with(const std::string &s, const std::string &tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::vector<LayerSpec> model_layers(const std::string &name, const ModelOptions &options) {
    std::vector<LayerSpec> layers;
    if (name == "lenet" || name == "lenet-modern") {
        const LayerKind act = name == "lenet" ? LayerKind::sigmoid : LayerKind::relu;
        const LayerKind pooling = name == "lenet" ? LayerKind::avg_pool2d : LayerKind::max_pool2d;
        layers = {conv(6, 5, 2), layer(act), pool(pooling, 2, 2), conv(16, 5),   layer(act),  pool(pooling, 2, 2),
                  layer(LayerKind::flatten), dense(120), layer(act), dense(84), layer(act), dense(10)};
    } else if (name == "mlp") {
        layers = {layer(LayerKind::flatten), dense(256), layer(LayerKind::relu), dense(10)};
    } else if (ends_with(name, ".json")) {
        layers = read_model_file(name).layers;
    } else {
        throw Error("unknown model '" + name + "': expected lenet, lenet-modern, mlp or a model file ending in .json");
    }
    if (!options.activation.empty()) {
        LayerKind act;
        if (options.activation == "relu") act = LayerKind::relu;
        else if (options.activation == "sigmoid") act = LayerKind::sigmoid;
        else if (options.activation == "tanh") act = LayerKind::tanh;
        else throw Error("--activation '" + options.activation + "': expected relu, sigmoid or tanh");
        for (auto &l : layers) {
            if (l.kind == LayerKind::relu || l.kind == LayerKind::sigmoid || l.kind == LayerKind::tanh) l.kind = act;
        }
    }
    if (!options.pool.empty()) {
        if (options.pool != "max" && options.pool != "avg") throw Error("--pool '" + options.pool + "': expected max or avg");
        for (auto &l : layers) {
            if (l.kind == LayerKind::max_pool2d || l.kind == LayerKind::avg_pool2d) {
                l.kind = options.pool == "max" ? LayerKind::max_pool2d : LayerKind::avg_pool2d;
            }
        }
    }
    if (options.dropout < 0 || options.dropout > 1) {
        throw Error("--dropout " + std::to_string(options.dropout) + ": expected a probability in [0, 1)");
    }
    if (options.dropout > 0) {  // after the activation of every Linear layer but the output layer
        std::vector<LayerSpec> with;
        for (size_t i = 0; i < layers.size(); ++i) {
            with.push_back(layers[i]);
            const bool hidden_activation = i > 0 && layers[i - 1].kind == LayerKind::dense && i + 1 < layers.size() &&
                                           (layers[i].kind == LayerKind::relu || layers[i].kind == LayerKind::sigmoid ||
                                            layers[i].kind == LayerKind::tanh);
            if (hidden_activation) {
                LayerSpec d{LayerKind::dropout};
                d.p = options.dropout;
                with.push_back(d);
            }
        }
        layers = std::move(with);
    }
    return layers;
}

Shape model_input_shape(const std::string &name) {
    if (ends_with(name, ".json")) return read_model_file(name).input;
    return {1, 28, 28};
}

Sequential make_model(const std::string &name, const ModelOptions &options) {
    return Sequential(model_layers(name, options), model_input_shape(name));
}

}  // namespace hnn
