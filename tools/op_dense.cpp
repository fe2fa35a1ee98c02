// hnn op dense
#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

void add_dense_commands(CLI::App &op) {
    auto *cmd = op.add_subcommand("dense", "PyTorch Linear: y = act(x W^T + b), x [N, in] (or [N, C, H, W], flattened), "
                                           "W [out, in], b [out] -> y [N, out]");
    auto args = add_op_flags(*cmd, "in,weight,bias,activation,backward");
    cmd->callback([args] {
        const Device device = parse_device(args->device);
        const Activation activation = parse_activation(args->activation);
        Tensor input = read_npy(args->input);
        Tensor weight = read_npy(args->weight);
        Tensor bias;
        if (!args->bias.empty()) bias = read_npy(args->bias);
        const Tensor *bias_ptr = args->bias.empty() ? nullptr : &bias;
        const std::string files = " (input " + args->input + ", weight " + args->weight +
                                  (args->bias.empty() ? "" : ", bias " + args->bias) + ")";
        Tensor output, d_input, d_weight, d_bias;
        try {
            // The backward takes act' from the forward output, so it is recomputed here.
            output = dense_forward(input, weight, bias_ptr, activation, device);
            if (args->backward) {
                if (args->grad_output.empty()) throw Error("dense --backward needs --grad-out");
                if (args->out_grad_input.empty() && args->out_grad_weight.empty() && args->out_grad_bias.empty()) {
                    throw Error("dense --backward needs --out-grad-in, --out-grad-weight or --out-grad-bias");
                }
                Tensor d_output = read_npy(args->grad_output);
                if (!args->out_grad_input.empty()) d_input = Tensor(input.shape());
                if (!args->out_grad_weight.empty()) d_weight = Tensor(weight.shape());
                if (!args->out_grad_bias.empty()) d_bias = Tensor({weight.dim(0)});
                dense_backward(args->out_grad_input.empty() ? nullptr : &d_input,
                               args->out_grad_weight.empty() ? nullptr : &d_weight,
                               args->out_grad_bias.empty() ? nullptr : &d_bias, d_output, input, weight, output,
                               activation, device);
            }
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + files);
        }
        write_result(args->output, output);
        if (!args->out_grad_input.empty()) write_result(args->out_grad_input, d_input);
        if (!args->out_grad_weight.empty()) write_result(args->out_grad_weight, d_weight);
        if (!args->out_grad_bias.empty()) write_result(args->out_grad_bias, d_bias);
    });
}

const OpCommand register_dense(add_dense_commands);

}  // namespace

}  // namespace hnn::cli
