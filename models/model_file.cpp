// The JSON model file reader. nlohmann::json parses; a small scan of the text finds the line
// each layer starts on, so that an unknown layer or an impossible shape points at its line.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "error.h"
#include "models.h"

namespace hnn {

namespace {

// Line numbers (1-based) of the objects directly inside the top-level "layers" array.
std::vector<int> layer_lines(const std::string &text) {
    std::vector<int> lines;
    int line = 1, depth = 0, layers_depth = -1;
    bool in_string = false;
    std::string last_key, current;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') ++line;
        if (in_string) {
            if (c == '\\') { ++i; continue; }
            if (c == '"') in_string = false; else current += c;
            continue;
        }
        switch (c) {
            case '"': in_string = true; current.clear(); break;
            case ':': last_key = current; break;
            case '[':
                ++depth;
                if (depth == 2 && last_key == "layers") layers_depth = depth;
                break;
            case '{':
                ++depth;
                if (layers_depth > 0 && depth == layers_depth + 1) lines.push_back(line);
                break;
            case ']':
            case '}':
                if (c == ']' && depth == layers_depth) layers_depth = -1;
                --depth;
                break;
        }
    }
    return lines;
}

std::array<int, 2> pair_of(const nlohmann::json &v, const std::string &where, const char *field) {
    if (v.is_number_integer()) return {v.get<int>(), v.get<int>()};
    if (v.is_array() && v.size() == 2 && v[0].is_number_integer() && v[1].is_number_integer()) return {v[0].get<int>(), v[1].get<int>()};
    throw Error(where + ": field '" + field + "' is " + v.dump() + "; expected a number or [h, w]");
}

}  // namespace

ModelFile read_model_file(const std::string &path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot open the model file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error &e) {
        const size_t at = std::min(e.byte, text.size());
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
        throw Error(path + " line " + std::to_string(line) + ": not valid JSON (" + e.what() + ")");
    }
    ModelFile model;
    if (!doc.is_object() || !doc.contains("layers") || !doc["layers"].is_array()) {
        throw Error(path + ": expected an object with a \"layers\" array");
    }
    model.input = {1, 28, 28};
    if (doc.contains("input")) {
        model.input.clear();
        for (auto &d : doc["input"]) {
            if (!d.is_number_integer() || d.get<int>() <= 0) throw Error(path + ": \"input\" must list positive sizes, got " + doc["input"].dump());
            model.input.push_back(d.get<int>());
        }
    }
    const std::vector<int> lines = layer_lines(text);
    int index = 0;
    for (auto &entry : doc["layers"]) {
        const std::string where = path + " line " + std::to_string(index < static_cast<int>(lines.size()) ? lines[index] : 0) +
                                  " (layer " + std::to_string(index) + ")";
        if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string()) {
            throw Error(where + ": each layer needs a \"type\"");
        }
        LayerSpec spec{parse_layer_kind(entry["type"].get<std::string>(), where)};
        spec.where = where;
        const std::vector<std::string> allowed = spec.kind == LayerKind::conv2d ? std::vector<std::string>{"type", "out_channels", "kernel", "stride", "padding"}
                                                 : spec.kind == LayerKind::dense ? std::vector<std::string>{"type", "out_features"}
                                                 : (spec.kind == LayerKind::avg_pool2d || spec.kind == LayerKind::max_pool2d)
                                                     ? std::vector<std::string>{"type", "kernel", "stride", "padding"}
                                                 : spec.kind == LayerKind::dropout ? std::vector<std::string>{"type", "p"}
                                                     : std::vector<std::string>{"type"};
        for (auto &[key, value] : entry.items()) {
            if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                throw Error(where + ": " + layer_kind_name(spec.kind) + " has no field '" + key + "'");
            }
        }
        if (spec.kind == LayerKind::conv2d) {
            if (!entry.contains("out_channels") || !entry.contains("kernel")) throw Error(where + ": Conv2d needs out_channels and kernel");
            spec.out_channels = entry["out_channels"].get<int>();
            spec.kernel = pair_of(entry["kernel"], where, "kernel");
        } else if (spec.kind == LayerKind::dense) {
            if (!entry.contains("out_features")) throw Error(where + ": Linear needs out_features");
            spec.out_features = entry["out_features"].get<int>();
        } else if (spec.kind == LayerKind::avg_pool2d || spec.kind == LayerKind::max_pool2d) {
            if (!entry.contains("kernel")) throw Error(where + ": " + layer_kind_name(spec.kind) + " needs kernel (the window)");
            spec.kernel = pair_of(entry["kernel"], where, "kernel");
            spec.stride = spec.kernel;  // PyTorch: the stride defaults to the window
        } else if (spec.kind == LayerKind::dropout && entry.contains("p")) {  // PyTorch's default p is 0.5
            if (!entry["p"].is_number() || entry["p"].get<double>() < 0 || entry["p"].get<double>() > 1) {
                throw Error(where + ": Dropout's p must be a number in [0, 1], got " + entry["p"].dump());
            }
            spec.p = entry["p"].get<float>();
        }
        if (entry.contains("stride")) spec.stride = pair_of(entry["stride"], where, "stride");
        if (entry.contains("padding")) spec.padding = pair_of(entry["padding"], where, "padding");
        model.layers.push_back(spec);
        ++index;
    }
    return model;
}

}  // namespace hnn
