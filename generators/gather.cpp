// Gather: the rows of a minibatch picked out of a whole dataset by index, so a dataset can stay
// resident on the device and a training step moves no data (the indices are one upload per
// epoch). Indices are clamped into the dataset, so a bad index cannot read out of bounds.
#include "common.h"

namespace {
using namespace Halide;

// output[i, :] = source[order[i], :]; shapes: source [N, F], order [n], output [n, F]
class GatherRows : public Generator<GatherRows> {
public:
    GeneratorParam<int> vector_width{"vector_width", 0};
    GeneratorParam<int> rows_per_task{"rows_per_task", 16};

    Input<Buffer<float, 2>> source{"source"};  // Halide order: (f, row)
    Input<Buffer<int32_t, 1>> order{"order"};
    Output<Buffer<float, 2>> output{"output"};

    Var f{"f"}, i{"i"}, io{"io"}, ii{"ii"}, fo{"fo"}, fi{"fi"};

    void generate() {
        Expr row = clamp(order(i), 0, source.dim(1).extent() - 1);
        output(f, i) = source(f, row);

        source.set_estimates({{0, 784}, {0, 60000}});
        order.set_estimates({{0, 128}});
        output.set_estimates({{0, 784}, {0, 128}});
        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) {
            output.gpu_tile(f, i, fo, io, fi, ii, 32, 8, TailStrategy::GuardWithIf);
        } else {
            const int lanes = hnn_gen::vector_lanes(get_target(), vector_width);
            output.split(i, io, ii, rows_per_task, TailStrategy::GuardWithIf).parallel(io);
            output.specialize(output.dim(0).extent() >= lanes).vectorize(f, lanes, TailStrategy::ShiftInwards);
        }
    }
};

// output[i, :] = source[order[i], :] / 255 from a dataset kept as its bytes (IDX images): a
// quarter of the gather's reads from memory (the rows are picked at random out of 47 MB, not
// 188 MB of floats). The division is IEEE's (strict_float), so every pixel is the float the
// loader's pixel / 255.0f gives, to the bit. CPU only (a CUDA device keeps the floats).
// shapes: source [N, F] bytes, order [n], output [n, F]
class GatherBytes : public Generator<GatherBytes> {
public:
    GeneratorParam<int> rows_per_task{"rows_per_task", 16};

    Input<Buffer<uint8_t, 2>> source{"source"};  // Halide order: (f, row)
    Input<Buffer<int32_t, 1>> order{"order"};
    Output<Buffer<float, 2>> output{"output"};

    Var f{"f"}, i{"i"}, io{"io"}, ii{"ii"};

    void generate() {
        if (get_target().has_gpu_feature()) throw std::runtime_error("gather_bytes is a CPU kernel");
        Expr row = clamp(order(i), 0, source.dim(1).extent() - 1);
        output(f, i) = strict_float(cast<float>(source(f, row)) / 255.0f);

        source.set_estimates({{0, 784}, {0, 60000}});
        order.set_estimates({{0, 128}});
        output.set_estimates({{0, 784}, {0, 128}});
        if (using_autoscheduler()) return;
        const int lanes = hnn_gen::natural_float_lanes(get_target());
        output.split(i, io, ii, rows_per_task, TailStrategy::GuardWithIf).parallel(io);
        output.specialize(output.dim(0).extent() >= lanes).vectorize(f, lanes, TailStrategy::ShiftInwards);
    }
};

// output[i] = labels[order[i]]; shapes: labels [N], order [n], output [n]
class GatherLabels : public Generator<GatherLabels> {
public:
    Input<Buffer<int32_t, 1>> labels{"labels"};
    Input<Buffer<int32_t, 1>> order{"order"};
    Output<Buffer<int32_t, 1>> output{"output"};

    Var i{"i"}, io{"io"}, ii{"ii"};

    void generate() {
        output(i) = labels(clamp(order(i), 0, labels.dim(0).extent() - 1));

        labels.set_estimates({{0, 60000}});
        order.set_estimates({{0, 128}});
        output.set_estimates({{0, 128}});
        if (using_autoscheduler()) return;
        if (get_target().has_gpu_feature()) output.gpu_tile(i, io, ii, 128, TailStrategy::GuardWithIf);
    }
};

}  // namespace

HALIDE_REGISTER_GENERATOR(GatherRows, gather_rows)
HALIDE_REGISTER_GENERATOR(GatherLabels, gather_labels)
HALIDE_REGISTER_GENERATOR(GatherBytes, gather_bytes)
