// Runs a Python peer script (PyTorch) and returns the JSON object it prints on its last line,
// or {"error": why}. Python: $HNN_TORCH_PYTHON, else the project's .venv/bin/python
// (`tools/setup.sh --with-torch` installs torch there).
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace hnn::bench {

nlohmann::json run_python_peer(const std::string &script, const std::string &arguments);

}  // namespace hnn::bench
