// IDX files: the real Fashion-MNIST files, gzip and raw, and each bad file's error.
#include <zlib.h>

#include "files.h"
#include "idx.h"
#include "support.h"

using namespace hnn;
using test::scratch;

namespace {
std::string idx_bytes(std::vector<uint32_t> dims, size_t payload, uint8_t type = 0x08) {
    std::string b = {0, 0, char(type), char(dims.size())};
    for (uint32_t d : dims) {
        for (int s = 24; s >= 0; s -= 8) b += char((d >> s) & 0xff);
    }
    for (size_t i = 0; i < payload; ++i) b += char(i % 10);
    return b;
}
void write_gzip(const std::string &path, const std::string &bytes) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
}
}  // namespace

TEST_CASE("idx reads raw and gzip files alike") {
    const std::string bytes = idx_bytes({3, 2, 2}, 12);
    test::write_bytes(scratch("raw-idx"), bytes);
    write_gzip(scratch("gz-idx.gz"), bytes);
    for (const char *name : {"raw-idx", "gz-idx.gz"}) {
        IdxArray a = read_idx(scratch(name), 3);
        CHECK(a.dims == std::vector<int>{3, 2, 2});
        REQUIRE(a.data.size() == 12);
        CHECK(a.data[11] == 1);
    }
}

TEST_CASE("idx errors name the file and the problem") {
    struct Case {
        const char *name;
        std::string bytes;
        int rank;
        const char *message;
    };
    const Case cases[] = {
        {"magic", std::string("\x01\x02\x08\x01") + std::string(8, 0), 1, "not an IDX file"},
        {"type", idx_bytes({4}, 16, 0x0D), 1, "is not supported"},
        {"rank", idx_bytes({2, 2}, 4), 3, "has 2 dimensions, expected 3"},
        {"short", idx_bytes({10}, 9), 1, "length mismatch"},
        {"long", idx_bytes({10}, 11), 1, "length mismatch"},
        {"tiny", std::string(2, 0), 1, "truncated"},
    };
    for (const Case &c : cases) {
        INFO(c.name);
        test::write_bytes(scratch(c.name), c.bytes);
        CHECK_THROWS_WITH_AS(read_idx(scratch(c.name), c.rank), doctest::Contains(c.message), Error);
        CHECK_THROWS_WITH_AS(read_idx(scratch(c.name), c.rank), doctest::Contains(scratch(c.name).c_str()), Error);
    }
    write_gzip(scratch("corrupt.gz"), idx_bytes({100}, 100));
    std::string corrupt;
    {
        std::ifstream in(scratch("corrupt.gz"), std::ios::binary);
        corrupt.assign(std::istreambuf_iterator<char>(in), {});
    }
    corrupt.resize(corrupt.size() - 12);  // cut the deflate stream and its trailer
    test::write_bytes(scratch("corrupt.gz"), corrupt);
    CHECK_THROWS_AS(read_idx(scratch("corrupt.gz"), 1), Error);
}

TEST_CASE("Fashion-MNIST's test split loads with pixels in [0, 1]") {
    if (!test::file_exists(std::string(kDefaultFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz")) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed at " << kDefaultFashionMnistDir);
        return;
    }
    ImageDataset set = load_mnist_split(kDefaultFashionMnistDir, "t10k");
    CHECK(set.size() == 10000);
    CHECK(set.images.shape() == Shape{10000, 1, 28, 28});
    float lo = 1, hi = 0;
    for (int64_t i = 0; i < set.images.numel(); ++i) {
        lo = std::min(lo, set.images.data()[i]);
        hi = std::max(hi, set.images.data()[i]);
    }
    CHECK(lo == 0.0f);
    CHECK(hi == 1.0f);
    // The bytes kept beside them, which the CPU's training gathers from, are the same pixels.
    REQUIRE(set.bytes.dimensions() == 2);
    CHECK(set.bytes.dim(0).extent() == 28 * 28);
    CHECK(set.bytes.dim(1).extent() == 10000);
    bool same = true;
    for (int64_t i = 0; i < set.images.numel(); ++i) same &= set.images.data()[i] == set.bytes.data()[i] / 255.0f;
    CHECK(same);
    const ImageDataset head = first_examples(set, 3);
    CHECK(head.size() == 3);
    CHECK(head.images.shape() == Shape{3, 1, 28, 28});
    CHECK(head.bytes.dim(1).extent() == 3);
    CHECK(std::equal(head.bytes.data(), head.bytes.data() + 3 * 784, set.bytes.data()));
    CHECK(set.labels[0] == 9);  // the first test image is an ankle boot
    CHECK_THROWS_WITH_AS(load_mnist_split(scratch(""), "t10k"), doctest::Contains("not found"), Error);
}
