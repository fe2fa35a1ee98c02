// hnn's one error type: every failure a user can cause (bad file, bad shape, no device)
// is reported as hnn::Error with a message that names the thing at fault.
#pragma once
#include <stdexcept>
#include <string>

namespace hnn {

struct Error : std::runtime_error {
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

}  // namespace hnn
