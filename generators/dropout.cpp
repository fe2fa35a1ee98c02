// Dropout (PyTorch's nn.Dropout in training mode): y = x * keep / (1 - p), where keep is 0 with
// probability p. The mask is never stored: keep is a counter-based hash of (seed, element
// index), so the backward pass (d_x = d_y * keep / (1 - p)) is the same kernel run on d_y with
// the same seed, and the CPU and CUDA kernels draw the same mask.
#include "common.h"

namespace {
using namespace Halide;

Expr u32(uint64_t value) { return Internal::make_const(UInt(32), value); }

// A 32-bit integer finaliser (Wellons' lowbias32): every input bit flips each output bit with
// probability close to 1/2, so consecutive indices give independent-looking draws.
Expr mix32(Expr h) {
    h = h ^ (h >> 16);
    h = h * u32(0x7feb352d);
    h = h ^ (h >> 15);
    h = h * u32(0x846ca68b);
    return h ^ (h >> 16);
}

// The draw for element `index` under `seed`: uniform on [0, 1) in steps of 2^-24.
Expr uniform01(Expr index, Expr seed) {
    Expr h = mix32(cast<uint32_t>(index) * u32(0x9e3779b9) + mix32(seed));
    return cast<float>(h >> 8) * (1.0f / 16777216.0f);
}

// output = input * keep(index) / (1 - p); shapes: input [n], output [n]; 0 <= p <= 1
class Dropout : public Generator<Dropout> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> elements_per_task{"elements_per_task", 16384};
    GeneratorParam<int> gpu_threads{"gpu_threads", 256};

    Input<Buffer<float, 1>> input{"input"};
    Input<uint32_t> seed{"seed"};
    Input<float> p{"p"};  // the probability of zeroing an element
    Output<Buffer<float, 1>> output{"output"};

    Var x{"x"};

    void generate() {
        // p = 1 drops everything (PyTorch returns zeros rather than 0 * inf).
        Expr scale = select(p < 1.0f, 1.0f / (1.0f - p), 0.0f);
        output(x) = select(uniform01(x, seed) >= p, input(x) * scale, 0.0f);

        input.set_estimates({{0, 1 << 20}});
        output.set_estimates({{0, 1 << 20}});
        seed.set_estimate(0);
        p.set_estimate(0.5f);

        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            hnn_gen::schedule_elementwise_cuda(output, gpu_threads);
        } else {
            hnn_gen::schedule_elementwise_x86(output, output.dim(0).extent(),
                                              hnn_gen::vector_lanes(get_target(), vector_width), elements_per_task);
        }
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(Dropout, dropout)
