// hnn op relu | sigmoid | tanh
#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

void add_activation_command(CLI::App &op, Activation activation, const std::string &formula) {
    const std::string name = activation_name(activation);
    auto *cmd = op.add_subcommand(name, name + " elementwise on any shape: y = " + formula +
                                            "; --backward writes d_input = d_output * " + name + "'(x)");
    auto args = add_op_flags(*cmd, "in,backward");
    cmd->get_option("--in")->description("Input array x (.npy), any shape; with --backward still the forward's x");
    cmd->get_option("--out")->required(false)->description("Where to write y (.npy); forward only");
    cmd->callback([args, activation, name] {
        const Device device = parse_device(args->device);
        if (args->backward) {
            if (args->grad_output.empty() || args->out_grad_input.empty()) {
                throw Error(name + " --backward needs --grad-out (d_output) and --out-grad-in (where to write d_input)");
            }
        } else if (args->output.empty()) {
            throw Error(name + " needs --out (or --backward with --grad-out and --out-grad-in)");
        }
        Tensor input = read_npy(args->input);
        Tensor result;
        try {
            Tensor output = activation_forward(input, activation, device);
            if (args->backward) {
                Tensor d_output = read_npy(args->grad_output);
                result = activation_backward(d_output, output, activation, device);
            } else {
                result = std::move(output);
            }
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (input " + args->input +
                        (args->backward ? ", d_output " + args->grad_output : "") + ")");
        }
        write_result(args->backward ? args->out_grad_input : args->output, result);
    });
}

void add_activation_commands(CLI::App &op) {
    add_activation_command(op, Activation::relu, "max(x, 0)");
    add_activation_command(op, Activation::sigmoid, "1 / (1 + exp(-x))");
    add_activation_command(op, Activation::tanh, "tanh(x)");
}

const OpCommand register_activation(add_activation_commands);

}  // namespace

}  // namespace hnn::cli
