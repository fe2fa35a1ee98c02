// The training runtime: LeNet's summary, model files, whole-model gradients, the PyTorch loss
// trajectory, checkpoints and resume, and a short training run that must learn.
#include <cmath>
#include <fstream>

#include "files.h"
#include "models.h"
#include "ops.h"
#include "reference.h"
#include "support.h"
#include "train.h"

using namespace hnn;
using test::scratch;

namespace {

bool have_fashion_mnist() {
    return test::file_exists(std::string(kDefaultFashionMnistDir) + "/train-images-idx3-ubyte.gz");
}

const ImageDataset &fashion_train() {
    static const ImageDataset data = load_mnist_split(kDefaultFashionMnistDir, "train");
    return data;
}
const ImageDataset &fashion_test() {
    static const ImageDataset data = load_mnist_split(kDefaultFashionMnistDir, "t10k");
    return data;
}

void write_text(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

// Flat parameter indices of chosen elements of every parameter tensor: for each tensor, the
// elements at numel / d for each divisor d (0: the first element), and its last element.
std::vector<int64_t> sampled_indices(Sequential &model, const std::vector<int> &divisors) {
    std::vector<int64_t> indices;
    for (int i = 0; i < model.parameters().count(); ++i) {
        const Tensor &p = model.parameters()[i];
        const int64_t offset = p.data() - model.parameters().flat().data();
        for (int d : divisors) indices.push_back(offset + (d == 0 ? 0 : p.numel() / d));
        indices.push_back(offset + p.numel() - 1);
    }
    return indices;
}

// Backpropagates the cross-entropy of (input, labels) through `model`, then checks the gradient
// at each flat parameter index in `indices` against a central difference of the loss. Returns
// the largest numeric gradient seen, so a caller can tell that the check saw real gradients.
double check_gradients(Sequential &model, const Tensor &input, const Labels &labels, const std::vector<int64_t> &indices) {
    Tensor loss({1});
    auto loss_at = [&] {
        softmax_cross_entropy_forward(loss, model.forward(input, Device::cpu), labels, Device::cpu);
        loss.sync_to_host();
        return double(loss.data()[0]);
    };
    loss_at();
    softmax_cross_entropy_backward(model.d_logits(), model.forward(input, Device::cpu), labels, Device::cpu);
    model.backward(Device::cpu);
    Tensor &params = model.parameters().flat();
    const Tensor &grads = model.gradients().flat();
    double largest = 0;
    for (int64_t j : indices) {
        float &x = params.data()[j];
        const float saved = x, h = 1e-2f;
        x = saved + h;
        const double up = loss_at();
        x = saved - h;
        const double down = loss_at();
        x = saved;
        const double numeric = (up - down) / (2 * h), analytic = grads.data()[j];
        INFO("flat parameter " << j << ": analytic " << analytic << ", numeric " << numeric);
        CHECK(std::fabs(analytic - numeric) <= 2e-3 + 2e-2 * std::fabs(numeric));
        largest = std::max(largest, std::fabs(numeric));
    }
    return largest;
}

}  // namespace

TEST_CASE("LeNet's c2 maps read the same from a batch stored channels-last as from a lone image") {
    // A batch of 20 takes conv2d_channels_last_pooled's path for c2 and its pool; one image takes
    // the NCHW kernels. layer_output gives NCHW either way: the conv's maps with the same bits
    // per image, the pool's within its tolerance (LLVM associates its sums differently).
    Sequential lenet = make_model("lenet");
    lenet.initialize(3);
    lenet.plan(20);
    std::mt19937 rng(6);
    const Tensor batch = test::random_tensor({20, 1, 28, 28}, rng, 0.0f, 1.0f);
    REQUIRE(conv2d_channels_last_pooled({20, 6, 14, 14}, {16, 6, 5, 5}, Conv2dParams{1, 1, 0, 0, Activation::sigmoid}, true,
                                        Device::cpu));
    lenet.forward(batch, Device::cpu);
    const std::vector<float> c2 = lenet.layer_output(4).values(), pooled = lenet.layer_output(5).values();
    const std::vector<float> first(batch.data(), batch.data() + 28 * 28);
    lenet.forward(Tensor::from_values({1, 1, 28, 28}, first), Device::cpu);
    CHECK(lenet.layer_output(4).values() == std::vector<float>(c2.begin(), c2.begin() + 16 * 10 * 10));
    const Tensor &one = lenet.layer_output(5);
    test::check_close(one, Tensor::from_values(one.shape(), std::vector<float>(pooled.begin(), pooled.begin() + 16 * 5 * 5)),
                      reference::kPool2dTolerance, "LeNet's second pool");
}

TEST_CASE("LeNet's summary matches d2l 7.6") {
    Sequential lenet = make_model("lenet");
    const std::vector<std::pair<std::string, Shape>> want = {
        {"Conv2d", {1, 6, 28, 28}},  {"Sigmoid", {1, 6, 28, 28}},  {"AvgPool2d", {1, 6, 14, 14}},
        {"Conv2d", {1, 16, 10, 10}}, {"Sigmoid", {1, 16, 10, 10}}, {"AvgPool2d", {1, 16, 5, 5}},
        {"Flatten", {1, 400}},       {"Linear", {1, 120}},         {"Sigmoid", {1, 120}},
        {"Linear", {1, 84}},         {"Sigmoid", {1, 84}},         {"Linear", {1, 10}}};
    const auto rows = lenet.summary(1);
    REQUIRE(rows.size() == want.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        CHECK(rows[i].kind == want[i].first);
        CHECK(rows[i].output == want[i].second);
    }
    CHECK(lenet.parameter_count() == 61706);
    CHECK(make_model("mlp").parameter_count() == 784 * 256 + 256 + 256 * 10 + 10);
    CHECK(make_model("lenet-modern").summary(1)[2].kind == "MaxPool2d");
    CHECK(make_model("lenet", {"relu", "max"}).summary(1)[1].kind == "ReLU");
}

TEST_CASE("model files: layers as written, errors that point at the line") {
    write_text(scratch("small.json"), R"({"input": [1, 28, 28],
 "layers": [
  {"type": "Conv2d", "out_channels": 4, "kernel": [3, 5], "padding": [1, 2]},
  {"type": "ReLU"},
  {"type": "MaxPool2d", "kernel": 2},
  {"type": "Flatten"},
  {"type": "Linear", "out_features": 10}
 ]})");
    Sequential model = make_model(scratch("small.json"));
    CHECK(model.summary(1)[2].output == Shape{1, 4, 14, 14});
    CHECK(model.parameter_count() == 4 * 15 + 4 + 784 * 10 + 10);

    write_text(scratch("unknown.json"), "{\"layers\": [\n {\"type\": \"Flatten\"},\n {\"type\": \"Dropout2d\"}\n]}");
    CHECK_THROWS_WITH_AS(make_model(scratch("unknown.json")), doctest::Contains("unknown.json line 3 (layer 1): unknown layer 'Dropout2d'"), Error);
    write_text(scratch("p.json"), "{\"layers\": [\n {\"type\": \"Flatten\"},\n {\"type\": \"Dropout\", \"p\": 1.5},\n {\"type\": \"Linear\", \"out_features\": 2}]}");
    CHECK_THROWS_WITH_AS(make_model(scratch("p.json")), doctest::Contains("p.json line 3 (layer 1): Dropout's p must be a number in [0, 1], got 1.5"), Error);
    write_text(scratch("shape.json"), "{\"layers\": [\n {\"type\": \"Conv2d\", \"out_channels\": 2, \"kernel\": 40},\n {\"type\": \"Flatten\"}, {\"type\": \"Linear\", \"out_features\": 2}]}");
    CHECK_THROWS_WITH_AS(make_model(scratch("shape.json")), doctest::Contains("shape.json line 2 (layer 0)"), Error);
    write_text(scratch("field.json"), "{\"layers\": [\n\n {\"type\": \"Linear\", \"out_feature\": 2}]}");
    CHECK_THROWS_WITH_AS(make_model(scratch("field.json")), doctest::Contains("line 3 (layer 0): Linear has no field 'out_feature'"), Error);
    write_text(scratch("bad.json"), "{\"layers\": [\n {\"type\": \"Flatten\"},,\n]}");
    CHECK_THROWS_WITH_AS(make_model(scratch("bad.json")), doctest::Contains("bad.json line 2: not valid JSON"), Error);
    CHECK_THROWS_WITH_AS(make_model("resnet"), doctest::Contains("unknown model 'resnet'"), Error);
}

TEST_CASE("whole-model gradients agree with finite differences of the loss") {
    // A small LeNet-shaped model on 8x8 inputs: conv+sigmoid, avg pool, conv+relu, max pool, tanh, dense.
    std::vector<LayerSpec> layers(8, LayerSpec{LayerKind::flatten});
    layers[0] = {LayerKind::conv2d, 3, 0, {3, 3}, {1, 1}, {1, 1}};
    layers[1] = {LayerKind::sigmoid};
    layers[2] = {LayerKind::avg_pool2d, 0, 0, {2, 2}, {2, 2}, {0, 0}};
    layers[3] = {LayerKind::conv2d, 4, 0, {2, 2}, {1, 1}, {0, 0}};
    layers[4] = {LayerKind::relu};
    layers[5] = {LayerKind::tanh};
    layers[6] = {LayerKind::flatten};
    layers[7] = {LayerKind::dense, 0, 5};
    Sequential model(layers, {2, 8, 8});
    model.initialize(3);
    model.plan(3);
    std::mt19937 rng(2);
    Tensor input = test::random_tensor({3, 2, 8, 8}, rng, 0, 1);
    // Three elements of each of the six parameter tensors: first, middle and last.
    const std::vector<int64_t> indices = sampled_indices(model, {0, 2});
    CHECK(indices.size() == 18);
    CHECK(check_gradients(model, input, make_labels({1, 4, 0}), indices) > 1e-3);
}

TEST_CASE("whole-model gradients through conv+relu and a 2x2 max pool agree with finite differences") {
    // The pool's backward applies the conv's relu slope itself (pool2d_backward_activation),
    // so the conv's backward runs without it; the sigmoid + avg pool pair is checked above.
    std::vector<LayerSpec> layers(5, LayerSpec{LayerKind::flatten});
    layers[0] = {LayerKind::conv2d, 3, 0, {3, 3}, {1, 1}, {1, 1}};
    layers[1] = {LayerKind::relu};
    layers[2] = {LayerKind::max_pool2d, 0, 0, {2, 2}, {2, 2}, {0, 0}};
    layers[3] = {LayerKind::flatten};
    layers[4] = {LayerKind::dense, 0, 5};
    Sequential model(layers, {2, 8, 8});
    model.initialize(5);
    model.plan(3);
    std::mt19937 rng(6);
    Tensor input = test::random_tensor({3, 2, 8, 8}, rng, -1, 1);
    const std::vector<int64_t> indices = sampled_indices(model, {0, 3, 2});
    CHECK(check_gradients(model, input, make_labels({2, 0, 4}), indices) > 1e-3);
}

TEST_CASE("Dropout layers: from files and --dropout, masks per step in training, the identity in evaluation") {
    write_text(scratch("dropout.json"), R"({"input": [20],
 "layers": [
  {"type": "Linear", "out_features": 300},
  {"type": "ReLU"},
  {"type": "Dropout", "p": 0.4},
  {"type": "Linear", "out_features": 3}
 ]})");
    Sequential model = make_model(scratch("dropout.json"));
    CHECK(model.summary(1)[2].kind == "Dropout");
    CHECK(model.summary(1)[2].output == Shape{1, 300});
    CHECK(model.layers()[2].p == 0.4f);
    std::vector<std::string> kinds;
    for (const SummaryRow &row : make_model("mlp", {"", "", 0.5f}).summary(1)) kinds.push_back(row.kind);
    CHECK(kinds == std::vector<std::string>{"Flatten", "Linear", "ReLU", "Dropout", "Linear"});
    CHECK(make_model("lenet", {"", "", 0.5f}).summary(1).size() == 14);  // after both hidden Linear layers
    CHECK_THROWS_WITH_AS(make_model("mlp", {"", "", 1.5f}), doctest::Contains("--dropout"), Error);

    model.initialize(1);
    model.plan(4);
    std::mt19937 rng(5);
    Tensor input = test::random_tensor({4, 20}, rng);
    auto dropout_output = [&] { Tensor t = model.layer_output(2); t.sync_to_host(); return t.values(); };
    auto relu_output = [&] { Tensor t = model.layer_output(1); t.sync_to_host(); return t.values(); };
    model.forward(input, Device::cpu);  // evaluation mode by default, as after model.eval()
    CHECK_FALSE(model.training());
    CHECK(dropout_output() == relu_output());
    model.set_training(true, 10);
    model.forward(input, Device::cpu);
    const std::vector<float> step10 = dropout_output(), relu = relu_output();
    int dropped = 0, positive = 0;
    for (size_t i = 0; i < relu.size(); ++i) {
        if (relu[i] <= 0) continue;
        ++positive;
        if (step10[i] == 0) ++dropped;
        else CHECK(std::fabs(step10[i] - relu[i] / 0.6f) <= 1e-6f * relu[i] / 0.6f);
    }
    INFO(dropped << " of " << positive << " positive activations dropped");
    CHECK(std::fabs(double(dropped) / positive - 0.4) < 0.15);
    model.forward(input, Device::cpu);
    CHECK(dropout_output() == step10);  // the same step draws the same mask
    model.set_training(true, 11);
    model.forward(input, Device::cpu);
    CHECK(dropout_output() != step10);

    // Gradients through the mask of one step agree with finite differences of the loss (with
    // Tanh in place of ReLU, whose kink would spoil the differences).
    std::vector<LayerSpec> smooth = model.layers();
    smooth[1].kind = LayerKind::tanh;
    model = Sequential(smooth, {20});
    model.initialize(1);
    model.plan(4);
    model.set_training(true, 3);
    std::vector<int64_t> indices;
    for (int64_t j = 0; j < model.parameters().flat().numel(); j += 97) indices.push_back(j);
    CHECK(check_gradients(model, input, make_labels({0, 2, 1, 2}), indices) > 1e-3);
}

TEST_CASE("LeNet's first 10 SGD steps follow PyTorch's loss trajectory") {
    if (!have_fashion_mnist()) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed");
        return;
    }
    const std::string path = std::string(HNN_SOURCE_DIR) + "/tests/data/lenet_trajectory.safetensors";
    const SafetensorsFile reference = load_safetensors(path);
    Sequential lenet = make_model("lenet");
    lenet.load_parameters(reference, path);
    TrainConfig config;
    config.batch_size = 32;
    config.optimizer.lr = 0.1f;
    Trainer trainer(lenet, config);
    const ImageDataset data = first_examples(fashion_train(), 320);
    std::vector<int> order(320);
    for (int i = 0; i < 320; ++i) order[i] = i;
    const Tensor &want = reference.tensors.at("losses");
    for (int step = 0; step < 10; ++step) {
        const float loss = trainer.step(data, order.data() + 32 * step, 32).first;
        INFO("step " << step << ": hnn " << loss << ", PyTorch " << want.data()[step]);
        CHECK(std::fabs(loss - want.data()[step]) <= 1e-4 * std::fabs(want.data()[step]));
    }
}

TEST_CASE("--seed 0 starts from PyTorch's weights and shuffles in PyTorch's order") {
    // The reference file holds what torch.manual_seed(0), building LeNet and d2l's init_cnn
    // give, and the first indices of the randperm(60000) that the generator draws next.
    const std::string path = std::string(HNN_SOURCE_DIR) + "/tests/data/lenet_trajectory.safetensors";
    const SafetensorsFile reference = load_safetensors(path);
    Sequential lenet = make_model("lenet");
    lenet.initialize(0);
    for (int i = 0; i < lenet.parameters().count(); ++i) {
        const Tensor &want = reference.tensors.at(lenet.parameters().name(i));
        const Tensor &got = lenet.parameters()[i];
        INFO("parameter " << lenet.parameters().name(i));
        REQUIRE(got.numel() == want.numel());
        CHECK(std::equal(got.data(), got.data() + got.numel(), want.data()));  // bit for bit
    }
    for (int epoch : {1, 2}) {
        const Tensor &order = reference.tensors.at(epoch == 1 ? "first_epoch_order" : "second_epoch_order");
        const std::vector<int> ours = torch_epoch_order(60000, 0, lenet.initialization_draws(), epoch);
        for (int64_t j = 0; j < order.numel(); ++j) {
            INFO("epoch " << epoch << ", index " << j);
            REQUIRE(ours[j] == static_cast<int>(order.data()[j]));
        }
    }
}

TEST_CASE("checkpoints round trip exactly and resume equals an uninterrupted run") {
    if (!have_fashion_mnist()) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed");
        return;
    }
    const ImageDataset train = first_examples(fashion_train(), 512), validation = first_examples(fashion_test(), 256);
    TrainConfig config;
    config.epochs = 2;
    config.batch_size = 100;  // leaves a smaller last batch
    config.optimizer.momentum = 0.9f;
    config.seed = 7;

    // With dropout, so that resuming must also draw the same masks as the uninterrupted run.
    const ModelOptions options{"", "", 0.3f};
    Sequential straight = make_model("lenet-modern", options);
    straight.initialize(config.seed);
    Trainer(straight, config).fit(train, validation, nullptr, nullptr);

    Sequential first_half = make_model("lenet-modern", options);
    first_half.initialize(config.seed);
    TrainConfig one = config;
    one.epochs = 1;
    Trainer a(first_half, one);
    a.fit(train, validation, nullptr, nullptr);
    a.save(scratch("half.safetensors"), "lenet-modern");

    Sequential resumed = make_model("lenet-modern", options);
    Trainer b(resumed, config);
    b.resume(scratch("half.safetensors"));
    CHECK(b.first_epoch() == 1);
    CHECK(resumed.parameters().flat().values() == first_half.parameters().flat().values());
    b.fit(train, validation, nullptr, nullptr);
    CHECK(resumed.parameters().flat().values() == straight.parameters().flat().values());

    TrainConfig other = config;
    other.seed = 8;
    Sequential wrong = make_model("lenet-modern", options);
    Trainer c(wrong, other);
    CHECK_THROWS_WITH_AS(c.resume(scratch("half.safetensors")), doctest::Contains("resume with the same seed"), Error);
}

TEST_CASE("a short LeNet run on 2,000 images learns") {
    if (!have_fashion_mnist()) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed");
        return;
    }
    const ImageDataset train = first_examples(fashion_train(), 2000), validation = first_examples(fashion_test(), 1000);
    TrainConfig config;
    config.epochs = 3;
    config.batch_size = 64;
    config.optimizer.name = "adam";
    config.optimizer.lr = 0.003f;
    Sequential model = make_model("lenet-modern");
    model.initialize(0);
    const auto history = Trainer(model, config).fit(train, validation, nullptr, nullptr);
    INFO("validation accuracy " << history.back().validation_accuracy);
    CHECK(history.back().validation_accuracy >= 0.70);
    CHECK(history.back().train_loss < history.front().train_loss);
}

TEST_CASE("an epoch of a single step (batch >= training set) trains and reports its metrics") {
    if (!have_fashion_mnist()) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed");
        return;
    }
    const ImageDataset train = first_examples(fashion_train(), 100), validation = first_examples(fashion_test(), 50);
    TrainConfig config;
    config.epochs = 2;
    config.batch_size = 128;  // one (partial) batch per epoch
    Sequential model = make_model("mlp");
    model.initialize(0);
    const std::vector<float> before = model.parameters().flat().values();
    const auto history = Trainer(model, config).fit(train, validation, nullptr, nullptr);
    REQUIRE(history.size() == 2);
    CHECK(history[1].train_loss < history[0].train_loss);
    CHECK(history[0].train_accuracy >= 0.0);
    CHECK(model.parameters().flat().values() != before);
}

TEST_CASE("the same seed, target and thread count give bit-identical parameters") {
    if (!have_fashion_mnist()) {
        MESSAGE("SKIPPED: Debian's dataset-fashion-mnist is not installed");
        return;
    }
    const ImageDataset train = first_examples(fashion_train(), 300), validation = first_examples(fashion_test(), 100);
    TrainConfig config;
    config.epochs = 2;
    config.batch_size = 64;
    config.seed = 11;
    auto run = [&](uint64_t seed) {
        config.seed = seed;
        Sequential model = make_model("lenet");
        model.initialize(seed);
        Trainer(model, config).fit(train, validation, nullptr, nullptr);
        return model.parameters().flat().values();
    };
    const std::vector<float> a = run(11), b = run(11), c = run(12);
    CHECK(a == b);
    CHECK(a != c);
}
