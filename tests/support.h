// Test support: the device under test, random tensors, comparison with named tolerances.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>

#include "device.h"
#include "error.h"
#include "tensor.h"

namespace hnn::test {

// The device this test binary checks: cpu in hnn_tests, cuda in hnn_cuda_tests.
Device device();

// Named tolerances: |got - want| <= absolute + relative * |want|, per op.
struct Tolerance {
    double absolute, relative;
};
constexpr Tolerance kCorr2dTolerance{1e-5, 1e-5};

inline Tensor random_tensor(const Shape &shape, std::mt19937 &rng, float low = -1.0f, float high = 1.0f) {
    Tensor t(shape);
    std::uniform_real_distribution<float> dist(low, high);
    for (int64_t i = 0; i < t.numel(); ++i) t.data()[i] = dist(rng);
    return t;
}

inline void check_close(const Tensor &got, const Tensor &want, Tolerance tol, const std::string &what) {
    INFO(what);
    REQUIRE(shape_string(got.shape()) == shape_string(want.shape()));
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < want.numel(); ++i) {
        const double g = got.data()[i], w = want.data()[i];
        if (!(std::fabs(g - w) <= tol.absolute + tol.relative * std::fabs(w))) {
            if (first < 0) first = i;
            ++bad;
        }
    }
    if (bad) {
        FAIL_CHECK(bad << " of " << want.numel() << " elements differ; first at flat index " << first << ": got "
                       << got.data()[first] << ", want " << want.data()[first]);
    }
}

inline void check_values(const Tensor &got, const Shape &shape, const std::vector<float> &want, const std::string &what) {
    check_close(got, Tensor::from_values(shape, want), Tolerance{1e-6, 1e-6}, what);
}

}  // namespace hnn::test
