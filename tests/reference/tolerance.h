// A named tolerance, |got - want| <= absolute + relative * |want|, and the one comparison
// that tests and `hnn bench kernels` both use.
#pragma once
#include <cmath>
#include <string>

#include "tensor.h"

namespace hnn::reference {

struct Tolerance {
    double absolute, relative;
};

// True when every element is within `tol`; otherwise false, with the count of mismatches and
// the first one in `message`. Shapes must agree.
inline bool within(const Tensor &got, const Tensor &want, Tolerance tol, std::string &message) {
    if (got.shape() != want.shape()) {
        message = "shape " + shape_string(got.shape()) + ", expected " + shape_string(want.shape());
        return false;
    }
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < want.numel(); ++i) {
        const double g = got.data()[i], w = want.data()[i];
        if (!(std::fabs(g - w) <= tol.absolute + tol.relative * std::fabs(w))) {
            if (first < 0) first = i;
            ++bad;
        }
    }
    if (bad == 0) return true;
    message = std::to_string(bad) + " of " + std::to_string(want.numel()) + " elements differ; first at flat index " +
              std::to_string(first) + ": got " + std::to_string(got.data()[first]) + ", want " +
              std::to_string(want.data()[first]);
    return false;
}

}  // namespace hnn::reference
