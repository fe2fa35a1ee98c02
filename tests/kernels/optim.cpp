// Optimizer update kernels against torch.optim's formulas, over several steps and sizes.
#include "arena.h"
#include "optim.h"
#include "reference.h"
#include "support.h"

using namespace hnn;

namespace {
std::vector<double> as_double(const Tensor &t) { return std::vector<double>(t.data(), t.data() + t.numel()); }
Tensor as_tensor(const std::vector<double> &v) {
    Tensor t({static_cast<int>(v.size())});
    for (size_t i = 0; i < v.size(); ++i) t.data()[i] = static_cast<float>(v[i]);
    return t;
}
}  // namespace

TEST_CASE("sgd and adam updates follow torch.optim over five steps") {
    std::mt19937 rng(11);
    for (int size : {1, 7, 16, 1000, 40000}) {
        for (const char *name : {"sgd", "adam"}) {
            OptimizerConfig config;
            config.name = name;
            config.lr = name[0] == 's' ? 0.1f : 0.01f;
            config.momentum = name[0] == 's' ? 0.9f : 0.0f;
            config.weight_decay = 0.01f;
            Optimizer optimizer(config, size);
            Tensor params = test::random_tensor({size}, rng);
            std::vector<double> want = as_double(params), m(size, 0.0), v(size, 0.0);
            for (int step = 1; step <= 5; ++step) {
                Tensor grads = test::random_tensor({size}, rng);
                optimizer.step(params, grads, test::device());
                params.sync_to_host();
                if (name[0] == 's') {
                    reference::sgd_step(want, as_double(grads), m, config.lr, config.momentum, config.weight_decay);
                } else {
                    reference::adam_step(want, as_double(grads), m, v, config.lr, config.beta1, config.beta2,
                                         config.epsilon, config.weight_decay, step);
                }
            }
            test::check_close(params, as_tensor(want), reference::kOptimizerTolerance,
                              std::string(name) + " over " + std::to_string(size) + " parameters");
        }
    }
}

TEST_CASE("optimizer configuration errors name the field") {
    OptimizerConfig bad;
    bad.name = "rmsprop";
    CHECK_THROWS_WITH_AS(Optimizer(bad, 10), doctest::Contains("'rmsprop' is unknown"), Error);
    OptimizerConfig negative;
    negative.lr = -1;
    CHECK_THROWS_WITH_AS(Optimizer(negative, 10), doctest::Contains("lr must be positive"), Error);
}

TEST_CASE("an arena carves aligned views that share one allocation") {
    Arena arena;
    const int w = arena.add("conv.weight", {6, 1, 5, 5});
    const int b = arena.add("conv.bias", {6});
    arena.allocate();
    CHECK(arena.size() >= 156);
    arena[b].data()[0] = 3.0f;
    arena[w].data()[149] = 2.0f;
    CHECK(arena.flat().data()[160] == 3.0f);  // the bias starts on the next 16-element boundary
    CHECK(arena.flat().data()[149] == 2.0f);
    CHECK(arena[w].shape() == Shape{6, 1, 5, 5});
}
