// Naive reference for pool2d (max, average) (forward and backward), and its named tolerances.
#pragma once
#include <cmath>
#include <limits>

#include "ops.h"  // the runtime's header of the same name
#include "tensor.h"
#include "tolerance.h"

namespace hnn::reference {

// Max is exact (it picks an element); average sums kh*kw floats in another order than double.
constexpr Tolerance kPool2dTolerance{1e-6, 1e-5};
constexpr Tolerance kPool2dGradientTolerance{1e-6, 1e-5};

struct Pool2dGeometry {
    int N, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW;
};

inline Pool2dGeometry pool2d_geometry(const Shape &input, const Pool2dParams &p) {
    Pool2dGeometry g{input[0], input[1], input[2], input[3], p.window[0], p.window[1],
                     p.stride[0] ? p.stride[0] : p.window[0], p.stride[1] ? p.stride[1] : p.window[1],
                     p.padding[0], p.padding[1], 0, 0};
    g.OH = (g.H + 2 * g.ph - g.kh) / g.sh + 1;
    g.OW = (g.W + 2 * g.pw - g.kw) / g.sw + 1;
    return g;
}

// Calls visit(i, j) for every in-bounds cell (row i, column j) of output window (oy, ox), in
// row-major order, and returns how many cells the window has counting padding (kh * kw).
template <class Visit>
inline int pool2d_window(const Pool2dGeometry &g, int oy, int ox, Visit visit) {
    for (int a = 0; a < g.kh; ++a) {
        for (int b = 0; b < g.kw; ++b) {
            const int i = oy * g.sh - g.ph + a, j = ox * g.sw - g.pw + b;
            if (i >= 0 && i < g.H && j >= 0 && j < g.W) visit(i, j);
        }
    }
    return g.kh * g.kw;
}

// The flat index (into the input) of window (n, c, oy, ox)'s first maximal in-bounds cell.
inline int64_t pool2d_argmax(const Tensor &input, const Pool2dGeometry &g, int n, int c, int oy, int ox) {
    const int64_t plane = (int64_t(n) * g.C + c) * g.H * g.W;
    int64_t best = -1;
    double best_value = -std::numeric_limits<double>::infinity();
    pool2d_window(g, oy, ox, [&](int i, int j) {
        const double v = input.data()[plane + int64_t(i) * g.W + j];
        if (best < 0 || v > best_value) {
            best = plane + int64_t(i) * g.W + j;
            best_value = v;
        }
    });
    return best;
}

// input [N, C, H, W] -> [N, C, OH, OW]: max or mean (divisor kh*kw) over each window
inline Tensor pool2d(const Tensor &input, const Pool2dParams &params) {
    const Pool2dGeometry g = pool2d_geometry(input.shape(), params);
    Tensor out({g.N, g.C, g.OH, g.OW});
    float *o = out.data();
    for (int n = 0; n < g.N; ++n) {
        for (int c = 0; c < g.C; ++c) {
            for (int oy = 0; oy < g.OH; ++oy) {
                for (int ox = 0; ox < g.OW; ++ox) {
                    if (params.mode == PoolMode::max) {
                        *o++ = input.data()[pool2d_argmax(input, g, n, c, oy, ox)];
                    } else {
                        const int64_t plane = (int64_t(n) * g.C + c) * g.H * g.W;
                        double sum = 0;
                        const int count = pool2d_window(
                            g, oy, ox, [&](int i, int j) { sum += input.data()[plane + int64_t(i) * g.W + j]; });
                        *o++ = static_cast<float>(sum / count);
                    }
                }
            }
        }
    }
    return out;
}

// d_output [N, C, OH, OW], input [N, C, H, W] -> d_input [N, C, H, W]: each window's gradient
// goes to its first maximum (max) or spreads as d / (kh*kw) over its in-bounds cells (average).
inline Tensor pool2d_backward(const Tensor &d_output, const Tensor &input, const Pool2dParams &params) {
    const Pool2dGeometry g = pool2d_geometry(input.shape(), params);
    std::vector<double> d(input.numel(), 0.0);
    const float *dy = d_output.data();
    for (int n = 0; n < g.N; ++n) {
        for (int c = 0; c < g.C; ++c) {
            const int64_t plane = (int64_t(n) * g.C + c) * g.H * g.W;
            for (int oy = 0; oy < g.OH; ++oy) {
                for (int ox = 0; ox < g.OW; ++ox) {
                    const double grad = *dy++;
                    if (params.mode == PoolMode::max) {
                        d[pool2d_argmax(input, g, n, c, oy, ox)] += grad;
                    } else {
                        pool2d_window(g, oy, ox,
                                      [&](int i, int j) { d[plane + int64_t(i) * g.W + j] += grad / (g.kh * g.kw); });
                    }
                }
            }
        }
    }
    Tensor d_input(input.shape());
    for (int64_t i = 0; i < input.numel(); ++i) d_input.data()[i] = static_cast<float>(d[i]);
    return d_input;
}

}  // namespace hnn::reference
