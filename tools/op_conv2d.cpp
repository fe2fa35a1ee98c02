// hnn op conv2d, hnn op conv1x1
#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

// Everything computed before anything is written, so an error leaves no output file.
void run_conv(const OpArgs &args, bool one_by_one) {
    const Device device = parse_device(args.device);
    Tensor input = read_npy(args.input);
    Tensor weight = read_npy(args.weight);
    Tensor bias;
    if (!args.bias.empty()) bias = read_npy(args.bias);
    const Tensor *b = args.bias.empty() ? nullptr : &bias;
    Conv2dParams params;
    const auto stride = parse_pair(args.stride, "--stride"), padding = parse_pair(args.padding, "--padding");
    params.stride_h = stride[0];
    params.stride_w = stride[1];
    params.padding_h = padding[0];
    params.padding_w = padding[1];
    params.activation = parse_activation(args.activation);
    const char *op = one_by_one ? "conv1x1" : "conv2d";
    if (one_by_one && (params.stride_h != 1 || params.stride_w != 1 || params.padding_h != 0 || params.padding_w != 0 ||
                       params.activation != Activation::none)) {
        throw Error("conv1x1 has stride 1, no padding and no fused activation; use hnn op conv2d for those");
    }
    const std::string files = " (input " + args.input + ", weight " + args.weight + (b ? ", bias " + args.bias : "") + ")";
    if (args.backward) {
        if (args.grad_output.empty()) throw Error(std::string(op) + " --backward needs --grad-out");
        if (args.out_grad_input.empty() && args.out_grad_weight.empty() && args.out_grad_bias.empty()) {
            throw Error(std::string(op) + " --backward needs at least one of --out-grad-in, --out-grad-weight, --out-grad-bias");
        }
    }
    Tensor output, d_input, d_weight, d_bias;
    try {
        output = one_by_one ? conv1x1_forward(input, weight, b, device) : conv2d_forward(input, weight, b, params, device);
        if (args.backward) {
            Tensor d_output = read_npy(args.grad_output);
            if (d_output.shape() != output.shape()) {
                throw Error(std::string(op) + ": --grad-out " + args.grad_output + " is " + shape_string(d_output.shape()) +
                            " but the output is " + shape_string(output.shape()));
            }
            if (!args.out_grad_input.empty()) d_input = Tensor(input.shape());
            if (!args.out_grad_weight.empty()) d_weight = Tensor(weight.shape());
            if (!args.out_grad_bias.empty()) d_bias = Tensor({weight.dim(0)});
            Tensor *dx = args.out_grad_input.empty() ? nullptr : &d_input;
            Tensor *dw = args.out_grad_weight.empty() ? nullptr : &d_weight;
            Tensor *db = args.out_grad_bias.empty() ? nullptr : &d_bias;
            if (one_by_one) {
                conv1x1_backward(dx, dw, db, d_output, input, weight, device);
            } else {
                conv2d_backward(dx, dw, db, d_output, input, weight, output, params, device);
            }
        }
    } catch (const Error &e) {
        throw Error(std::string(e.what()) + files);
    }
    write_result(args.output, output);
    if (!args.out_grad_input.empty()) write_result(args.out_grad_input, d_input);
    if (!args.out_grad_weight.empty()) write_result(args.out_grad_weight, d_weight);
    if (!args.out_grad_bias.empty()) write_result(args.out_grad_bias, d_bias);
}

void add_conv2d_commands(CLI::App &op) {
    auto *conv = op.add_subcommand(
        "conv2d", "Conv2d, NCHW: [N, Ci, H, W] * [Co, Ci, kh, kw] (+ [Co]) -> [N, Co, OH, OW], fused activation");
    auto conv_args = add_op_flags(*conv, "in,weight,bias,stride,padding,activation,backward");
    conv->callback([conv_args] { run_conv(*conv_args, false); });

    auto *one = op.add_subcommand("conv1x1", "1x1 convolution as a matrix product: [N, Ci, H, W] * [Co, Ci, 1, 1] (+ [Co])");
    auto one_args = add_op_flags(*one, "in,weight,bias,backward");
    one->callback([one_args] { run_conv(*one_args, true); });
}

const OpCommand register_conv2d(add_conv2d_commands);

}  // namespace

}  // namespace hnn::cli
