// Gathers: a minibatch's rows and labels picked out of a dataset by index, against a plain
// loop, with out-of-range indices clamped, and their shape errors.
#include "ops.h"
#include "support.h"

using namespace hnn;

TEST_CASE("gather_rows and gather_labels pick rows by index, clamping bad indices") {
    std::mt19937 rng(71);
    for (const Shape &source_shape : {Shape{7, 1, 28, 28}, Shape{300, 352}, Shape{5, 3}, Shape{9, 17}}) {
        const int rows = source_shape[0];
        Tensor source = test::random_tensor(source_shape, rng);
        Labels labels(rows);
        for (int i = 0; i < rows; ++i) labels(i) = 100 + i;
        for (int n : {1, 4, 13}) {
            Labels order(n);
            for (int i = 0; i < n; ++i) order(i) = static_cast<int>(rng() % rows);
            if (n > 2) order(1) = -5, order(2) = rows + 3;  // clamped to the first and last row
            Shape out_shape = source_shape;
            out_shape[0] = n;
            Tensor out(out_shape);
            gather_rows(out, source, order, test::device());
            out.sync_to_host();
            Labels got(n);
            gather_labels(got, labels, order, test::device());
            if (got.device_dirty()) got.copy_to_host();
            const int64_t per = source.numel() / rows;
            INFO(shape_string(source_shape) << " n " << n);
            for (int i = 0; i < n; ++i) {
                const int row = std::clamp(order(i), 0, rows - 1);
                CHECK(got(i) == 100 + row);
                bool same = true;
                for (int64_t j = 0; j < per; ++j) same &= out.data()[i * per + j] == source.data()[row * per + j];
                CHECK(same);
            }
        }
    }
}

TEST_CASE("gather_rows rejects rows of another shape and a wrong number of indices") {
    Tensor source({5, 3}), out({2, 4});
    Labels order(2);
    order.fill(0);
    CHECK_THROWS_WITH_AS(gather_rows(out, source, order, test::device()),
                         doctest::Contains("gather_rows: output is (2, 4) but source rows are (5, 3)"), Error);
    Tensor right({3, 3});
    CHECK_THROWS_WITH_AS(gather_rows(right, source, order, test::device()),
                         doctest::Contains("3 output rows need as many indices, got 2"), Error);
}

TEST_CASE("gather_bytes scales a dataset's bytes to the loader's floats, to the bit") {
    if (test::device() != Device::cpu) {
        MESSAGE("SKIPPED: gather_bytes is a CPU kernel (a CUDA device gathers the floats)");
        return;
    }
    // Every byte value in the rows (each row a rotation of 0..255, 300 bytes wide: a vector's
    // tail shifted inwards), picked in a random order with clamped bad indices.
    const int rows = 9, width = 300;
    Halide::Runtime::Buffer<uint8_t, 2> bytes(width, rows);
    for (int r = 0; r < rows; ++r) {
        for (int f = 0; f < width; ++f) bytes(f, r) = static_cast<uint8_t>((f + 37 * r) % 256);
    }
    std::mt19937 rng(72);
    for (int n : {1, 5, 17}) {
        Labels order(n);
        for (int i = 0; i < n; ++i) order(i) = static_cast<int>(rng() % rows);
        if (n > 2) order(1) = -3, order(2) = rows + 8;
        Tensor out({n, width});
        gather_bytes(out, bytes, order);
        bool same = true;
        for (int i = 0; i < n; ++i) {
            const int row = std::clamp(order(i), 0, rows - 1);
            for (int f = 0; f < width; ++f) same &= out.data()[int64_t(i) * width + f] == bytes(f, row) / 255.0f;
        }
        CHECK_MESSAGE(same, "n " << n);
    }
    Tensor wrong({2, 299});
    Labels order(2);
    order.fill(0);
    CHECK_THROWS_WITH_AS(gather_bytes(wrong, bytes, order), doctest::Contains("source rows have 300 bytes"), Error);
    Tensor three({3, 300});
    CHECK_THROWS_WITH_AS(gather_bytes(three, bytes, order), doctest::Contains("3 output rows need as many indices, got 2"),
                         Error);
}
