// safetensors checkpoints: exact round trip and each malformed file's error.
#include "checkpoint.h"
#include "files.h"
#include "support.h"

using namespace hnn;
using test::scratch;

TEST_CASE("safetensors round trip is exact and keeps metadata") {
    std::mt19937 rng(5);
    Tensor w = test::random_tensor({6, 1, 5, 5}, rng), b = test::random_tensor({6}, rng);
    save_safetensors(scratch("ck.safetensors"), {{"0.weight", &w}, {"0.bias", &b}}, {{"model", "lenet"}});
    SafetensorsFile f = load_safetensors(scratch("ck.safetensors"));
    REQUIRE(f.tensors.count("0.weight") == 1);
    CHECK(f.tensors.at("0.weight").shape() == w.shape());
    CHECK(f.tensors.at("0.weight").values() == w.values());
    CHECK(f.tensors.at("0.bias").values() == b.values());
    CHECK(f.metadata.at("model") == "lenet");
}

TEST_CASE("safetensors errors name the file and the field") {
    auto file_with = [](const std::string &header, size_t data) {
        std::string bytes(8, 0);
        for (int i = 0; i < 8; ++i) bytes[i] = char((header.size() >> (8 * i)) & 0xff);
        return bytes + header + std::string(data, 0);
    };
    struct Case {
        const char *name;
        std::string bytes, message;
    };
    const Case cases[] = {
        {"f16", file_with(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4), "expected \"F32\""},
        {"range", file_with(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 8), "do not fit"},
        {"json", file_with("{not json", 0), "not valid JSON"},
        {"short", std::string(5, 0), "truncated"},
        {"length", std::string("\xff\xff\x00\x00\x00\x00\x00\x00", 8) + "{}", "runs past the end"},
    };
    for (const Case &c : cases) {
        INFO(c.name);
        test::write_bytes(scratch(c.name), c.bytes);
        CHECK_THROWS_WITH_AS(load_safetensors(scratch(c.name)), doctest::Contains(c.message.c_str()), Error);
    }
}
