// Helpers shared by the generators: schedule keys and tail handling.
#pragma once
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

}  // namespace hnn_gen
