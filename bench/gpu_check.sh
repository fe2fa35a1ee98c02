#!/usr/bin/env bash
# One script for a machine with an NVIDIA GPU: every CUDA kernel against the CPU reference,
# LeNet training on CUDA beside PyTorch, and conv2d at the large shape beside cuDNN. It needs
# no Halide, network or pip: run it from a pack made by bench/pack_gpu_check.sh (binaries, peer
# scripts, data), or from a built checkout. Everything goes to one report file.
#   gpu_check.sh [REPORT]          (default: gpu_check_report.txt in the current folder)
# Python for the PyTorch steps: $HNN_TORCH_PYTHON, else python3 (skipped if torch is absent).
set -uo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
if [[ -x $here/../bin/hnn ]]; then        # a pack
  hnn="$here/../bin/hnn"; cuda_tests="$here/../bin/hnn_cuda_tests"; data="$here/../data"
else                                      # a checkout with build/
  hnn="$here/../build/tools/hnn"; cuda_tests="$here/../build/tests/hnn_cuda_tests"; data=/usr/share/datasets/fashion-mnist
fi
data="${HNN_DATA:-$data}"
export HNN_TORCH_PYTHON="${HNN_TORCH_PYTHON:-$(command -v python3)}"
report="${1:-gpu_check_report.txt}"
exec > >(tee "$report") 2>&1
start=$SECONDS
section() { printf '\n=== %s (%d s)\n' "$1" $((SECONDS - start)); }

section "1. GPU, driver and capability"
nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv 2>&1 || echo "nvidia-smi not found"
"$hnn" devices

section "2. every CUDA kernel against the CPU reference (the tests' shapes)"
pass=0 fail=0
while IFS= read -r name; do
  [[ -z $name ]] && continue
  if out=$("$cuda_tests" -tc="$name" 2>&1); then
    printf 'PASS  %s\n' "$name"; pass=$((pass + 1))
  else
    printf 'FAIL  %s\n' "$name"; echo "$out" | grep -E 'ERROR|logged|values' | head -8 | sed 's/^/      /'
    fail=$((fail + 1))
  fi
done < <("$cuda_tests" -ltc --no-version 2>/dev/null | grep -vE '^\[doctest\]|^=+$|^$' | sed 's/^ *//')
echo "kernel checks: $pass passed, $fail failed"

section "3. LeNet, 2 epochs on CUDA"
"$hnn" bench train --model lenet --epochs 2 --device cuda --data "$data"

section "3b. one epoch with --stats: bytes moved and kernels run per training step (want 0 B)"
scratch=$(mktemp -d)
"$hnn" train lenet --epochs 1 --device cuda --data "$data" --stats \
  --save "$scratch/lenet.safetensors" --metrics "$scratch/metrics.csv" --plot "$scratch/curves.svg"
rm -rf "$scratch"

section "3c. house prices: k-fold of the linear model and the MLP on CUDA"
ames="$data/ames"; [[ -d $ames ]] || ames="$here/../data/ames"
for model in linear mlp; do
  "$hnn" kfold house-prices --model $model --device cuda --train "$ames/train.csv.gz" --test "$ames/test.csv.gz" | tail -2
done

section "4. the same on the CPU, for scale (1 epoch, no PyTorch)"
"$hnn" bench train --model lenet --epochs 1 --device cpu --data "$data" --no-torch | tail -3

section "5. conv2d N8 64->64 56x56 3x3 on CUDA beside cuDNN"
"$hnn" bench conv --device cuda

section "done"
echo "report: $report; kernel checks $pass passed, $fail failed; $((SECONDS - start)) s"
