// hnn op corr2d
#include "error.h"
#include "npy.h"
#include "op_common.h"
#include "ops.h"

namespace hnn::cli {

namespace {

void add_corr2d_commands(CLI::App &op) {
    auto *cmd = op.add_subcommand("corr2d", "d2l 7.2 cross-correlation: [H, W] * [kh, kw] -> [H-kh+1, W-kw+1]");
    auto args = add_op_flags(*cmd, "in");
    auto kernel = std::make_shared<std::string>();
    cmd->add_option("--kernel", *kernel, "Kernel array [kh, kw] (.npy)")->required();
    cmd->callback([args, kernel] {
        const Device device = parse_device(args->device);
        Tensor input = read_npy(args->input);
        Tensor k = read_npy(*kernel);
        Tensor output;
        try {
            output = corr2d_forward(input, k, device);
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (input " + args->input + ", kernel " + *kernel + ")");
        }
        write_result(args->output, output);
    });
}

const OpCommand register_corr2d(add_corr2d_commands);

}  // namespace

}  // namespace hnn::cli
