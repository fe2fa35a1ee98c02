#!/usr/bin/env python3
"""PyTorch's peer for `hnn bench conv`: conv2d N8 64->64 56x56, 3x3, padding 1, forward and
backward (input, weight, bias gradients) on one device; cuDNN on a GPU. Prints one JSON line."""
import argparse
import json
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    try:
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(json.dumps({"error": f"torch is not importable ({e})"}))
        return
    torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False  # FP32, as hnn
    x = torch.randn(8, 64, 56, 56, device=dev, requires_grad=True)
    w = torch.randn(64, 64, 3, 3, device=dev, requires_grad=True)
    b = torch.randn(64, device=dev, requires_grad=True)
    dy = torch.randn(8, 64, 56, 56, device=dev)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def best(fn):
        fn()
        sync()
        t = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(5):
                fn()
            sync()
            t = min(t, (time.perf_counter() - start) / 5)
        return t * 1e3

    with torch.no_grad():
        forward = best(lambda: F.conv2d(x, w, b, padding=1))
    y = F.conv2d(x, w, b, padding=1)
    backward = best(lambda: torch.autograd.grad(y, (x, w, b), dy, retain_graph=True))
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "CPU"
    print(json.dumps({"about": f"torch {torch.__version__}, {name}, FP32 (no TF32)", "forward_ms": forward,
                      "backward_ms": backward}))


if __name__ == "__main__":
    main()
