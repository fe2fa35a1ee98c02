// The hnn binary: exit codes, outputs and error messages as a user meets them.
#include <fstream>

#include "files.h"
#include "npy.h"
#include "support.h"

using namespace hnn;
using test::run_hnn;
using test::scratch;

namespace {
void write_example() {
    write_npy(scratch("x.npy"), Tensor::from_values({3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8}));
    write_npy(scratch("k.npy"), Tensor::from_values({2, 2}, {0, 1, 2, 3}));
}
}  // namespace

TEST_CASE("hnn op corr2d reproduces d2l's example through NPY files") {
    write_example();
    auto run = run_hnn("op corr2d --in " + scratch("x.npy") + " --kernel " + scratch("k.npy") + " --out " + scratch("y.npy"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    Tensor y = read_npy(scratch("y.npy"));
    CHECK(y.shape() == Shape{2, 2});
    CHECK(y.values() == std::vector<float>{19, 25, 37, 43});
}

TEST_CASE("hnn op corr2d fails cleanly on bad input and leaves no output") {
    write_example();
    test::write_bytes(scratch("bad.npy"), test::npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                                                          std::string(16, 0)));
    write_npy(scratch("big.npy"), Tensor({4, 4}));
    struct Case {
        std::string args, message;
    };
    const Case cases[] = {
        {"--in " + scratch("bad.npy") + " --kernel " + scratch("k.npy"), scratch("bad.npy") + ": dtype '<f8'"},
        {"--in " + scratch("x.npy") + " --kernel " + scratch("big.npy"), "kernel (4, 4) is larger than input (3, 3)"},
        {"--in " + scratch("none.npy") + " --kernel " + scratch("k.npy"), "cannot open"},
    };
    for (const Case &c : cases) {
        const std::string out = scratch("never.npy");
        auto run = run_hnn("op corr2d " + c.args + " --out " + out);
        INFO(run.output);
        CHECK(run.status == 1);
        CHECK(run.output.find(c.message) != std::string::npos);
        CHECK_FALSE(test::file_exists(out));
    }
}

TEST_CASE("hnn's usage errors and help") {
    write_example();
    CHECK(run_hnn("op corr2d --in a.npy").status != 0);     // missing required options
    CHECK(run_hnn("no-such-command").status != 0);
    CHECK(run_hnn("").status != 0);                          // a subcommand is required
    auto help = run_hnn("op corr2d --help");
    CHECK(help.status == 0);
    CHECK(help.output.find("--kernel") != std::string::npos);
    auto devices = run_hnn("devices");
    CHECK(devices.status == 0);
    CHECK(devices.output.find("cpu:  x86-64, kernels dispatched to the") != std::string::npos);
    CHECK(devices.output.find("cuda: ") != std::string::npos);
    auto cuda = run_hnn("op corr2d --in " + scratch("x.npy") + " --kernel " + scratch("k.npy") + " --out " +
                        scratch("y-cuda.npy") + " --device cuda");
    if (!cuda_info().usable) {
        CHECK(cuda.status == 1);
        CHECK(cuda.output.find("use --device cpu") != std::string::npos);
    }
    auto train = run_hnn("train lenet --epochs 0");
    CHECK(train.status == 1);
    CHECK(train.output.find("epochs must be positive") != std::string::npos);
    auto unknown = run_hnn("summary resnet");
    CHECK(unknown.status == 1);
    CHECK(unknown.output.find("unknown model 'resnet'") != std::string::npos);
}

TEST_CASE("hnn train, eval, predict and activations work together from the command line") {
    if (!test::file_exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed");
        return;
    }
    const std::string ck = scratch("run/model.safetensors");
    auto train = run_hnn("train lenet-modern --limit 1000 --epochs 2 --batch-size 50 --save " + ck + " --metrics " +
                         scratch("run/metrics.csv") + " --plot " + scratch("run/curves.svg"));
    INFO(train.output);
    REQUIRE(train.status == 0);
    CHECK(train.output.find("epoch  2/2  train loss") != std::string::npos);  // one plain line per epoch off a terminal
    std::ifstream metrics(scratch("run/metrics.csv"));
    std::string header, line1, line2;
    std::getline(metrics, header);
    std::getline(metrics, line1);
    std::getline(metrics, line2);
    CHECK(header == "epoch,train_loss,train_accuracy,validation_accuracy,seconds");
    CHECK(line2.rfind("2,", 0) == 0);
    CHECK(test::file_exists(scratch("run/curves.svg")));

    auto eval = run_hnn("eval lenet-modern --load " + ck);
    CHECK(eval.status == 0);
    CHECK(eval.output.find("Ankle boot") != std::string::npos);
    CHECK(eval.output.find("test accuracy") != std::string::npos);
    auto predict = run_hnn("predict lenet-modern --load " + ck + " --image 0");
    CHECK(predict.status == 0);
    CHECK(predict.output.find("(true class: Ankle boot)") != std::string::npos);
    auto pictures = run_hnn("activations lenet-modern --load " + ck + " --image 0 --out " + scratch("act.png"));
    CHECK(pictures.status == 0);
    std::ifstream png(scratch("act.png"), std::ios::binary);
    char magic[8] = {};
    png.read(magic, 8);
    CHECK(std::string(magic, 8) == "\x89PNG\r\n\x1a\n");
    auto mismatch = run_hnn("eval lenet --load " + ck);  // lenet-modern weights fit lenet too (same shapes)
    CHECK(mismatch.status == 0);
    auto wrong = run_hnn("eval mlp --load " + ck);
    CHECK(wrong.status == 1);
    CHECK(wrong.output.find("has no tensor '1.weight'") != std::string::npos);
}
