// Test support: the device under test, random tensors, comparison with named tolerances.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "reference/tolerance.h"
#include "device.h"
#include "error.h"
#include "tensor.h"

namespace hnn::test {

// The device this test binary checks: cpu in hnn_tests, cuda in hnn_cuda_tests.
Device device();

using reference::Tolerance;  // each op's tolerances are named beside its reference

inline Tensor random_tensor(const Shape &shape, std::mt19937 &rng, float low = -1.0f, float high = 1.0f) {
    Tensor t(shape);
    std::uniform_real_distribution<float> dist(low, high);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = dist(rng);
    return t;
}

inline void check_close(const Tensor &got, const Tensor &want, Tolerance tol, const std::string &what) {
    INFO(what);
    std::string message;
    if (!reference::within(got, want, tol, message)) FAIL_CHECK(message);
}

inline void check_values(const Tensor &got, const Shape &shape, const std::vector<float> &want, const std::string &what) {
    check_close(got, Tensor::from_values(shape, want), Tolerance{1e-6, 1e-6}, what);
}

}  // namespace hnn::test
