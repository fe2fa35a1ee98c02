// read_npy_labels: class labels from int32, int64 or integral float32 NPY files.
#include "npy.h"
#include "support.h"

// files.h runs the hnn binary, which only hnn_tests (the CPU binary) knows.
#ifdef HNN_BINARY
#include "files.h"
#endif

using namespace hnn;

#ifdef HNN_BINARY  // the CPU binary only: these tests need no device
namespace {

template <class T>
std::string labels_file(const std::string &name, const std::string &descr, const std::string &shape,
                        std::initializer_list<T> values) {
    std::string payload;
    for (T v : values) payload.append(reinterpret_cast<const char *>(&v), sizeof v);
    const std::string path = test::scratch(name);
    test::write_bytes(path, test::npy_bytes("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }",
                                            payload));
    return path;
}

std::vector<int32_t> values(const Halide::Runtime::Buffer<int32_t> &labels) {
    return std::vector<int32_t>(labels.data(), labels.data() + labels.number_of_elements());
}

}  // namespace

TEST_CASE("read_npy_labels reads int32, int64 and integral float32 labels") {
    CHECK(values(read_npy_labels(labels_file<int32_t>("l-i4.npy", "<i4", "(3,)", {0, 9, 4}))) ==
          std::vector<int32_t>{0, 9, 4});
    CHECK(values(read_npy_labels(labels_file<int64_t>("l-i8.npy", "<i8", "(2,)", {7, 1}))) == std::vector<int32_t>{7, 1});
    CHECK(values(read_npy_labels(labels_file<float>("l-f4.npy", "<f4", "(2, 1)", {3.0f, 5.0f}))) ==
          std::vector<int32_t>{3, 5});
}

TEST_CASE("read_npy_labels rejects other dtypes, fractional values and bad shapes, naming the file") {
    struct Case {
        std::string path, message;
    };
    const Case cases[] = {
        {labels_file<double>("l-f8.npy", "<f8", "(1,)", {1.0}), "dtype '<f8' is not supported for labels"},
        {labels_file<float>("l-frac.npy", "<f4", "(2,)", {1.0f, 2.5f}), "label 1 is 2.5"},
        {labels_file<int64_t>("l-big.npy", "<i8", "(1,)", {int64_t(1) << 40}), "outside the int32 range"},
        {labels_file<int32_t>("l-2d.npy", "<i4", "(2, 2)", {0, 1, 2, 3}), "labels must have shape (N,) or (N, 1)"},
        {labels_file<int32_t>("l-short.npy", "<i4", "(3,)", {0, 1}), "truncated"},
        {test::scratch("l-missing.npy"), "cannot open"},
    };
    for (const Case &c : cases) {
        INFO(c.path);
        std::string message;
        try {
            read_npy_labels(c.path);
        } catch (const Error &e) {
            message = e.what();
        }
        INFO(message);
        CHECK(message.rfind(c.path + ": ", 0) == 0);
        CHECK(message.find(c.message) != std::string::npos);
    }
}
#endif  // HNN_BINARY
