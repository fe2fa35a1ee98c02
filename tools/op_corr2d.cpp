// hnn op corr2d
#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

void add_corr2d_commands(CLI::App &op) {
    auto *cmd = op.add_subcommand("corr2d", "d2l 7.2 cross-correlation: [H, W] * [kh, kw] -> [H-kh+1, W-kw+1]; --backward: "
                                            "--out-grad-weight writes d_kernel");
    auto args = add_op_flags(*cmd, "in,backward");
    auto kernel = std::make_shared<std::string>();
    cmd->add_option("--kernel", *kernel, "Kernel array [kh, kw] (.npy)")->required();
    cmd->callback([args, kernel] {
        const Device device = parse_device(args->device);
        Tensor input = read_npy(args->input);
        Tensor k = read_npy(*kernel);
        if (args->backward) {
            if (args->grad_output.empty()) throw Error("corr2d --backward needs --grad-out");
            if (!args->out_grad_bias.empty()) throw Error("corr2d has no bias: --out-grad-bias does not apply");
            if (args->out_grad_input.empty() && args->out_grad_weight.empty()) {
                throw Error("corr2d --backward needs --out-grad-in and/or --out-grad-weight (d_kernel)");
            }
        }
        // Everything is computed before anything is written.
        Tensor output, d_input, d_kernel;
        try {
            output = corr2d_forward(input, k, device);
            if (args->backward) {
                Tensor d_output = read_npy(args->grad_output);
                if (!args->out_grad_input.empty()) d_input = Tensor(input.shape());
                if (!args->out_grad_weight.empty()) d_kernel = Tensor(k.shape());
                corr2d_backward(args->out_grad_input.empty() ? nullptr : &d_input,
                                args->out_grad_weight.empty() ? nullptr : &d_kernel, d_output, input, k, device);
            }
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (input " + args->input + ", kernel " + *kernel +
                        (args->backward ? ", grad-out " + args->grad_output : "") + ")");
        }
        write_result(args->output, output);
        if (!args->out_grad_input.empty()) write_result(args->out_grad_input, d_input);
        if (!args->out_grad_weight.empty()) write_result(args->out_grad_weight, d_kernel);
    });
}

const OpCommand register_corr2d(add_corr2d_commands);

}  // namespace

}  // namespace hnn::cli
