"""PyTorch peers of bench/dense.cpp: F.linear (+ sigmoid) and autograd's backward of it."""
import torch
import torch.nn.functional as F

LAYERS = {
    "lenet-f1": (128, 400, 120, True, "sigmoid"),
    "lenet-f2": (128, 120, 84, True, "sigmoid"),
    "lenet-f3": (128, 84, 10, True, None),
    "gemm-1024": (1024, 1024, 1024, False, None),
}


def _tensors(n, fin, fout, bias, wanted=None):
    x = torch.rand(n, fin) * 2 - 1
    w = torch.rand(fout, fin) * 2 - 1
    b = torch.rand(fout) * 2 - 1 if bias else None
    inputs = {"input": x, "weight": w, "bias": b}
    if wanted is not None:
        inputs[wanted].requires_grad_(True)
    return inputs


def _forward(inputs, activation):
    y = F.linear(inputs["input"], inputs["weight"], inputs["bias"])
    return torch.sigmoid(y) if activation == "sigmoid" else y


def _make_forward(n, fin, fout, bias, activation):
    def make():
        inputs = _tensors(n, fin, fout, bias)
        return lambda: _forward(inputs, activation)
    return make


def _make_backward(n, fin, fout, bias, activation, wanted):
    def make():
        inputs = _tensors(n, fin, fout, bias, wanted)
        y = _forward(inputs, activation)
        dy = torch.rand_like(y)
        return lambda: torch.autograd.grad(y, inputs[wanted], dy, retain_graph=True)
    return make


def cases():
    out = {}
    for label, (n, fin, fout, bias, activation) in LAYERS.items():
        out[f"dense_forward {label}"] = _make_forward(n, fin, fout, bias, activation)
        out[f"dense_backward_input {label}"] = _make_backward(n, fin, fout, bias, activation, "input")
        out[f"dense_backward_weight {label}"] = _make_backward(n, fin, fout, bias, activation, "weight")
        if bias:
            out[f"dense_backward_bias {label}"] = _make_backward(n, fin, fout, bias, activation, "bias")
    return out
