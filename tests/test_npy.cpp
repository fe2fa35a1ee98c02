// NPY files: round trip, both header versions, and each bad file's error.
#include "files.h"
#include "npy.h"
#include "support.h"

using namespace hnn;
using test::npy_bytes;
using test::scratch;

TEST_CASE("npy round trip keeps shape and values") {
    std::mt19937 rng(1);
    for (const Shape &shape : {Shape{5}, Shape{3, 4}, Shape{2, 3, 4}, Shape{1, 2, 3, 5}}) {
        Tensor t = test::random_tensor(shape, rng);
        const std::string path = scratch("round.npy");
        write_npy(path, t);
        Tensor back = read_npy(path);
        CHECK(back.shape() == shape);
        CHECK(back.values() == t.values());
    }
}

TEST_CASE("npy reads version 1.0 and 2.0 headers") {
    const std::string payload = test::float_bytes({1, 2, 3, 4, 5, 6});
    for (int major : {1, 2, 3}) {
        const std::string path = scratch("v" + std::to_string(major) + ".npy");
        test::write_bytes(path, npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", payload, major));
        Tensor t = read_npy(path);
        CHECK(t.shape() == Shape{2, 3});
        CHECK(t.values() == std::vector<float>{1, 2, 3, 4, 5, 6});
    }
}

TEST_CASE("npy errors name the file and the problem") {
    const std::string good_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
    struct Case {
        const char *name;
        std::string bytes;
        const char *message;
    };
    const Case cases[] = {
        {"float64.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", std::string(16, 0)),
         "dtype '<f8' is not supported"},
        {"int32.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }", std::string(8, 0)),
         "expected float32"},
        {"fortran.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", std::string(16, 0)),
         "Fortran-order"},
        {"truncated.npy", npy_bytes(good_dict, std::string(12, 0)), "truncated"},
        {"short.npy", std::string("\x93NUM", 4), "truncated"},
        {"magic.npy", std::string(64, 'x'), "not an NPY file"},
        {"version.npy", npy_bytes(good_dict, std::string(16, 0), 9), "version 9.0 is not supported"},
        {"noshape.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, }", ""), "no 'shape' field"},
        {"extra.npy", npy_bytes(good_dict, std::string(20, 0)), "data past"},
    };
    for (const Case &c : cases) {
        const std::string path = scratch(c.name);
        test::write_bytes(path, c.bytes);
        INFO(c.name);
        CHECK_THROWS_WITH_AS(read_npy(path), doctest::Contains(c.message), Error);
        CHECK_THROWS_WITH_AS(read_npy(path), doctest::Contains(path.c_str()), Error);
    }
    CHECK_THROWS_WITH_AS(read_npy(scratch("missing.npy")), doctest::Contains("cannot open"), Error);
}

TEST_CASE("write_npy leaves nothing behind when it cannot write") {
    Tensor t({2});
    CHECK_THROWS_AS(write_npy(scratch("no-such-dir/out.npy"), t), Error);
    CHECK_FALSE(test::file_exists(scratch("no-such-dir/out.npy")));
}
