#!/usr/bin/env python3
"""Writes tests/data/lenet_trajectory.safetensors: d2l's LeNet-5 in PyTorch, its initial
weights (Xavier-uniform as d2l's init_cnn, PyTorch's default biases, torch.manual_seed(0)), the
first 512 indices of the two torch.randperm(60000) that the generator draws next (a training
script's first two epochs), and the loss of its first 10 SGD steps (lr 0.1, batch 32) on the
first 320 Fashion-MNIST training images in file order, pixels scaled to [0, 1]. hnn's tests
check that --seed 0 gives the same weights and orders, and take the same steps from the
weights and compare the losses.

    /path/to/python-with-torch tests/data/make_lenet_trajectory.py [DATA_DIR]
"""
import gzip
import json
import pathlib
import struct
import sys

import numpy as np
import torch
from torch import nn

data_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist")
out = pathlib.Path(__file__).with_name("lenet_trajectory.safetensors")
BATCH, STEPS, LR = 32, 10, 0.1


def read_idx(path):
    raw = gzip.open(path, "rb").read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


images = read_idx(data_dir / "train-images-idx3-ubyte.gz")[: BATCH * STEPS].astype(np.float32) / 255.0
labels = read_idx(data_dir / "train-labels-idx1-ubyte.gz")[: BATCH * STEPS].astype(np.int64)

torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
    nn.Flatten(), nn.Linear(400, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(), nn.Linear(84, 10))
for m in net:
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(m.weight)
initial = {k: v.detach().clone() for k, v in net.state_dict().items()}
# The generator goes on to shuffle the first epoch, as a training script's randperm does.
first_epoch_order = torch.randperm(60000)[:512]
second_epoch_order = torch.randperm(60000)[:512]

optimizer = torch.optim.SGD(net.parameters(), lr=LR)
loss_fn = nn.CrossEntropyLoss()
losses = []
for step in range(STEPS):
    x = torch.from_numpy(images[step * BATCH:(step + 1) * BATCH]).reshape(BATCH, 1, 28, 28)
    y = torch.from_numpy(labels[step * BATCH:(step + 1) * BATCH])
    loss = loss_fn(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())

tensors = dict(initial)
tensors["losses"] = torch.tensor(losses, dtype=torch.float32)
tensors["first_epoch_order"] = first_epoch_order.to(torch.float32)  # exact below 2^24
tensors["second_epoch_order"] = second_epoch_order.to(torch.float32)
header, blobs, offset = {"__metadata__": {"torch": torch.__version__, "batch": str(BATCH), "lr": str(LR)}}, [], 0
for name, t in tensors.items():
    blob = t.contiguous().numpy().astype("<f4").tobytes()
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
out.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
print(f"wrote {out}: losses {', '.join(f'{l:.4f}' for l in losses)}")
