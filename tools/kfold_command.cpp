// hnn kfold house-prices: d2l 5.7's k-fold cross-validation on Kaggle's files or the shipped
// Ames data, and the submission file.
#include <HalideRuntime.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include "thread_pool.h"
#include "commands.h"
#include "error.h"
#include "house_prices.h"

namespace hnn::cli {

namespace {

struct KFoldArgs {
    std::string task, train = HNN_SOURCE_DIR "/data/ames/train.csv.gz", test = HNN_SOURCE_DIR "/data/ames/test.csv.gz";
    std::string submission, device = "cpu", optimizer;
    KFoldConfig config;
    float lr = -1, weight_decay = 0, momentum = 0;
    bool describe = false, train_stats = false;
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

// The defaults of each model: d2l's for linear; for the MLP, what its exercise asks (more
// layers, weight decay) with Adam, which the deeper model needs to train in 10 epochs.
void apply_model_defaults(KFoldArgs &a) {
    const bool mlp = a.config.model == "mlp";
    a.config.optimizer.name = a.optimizer.empty() ? (mlp ? "adam" : "sgd") : a.optimizer;
    a.config.optimizer.lr = a.lr > 0 ? a.lr : (mlp ? 0.005f : 0.01f);
    a.config.optimizer.weight_decay = a.weight_decay;
    a.config.optimizer.momentum = a.momentum;
}

}  // namespace

void add_kfold(CLI::App &app) {
    auto *cmd = app.add_subcommand("kfold", "d2l 5.7: k-fold cross-validation for house prices");
    auto a = std::make_shared<KFoldArgs>();
    cmd->add_option("task", a->task, "house-prices")->required()->check(CLI::IsMember({"house-prices"}));
    cmd->add_option("--train", a->train, "Training CSV with Id, features and SalePrice (raw or .gz)")->capture_default_str();
    cmd->add_option("--test", a->test, "Test CSV with Id and features")->capture_default_str();
    cmd->add_option("--k", a->config.k, "Folds")->capture_default_str();
    cmd->add_option("--epochs", a->config.epochs, "Epochs per fold")->capture_default_str();
    cmd->add_option("--lr", a->lr, "Learning rate [default: 0.01 linear, 0.005 mlp]");
    cmd->add_option("--batch-size", a->config.batch_size, "Minibatch size")->capture_default_str();
    cmd->add_option("--model", a->config.model, "linear or mlp")->capture_default_str()->check(CLI::IsMember({"linear", "mlp"}));
    cmd->add_option("--hidden", a->config.hidden, "mlp: units per hidden layer")->capture_default_str();
    cmd->add_option("--hidden-layers", a->config.hidden_layers, "mlp: hidden layers")->capture_default_str();
    cmd->add_option("--dropout", a->config.dropout, "mlp: dropout probability after each hidden layer (0 = none)")
        ->capture_default_str()
        ->check(CLI::Range(0.0f, 0.99f));
    cmd->add_option("--optimizer", a->optimizer, "sgd or adam [default: sgd linear, adam mlp]")->check(CLI::IsMember({"sgd", "adam"}));
    cmd->add_option("--weight-decay", a->weight_decay, "L2 weight decay")->capture_default_str();
    cmd->add_option("--momentum", a->momentum, "SGD momentum")->capture_default_str();
    cmd->add_flag("--shuffle", a->config.shuffle, "Shuffle rows before cutting folds (d2l: contiguous folds)");
    cmd->add_option("--seed", a->config.seed, "Seed of the weights and shuffles")->capture_default_str();
    cmd->add_option("--submission", a->submission, "Write Id,SalePrice for the test file (mean of the k models)");
    cmd->add_flag("--describe", a->describe, "Print the raw and encoded feature counts and stop");
    cmd->add_flag("--train-stats", a->train_stats, "Standardise with train-only statistics (d2l: train and test)");
    cmd->add_option("--device", a->device, "cpu or cuda")->capture_default_str()->check(CLI::IsMember({"cpu", "cuda"}));
    cmd->add_option("--threads", a->threads, "CPU threads")->capture_default_str();
    cmd->callback([a] {
        const auto start = std::chrono::steady_clock::now();
        hnn::set_cpu_threads(a->threads);
        a->config.device = parse_device(a->device);
        require_device(a->config.device);
        apply_model_defaults(*a);
        const Table train = read_csv(a->train), test = read_csv(a->test);
        const HouseData data = preprocess_house_prices(train, test, a->train_stats);
        std::printf("%s: %zu rows; %s: %zu rows; %d raw features (%d numeric, %d categorical) -> %zu encoded\n",
                    a->train.c_str(), train.rows.size(), a->test.c_str(), test.rows.size(), data.raw_features,
                    data.numeric_columns, data.categorical_columns, data.encoded_columns.size());
        if (a->describe) return;
        std::printf("model %s, %d folds, %d epochs, batch %d, %s lr %g, weight decay %g%s\n", a->config.model.c_str(),
                    a->config.k, a->config.epochs, a->config.batch_size, a->config.optimizer.name.c_str(),
                    a->config.optimizer.lr, a->config.optimizer.weight_decay, a->config.shuffle ? ", shuffled folds" : "");
        std::vector<Sequential> models;
        const std::vector<FoldResult> folds = k_fold(data, a->config, a->submission.empty() ? nullptr : &models);
        double mean = 0;
        for (size_t j = 0; j < folds.size(); ++j) {
            std::printf("fold %zu: train log mse %.4f, validation log mse %.4f\n", j + 1, folds[j].train_log_mse,
                        folds[j].validation_log_mse);
            mean += folds[j].validation_log_mse / folds.size();
        }
        std::printf("average validation log mse %.4f (log rmse %.4f)\n", mean, std::sqrt(mean));
        if (!a->submission.empty()) {
            const std::vector<double> prices = predict_prices(models, data.test_features, a->config.device);
            std::vector<std::vector<std::string>> rows;
            char price[32];
            for (size_t i = 0; i < prices.size(); ++i) {
                std::snprintf(price, sizeof price, "%.2f", prices[i]);
                rows.push_back({data.test_ids[i], price});
            }
            write_csv(a->submission, {"Id", "SalePrice"}, rows);
            std::printf("wrote %s (%zu predictions, the mean of %zu models' exp(prediction))\n", a->submission.c_str(),
                        prices.size(), models.size());
        }
        std::printf("%.2f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    });
}

}  // namespace hnn::cli
