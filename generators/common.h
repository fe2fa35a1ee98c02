// Helpers shared by the generators: schedule keys and tail handling.
#pragma once
#include <algorithm>

#include "Halide.h"

namespace hnn_gen {

// Float lanes of the widest vector the target has (16 on AVX-512, 8 on AVX2, 4 on SSE).
inline int natural_float_lanes(const Halide::Target &t) {
    return t.natural_vector_size<float>();
}

// The vector width a schedule uses: the GeneratorParam when set (> 0), else the natural one.
inline int vector_lanes(const Halide::Target &t, int param) {
    return param > 0 ? param : natural_float_lanes(t);
}

// CPU schedule of a 1-D elementwise output: tasks of `elements_per_task` contiguous elements,
// vectors inside; outputs shorter than one vector run scalar, so no size reads out of bounds.
inline void schedule_elementwise_x86(Halide::Func output, Halide::Expr extent, int lanes, int elements_per_task) {
    Halide::Var x = output.args()[0], xo{"xo"}, xi{"xi"};
    const int task = std::max(lanes, elements_per_task / lanes * lanes);
    // Tasks shift inwards at the end: the last one overlaps its neighbour and writes the same
    // values twice, harmless for an elementwise op.
    output.specialize(extent >= task)
        .split(x, xo, xi, task, Halide::TailStrategy::ShiftInwards)
        .parallel(xo)
        .vectorize(xi, lanes);
    output.specialize(extent >= lanes).vectorize(x, lanes, Halide::TailStrategy::ShiftInwards);
}

// d_z = d_output * act'(z), from the forward's output y = act(z): relu -> (y > 0), sigmoid ->
// y (1 - y), none -> 1. activation is a run-time 0 none, 1 relu, 2 sigmoid (hnn::Activation's
// order), as the conv kernels take it.
inline Halide::Expr activation_gradient(Halide::Expr out, Halide::Expr grad, Halide::Expr activation) {
    using Halide::select;
    return select(activation == 1, select(out > 0.0f, grad, 0.0f), activation == 2, grad * out * (1.0f - out), grad);
}

// CUDA: one thread per element in 1-D blocks.
inline void schedule_elementwise_cuda(Halide::Func output, int threads) {
    Halide::Var x = output.args()[0], xo{"xo"}, xi{"xi"};
    output.gpu_tile(x, xo, xi, threads, Halide::TailStrategy::GuardWithIf);
}

}  // namespace hnn_gen
