#include "npy.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "error.h"

namespace hnn {

namespace {

[[noreturn]] void fail(const std::string &path, const std::string &problem) {
    throw Error(path + ": " + problem);
}

// Value of `key` in the header dict, as written, e.g. "'<f4'", "False", "(3, 4)".
std::string dict_value(const std::string &path, const std::string &header, const std::string &key) {
    const std::string quoted = "'" + key + "'";
    size_t at = header.find(quoted);
    if (at == std::string::npos) fail(path, "header has no '" + key + "' field");
    at = header.find(':', at + quoted.size());
    if (at == std::string::npos) fail(path, "header field '" + key + "' has no value");
    ++at;
    while (at < header.size() && std::isspace(static_cast<unsigned char>(header[at]))) ++at;
    size_t end = at;
    if (header[at] == '(') {
        end = header.find(')', at);
        if (end == std::string::npos) fail(path, "header field 'shape' is not a closed tuple");
        ++end;
    } else if (header[at] == '\'' || header[at] == '"') {
        end = header.find(header[at], at + 1);
        if (end == std::string::npos) fail(path, "header field '" + key + "' is an unterminated string");
        ++end;
    } else {
        while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
    }
    std::string value = header.substr(at, end - at);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    return value;
}

Shape parse_shape(const std::string &path, const std::string &text) {
    Shape shape;
    std::string inner = text.substr(1, text.size() - 2);
    std::stringstream items(inner);
    std::string item;
    while (std::getline(items, item, ',')) {
        size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \tL");
        if (b == std::string::npos) continue;  // trailing comma of a 1-tuple
        std::string digits = item.substr(b, e - b + 1);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
            fail(path, "shape " + text + " has a non-integer extent '" + digits + "'");
        }
        long extent = std::stol(digits);
        if (extent <= 0 || extent > (1L << 30)) {
            fail(path, "shape " + text + " has extent " + digits + "; expected a positive size");
        }
        shape.push_back(static_cast<int>(extent));
    }
    return shape;
}

// The preamble and header of an NPY file; `in` is left at the first data byte.
struct Header {
    std::string descr;       // as written, e.g. "'<f4'"
    std::string shape_text;  // as written, e.g. "(3, 4)"
    Shape shape;
};

Header read_header(const std::string &path, std::ifstream &in) {
    if (!in) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
    char magic[8];
    if (!in.read(magic, 8)) fail(path, "truncated: shorter than the 8-byte NPY preamble");
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0) fail(path, "not an NPY file (missing the \\x93NUMPY magic)");
    const int major = static_cast<unsigned char>(magic[6]);
    uint32_t header_length = 0;
    if (major == 1) {
        unsigned char len[2];
        if (!in.read(reinterpret_cast<char *>(len), 2)) fail(path, "truncated in the header length");
        header_length = len[0] | (len[1] << 8);
    } else if (major == 2 || major == 3) {
        unsigned char len[4];
        if (!in.read(reinterpret_cast<char *>(len), 4)) fail(path, "truncated in the header length");
        header_length = len[0] | (len[1] << 8) | (len[2] << 16) | (static_cast<uint32_t>(len[3]) << 24);
    } else {
        fail(path, "NPY format version " + std::to_string(major) + "." + std::to_string(magic[7]) +
                       " is not supported; expected 1.0, 2.0 or 3.0");
    }
    if (header_length > (1u << 24)) fail(path, "header length " + std::to_string(header_length) + " is implausible");
    std::string header(header_length, '\0');
    if (!in.read(header.data(), header_length)) fail(path, "truncated in the header");

    Header result;
    result.descr = dict_value(path, header, "descr");
    const std::string fortran = dict_value(path, header, "fortran_order");
    if (fortran == "True") fail(path, "Fortran-order arrays are not supported; save with C order (np.ascontiguousarray)");
    if (fortran != "False") fail(path, "header field 'fortran_order' is " + fortran + "; expected False");
    result.shape_text = dict_value(path, header, "shape");
    if (result.shape_text.empty() || result.shape_text.front() != '(') fail(path, "header field 'shape' is not a tuple");
    result.shape = parse_shape(path, result.shape_text);
    return result;
}

// Reads exactly `bytes` data bytes and checks that nothing follows.
void read_payload(const std::string &path, std::ifstream &in, const Header &header, char *data, int64_t bytes) {
    if (!in.read(data, static_cast<std::streamsize>(bytes))) {
        fail(path, "truncated: shape " + header.shape_text + " needs " + std::to_string(bytes) +
                       " data bytes, the file has " + std::to_string(in.gcount()));
    }
    if (in.peek() != std::char_traits<char>::eof()) {
        fail(path, "has data past the " + std::to_string(bytes) + " bytes that shape " + header.shape_text + " needs");
    }
}

}  // namespace

Tensor read_npy(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    const Header header = read_header(path, in);
    if (header.descr != "'<f4'" && header.descr != "'f4'") {
        fail(path, "dtype " + header.descr + " is not supported; expected float32 ('<f4')");
    }
    Tensor tensor(header.shape);
    read_payload(path, in, header, reinterpret_cast<char *>(tensor.data()),
                 static_cast<int64_t>(tensor.numel() * sizeof(float)));
    return tensor;
}

Halide::Runtime::Buffer<int32_t> read_npy_labels(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    const Header header = read_header(path, in);
    const std::string &d = header.descr;
    const bool i4 = d == "'<i4'" || d == "'i4'", i8 = d == "'<i8'" || d == "'i8'", f4 = d == "'<f4'" || d == "'f4'";
    if (!i4 && !i8 && !f4) {
        fail(path, "dtype " + d + " is not supported for labels; expected int32 ('<i4'), int64 ('<i8') or float32 ('<f4')");
    }
    const Shape &shape = header.shape;
    if (!(shape.size() == 1 || (shape.size() == 2 && shape[1] == 1))) {
        fail(path, "labels must have shape (N,) or (N, 1), got " + header.shape_text);
    }
    const int count = shape[0];
    Halide::Runtime::Buffer<int32_t> labels(count);
    if (i4) {
        read_payload(path, in, header, reinterpret_cast<char *>(labels.data()), int64_t(count) * 4);
        return labels;
    }
    std::vector<char> raw(static_cast<size_t>(count) * (i8 ? 8 : 4));
    read_payload(path, in, header, raw.data(), static_cast<int64_t>(raw.size()));
    for (int n = 0; n < count; ++n) {
        if (i8) {
            int64_t v;
            std::memcpy(&v, raw.data() + 8 * static_cast<size_t>(n), 8);
            if (v < INT32_MIN || v > INT32_MAX) {
                fail(path, "label " + std::to_string(n) + " is " + std::to_string(v) + ", outside the int32 range");
            }
            labels(n) = static_cast<int32_t>(v);
        } else {
            float v;
            std::memcpy(&v, raw.data() + 4 * static_cast<size_t>(n), 4);
            if (!(std::floor(v) == v) || v < -2147483648.0f || v >= 2147483648.0f) {
                fail(path, "label " + std::to_string(n) + " is " + std::to_string(v) + ", not an integral class index");
            }
            labels(n) = static_cast<int32_t>(v);
        }
    }
    return labels;
}

void write_npy(const std::string &path, const Tensor &tensor) {
    std::string shape = "(";
    for (size_t i = 0; i < tensor.shape().size(); ++i) shape += (i ? ", " : "") + std::to_string(tensor.shape()[i]);
    if (tensor.shape().size() == 1) shape += ",";
    shape += ")";
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    // Pad with spaces so that the data starts on a 64-byte boundary; end with a newline.
    const size_t v1_preamble = 10, v2_preamble = 12;
    const bool v2 = header.size() + 1 + v1_preamble > 65535;
    const size_t preamble = v2 ? v2_preamble : v1_preamble;
    size_t total = preamble + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header.push_back('\n');

    const std::string temporary = path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) fail(path, std::string("cannot write (") + std::strerror(errno) + ")");
        out.write("\x93NUMPY", 6);
        const char version[2] = {static_cast<char>(v2 ? 2 : 1), 0};
        out.write(version, 2);
        const uint32_t n = static_cast<uint32_t>(header.size());
        const char length[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                                static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
        out.write(length, v2 ? 4 : 2);
        out << header;
        out.write(reinterpret_cast<const char *>(tensor.data()), static_cast<std::streamsize>(tensor.numel() * sizeof(float)));
        out.close();
        if (!out) {
            std::remove(temporary.c_str());
            fail(path, "writing failed (disk full?)");
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        std::remove(temporary.c_str());
        fail(path, "cannot rename the temporary file into place (" + reason + ")");
    }
}

}  // namespace hnn
