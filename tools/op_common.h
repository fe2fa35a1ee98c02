// Shared plumbing for `hnn op NAME`: every op family registers its subcommands from its own
// tools/op_<family>.cpp with one static OpCommand, and uses OpArgs for the common flags.
#pragma once
#include <CLI/CLI.hpp>

#include <array>
#include <memory>
#include <string>

#include "device.h"
#include "tensor.h"

namespace hnn::cli {

// Registers a function that adds subcommands to `hnn op`; define one per family:
//   static const OpCommand register_pool2d(add_pool2d_commands);
struct OpCommand {
    explicit OpCommand(void (*add)(CLI::App &op));
};
void add_registered_op_commands(CLI::App &op);

// The flags of `hnn op`, named alike across ops. Only those an op adds are set.
struct OpArgs {
    std::string input, weight, bias, labels, target, output;
    std::string stride = "1,1", padding = "0,0", window, mode = "max", activation = "none";
    std::string device = "cpu";
    bool backward = false;
    std::string grad_output, out_grad_input, out_grad_weight, out_grad_bias;
};

// Adds the named flags (a comma list of: in weight bias labels target stride padding window mode
// activation backward) plus --out and --device, and returns the args they fill.
std::shared_ptr<OpArgs> add_op_flags(CLI::App &cmd, const std::string &flags);

// "2,3" -> {2, 3}; "2" -> {2, 2}. Errors name the flag.
std::array<int, 2> parse_pair(const std::string &text, const std::string &flag);

// Writes a result computed on any device to an NPY file (temporary file, then rename).
void write_result(const std::string &path, Tensor &tensor);

}  // namespace hnn::cli
