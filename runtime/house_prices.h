// d2l 5.7: house prices by k-fold cross-validation. Kaggle's files (or the shipped Ames data)
// are preprocessed as d2l 1.0 does with pandas, then regression models train on log prices
// with MSE through the same runtime, kernels and optimizers as LeNet.
#pragma once
#include <string>
#include <vector>

#include "model.h"
#include "optim.h"
#include "table.h"

namespace hnn {

struct HouseData {
    int raw_features = 0;        // columns besides Id and the label
    int numeric_columns = 0, categorical_columns = 0;
    std::vector<std::string> encoded_columns;  // numeric columns, then col_value / col_nan dummies
    Tensor train_features;       // [n_train, F]
    Tensor train_labels;         // [n_train, 1]: log(SalePrice)
    Tensor test_features;        // [n_test, F]
    std::vector<std::string> test_ids;
};

// Drops Id; standardises numeric columns (mean, sample std) over train and test features
// together (train only with `train_only_statistics`), then sets missing numeric values to 0;
// one-hot encodes the other columns with categories in sorted order plus a missing indicator
// (pandas get_dummies(dummy_na=True)); label = log(SalePrice). A missing label column, a
// non-numeric or non-positive label, or test columns unlike train's are errors naming the file,
// line and column.
HouseData preprocess_house_prices(const Table &train, const Table &test, bool train_only_statistics = false,
                                  const std::string &label = "SalePrice");

struct KFoldConfig {
    int k = 5, epochs = 10, batch_size = 64;
    std::string model = "linear";  // linear | mlp
    int hidden = 256;              // mlp: hidden units per layer
    int hidden_layers = 1;         // mlp
    float dropout = 0;             // mlp: Dropout(p) after each hidden ReLU when > 0
    OptimizerConfig optimizer{"sgd", 0.01f};  // d2l: minibatch SGD, lr 0.01
    bool shuffle = false;          // shuffle rows before cutting folds (d2l: contiguous folds)
    uint64_t seed = 0;
    Device device = Device::cpu;
};

struct FoldResult {
    double train_log_mse, validation_log_mse;
};

// Fold j validates on rows [j*s, (j+1)*s) with s = n / k and trains on the rest (d2l's k_fold_data).
std::vector<std::pair<int, int>> fold_bounds(int rows, int k);

// One model per fold; `models` (if given) receives them, for predictions.
std::vector<FoldResult> k_fold(const HouseData &data, const KFoldConfig &config, std::vector<Sequential> *models = nullptr);

// Each model's exp(prediction) on the test features, averaged.
std::vector<double> predict_prices(std::vector<Sequential> &models, const Tensor &features, Device device);

}  // namespace hnn
