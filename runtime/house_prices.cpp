#include "house_prices.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>

#include "error.h"
#include "ops.h"
#include "resident.h"
#include "train.h"

namespace hnn {

namespace {

bool parse_number(const std::string &text, double &value) {
    if (text.empty()) return false;
    char *end = nullptr;
    value = std::strtod(text.c_str(), &end);
    return end == text.c_str() + text.size() && std::isfinite(value);
}

}  // namespace

HouseData preprocess_house_prices(const Table &train, const Table &test, bool train_only_statistics, const std::string &label) {
    const int label_column = train.column(label);
    if (label_column < 0) throw Error(train.path + ": has no '" + label + "' column (the label)");
    const int train_id = train.column("Id"), test_id = test.column("Id");
    if (train_id < 0) throw Error(train.path + ": has no 'Id' column");
    if (test_id < 0) throw Error(test.path + ": has no 'Id' column");

    // The feature columns: train's, less Id and the label; test must have each of them.
    std::vector<int> train_columns, test_columns;
    std::vector<std::string> names;
    for (int c = 0; c < static_cast<int>(train.columns.size()); ++c) {
        if (c == label_column || c == train_id) continue;
        const int t = test.column(train.columns[c]);
        if (t < 0) throw Error(test.path + ": has no column '" + train.columns[c] + "', which " + train.path + " has");
        train_columns.push_back(c);
        test_columns.push_back(t);
        names.push_back(train.columns[c]);
    }
    const int n_train = static_cast<int>(train.rows.size()), n_test = static_cast<int>(test.rows.size());
    const int n_all = n_train + n_test;
    auto cell = [&](int row, int feature) -> const std::string & {
        return row < n_train ? train.rows[row][train_columns[feature]] : test.rows[row - n_train][test_columns[feature]];
    };

    HouseData data;
    data.raw_features = static_cast<int>(names.size());
    // Numeric columns first (standardised), then each categorical column's dummies: pandas' order.
    std::vector<std::vector<float>> encoded;  // column-major
    std::vector<int> categorical;
    for (int f = 0; f < data.raw_features; ++f) {
        std::vector<double> values(n_all, NAN);
        bool numeric = true;
        for (int r = 0; r < n_all && numeric; ++r) {
            const std::string &text = cell(r, f);
            if (is_missing(text)) continue;
            numeric = parse_number(text, values[r]);
        }
        if (!numeric) {
            categorical.push_back(f);
            continue;
        }
        const int stats_rows = train_only_statistics ? n_train : n_all;
        double sum = 0;
        int count = 0;
        for (int r = 0; r < stats_rows; ++r) {
            if (!std::isnan(values[r])) sum += values[r], ++count;
        }
        const double mean = count ? sum / count : 0;
        double squares = 0;
        for (int r = 0; r < stats_rows; ++r) {
            if (!std::isnan(values[r])) squares += (values[r] - mean) * (values[r] - mean);
        }
        const double stddev = count > 1 ? std::sqrt(squares / (count - 1)) : 0;  // pandas: ddof = 1
        std::vector<float> column(n_all);
        for (int r = 0; r < n_all; ++r) {
            const double z = stddev > 0 ? (values[r] - mean) / stddev : NAN;
            column[r] = std::isnan(z) ? 0.0f : static_cast<float>(z);
        }
        encoded.push_back(std::move(column));
        data.encoded_columns.push_back(names[f]);
        ++data.numeric_columns;
    }
    for (int f : categorical) {
        std::map<std::string, int> levels;  // sorted, as pandas' get_dummies
        for (int r = 0; r < n_all; ++r) {
            if (!is_missing(cell(r, f))) levels.emplace(cell(r, f), 0);
        }
        int index = 0;
        for (auto &[level, slot] : levels) slot = index++;
        const size_t first = encoded.size();
        for (auto &[level, slot] : levels) {
            encoded.emplace_back(n_all, 0.0f);
            data.encoded_columns.push_back(names[f] + "_" + level);
        }
        encoded.emplace_back(n_all, 0.0f);
        data.encoded_columns.push_back(names[f] + "_nan");
        for (int r = 0; r < n_all; ++r) {
            const std::string &text = cell(r, f);
            encoded[first + (is_missing(text) ? levels.size() : size_t(levels.at(text)))][r] = 1.0f;
        }
        ++data.categorical_columns;
    }

    const int F = static_cast<int>(encoded.size());
    data.train_features = Tensor({n_train, F});
    data.test_features = Tensor({n_test, F});
    for (int r = 0; r < n_all; ++r) {
        float *row = r < n_train ? data.train_features.data() + int64_t(r) * F : data.test_features.data() + int64_t(r - n_train) * F;
        for (int c = 0; c < F; ++c) row[c] = encoded[c][r];
    }
    data.train_labels = Tensor({n_train, 1});
    for (int r = 0; r < n_train; ++r) {
        double price;
        const std::string &text = train.rows[r][label_column];
        if (!parse_number(text, price) || price <= 0) {
            throw Error(train.path + " line " + std::to_string(r + 2) + " column " + std::to_string(label_column + 1) + " (" +
                        label + "): '" + text + "' is not a positive number");
        }
        data.train_labels.data()[r] = static_cast<float>(std::log(price));
    }
    for (int r = 0; r < n_test; ++r) data.test_ids.push_back(test.rows[r][test_id]);
    return data;
}

std::vector<std::pair<int, int>> fold_bounds(int rows, int k) {
    if (k < 2) throw Error("--k must be at least 2, got " + std::to_string(k));
    if (rows < k) throw Error("cannot cut " + std::to_string(rows) + " rows into " + std::to_string(k) + " folds");
    const int size = rows / k;
    std::vector<std::pair<int, int>> bounds;
    for (int j = 0; j < k; ++j) bounds.emplace_back(j * size, (j + 1) * size);
    return bounds;
}

namespace {

std::vector<LayerSpec> regression_layers(const KFoldConfig &config) {
    auto dense = [](int out) {
        LayerSpec s{LayerKind::dense};
        s.out_features = out;
        return s;
    };
    if (config.model == "linear") return {dense(1)};
    if (config.model != "mlp") throw Error("--model '" + config.model + "': expected linear or mlp");
    std::vector<LayerSpec> layers;
    for (int i = 0; i < config.hidden_layers; ++i) {
        layers.push_back(dense(config.hidden));
        layers.push_back(LayerSpec{LayerKind::relu});
        if (config.dropout > 0) {
            LayerSpec d{LayerKind::dropout};
            d.p = config.dropout;
            layers.push_back(d);
        }
    }
    layers.push_back(dense(1));
    return layers;
}

// Mean squared error of the model on `rows` of (features, labels) resident on `device`, in batches.
double mean_squared_error(Sequential &model, const Tensor &features, const Tensor &labels, const std::vector<int> &rows,
                          int batch, Device device) {
    model.set_training(false);
    model.plan(batch);
    Tensor x({batch, features.dim(1)}), y({batch, 1});
    Labels order = make_labels(rows);
    make_resident(order, device);
    double sse = 0;
    for (size_t at = 0; at < rows.size(); at += batch) {
        const int n = static_cast<int>(std::min<size_t>(batch, rows.size() - at));
        const Labels picked = order.cropped(0, static_cast<int>(at), n).translated(0, -static_cast<int>(at));
        Tensor input = n == batch ? x : x.view(0, {n, features.dim(1)});
        Tensor target = n == batch ? y : y.view(0, {n, 1});
        gather_rows(input, features, picked, device);
        gather_rows(target, labels, picked, device);
        Tensor prediction = model.forward(input, device);
        prediction.sync_to_host();
        target.sync_to_host();
        for (int i = 0; i < n; ++i) {
            const double d = double(prediction.data()[i]) - target.data()[i];
            sse += d * d;
        }
    }
    return sse / rows.size();
}

}  // namespace

std::vector<FoldResult> k_fold(const HouseData &data, const KFoldConfig &config, std::vector<Sequential> *models) {
    const int n = data.train_features.dim(0), F = data.train_features.dim(1);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    if (config.shuffle) order = epoch_order(n, config.seed, 0);
    // The whole training set goes to the device once (they share the host memory).
    Tensor features = data.train_features, labels = data.train_labels;
    make_resident(features.buffer(), config.device);
    make_resident(labels.buffer(), config.device);
    std::vector<FoldResult> results;
    for (auto [begin, end] : fold_bounds(n, config.k)) {
        std::vector<int> train_rows, valid_rows;
        for (int i = 0; i < n; ++i) (i >= begin && i < end ? valid_rows : train_rows).push_back(order[i]);
        Sequential model(regression_layers(config), {F});
        model.initialize(config.seed + results.size(),
                         config.model == "linear" ? Sequential::Init::normal : Sequential::Init::pytorch_default);
        model.place(config.device);
        model.plan(config.batch_size);
        Optimizer optimizer(config.optimizer, model.parameters().size());
        // The batch memory lives on the device; each step gathers its rows there.
        Tensor x({config.batch_size, F}), y({config.batch_size, 1});
        make_resident(x.buffer(), config.device);
        make_resident(y.buffer(), config.device);
        uint64_t step = 0;
        const int m = static_cast<int>(train_rows.size());
        for (int epoch = 1; epoch <= config.epochs; ++epoch) {
            const std::vector<int> shuffled = epoch_order(m, config.seed + 1000 * results.size(), epoch);
            std::vector<int> epoch_rows(m);
            for (int i = 0; i < m; ++i) epoch_rows[i] = train_rows[shuffled[i]];
            Labels epoch_order_rows = make_labels(epoch_rows);
            make_resident(epoch_order_rows, config.device);  // once per epoch
            for (int at = 0; at < m; at += config.batch_size) {
                const int b = std::min(config.batch_size, m - at);
                const Labels picked = epoch_order_rows.cropped(0, at, b).translated(0, -at);
                Tensor input = b == config.batch_size ? x : x.view(0, {b, F});
                Tensor target = b == config.batch_size ? y : y.view(0, {b, 1});
                gather_rows(input, features, picked, config.device);
                gather_rows(target, labels, picked, config.device);
                model.set_training(true, step++, config.seed + results.size());
                const Tensor &prediction = model.forward(input, config.device);
                mse_backward(model.d_logits(), prediction, target, config.device);
                model.backward(config.device);
                optimizer.step(model.parameters().flat(), model.gradients().flat(), config.device);
            }
        }
        results.push_back({mean_squared_error(model, features, labels, train_rows, config.batch_size, config.device),
                           mean_squared_error(model, features, labels, valid_rows, config.batch_size, config.device)});
        if (!std::isfinite(results.back().train_log_mse) || !std::isfinite(results.back().validation_log_mse)) {
            throw Error("fold " + std::to_string(results.size()) + " diverged (log mse is not finite) with " +
                        config.optimizer.name + " lr " + std::to_string(config.optimizer.lr) + ": lower --lr");
        }
        if (models) models->push_back(std::move(model));
    }
    return results;
}

std::vector<double> predict_prices(std::vector<Sequential> &models, const Tensor &features, Device device) {
    const int n = features.dim(0), F = features.dim(1), batch = 256;
    std::vector<double> prices(n, 0.0);
    for (Sequential &model : models) {
        model.plan(batch);
        model.set_training(false);
        Tensor x({batch, F});
        for (int at = 0; at < n; at += batch) {
            const int b = std::min(batch, n - at);
            std::memcpy(x.data(), features.data() + int64_t(at) * F, size_t(b) * F * sizeof(float));
            x.buffer().set_host_dirty();
            Tensor input = b == batch ? x : x.view(0, {b, F});
            Tensor prediction = model.forward(input, device);
            prediction.sync_to_host();
            for (int i = 0; i < b; ++i) prices[at + i] += std::exp(double(prediction.data()[i])) / models.size();
        }
    }
    return prices;
}

}  // namespace hnn
