"""PyTorch peers of bench/activation.cpp: torch.relu/sigmoid/tanh and their aten backward ops,
which take the forward output as hnn's kernels do."""
import torch

_FORWARD = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}
_BACKWARD = {
    "relu": lambda dy, y: torch.ops.aten.threshold_backward(dy, y, 0),
    "sigmoid": torch.ops.aten.sigmoid_backward,
    "tanh": torch.ops.aten.tanh_backward,
}


def _activation(name, shape, backward):
    def make():
        x = torch.rand(*shape) * 8 - 4
        if not backward:
            return lambda: _FORWARD[name](x)
        y = _FORWARD[name](x)
        dy = torch.randn(*shape)
        return lambda: _BACKWARD[name](dy, y)
    return make


def cases():
    out = {}
    for name, label, shape in (("sigmoid", "lenet-c1", (128, 6, 28, 28)), ("tanh", "lenet-c1", (128, 6, 28, 28)),
                               ("relu", "large", (8, 64, 56, 56))):
        out[f"{name}_forward {label}"] = _activation(name, shape, False)
        out[f"{name}_backward {label}"] = _activation(name, shape, True)
    return out
