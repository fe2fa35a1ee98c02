#!/usr/bin/env bash
# Packs what bench/gpu_check.sh needs on a GPU machine that has no network, no Halide and no
# pip: the built hnn and hnn_cuda_tests binaries, the PyTorch peer scripts, and Fashion-MNIST
# (the four .gz files, about 30 MB). Build first (./hnn test), then:
#   bench/pack_gpu_check.sh [OUT_DIR]      (default: gpu-pack/)
# and copy OUT_DIR to the GPU machine; there run OUT_DIR/gpu_check.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HNN_BUILD_DIR:-$root/build}"
out="${1:-$root/gpu-pack}"
data="${HNN_DATA:-/usr/share/datasets/fashion-mnist}"
for f in "$build/tools/hnn" "$build/tests/hnn_cuda_tests"; do
  [[ -x $f ]] || { echo "missing $f: build first (./hnn test)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out/bin" "$out/bench" "$out/data"
cp "$build/tools/hnn" "$build/tests/hnn_cuda_tests" "$out/bin/"
cp "$root"/bench/*.py "$root/bench/gpu_check.sh" "$out/bench/"
cp -r "$root/bench/peers" "$out/bench/"
cp "$data"/*-ubyte.gz "$out/data/"
mkdir -p "$out/data/ames" && cp "$root"/data/ames/*.csv.gz "$out/data/ames/"
ln -sf bench/gpu_check.sh "$out/gpu_check.sh"
du -sh "$out"
