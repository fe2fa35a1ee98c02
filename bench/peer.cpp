#include "peer.h"

#include <cstdio>
#include <cstdlib>

namespace hnn::bench {

nlohmann::json run_python_peer(const std::string &script, const std::string &arguments) {
    const char *python_env = std::getenv("HNN_TORCH_PYTHON");
    const std::string python = python_env ? python_env : HNN_SOURCE_DIR "/.venv/bin/python";
    const std::string command = "'" + python + "' '" HNN_SOURCE_DIR "/bench/" + script + "' " + arguments + " 2>&1";
    FILE *pipe = popen(command.c_str(), "r");
    if (!pipe) return {{"error", "cannot start " + python}};
    std::string text;
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, pipe)) > 0) text.append(chunk, got);
    pclose(pipe);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    const size_t line = text.rfind('\n');
    try {
        auto json = nlohmann::json::parse(line == std::string::npos ? text : text.substr(line + 1));
        if (json.is_object()) return json;
    } catch (const std::exception &) {
    }
    return {{"error", "the peer printed no result: " + text.substr(0, 400)}};
}

}  // namespace hnn::bench
