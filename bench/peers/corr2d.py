"""PyTorch peers of bench/corr2d.cpp: d2l's corr2d is conv2d with one channel."""
import torch
import torch.nn.functional as F


def _corr2d(h, w, kh, kw):
    def make():
        x = torch.randn(1, 1, h, w)
        k = torch.randn(1, 1, kh, kw)
        return lambda: F.conv2d(x, k)
    return make


def _corr2d_backward(h, w, kh, kw):
    def make():
        x = torch.randn(1, 1, h, w, requires_grad=True)
        k = torch.randn(1, 1, kh, kw, requires_grad=True)
        y = F.conv2d(x, k)
        dy = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, (x, k), dy, retain_graph=True)
    return make


def cases():
    return {
        "corr2d_forward d2l-edge": _corr2d(6, 8, 1, 2),
        "corr2d_forward large": _corr2d(512, 512, 3, 3),
        "corr2d_backward d2l-edge": _corr2d_backward(6, 8, 1, 2),
        "corr2d_backward large": _corr2d_backward(512, 512, 3, 3),
    }
