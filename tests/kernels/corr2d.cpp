// corr2d: d2l 7.2's golden values and random shapes against the reference.
#include "ops.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

TEST_CASE("corr2d reproduces d2l 7.2's example") {
    Tensor x = Tensor::from_values({3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
    Tensor k = Tensor::from_values({2, 2}, {0, 1, 2, 3});
    test::check_values(corr2d_forward(x, k, test::device()), {2, 2}, {19, 25, 37, 43}, "[[19,25],[37,43]]");
}

TEST_CASE("corr2d detects the vertical edges of d2l 7.2.3") {
    Tensor x({6, 8});
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 8; ++j) x.data()[i * 8 + j] = (j >= 2 && j <= 5) ? 0.0f : 1.0f;
    Tensor k = Tensor::from_values({1, 2}, {1, -1});
    std::vector<float> want;
    for (int i = 0; i < 6; ++i) want.insert(want.end(), {0, 1, 0, 0, 0, -1, 0});
    test::check_values(corr2d_forward(x, k, test::device()), {6, 7}, want, "edges of X");

    Tensor xt({8, 6});
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 6; ++j) xt.data()[i * 6 + j] = x.data()[j * 8 + i];
    test::check_values(corr2d_forward(xt, k, test::device()), {8, 5}, std::vector<float>(40, 0.0f),
                       "X transposed has no vertical edge");
}

TEST_CASE("corr2d matches the reference on random shapes") {
    std::mt19937 rng(7);
    const int shapes[][4] = {{1, 1, 1, 1},   {5, 3, 2, 2},   {2, 17, 1, 3},  {16, 16, 3, 3}, {33, 47, 5, 4},
                             {64, 64, 3, 3}, {7, 100, 7, 1}, {9, 15, 9, 15}, {28, 28, 5, 5}, {3, 31, 2, 16}};
    for (const auto &s : shapes) {
        Tensor x = test::random_tensor({s[0], s[1]}, rng);
        Tensor k = test::random_tensor({s[2], s[3]}, rng);
        test::check_close(corr2d_forward(x, k, test::device()), reference::corr2d(x, k), reference::kCorr2dTolerance,
                          "input " + shape_string(x.shape()) + " kernel " + shape_string(k.shape()));
    }
}

TEST_CASE("corr2d rejects a kernel larger than the input, naming both shapes") {
    Tensor x({3, 3}), k({4, 2});
    CHECK_THROWS_WITH_AS(corr2d_forward(x, k, test::device()), doctest::Contains("(4, 2)"), Error);
}
