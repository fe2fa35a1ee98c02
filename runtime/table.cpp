#include "table.h"

#include <csv.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "atomic_file.h"
#include "error.h"

namespace hnn {

namespace {

struct Parse {
    Table *table;
    std::vector<std::string> fields;
    int line = 0;  // the line the current record ends on (1-based)
    std::string error;
};

void on_field(void *data, size_t length, void *context) {
    auto *p = static_cast<Parse *>(context);
    p->fields.emplace_back(data ? static_cast<const char *>(data) : "", data ? length : 0);
}

void on_row(int, void *context) {
    auto *p = static_cast<Parse *>(context);
    ++p->line;
    if (!p->error.empty()) return;
    if (p->table->columns.empty()) {
        p->table->columns = std::move(p->fields);
    } else if (p->fields.size() == 1 && p->fields[0].empty()) {
        // a blank line
    } else if (p->fields.size() != p->table->columns.size()) {
        p->error = p->table->path + " line " + std::to_string(p->line) + ": has " + std::to_string(p->fields.size()) +
                   " fields, the header has " + std::to_string(p->table->columns.size());
    } else {
        p->table->rows.push_back(std::move(p->fields));
    }
    p->fields.clear();
}

}  // namespace

int Table::column(const std::string &name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i] == name) return static_cast<int>(i);
    }
    return -1;
}

bool is_missing(const std::string &cell) {
    // pandas.read_csv's default na_values, so that preprocessing matches d2l's exactly.
    static const char *const markers[] = {"",     "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN",
                                          "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",   "NA",       "NULL",
                                          "NaN",  "None", "n/a",      "nan", "null"};
    for (const char *m : markers) {
        if (cell == m) return true;
    }
    return false;
}

Table read_csv(const std::string &path) {
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
    Table table;
    table.path = path;
    Parse parse;
    parse.table = &table;
    csv_parser parser;
    csv_init(&parser, CSV_APPEND_NULL);
    char chunk[1 << 16];
    int got;
    while ((got = gzread(file, chunk, sizeof chunk)) > 0) {
        if (csv_parse(&parser, chunk, static_cast<size_t>(got), on_field, on_row, &parse) != static_cast<size_t>(got)) {
            const std::string why = csv_strerror(csv_error(&parser));
            csv_free(&parser);
            gzclose(file);
            throw Error(path + " line " + std::to_string(parse.line + 1) + ": " + why);
        }
    }
    const bool read_failed = got < 0;
    csv_fini(&parser, on_field, on_row, &parse);
    csv_free(&parser);
    gzclose(file);
    if (read_failed) throw Error(path + ": read error or corrupt gzip data");
    if (!parse.error.empty()) throw Error(parse.error);
    if (table.columns.empty()) throw Error(path + ": is empty; expected a header line and rows");
    if (table.rows.empty()) throw Error(path + ": has a header but no rows");
    return table;
}

void write_csv(const std::string &path, const std::vector<std::string> &columns,
               const std::vector<std::vector<std::string>> &rows) {
    std::string out;
    auto put_row = [&](const std::vector<std::string> &row) {
        for (size_t i = 0; i < row.size(); ++i) {
            if (i) out += ',';
            const std::string &f = row[i];
            if (f.find_first_of(",\"\n") != std::string::npos) {
                out += '"';
                for (char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
                out += '"';
            } else {
                out += f;
            }
        }
        out += '\n';
    };
    put_row(columns);
    for (const auto &row : rows) put_row(row);
    write_file_atomically(path, out);
}

}  // namespace hnn
