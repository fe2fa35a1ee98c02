"""PyTorch peers of bench/pool2d.cpp: F.max_pool2d / F.avg_pool2d and autograd's backward of them."""
import torch
import torch.nn.functional as F


def _pool(mode, n, c, h, w, k, s, p, backward):
    op = F.max_pool2d if mode == "max" else F.avg_pool2d

    def make():
        x = torch.randn(n, c, h, w, requires_grad=backward)
        if not backward:
            return lambda: op(x, k, s, p)
        y = op(x, k, s, p)
        dy = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, x, dy, retain_graph=True)
    return make


def cases():
    shapes = {
        "lenet-p1": (128, 6, 28, 28, 2, 2, 0),
        "lenet-p2": (128, 16, 10, 10, 2, 2, 0),
    }
    out = {}
    for mode in ("avg", "max"):
        for label, shape in shapes.items():
            out[f"pool2d_{mode}_forward {label}"] = _pool(mode, *shape, False)
            out[f"pool2d_{mode}_backward {label}"] = _pool(mode, *shape, True)
    large = (8, 64, 56, 56, 3, 2, 1)
    out["pool2d_max_forward large"] = _pool("max", *large, False)
    out["pool2d_max_backward large"] = _pool("max", *large, True)
    return out
