// Scratch files for tests: a fresh temporary folder per process, raw byte writers, and a way
// to run the hnn binary and collect its exit status and output.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace hnn::test {

inline const std::string &scratch_dir() {
    static const std::string dir = [] {
        char pattern[] = "/tmp/hnn-test-XXXXXX";
        const char *made = mkdtemp(pattern);
        return std::string(made ? made : "/tmp");
    }();
    return dir;
}

inline std::string scratch(const std::string &name) { return scratch_dir() + "/" + name; }

inline bool file_exists(const std::string &path) { return access(path.c_str(), F_OK) == 0; }

inline void write_bytes(const std::string &path, const std::string &bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// An NPY file with the given header dict and payload (version 1.0 unless told).
inline std::string npy_bytes(const std::string &dict, const std::string &payload, int major = 1) {
    std::string header = dict;
    const size_t preamble = major == 1 ? 10 : 12;
    while ((preamble + header.size() + 1) % 64) header.push_back(' ');
    header.push_back('\n');
    std::string bytes = std::string("\x93NUMPY", 6) + char(major) + char(0);
    const size_t n = header.size();
    bytes += char(n & 0xff);
    bytes += char((n >> 8) & 0xff);
    if (major != 1) {
        bytes += char((n >> 16) & 0xff);
        bytes += char((n >> 24) & 0xff);
    }
    return bytes + header + payload;
}

inline std::string float_bytes(std::initializer_list<float> values) {
    std::string out;
    for (float v : values) out.append(reinterpret_cast<const char *>(&v), sizeof v);
    return out;
}

struct Run {
    int status;
    std::string output;  // stdout and stderr together
};

inline Run run_hnn(const std::string &args) {
    const std::string command = std::string(HNN_BINARY) + " " + args + " 2>&1";
    Run run{-1, ""};
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> chunk;
    size_t got;
    while ((got = fread(chunk.data(), 1, chunk.size(), pipe)) > 0) run.output.append(chunk.data(), got);
    const int raw = pclose(pipe);
    run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return run;
}

}  // namespace hnn::test
