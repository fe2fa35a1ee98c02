// Losses with PyTorch's defaults (reduction='mean'): softmax cross-entropy (CrossEntropyLoss
// on logits with integer labels) and mean squared error (MSELoss). The loss is a [1] tensor.
#pragma once
#include <HalideBuffer.h>

#include <cstdint>

#include "device.h"
#include "tensor.h"

namespace hnn {

using Labels = Halide::Runtime::Buffer<int32_t>;  // [N] class indices, 0 <= label < C

// A [N] label buffer from values (tests, small examples).
Labels make_labels(const std::vector<int32_t> &values);

// logits [N, C], labels [N] -> loss [1] = mean_n(logsumexp(logits_n) - logits_n[label_n]);
// returns the number of rows whose first argmax equals the label.
int softmax_cross_entropy_forward(Tensor &loss, const Tensor &logits, const Labels &labels, Device device);
// The same, leaving the count in `correct` [1] on the device (no copy back: a training step
// reads its loss and count only when they are printed).
void softmax_cross_entropy_forward(Tensor &loss, Labels &correct, const Tensor &logits, const Labels &labels,
                                   Device device);
struct CrossEntropyResult {
    float loss;
    int correct;
};
CrossEntropyResult softmax_cross_entropy(const Tensor &logits, const Labels &labels, Device device = Device::cpu);

// logits [N, C], labels [N], d_loss -> d_logits [N, C] = (softmax(logits) - onehot) * d_loss / N
void softmax_cross_entropy_backward(Tensor &d_logits, const Tensor &logits, const Labels &labels, Device device,
                                    float d_loss = 1.0f);

// prediction [any shape], target [same shape] -> loss [1] = mean((prediction - target)^2)
void mse_forward(Tensor &loss, const Tensor &prediction, const Tensor &target, Device device);
float mse(const Tensor &prediction, const Tensor &target, Device device = Device::cpu);

// prediction, target [same shape], d_loss -> d_prediction [same] = 2 (prediction - target) d_loss / numel
void mse_backward(Tensor &d_prediction, const Tensor &prediction, const Tensor &target, Device device,
                  float d_loss = 1.0f);

}  // namespace hnn
