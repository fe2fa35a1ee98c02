#include "report.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atomic_file.h"
#include "error.h"

namespace hnn {

void write_metrics_csv(const std::string &path, const std::vector<EpochMetrics> &epochs) {
    std::ostringstream out;
    out << "epoch,train_loss,train_accuracy,validation_accuracy,seconds\n";
    char line[160];
    for (const EpochMetrics &e : epochs) {
        std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.6f,%.3f\n", e.epoch, e.train_loss, e.train_accuracy,
                      e.validation_accuracy, e.seconds);
        out << line;
    }
    write_file_atomically(path, out.str());
}

void write_curves_svg(const std::string &path, const std::vector<EpochMetrics> &epochs, const std::string &title) {
    const double width = 640, height = 400, left = 60, right = 170, top = 40, bottom = 50;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    const int n = static_cast<int>(epochs.size());
    double y_max = 1.0;
    for (const auto &e : epochs) y_max = std::max(y_max, e.train_loss);
    y_max = std::ceil(y_max * 4) / 4;
    auto px = [&](double epoch) { return left + (n <= 1 ? plot_w / 2 : (epoch - 1) / (n - 1) * plot_w); };
    auto py = [&](double v) { return top + plot_h - v / y_max * plot_h; };
    std::ostringstream svg;
    svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
        << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
        << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        << "<text x=\"" << left << "\" y=\"22\" font-size=\"14\">" << title << "</text>\n";
    for (int t = 0; t <= 4; ++t) {  // horizontal grid and y labels
        const double v = y_max * t / 4;
        svg << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << py(v) << "\" y2=\"" << py(v)
            << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 8 << "\" y=\"" << py(v) + 4 << "\" text-anchor=\"end\">"
            << v << "</text>\n";
    }
    for (int e = 1; e <= n; ++e) {
        svg << "<text x=\"" << px(e) << "\" y=\"" << top + plot_h + 18 << "\" text-anchor=\"middle\">" << e << "</text>\n";
    }
    svg << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 10 << "\" text-anchor=\"middle\">epoch</text>\n"
        << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\"" << plot_h
        << "\" fill=\"none\" stroke=\"#333\"/>\n";
    struct Series {
        const char *name, *color, *dash;
        double EpochMetrics::*field;
    };
    const Series series[] = {{"train loss", "#1f77b4", "", &EpochMetrics::train_loss},
                             {"train acc", "#ff7f0e", "6,3", &EpochMetrics::train_accuracy},
                             {"val acc", "#2ca02c", "2,3", &EpochMetrics::validation_accuracy}};
    int row = 0;
    for (const Series &s : series) {
        svg << "<polyline fill=\"none\" stroke=\"" << s.color << "\" stroke-width=\"2\" stroke-dasharray=\"" << s.dash
            << "\" points=\"";
        for (const auto &e : epochs) svg << px(e.epoch) << "," << py(e.*s.field) << " ";
        svg << "\"/>\n";
        for (const auto &e : epochs) {
            svg << "<circle cx=\"" << px(e.epoch) << "\" cy=\"" << py(e.*s.field) << "\" r=\"3\" fill=\"" << s.color
                << "\"/>\n";
        }
        const double ly = top + 10 + 20 * row++;
        svg << "<line x1=\"" << left + plot_w + 15 << "\" x2=\"" << left + plot_w + 45 << "\" y1=\"" << ly << "\" y2=\""
            << ly << "\" stroke=\"" << s.color << "\" stroke-width=\"2\" stroke-dasharray=\"" << s.dash << "\"/>\n"
            << "<text x=\"" << left + plot_w + 50 << "\" y=\"" << ly + 4 << "\">" << s.name << "</text>\n";
    }
    svg << "</svg>\n";
    write_file_atomically(path, svg.str());
}

namespace {
void put32(std::string &out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out += char((v >> s) & 0xff);
}
void chunk(std::string &out, const char *type, const std::string &data) {
    put32(out, static_cast<uint32_t>(data.size()));
    std::string body = std::string(type, 4) + data;
    out += body;
    put32(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef *>(body.data()), body.size())));
}
}  // namespace

void write_png_gray(const std::string &path, int width, int height, const std::vector<uint8_t> &pixels) {
    if (pixels.size() != size_t(width) * height) throw Error(path + ": image data does not match its size");
    std::string raw;
    raw.reserve(size_t(height) * (width + 1));
    for (int y = 0; y < height; ++y) {
        raw += char(0);  // filter: none
        raw.append(reinterpret_cast<const char *>(&pixels[size_t(y) * width]), width);
    }
    uLongf packed_size = compressBound(raw.size());
    std::string packed(packed_size, '\0');
    if (compress2(reinterpret_cast<Bytef *>(packed.data()), &packed_size, reinterpret_cast<const Bytef *>(raw.data()),
                  raw.size(), 9) != Z_OK) {
        throw Error(path + ": PNG compression failed");
    }
    packed.resize(packed_size);
    std::string png = "\x89PNG\r\n\x1a\n";
    std::string header;
    put32(header, width);
    put32(header, height);
    header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grayscale, deflate, no interlace
    chunk(png, "IHDR", header);
    chunk(png, "IDAT", packed);
    chunk(png, "IEND", "");
    write_file_atomically(path, png);
}

}  // namespace hnn
