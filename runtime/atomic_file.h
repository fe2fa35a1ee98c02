// Files are written whole or not at all: to a temporary file beside the target, then renamed.
#pragma once
#include <string>

namespace hnn {

// Writes `content` to `path`; on any failure nothing is left behind and the Error names the path.
void write_file_atomically(const std::string &path, const std::string &content);

}  // namespace hnn
