#include "checkpoint.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "atomic_file.h"
#include "error.h"

namespace hnn {

void save_safetensors(const std::string &path, const std::vector<NamedTensor> &tensors,
                      const std::map<std::string, std::string> &metadata) {
    nlohmann::ordered_json header;
    if (!metadata.empty()) header["__metadata__"] = metadata;
    uint64_t offset = 0;
    for (const NamedTensor &t : tensors) {
        const uint64_t bytes = uint64_t(t.tensor->numel()) * sizeof(float);
        header[t.name] = {{"dtype", "F32"}, {"shape", t.tensor->shape()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');  // keep the data 8-byte aligned
    const uint64_t n = text.size();
    std::string file(8, '\0');
    for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    file += text;
    for (const NamedTensor &t : tensors) {
        file.append(reinterpret_cast<const char *>(t.tensor->data()), size_t(t.tensor->numel()) * sizeof(float));
    }
    write_file_atomically(path, file);
}

SafetensorsFile load_safetensors(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 8) throw Error(path + ": truncated: no safetensors header length");
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
    if (n > bytes.size() - 8) throw Error(path + ": header length " + std::to_string(n) + " runs past the end of the file");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes.substr(8, n));
    } catch (const std::exception &e) {
        throw Error(path + ": the header is not valid JSON (" + e.what() + ")");
    }
    if (!header.is_object()) throw Error(path + ": the header is not a JSON object");
    const size_t data_start = 8 + n, data_size = bytes.size() - data_start;
    SafetensorsFile file;
    for (auto &[name, entry] : header.items()) {
        if (name == "__metadata__") {
            for (auto &[key, value] : entry.items()) {
                if (value.is_string()) file.metadata[key] = value.get<std::string>();
            }
            continue;
        }
        const std::string where = path + ": tensor '" + name + "'";
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets")) {
            throw Error(where + " lacks dtype, shape or data_offsets");
        }
        if (entry["dtype"] != "F32") throw Error(where + " has dtype " + entry["dtype"].dump() + "; expected \"F32\"");
        Shape shape;
        for (auto &d : entry["shape"]) {
            if (!d.is_number_integer() || d.get<int64_t>() <= 0) throw Error(where + " has shape " + entry["shape"].dump());
            shape.push_back(d.get<int>());
        }
        const auto &offsets = entry["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2) throw Error(where + " has data_offsets " + offsets.dump());
        const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
        Tensor t(shape.empty() ? Shape{1} : shape);
        if (end < begin || end > data_size || end - begin != uint64_t(t.numel()) * sizeof(float)) {
            throw Error(where + " has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                        "], which do not fit its shape or the " + std::to_string(data_size) + " data bytes");
        }
        std::memcpy(t.data(), bytes.data() + data_start + begin, end - begin);
        file.tensors.emplace(name, std::move(t));
    }
    return file;
}

}  // namespace hnn
