#include "ops.h"

#include "error.h"
#include "kernels.h"

namespace hnn {

Tensor corr2d_forward(const Tensor &input, const Tensor &kernel, Device device) {
    if (input.rank() != 2) throw Error("corr2d: input must be 2-D [H, W], got " + shape_string(input.shape()));
    if (kernel.rank() != 2) throw Error("corr2d: kernel must be 2-D [kh, kw], got " + shape_string(kernel.shape()));
    if (kernel.dim(0) > input.dim(0) || kernel.dim(1) > input.dim(1)) {
        throw Error("corr2d: kernel " + shape_string(kernel.shape()) + " is larger than input " +
                    shape_string(input.shape()));
    }
    const KernelTable &table = kernels(device);
    Tensor output({input.dim(0) - kernel.dim(0) + 1, input.dim(1) - kernel.dim(1) + 1});
    Tensor in = input, k = kernel;  // shares memory; a device copy stays with these handles
    check_kernel(table.corr2d_forward(in.raw(), k.raw(), output.raw()), "corr2d_forward");
    output.sync_to_host();
    return output;
}

}  // namespace hnn
