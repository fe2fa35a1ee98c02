// Benchmark cases for the losses: LeNet's softmax cross-entropy (128 x 10) and the house-price
// regression's MSE (64 x 1), forward and backward. Memory-bound: rated in GB/s.
#include <random>

#include "bench.h"
#include "ops.h"
#include "reference.h"

namespace hnn::bench {

namespace {

std::vector<BenchCase> loss_cases() {
    std::vector<BenchCase> cases;
    std::mt19937 rng(9);
    std::uniform_real_distribution<float> dist(-3, 3);
    std::uniform_int_distribution<int> pick(0, 9);

    auto logits = std::make_shared<Tensor>(Shape{128, 10});
    for (int64_t i = 0; i < logits->numel(); ++i) logits->data()[i] = dist(rng);
    auto labels = std::make_shared<Labels>(128);
    for (int n = 0; n < 128; ++n) (*labels)(n) = pick(rng);
    auto loss = std::make_shared<Tensor>(Shape{1});
    auto correct = std::make_shared<int>(0);
    auto d_logits = std::make_shared<Tensor>(logits->shape());

    BenchCase cf;
    cf.name = "softmax_cross_entropy_forward lenet";
    cf.shape = "N128 C10";
    cf.bytes = 128 * 10 * 4 + 128 * 4;
    cf.run = [=] { *correct = softmax_cross_entropy_forward(*loss, *logits, *labels, Device::cpu); };
    cf.check = [=](std::string &m) {
        auto want = reference::softmax_cross_entropy(*logits, *labels);
        if (*correct != want.correct) {
            m = "correct " + std::to_string(*correct) + ", want " + std::to_string(want.correct);
            return false;
        }
        return reference::within(*loss, Tensor::from_values({1}, {float(want.loss)}), reference::kLossTolerance, m);
    };
    cases.push_back(cf);

    BenchCase cb;
    cb.name = "softmax_cross_entropy_backward lenet";
    cb.shape = "N128 C10";
    cb.bytes = 2 * 128 * 10 * 4 + 128 * 4;
    cb.run = [=] { softmax_cross_entropy_backward(*d_logits, *logits, *labels, Device::cpu); };
    cb.check = [=](std::string &m) {
        return reference::within(*d_logits, reference::softmax_cross_entropy_backward(*logits, *labels),
                                 reference::kLossGradientTolerance, m);
    };
    cases.push_back(cb);

    auto prediction = std::make_shared<Tensor>(Shape{64, 1}), target = std::make_shared<Tensor>(Shape{64, 1});
    for (int i = 0; i < 64; ++i) {
        prediction->data()[i] = 12 + dist(rng);
        target->data()[i] = 12 + dist(rng);
    }
    auto mse_loss = std::make_shared<Tensor>(Shape{1});
    auto d_prediction = std::make_shared<Tensor>(prediction->shape());

    BenchCase mf;
    mf.name = "mse_forward house";
    mf.shape = "N64 x 1";
    mf.bytes = 2 * 64 * 4;
    mf.run = [=] { mse_forward(*mse_loss, *prediction, *target, Device::cpu); };
    mf.check = [=](std::string &m) {
        return reference::within(*mse_loss, Tensor::from_values({1}, {float(reference::mse(*prediction, *target))}),
                                 reference::kLossTolerance, m);
    };
    cases.push_back(mf);

    BenchCase mb;
    mb.name = "mse_backward house";
    mb.shape = "N64 x 1";
    mb.bytes = 3 * 64 * 4;
    mb.run = [=] { mse_backward(*d_prediction, *prediction, *target, Device::cpu); };
    mb.check = [=](std::string &m) {
        return reference::within(*d_prediction, reference::mse_backward(*prediction, *target),
                                 reference::kLossGradientTolerance, m);
    };
    cases.push_back(mb);
    return cases;
}

const BenchRegistration register_loss(loss_cases);

}  // namespace

}  // namespace hnn::bench
