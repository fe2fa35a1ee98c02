// d2l 5.7's house-price pipeline: preprocessing as pandas does it, folds, CSV errors, the
// submission file and an end-to-end k-fold on the shipped Ames data.
#include <cmath>
#include <fstream>

#include "files.h"
#include "house_prices.h"
#include "support.h"

using namespace hnn;
using test::scratch;

namespace {
void write_text(const std::string &path, const std::string &text) { std::ofstream(path) << text; }
}  // namespace

TEST_CASE("preprocessing standardises, fills NA and one-hot encodes as pandas does") {
    write_text(scratch("train.csv"), "Id,A,B,C,SalePrice\n1,1,x,\"q, r\",100\n2,NA,y,,200\n3,3,x,s,400\n");
    write_text(scratch("test.csv"), "Id,A,B,C\n4,5,None,s\n");
    const HouseData d = preprocess_house_prices(read_csv(scratch("train.csv")), read_csv(scratch("test.csv")));
    CHECK(d.raw_features == 3);
    CHECK(d.numeric_columns == 1);
    CHECK(d.categorical_columns == 2);
    CHECK(d.encoded_columns == std::vector<std::string>{"A", "B_x", "B_y", "B_nan", "C_q, r", "C_s", "C_nan"});
    // A: 1, NA, 3 | 5 -> mean 3, sample std 2 -> -1, 0 (NA), 0 | 1
    test::check_values(d.train_features, {3, 7}, {-1, 1, 0, 0, 1, 0, 0,  //
                                                  0, 0, 1, 0, 0, 0, 1,   //
                                                  0, 1, 0, 0, 0, 1, 0},
                       "train features");
    test::check_values(d.test_features, {1, 7}, {1, 0, 0, 1, 0, 1, 0}, "test features");
    test::check_values(d.train_labels, {3, 1}, {std::log(100.0f), std::log(200.0f), std::log(400.0f)}, "log prices");
    CHECK(d.test_ids == std::vector<std::string>{"4"});

    // Train-only statistics: mean 2, std sqrt(2) over the two train values.
    const HouseData t = preprocess_house_prices(read_csv(scratch("train.csv")), read_csv(scratch("test.csv")), true);
    CHECK(t.train_features.data()[0] == doctest::Approx(-1 / std::sqrt(2.0)));
    CHECK(t.test_features.data()[0] == doctest::Approx(3 / std::sqrt(2.0)));
}

TEST_CASE("folds are d2l's contiguous slices") {
    const auto folds = fold_bounds(1465, 5);
    REQUIRE(folds.size() == 5);
    CHECK(folds[0] == std::pair<int, int>{0, 293});
    CHECK(folds[4] == std::pair<int, int>{1172, 1465});
    CHECK(fold_bounds(10, 3)[2] == std::pair<int, int>{6, 9});  // the last row trains in every fold
    CHECK_THROWS_AS(fold_bounds(3, 5), Error);
    CHECK_THROWS_AS(fold_bounds(10, 1), Error);
}

TEST_CASE("bad CSV files are errors naming the file, line and column") {
    write_text(scratch("test.csv"), "Id,A\n9,1\n");
    struct Case {
        const char *name, *text, *message;
    };
    const Case cases[] = {
        {"ragged.csv", "Id,A,SalePrice\n1,2,3\n2,3\n", "ragged.csv line 3: has 2 fields, the header has 3"},
        {"label.csv", "Id,A,SalePrice\n1,2,3\n2,3,cheap\n", "label.csv line 3 column 3 (SalePrice): 'cheap' is not a positive number"},
        {"nolabel.csv", "Id,A\n1,2\n", "nolabel.csv: has no 'SalePrice' column"},
        {"empty.csv", "", "empty.csv: is empty"},
        {"quote.csv", "Id,A,SalePrice\n1,\"2,3\n", "quote.csv"},
    };
    for (const Case &c : cases) {
        INFO(c.name);
        write_text(scratch(c.name), c.text);
        CHECK_THROWS_WITH_AS(preprocess_house_prices(read_csv(scratch(c.name)), read_csv(scratch("test.csv"))),
                             doctest::Contains(c.message), Error);
    }
}

TEST_CASE("k-fold on the shipped Ames data: linear as d2l, the MLP far better, a submission") {
    const std::string dir = std::string(HNN_SOURCE_DIR) + "/data/ames/";
    const HouseData data = preprocess_house_prices(read_csv(dir + "train.csv.gz"), read_csv(dir + "test.csv.gz"));
    CHECK(data.train_features.shape() == Shape{1465, 352});
    KFoldConfig linear;
    double linear_mean = 0;
    for (const FoldResult &f : k_fold(data, linear)) linear_mean += f.validation_log_mse / 5;
    INFO("linear average validation log mse " << linear_mean);
    CHECK(linear_mean < 0.3);  // PyTorch's d2l pipeline on these files: about 0.20
    KFoldConfig mlp;
    mlp.model = "mlp";
    mlp.optimizer.name = "adam";
    mlp.optimizer.lr = 0.005f;
    std::vector<Sequential> models;
    double mlp_mean = 0;
    for (const FoldResult &f : k_fold(data, mlp, &models)) mlp_mean += f.validation_log_mse / 5;
    INFO("mlp average validation log mse " << mlp_mean);
    CHECK(mlp_mean < 0.8 * linear_mean);
    KFoldConfig dropout = mlp;  // d2l's exercise; PyTorch's same pipeline gives about 0.061
    dropout.dropout = 0.1f;
    double dropout_mean = 0;
    for (const FoldResult &f : k_fold(data, dropout)) dropout_mean += f.validation_log_mse / 5;
    INFO("mlp with dropout 0.1: average validation log mse " << dropout_mean);
    CHECK(dropout_mean < 0.5 * linear_mean);
    CHECK(dropout_mean != mlp_mean);

    auto run = test::run_hnn("kfold house-prices --model mlp --epochs 2 --submission " + scratch("submission.csv"));
    INFO(run.output);
    REQUIRE(run.status == 0);
    const Table submission = read_csv(scratch("submission.csv"));
    CHECK(submission.columns == std::vector<std::string>{"Id", "SalePrice"});
    CHECK(submission.rows.size() == 1465);
    CHECK(submission.rows[0][0] == "2");
    const double price = std::stod(submission.rows[0][1]);
    CHECK(price > 10000);
    CHECK(price < 1000000);
}
