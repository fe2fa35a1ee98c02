#!/usr/bin/env bash
# Assembles every CUDA kernel's PTX with the toolkit's ptxas for one GPU architecture and
# reports registers and spills per kernel. Exits non-zero when any PTX fails to assemble.
#   bench/ptx_report.sh [--arch sm_90] [FILE.device_code ...]   (default: build/generators/*_cuda.device_code)
set -uo pipefail
arch=sm_90
if [[ ${1:-} == --arch ]]; then arch=$2; shift 2; fi
files=("$@")
if ((${#files[@]} == 0)); then
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  shopt -s nullglob
  files=("${HNN_BUILD_DIR:-$root/build}"/generators/*_cuda.device_code)
fi
ptxas=$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)
if [[ ! -x $ptxas ]]; then
  echo "SKIPPED: ptxas not found (no CUDA toolkit); PTX not checked"
  exit 77
fi
status=0 kernels=0
printf '%-40s %-34s %6s %8s %8s\n' "library" "kernel" "regs" "spill st" "spill ld"
for f in "${files[@]}"; do
  [[ -s $f ]] || continue   # a library whose schedule puts nothing on the GPU has no PTX
  lib=$(basename "$f" .device_code)
  if ! out=$("$ptxas" -arch="$arch" -v "$f" -o /dev/null 2>&1); then
    echo "FAILED: $lib: ptxas -arch=$arch rejected its PTX:"; echo "$out" | head -20
    status=1; continue
  fi
  # ptxas -v: "Compiling entry function 'NAME'" ... "N bytes spill stores, M bytes spill loads" ... "Used R registers"
  awk -v lib="$lib" '
    /Compiling entry function/ { match($0, /'"'"'[^'"'"']+'"'"'/); name = substr($0, RSTART + 1, RLENGTH - 2) }
    /spill stores/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "bytes" && $(i+2) == "spill" && $(i+3) == "stores,") st = $i; if ($(i+1) == "bytes" && $(i+2) == "spill" && $(i+3) == "loads") ld = $i } }
    /Used [0-9]+ registers/ { match($0, /Used [0-9]+ registers/); regs = substr($0, RSTART + 5, RLENGTH - 15); printf "%-40s %-34s %6s %8s %8s\n", lib, name, regs, st, ld }
  ' <<<"$out"
  kernels=$((kernels + 1))
done
echo "$kernels CUDA libraries assembled for $arch"
exit $status
