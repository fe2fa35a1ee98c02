#!/usr/bin/env python3
"""PyTorch's peer for `hnn bench kernels`: times PyTorch's CPU operators on the same shapes.

Each module bench/peers/<family>.py defines cases() -> {name: make}, where make() does the
set-up and returns a zero-argument callable that runs the op once; names match the hnn cases.
Prints one JSON object on its last line: {"about": ..., "seconds": {name: seconds}} or
{"error": why}.
"""
import argparse
import importlib.util
import json
import pathlib
import sys
import time


def time_callable(fn, min_seconds):
    """Seconds per call: the best of 5 batches, as hnn's timer does."""
    fn()
    reps = 1
    while True:
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds / 5 or reps >= 1 << 20:
            break
        reps = max(reps * 2, int(reps * (min_seconds / 5) / max(elapsed, 1e-9)))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - start) / reps)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-time", type=float, default=0.5)
    parser.add_argument("--names", default="", help="';'-separated case names to run (default: all)")
    args = parser.parse_args()
    try:
        import torch
    except ImportError as e:
        print(json.dumps({"error": f"torch is not importable ({e}); set HNN_TORCH_PYTHON to a python with torch"}))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = torch.__config__.show()
    blas = "MKL" if "USE_MKL=ON" in config or "mkl" in config.lower() else "generic BLAS"
    onednn = " + oneDNN" if torch.backends.mkldnn.is_available() else ""
    about = f"torch {torch.__version__}, CPU, {blas}{onednn}, {args.threads} threads"

    cases = {}
    for path in sorted((pathlib.Path(__file__).parent / "peers").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"peer_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases.update(module.cases())
    wanted = [n for n in args.names.split(";") if n] or sorted(cases)
    seconds = {}
    with torch.inference_mode(False):
        for name in wanted:
            if name in cases:
                seconds[name] = time_callable(cases[name](), args.min_time)
    print(json.dumps({"about": about, "seconds": seconds}))


if __name__ == "__main__":
    sys.exit(main())
