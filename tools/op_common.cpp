#include "op_common.h"

#include <vector>

#include "error.h"
#include "npy.h"

namespace hnn::cli {

namespace {
std::vector<void (*)(CLI::App &)> &registry() {
    static std::vector<void (*)(CLI::App &)> adds;
    return adds;
}
}  // namespace

OpCommand::OpCommand(void (*add)(CLI::App &op)) { registry().push_back(add); }

void add_registered_op_commands(CLI::App &op) {
    for (auto add : registry()) add(op);
}

std::shared_ptr<OpArgs> add_op_flags(CLI::App &cmd, const std::string &flags) {
    auto args = std::make_shared<OpArgs>();
    auto has = [&](const std::string &name) { return ("," + flags + ",").find("," + name + ",") != std::string::npos; };
    if (has("in")) cmd.add_option("--in", args->input, "Input array (.npy)")->required();
    if (has("weight")) cmd.add_option("--weight", args->weight, "Weight array (.npy)")->required();
    if (has("bias")) cmd.add_option("--bias", args->bias, "Bias array (.npy); omitted = no bias");
    if (has("labels")) cmd.add_option("--labels", args->labels, "Integer class labels [N] (.npy: int32, int64 or float32)")->required();
    if (has("target")) cmd.add_option("--target", args->target, "Target values (.npy)")->required();
    if (has("stride")) cmd.add_option("--stride", args->stride, "Stride 'sh,sw' or 's'")->capture_default_str();
    if (has("padding")) cmd.add_option("--padding", args->padding, "Zero padding 'ph,pw' or 'p'")->capture_default_str();
    if (has("window")) cmd.add_option("--window", args->window, "Pooling window 'kh,kw' or 'k'")->required();
    if (has("mode")) cmd.add_option("--mode", args->mode, "max or avg")->capture_default_str()->check(CLI::IsMember({"max", "avg"}));
    if (has("activation")) {
        cmd.add_option("--activation", args->activation, "Fused activation: none, relu, sigmoid")->capture_default_str();
    }
    cmd.add_option("--out", args->output, "Where to write the result (.npy)")->required();
    cmd.add_option("--device", args->device, "cpu or cuda")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda"}));
    if (has("backward")) {
        cmd.add_flag("--backward", args->backward, "Run the backward kernels instead (needs --grad-out)");
        cmd.add_option("--grad-out", args->grad_output, "Gradient of the loss w.r.t. the op's output (.npy)");
        cmd.add_option("--out-grad-in", args->out_grad_input, "Where to write d_input (.npy)");
        cmd.add_option("--out-grad-weight", args->out_grad_weight, "Where to write d_weight (.npy)");
        cmd.add_option("--out-grad-bias", args->out_grad_bias, "Where to write d_bias (.npy)");
    }
    return args;
}

std::array<int, 2> parse_pair(const std::string &text, const std::string &flag) {
    std::array<int, 2> pair{};
    try {
        size_t used = 0;
        pair[0] = std::stoi(text, &used);
        if (used == text.size()) {
            pair[1] = pair[0];
        } else {
            if (text[used] != ',') throw std::invalid_argument(text);
            const std::string rest = text.substr(used + 1);
            size_t used2 = 0;
            pair[1] = std::stoi(rest, &used2);
            if (used2 != rest.size()) throw std::invalid_argument(text);
        }
    } catch (const std::exception &) {
        throw Error(flag + " '" + text + "': expected two integers 'a,b' or one 'a'");
    }
    return pair;
}

void write_result(const std::string &path, Tensor &tensor) {
    tensor.sync_to_host();
    write_npy(path, tensor);
}

}  // namespace hnn::cli
