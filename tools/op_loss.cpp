// hnn op softmax_cross_entropy, hnn op mse
#include <cstdio>

#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

// The incoming scalar gradient of a loss: --grad-out (a 1-element array) or 1.
float read_d_loss(const std::string &path) {
    if (path.empty()) return 1.0f;
    Tensor d = read_npy(path);
    if (d.numel() != 1) throw Error(path + ": d_loss must hold one value, got shape " + shape_string(d.shape()));
    return d.data()[0];
}

void check_backward_outputs(const OpArgs &args, const char *op) {
    if (args.out_grad_input.empty()) throw Error(std::string(op) + " --backward needs --out-grad-in");
}

void add_loss_commands(CLI::App &op) {
    auto *ce = op.add_subcommand("softmax_cross_entropy",
                                 "PyTorch CrossEntropyLoss (mean): logits [N, C], labels [N] -> loss [1]; prints the "
                                 "loss and the rows whose argmax is the label");
    auto ce_args = add_op_flags(*ce, "in,labels,backward");
    ce->callback([ce_args] {
        const OpArgs &args = *ce_args;
        const Device device = parse_device(args.device);
        Tensor logits = read_npy(args.input);
        Labels labels = read_npy_labels(args.labels);
        Tensor loss({1}), d_logits;
        int correct = 0;
        try {
            correct = softmax_cross_entropy_forward(loss, logits, labels, device);
            if (args.backward) {
                check_backward_outputs(args, "softmax_cross_entropy");
                d_logits = Tensor(logits.shape());
                softmax_cross_entropy_backward(d_logits, logits, labels, device, read_d_loss(args.grad_output));
            }
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (logits " + args.input + ", labels " + args.labels + ")");
        }
        write_result(args.output, loss);
        if (args.backward) write_result(args.out_grad_input, d_logits);
        std::printf("loss %.7g correct %d of %d\n", loss.data()[0], correct, logits.dim(0));
    });

    auto *mse_cmd = op.add_subcommand("mse", "PyTorch MSELoss (mean): prediction, target [same shape] -> loss [1]");
    auto mse_args = add_op_flags(*mse_cmd, "in,target,backward");
    mse_cmd->callback([mse_args] {
        const OpArgs &args = *mse_args;
        const Device device = parse_device(args.device);
        Tensor prediction = read_npy(args.input);
        Tensor target = read_npy(args.target);
        Tensor loss({1}), d_prediction;
        try {
            mse_forward(loss, prediction, target, device);
            if (args.backward) {
                check_backward_outputs(args, "mse");
                d_prediction = Tensor(prediction.shape());
                mse_backward(d_prediction, prediction, target, device, read_d_loss(args.grad_output));
            }
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (prediction " + args.input + ", target " + args.target + ")");
        }
        write_result(args.output, loss);
        if (args.backward) write_result(args.out_grad_input, d_prediction);
        std::printf("loss %.7g\n", loss.data()[0]);
    });
}

const OpCommand register_loss(add_loss_commands);

}  // namespace

}  // namespace hnn::cli
