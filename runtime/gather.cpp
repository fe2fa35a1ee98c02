#include "gather.h"

#include <string>

#include "error.h"
#include "gather_bytes_cpu.h"
#include "gather_labels_cpu.h"
#include "gather_labels_cuda.h"
#include "gather_rows_cpu.h"
#include "gather_rows_cuda.h"
#include "kernels.h"

namespace hnn {

namespace {

using RowsKernel = int (*)(halide_buffer_t *source, halide_buffer_t *order, halide_buffer_t *output);
using LabelsKernel = int (*)(halide_buffer_t *labels, halide_buffer_t *order, halide_buffer_t *output);
struct GatherKernels {
    RowsKernel rows;
    LabelsKernel labels;
};
const GatherKernels cpu_kernels{gather_rows_cpu, gather_labels_cpu};
const GatherKernels cuda_kernels{gather_rows_cuda, gather_labels_cuda};

halide_buffer_t *raw(const Labels &labels) { return const_cast<Labels &>(labels).raw_buffer(); }

// One index per output row, as a 1-D buffer.
void check_order(const char *op, const Labels &order, int rows) {
    if (order.dimensions() != 1 || order.dim(0).extent() != rows) {
        throw Error(std::string(op) + ": " + std::to_string(rows) + " output rows need as many indices, got " +
                    std::to_string(order.dimensions() == 1 ? order.dim(0).extent() : -1));
    }
}

}  // namespace

void gather_rows(Tensor &output, const Tensor &source, const Labels &order, Device device) {
    if (output.rank() < 1 || source.rank() != output.rank() ||
        !std::equal(source.shape().begin() + 1, source.shape().end(), output.shape().begin() + 1)) {
        throw Error("gather_rows: output is " + shape_string(output.shape()) + " but source rows are " +
                    shape_string(source.shape()));
    }
    check_order("gather_rows", order, output.dim(0));
    const GatherKernels &k = for_device(device, cpu_kernels, cuda_kernels);
    DenseView src(source.raw(), source.dim(0)), out(output.raw(), output.dim(0));
    check_kernel(k.rows(src.raw(), raw(order), out.raw()), "gather_rows");
}

void gather_bytes(Tensor &output, const Halide::Runtime::Buffer<uint8_t, 2> &source, const Labels &order) {
    const int64_t per_row = output.rank() >= 1 && output.dim(0) > 0 ? output.numel() / output.dim(0) : -1;
    if (output.rank() < 1 || source.dimensions() != 2 || source.dim(0).extent() != per_row) {
        throw Error("gather_bytes: output is " + shape_string(output.shape()) + " but source rows have " +
                    std::to_string(source.dimensions() == 2 ? source.dim(0).extent() : -1) + " bytes");
    }
    check_order("gather_bytes", order, output.dim(0));
    DenseView out(output.raw(), output.dim(0));
    check_kernel(gather_bytes_cpu(const_cast<Halide::Runtime::Buffer<uint8_t, 2> &>(source).raw_buffer(), raw(order), out.raw()),
                 "gather_bytes");
}

void gather_labels(Labels &output, const Labels &labels, const Labels &order, Device device) {
    if (order.dimensions() != 1 || output.dimensions() != 1 || order.dim(0).extent() != output.dim(0).extent()) {
        throw Error("gather_labels: the output and the indices must be [n] and of one length");
    }
    const GatherKernels &k = for_device(device, cpu_kernels, cuda_kernels);
    check_kernel(k.labels(raw(labels), raw(order), output.raw_buffer()), "gather_labels");
}

}  // namespace hnn
