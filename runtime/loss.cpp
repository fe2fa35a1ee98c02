#include "loss.h"

#include "error.h"
#include "kernels.h"
#include "mse_backward_cpu.h"
#include "mse_backward_cuda.h"
#include "mse_forward_cpu.h"
#include "mse_forward_cuda.h"
#include "softmax_cross_entropy_backward_cpu.h"
#include "softmax_cross_entropy_backward_cuda.h"
#include "softmax_cross_entropy_forward_cpu.h"
#include "softmax_cross_entropy_forward_cuda.h"

namespace hnn {

namespace {

struct LossKernels {
    int (*cross_entropy_forward)(halide_buffer_t *logits, halide_buffer_t *labels, halide_buffer_t *loss,
                                 halide_buffer_t *correct);
    int (*cross_entropy_backward)(halide_buffer_t *logits, halide_buffer_t *labels, float d_loss,
                                  halide_buffer_t *d_logits);
    int (*mse_forward)(halide_buffer_t *prediction, halide_buffer_t *target, halide_buffer_t *loss);
    int (*mse_backward)(halide_buffer_t *prediction, halide_buffer_t *target, float d_loss,
                        halide_buffer_t *d_prediction);
};
const LossKernels cpu_kernels{softmax_cross_entropy_forward_cpu, softmax_cross_entropy_backward_cpu, mse_forward_cpu,
                              mse_backward_cpu};
const LossKernels cuda_kernels{softmax_cross_entropy_forward_cuda, softmax_cross_entropy_backward_cuda,
                               mse_forward_cuda, mse_backward_cuda};

const LossKernels &kernels_for(Device device) { return for_device(device, cpu_kernels, cuda_kernels); }

halide_buffer_t *raw(const Labels &labels) { return const_cast<Labels &>(labels).raw_buffer(); }

// Logits must be [N, C] and labels [N] with 0 <= label < C (checked on the host).
void check_cross_entropy(const Tensor &logits, const Labels &labels) {
    if (logits.rank() != 2) throw Error("softmax_cross_entropy: logits must be 2-D [N, C], got " + shape_string(logits.shape()));
    if (labels.dimensions() != 1 || labels.dim(0).extent() != logits.dim(0)) {
        Shape label_shape;
        for (int d = labels.dimensions() - 1; d >= 0; --d) label_shape.push_back(labels.dim(d).extent());
        throw Error("softmax_cross_entropy: labels " + shape_string(label_shape) + " do not match logits " +
                    shape_string(logits.shape()) + " (expected (" + std::to_string(logits.dim(0)) + ",))");
    }
    Labels &host = const_cast<Labels &>(labels);
    if (host.device_dirty()) host.copy_to_host();
    const int classes = logits.dim(1);
    for (int n = 0; n < labels.dim(0).extent(); ++n) {
        const int32_t label = labels(n);
        if (label < 0 || label >= classes) {
            throw Error("softmax_cross_entropy: label " + std::to_string(n) + " is " + std::to_string(label) +
                        ", outside [0, " + std::to_string(classes) + ") for logits " + shape_string(logits.shape()));
        }
    }
}

// A tensor as [rows, cols]: itself when 2-D, else a view kept in `view` (host data: a device
// result is copied back first; values never change).
const Tensor &as_matrix(const Tensor &t, Tensor &view) {
    if (t.rank() == 2) return t;
    const_cast<Tensor &>(t).sync_to_host();
    const int cols = t.rank() == 0 ? 1 : t.dim(t.rank() - 1);
    view = t.reshaped({static_cast<int>(t.numel() / cols), cols});
    return view;
}

void check_mse(const Tensor &prediction, const Tensor &target) {
    if (prediction.shape() != target.shape()) {
        throw Error("mse: target " + shape_string(target.shape()) + " does not match prediction " +
                    shape_string(prediction.shape()));
    }
}

}  // namespace

Labels make_labels(const std::vector<int32_t> &values) {
    Labels labels(static_cast<int>(values.size()));
    for (size_t i = 0; i < values.size(); ++i) labels(static_cast<int>(i)) = values[i];
    return labels;
}

void softmax_cross_entropy_forward(Tensor &loss, Labels &correct, const Tensor &logits, const Labels &labels,
                                   Device device) {
    check_cross_entropy(logits, labels);
    if (loss.numel() != 1) throw Error("softmax_cross_entropy: loss is " + shape_string(loss.shape()) + ", expected (1,)");
    if (correct.dimensions() != 1 || correct.dim(0).extent() != 1) throw Error("softmax_cross_entropy: correct must be [1]");
    check_kernel(kernels_for(device).cross_entropy_forward(logits.raw(), raw(labels), loss.raw(), correct.raw_buffer()),
                 "softmax_cross_entropy_forward");
}

int softmax_cross_entropy_forward(Tensor &loss, const Tensor &logits, const Labels &labels, Device device) {
    Labels correct(1);
    softmax_cross_entropy_forward(loss, correct, logits, labels, device);
    if (correct.device_dirty()) correct.copy_to_host();
    return correct(0);
}

CrossEntropyResult softmax_cross_entropy(const Tensor &logits, const Labels &labels, Device device) {
    Tensor loss({1});
    const int correct = softmax_cross_entropy_forward(loss, logits, labels, device);
    loss.sync_to_host();
    return {loss.data()[0], correct};
}

void softmax_cross_entropy_backward(Tensor &d_logits, const Tensor &logits, const Labels &labels, Device device,
                                    float d_loss) {
    check_cross_entropy(logits, labels);
    if (d_logits.shape() != logits.shape()) {
        throw Error("softmax_cross_entropy: d_logits is " + shape_string(d_logits.shape()) + ", expected " +
                    shape_string(logits.shape()));
    }
    check_kernel(kernels_for(device).cross_entropy_backward(logits.raw(), raw(labels), d_loss, d_logits.raw()),
                 "softmax_cross_entropy_backward");
}

void mse_forward(Tensor &loss, const Tensor &prediction, const Tensor &target, Device device) {
    check_mse(prediction, target);
    if (loss.numel() != 1) throw Error("mse: loss is " + shape_string(loss.shape()) + ", expected (1,)");
    Tensor p_view, t_view;
    const Tensor &p = as_matrix(prediction, p_view), &t = as_matrix(target, t_view);
    check_kernel(kernels_for(device).mse_forward(p.raw(), t.raw(), loss.raw()), "mse_forward");
}

float mse(const Tensor &prediction, const Tensor &target, Device device) {
    Tensor loss({1});
    mse_forward(loss, prediction, target, device);
    loss.sync_to_host();
    return loss.data()[0];
}

void mse_backward(Tensor &d_prediction, const Tensor &prediction, const Tensor &target, Device device, float d_loss) {
    check_mse(prediction, target);
    if (d_prediction.shape() != prediction.shape()) {
        throw Error("mse: d_prediction is " + shape_string(d_prediction.shape()) + ", expected " +
                    shape_string(prediction.shape()));
    }
    Tensor p_view, t_view;
    const Tensor &p = as_matrix(prediction, p_view), &t = as_matrix(target, t_view);
    if (d_prediction.rank() == 2) {
        check_kernel(kernels_for(device).mse_backward(p.raw(), t.raw(), d_loss, d_prediction.raw()), "mse_backward");
    } else {
        d_prediction.sync_to_host();
        Tensor flat_storage;
        Tensor flat = as_matrix(d_prediction, flat_storage);
        check_kernel(kernels_for(device).mse_backward(p.raw(), t.raw(), d_loss, flat.raw()), "mse_backward");
        flat.sync_to_host();
        d_prediction.buffer().set_host_dirty();
    }
}

}  // namespace hnn
