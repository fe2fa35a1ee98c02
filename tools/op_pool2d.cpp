// hnn op pool2d
#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

void add_pool2d_commands(CLI::App &op) {
    auto *cmd = op.add_subcommand(
        "pool2d", "d2l 7.5 max/average pooling (PyTorch MaxPool2d/AvgPool2d): [N, C, H, W] or [H, W] -> "
                  "[N, C, (H+2ph-kh)/sh+1, (W+2pw-kw)/sw+1]; --stride defaults to the window");
    auto args = add_op_flags(*cmd, "in,window,stride,padding,mode,backward");
    args->stride = "0,0";  // 0 = the window, as in PyTorch
    cmd->get_option("--stride")->default_str("window");
    cmd->get_option("--out")->required(false)->description("Where to write the pooled result (.npy); forward only");
    cmd->callback([args] {
        const Device device = parse_device(args->device);
        Pool2dParams params;
        params.mode = parse_pool_mode(args->mode);
        params.window = parse_pair(args->window, "--window");
        params.stride = parse_pair(args->stride, "--stride");
        params.padding = parse_pair(args->padding, "--padding");
        if (args->backward) {
            if (args->grad_output.empty() || args->out_grad_input.empty()) {
                throw Error("pool2d --backward needs --grad-out (d_output) and --out-grad-in (where to write d_input)");
            }
        } else if (args->output.empty()) {
            throw Error("pool2d needs --out (or --backward with --grad-out and --out-grad-in)");
        }
        Tensor input = read_npy(args->input);
        // d2l's single-channel pool2d: a 2-D [H, W] input is one (1, 1, H, W) plane.
        const bool plane = input.rank() == 2;
        if (plane) input = input.reshaped({1, 1, input.dim(0), input.dim(1)});
        const std::string files = " (input " + args->input + (args->backward ? ", d_output " + args->grad_output : "") + ")";
        Tensor result;
        try {
            if (args->backward) {
                Tensor d_output = read_npy(args->grad_output);
                if (plane && d_output.rank() == 2) d_output = d_output.reshaped({1, 1, d_output.dim(0), d_output.dim(1)});
                result = pool2d_backward(d_output, input, params, device);
            } else {
                result = pool2d_forward(input, params, device);
            }
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + files);
        }
        if (plane) result = result.reshaped({result.dim(2), result.dim(3)});
        write_result(args->backward ? args->out_grad_input : args->output, result);
    });
}

const OpCommand register_pool2d(add_pool2d_commands);

}  // namespace

}  // namespace hnn::cli
