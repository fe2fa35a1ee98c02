#!/usr/bin/env bash
# Installs everything hnn needs on a fresh Debian machine; safe to run again (idempotent).
# Used by ./hnn on first use and by .ci/run. Prints what it installs.
#   tools/setup.sh               what building and testing need
#   tools/setup.sh --with-torch  also PyPI's torch, for the benchmarks' PyTorch peers
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${HNN_VENV:-$root/.venv}"
halide_version="21.0.0"
debian_packages=(doctest-dev libcli11-dev nlohmann-json3-dev zlib1g-dev libcsv-dev dataset-fashion-mnist)

say() { printf '[hnn setup] %s\n' "$*"; }
die() { printf '[hnn setup] error: %s\n' "$*" >&2; exit 1; }

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq || die "apt-get update failed: Debian's package registry cannot be reached"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed (is Debian's registry reachable?)"
fi

installed=$(( ${#missing[@]} ))
stamp="$venv/.hnn-setup-$halide_version"
if [[ ! -f $stamp ]]; then
  python="${PYTHON:-$(command -v python3 || true)}"
  [[ -n $python ]] || die "python3 not found; it is needed for the virtual environment"
  if [[ ! -x $venv/bin/python ]]; then
    say "creating virtual environment $venv"
    "$python" -m venv "$venv" || die "python3 -m venv failed (install python3-venv)"
  fi
  say "installing halide==$halide_version, cmake>=3.28, ninja, numpy into $venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check \
      "halide==$halide_version" "cmake>=3.28" ninja numpy \
    || die "pip install failed: PyPI cannot be reached or halide==$halide_version is unavailable"
  touch "$stamp"
  installed=1
fi
if [[ ${1:-} == --with-torch ]] && ! "$venv/bin/python" -c 'import torch' 2>/dev/null; then
  # Only for the benchmarks' PyTorch peers; PyPI's torch brings MKL and oneDNN (several GB).
  say "installing torch, pandas into $venv (the benchmarks' PyTorch peers)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check torch pandas \
    || die "pip install torch failed: PyPI cannot be reached"
  installed=1
fi
((installed == 0)) || say "ready: $("$venv/bin/cmake" --version | head -1), ninja $("$venv/bin/ninja" --version), halide $halide_version"
