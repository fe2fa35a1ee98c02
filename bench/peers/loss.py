"""PyTorch peers of bench/loss.cpp: F.cross_entropy and F.mse_loss, and autograd's backward."""
import torch
import torch.nn.functional as F


def _ce_forward():
    logits = torch.randn(128, 10) * 3
    labels = torch.randint(0, 10, (128,))
    return lambda: F.cross_entropy(logits, labels)


def _ce_backward():
    logits = (torch.randn(128, 10) * 3).requires_grad_(True)
    labels = torch.randint(0, 10, (128,))
    loss = F.cross_entropy(logits, labels)
    return lambda: torch.autograd.grad(loss, logits, retain_graph=True)


def _mse_forward():
    p, t = torch.randn(64, 1) + 12, torch.randn(64, 1) + 12
    return lambda: F.mse_loss(p, t)


def _mse_backward():
    p = (torch.randn(64, 1) + 12).requires_grad_(True)
    t = torch.randn(64, 1) + 12
    loss = F.mse_loss(p, t)
    return lambda: torch.autograd.grad(loss, p, retain_graph=True)


def cases():
    return {
        "softmax_cross_entropy_forward lenet": _ce_forward,
        "softmax_cross_entropy_backward lenet": _ce_backward,
        "mse_forward house": _mse_forward,
        "mse_backward house": _mse_backward,
    }
