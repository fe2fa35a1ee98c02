#!/usr/bin/env bash
# Makes hnn's embedded house-price data from Debian's r-cran-modeldata (modeldata::ames):
# the Ames, Iowa housing data of De Cock (2011), "Ames, Iowa: Alternative to the Boston Housing
# Data as an End of Semester Regression Project", Journal of Statistics Education 19(3).
# 2,930 houses, 73 features and the label Sale_Price. Split deterministically into Kaggle-shaped
# files: even rows (0-based) -> train.csv.gz (Id, features, SalePrice), odd rows -> test.csv.gz
# (Id, features). Ids run 1..2930 in the package's row order.
#   apt-get install r-cran-modeldata && data/ames/make_ames.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
Rscript -e "write.csv(modeldata::ames, '$tmp/ames.csv', row.names=FALSE)"
python3 - "$tmp/ames.csv" "$here" <<'PY'
import csv, gzip, io, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
header, data = rows[0], rows[1:]
label = header.index("Sale_Price")
features = [i for i in range(len(header)) if i != label]
def write(name, selected, with_label):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Id"] + [header[i] for i in features] + (["SalePrice"] if with_label else []))
    for row_id, row in selected:
        w.writerow([row_id] + [row[i] for i in features] + ([row[label]] if with_label else []))
    with gzip.GzipFile(f"{sys.argv[2]}/{name}", "wb", mtime=0) as f:
        f.write(out.getvalue().encode())
numbered = list(enumerate(data, start=1))
write("train.csv.gz", [r for r in numbered if (r[0] - 1) % 2 == 0], True)
write("test.csv.gz", [r for r in numbered if (r[0] - 1) % 2 == 1], False)
print(f"{len(data)} houses: train.csv.gz {len(data[0::2])} rows, test.csv.gz {len(data[1::2])} rows")
PY
