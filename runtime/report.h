// What a training run leaves behind for a person: per-epoch metrics as CSV, the curves as an
// SVG plot (d2l's board: train loss, train accuracy, validation accuracy), and PNG images.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace hnn {

struct EpochMetrics {
    int epoch;
    double train_loss, train_accuracy, validation_accuracy, seconds;
};

// Both written to a temporary file and renamed.
void write_metrics_csv(const std::string &path, const std::vector<EpochMetrics> &epochs);
void write_curves_svg(const std::string &path, const std::vector<EpochMetrics> &epochs, const std::string &title);

// 8-bit grayscale PNG, row-major `pixels` [height * width].
void write_png_gray(const std::string &path, int width, int height, const std::vector<uint8_t> &pixels);

}  // namespace hnn
