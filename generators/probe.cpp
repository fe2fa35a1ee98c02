// probe_variant: reports which variant of a multi-target library Halide's dispatcher chose.
// The CPU library is built for every HNN_CPU_TARGETS entry like every kernel, so the value it
// writes is exactly the variant the real kernels run on this machine.
#include "Halide.h"

namespace {
using namespace Halide;

class ProbeVariant : public Generator<ProbeVariant> {
public:
    Output<Buffer<int32_t, 1>> variant{"variant"};  // [1]: 3 avx512, 2 avx2, 1 sse4.1, 0 other; +10 cuda

    void generate() {
        const Target t = get_target();
        int code = t.has_feature(Target::AVX512_Skylake) ? 3 :
                   t.has_feature(Target::AVX2)           ? 2 :
                   t.has_feature(Target::SSE41)          ? 1 : 0;
        if (t.has_feature(Target::CUDA)) code += 10;
        Var i{"i"};
        variant(i) = code;
        variant.set_estimates({{0, 1}});
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(ProbeVariant, probe_variant)
