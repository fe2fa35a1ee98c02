#!/usr/bin/env python3
"""PyTorch's peer for `hnn bench train`: the same model, batch, optimizer and thread count on
Fashion-MNIST, timed per training epoch (data already in memory as tensors, as hnn has it).
--warmup-steps runs that many untimed steps first (a fresh process's first steps build oneDNN
primitives and grow the allocator), so that one timed epoch is a warm one.
Prints one JSON object on its last line: {"about", "seconds_per_epoch", "val_accuracy"} or {"error"}.
"""
import argparse
import gzip
import json
import pathlib
import struct
import time


def read_idx(path):
    import numpy as np
    raw = gzip.open(path, "rb").read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def build(name, nn):
    act = nn.Sigmoid if name == "lenet" else nn.ReLU
    pool = nn.AvgPool2d if name == "lenet" else nn.MaxPool2d
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), act(), pool(2, 2), nn.Conv2d(6, 16, 5), act(), pool(2, 2),
                         nn.Flatten(), nn.Linear(400, 120), act(), nn.Linear(120, 84), act(), nn.Linear(84, 10))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="lenet")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--warmup-steps", type=int, default=0)
    a = p.parse_args()
    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(json.dumps({"error": f"torch is not importable ({e})"}))
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    d = pathlib.Path(a.data)
    x = torch.from_numpy(read_idx(d / "train-images-idx3-ubyte.gz").astype("float32") / 255).reshape(-1, 1, 28, 28).to(device)
    y = torch.from_numpy(read_idx(d / "train-labels-idx1-ubyte.gz").astype("int64")).to(device)
    xt = torch.from_numpy(read_idx(d / "t10k-images-idx3-ubyte.gz").astype("float32") / 255).reshape(-1, 1, 28, 28).to(device)
    yt = torch.from_numpy(read_idx(d / "t10k-labels-idx1-ubyte.gz").astype("int64")).to(device)
    net = build(a.model, nn).to(device)
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
    opt = torch.optim.SGD(net.parameters(), lr=a.lr)
    loss_fn = nn.CrossEntropyLoss()

    def train_step(idx):
        loss = loss_fn(net(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()

    if a.warmup_steps > 0:  # drawn only then: without warm-up the epochs' orders are hnn's (same generator stream)
        warmup = torch.randperm(x.shape[0], device=device)
        for i in range(a.warmup_steps):
            at = i * a.batch_size % (x.shape[0] - a.batch_size + 1)
            train_step(warmup[at:at + a.batch_size])
    times = []
    for _ in range(a.epochs):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        order = torch.randperm(x.shape[0], device=device)
        for i in range(0, x.shape[0], a.batch_size):
            train_step(order[i:i + a.batch_size])
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    with torch.no_grad():
        acc = sum((net(xt[i:i + 1000]).argmax(1) == yt[i:i + 1000]).sum().item() for i in range(0, xt.shape[0], 1000)) / xt.shape[0]
    about = f"torch {torch.__version__}, {a.device}, {a.threads} threads"
    print(json.dumps({"about": about, "seconds_per_epoch": min(times), "val_accuracy": acc}))


if __name__ == "__main__":
    main()
