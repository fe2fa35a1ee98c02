// Gathers: a minibatch's rows picked out of a whole dataset by index, on the dataset's device,
// so that training can keep the dataset resident and move nothing per step. An index outside
// the dataset is clamped to its first or last row.
#pragma once
#include "device.h"
#include "loss.h"  // Labels
#include "tensor.h"

namespace hnn {

// source [N, ...], order [n] -> output [n, ...]: output[i] = source[order[i]]
void gather_rows(Tensor &output, const Tensor &source, const Labels &order, Device device);

// source [N, F] bytes (Halide order (F, N)), order [n] -> output [n, ...] with F floats per row:
// output[i] = source[order[i]] / 255, as the IDX loader scales them (CPU only).
void gather_bytes(Tensor &output, const Halide::Runtime::Buffer<uint8_t, 2> &source, const Labels &order);

// labels [N], order [n] -> output [n]: output[i] = labels[order[i]]
void gather_labels(Labels &output, const Labels &labels, const Labels &order, Device device);

}  // namespace hnn
