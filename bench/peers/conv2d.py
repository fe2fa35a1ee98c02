"""PyTorch peers of bench/conv2d.cpp: F.conv2d (+ the fused activation) and its autograd
backward on the same shapes; backward peers time torch.autograd.grad of the op's output
with the graph retained, asking only for the gradient the case measures."""
import torch
import torch.nn.functional as F

_ACT = {"none": lambda z: z, "relu": torch.relu, "sigmoid": torch.sigmoid}

_SHAPES = {
    # label: (N, Ci, H, W, Co, k, pad, activation)
    "lenet-c1": (128, 1, 28, 28, 6, 5, 2, "sigmoid"),
    "lenet-c2": (128, 6, 14, 14, 16, 5, 0, "sigmoid"),
    "large": (8, 64, 56, 56, 64, 3, 1, "none"),
}


def _tensors(n, ci, h, w, co, k, grad):
    x = torch.randn(n, ci, h, w, requires_grad=grad)
    weight = torch.randn(co, ci, k, k, requires_grad=grad)
    bias = torch.randn(co, requires_grad=grad)
    return x, weight, bias


def _forward(shape):
    def make():
        n, ci, h, w, co, k, pad, act = shape
        x, weight, bias = _tensors(n, ci, h, w, co, k, False)
        return lambda: _ACT[act](F.conv2d(x, weight, bias, padding=pad))
    return make


def _backward(shape, which):
    def make():
        n, ci, h, w, co, k, pad, act = shape
        x, weight, bias = _tensors(n, ci, h, w, co, k, True)
        y = _ACT[act](F.conv2d(x, weight, bias, padding=pad))
        dy = torch.randn_like(y)
        target = {"input": x, "weight": weight, "bias": bias}[which]
        return lambda: torch.autograd.grad(y, target, dy, retain_graph=True)
    return make


def _conv1x1_forward():
    x, weight, bias = _tensors(8, 64, 56, 56, 64, 1, False)
    return lambda: F.conv2d(x, weight, bias)


def _conv1x1_backward():
    x, weight, bias = _tensors(8, 64, 56, 56, 64, 1, True)
    y = F.conv2d(x, weight, bias)
    dy = torch.randn_like(y)
    return lambda: torch.autograd.grad(y, (x, weight, bias), dy, retain_graph=True)


def cases():
    out = {}
    for label, shape in _SHAPES.items():
        out[f"conv2d_forward {label}"] = _forward(shape)
        for which in ("input", "weight", "bias"):
            if which == "input" and label == "lenet-c1":
                continue
            out[f"conv2d_backward_{which} {label}"] = _backward(shape, which)
    out["conv1x1_forward large"] = _conv1x1_forward
    out["conv1x1_backward large"] = _conv1x1_backward
    return out
