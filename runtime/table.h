// Tables from CSV files (Kaggle's house prices): read with libcsv (quoted fields, commas in
// quotes), raw or gzip. Every cell is kept as text; missing cells are "" or NA as pandas reads.
#pragma once
#include <string>
#include <vector>

namespace hnn {

struct Table {
    std::string path;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;  // each as long as columns
    int column(const std::string &name) const;   // -1 if absent
};

// An empty file, a missing header or a row whose field count differs from the header's is an
// hnn::Error naming the file, the line and (for a ragged row) the count expected.
Table read_csv(const std::string &path);

// pandas.read_csv's default missing-value markers: "", NA, N/A, NaN, None, null, NULL, #N/A, ...
bool is_missing(const std::string &cell);

// Writes rows under a header (fields quoted where needed), through a temporary file.
void write_csv(const std::string &path, const std::vector<std::string> &columns,
               const std::vector<std::vector<std::string>> &rows);

}  // namespace hnn
