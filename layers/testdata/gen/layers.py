#!/usr/bin/env python3
"""Generates ../layers.json: PyTorch 1.13 forwards and gradients of every
layer in package layers, on fixed random weights and inputs.

Run with Debian's interpreter: /usr/bin/python3 layers.py

For each case the loss is sum(output * R) for a fixed random R of the
output's shape, so the gradients are those of an arbitrary upstream
gradient R. The Go test builds the same layer, copies the parameters in by
their state_dict names, binds R as the target, and compares.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)


class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


def bn_with_stats(bn):
    # Non-trivial running statistics, as a pretrained network has.
    with torch.no_grad():
        bn.running_mean.uniform_(-1, 1)
        bn.running_var.uniform_(0.5, 2)
        if bn.weight is not None:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
    return bn


def basic_block():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 4, 3, 2, 1, bias=False)
            self.bn1 = bn_with_stats(nn.BatchNorm2d(4))
            self.conv2 = nn.Conv2d(4, 4, 3, 1, 1, bias=False)
            self.bn2 = bn_with_stats(nn.BatchNorm2d(4))
            self.downsample = nn.Sequential(nn.Conv2d(3, 4, 1, 2, bias=False), bn_with_stats(nn.BatchNorm2d(4)))

        def forward(self, x):
            y = F.relu(self.bn1(self.conv1(x)))
            y = self.bn2(self.conv2(y))
            return F.relu(y + self.downsample(x))
    return Block()


def own_stream(seed, make):
    """make() with its parameters drawn from their own seeded stream: a case
    appended to CASES then leaves the global stream, and so the inputs of
    every earlier case, unchanged."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


# name, module, input shape, train mode[, input scale (default 2)]
# Add new cases at the end, building modules with parameters through
# own_stream, so that the earlier cases' numbers stay the same.
CASES = [
    ("linear", nn.Linear(5, 3), (4, 5), False),
    ("linear_nobias", nn.Linear(5, 3, bias=False), (4, 5), False),
    ("conv_basic", nn.Conv2d(2, 3, 3), (2, 2, 6, 5), False),
    ("conv_stride_pad", nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 1)), (2, 3, 7, 6), False),
    ("conv_dilation", nn.Conv2d(2, 2, 3, dilation=2, padding=2, bias=False), (1, 2, 7, 7), False),
    ("conv_groups", nn.Conv2d(4, 6, 3, groups=2, padding=1), (2, 4, 5, 5), False),
    ("conv_depthwise", nn.Conv2d(3, 3, 3, groups=3, stride=2, padding=1), (2, 3, 6, 6), False),
    ("maxpool", nn.MaxPool2d(2), (2, 3, 6, 6), False),
    ("maxpool_k3s2p1", nn.MaxPool2d(3, 2, 1), (2, 2, 7, 7), False),
    ("avgpool", nn.AvgPool2d(2), (2, 3, 6, 6), False),
    ("avgpool_k3s2p1", nn.AvgPool2d(3, 2, 1), (2, 2, 7, 7), False),
    ("avgpool_k3s2p1_exclude", nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 2, 7, 7), False),
    ("global_avgpool", nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten()), (2, 3, 4, 5), False),
    ("relu", nn.ReLU(), (3, 7), False),
    ("leaky_relu", nn.LeakyReLU(0.2), (3, 7), False),
    ("sigmoid", nn.Sigmoid(), (3, 7), False),
    ("tanh", nn.Tanh(), (3, 7), False),
    ("gelu", nn.GELU(), (3, 7), False),
    ("softmax", nn.Softmax(dim=1), (3, 7), False),
    ("flatten", nn.Flatten(), (2, 3, 2, 2), False),
    ("batchnorm2d_train", bn_with_stats(nn.BatchNorm2d(3)), (4, 3, 3, 2), True),
    ("batchnorm2d_eval", bn_with_stats(nn.BatchNorm2d(3)), (4, 3, 3, 2), False),
    ("batchnorm1d_train", bn_with_stats(nn.BatchNorm1d(5)), (6, 5), True),
    ("batchnorm1d_eval", bn_with_stats(nn.BatchNorm1d(5)), (6, 5), False),
    ("sequential", nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)), (2, 1, 6, 6), False),
    ("residual_block_train", basic_block(), (2, 3, 6, 6), True),
    ("residual_block_eval", basic_block(), (2, 3, 6, 6), False),
    # scale 8: about a fifth of the inputs lie above 6, half below 0
    ("relu6", nn.ReLU6(), (5, 8), False, 8),
    ("conv_depthwise_dilation", own_stream(1, lambda: nn.Conv2d(4, 4, (3, 2), groups=4, stride=(1, 2), padding=(2, 1),
                                                                dilation=(2, 1))), (2, 4, 7, 8), False),
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    out = {}
    for name, mod, shape, train, *scale in CASES:
        scale = scale[0] if scale else 2
        mod.train(train)
        state = {k: {"shape": list(v.shape), "data": flat(v)} for k, v in mod.state_dict().items()
                 if v.dtype.is_floating_point}
        x = (torch.randn(*shape) * scale).requires_grad_()
        y = mod(x)
        r = torch.randn(*y.shape)
        (y * r).sum().backward()
        case = {
            "input": {"shape": list(shape), "data": flat(x)},
            "state": state,
            "r": flat(r),
            "output": {"shape": list(y.shape), "data": flat(y)},
            "input_grad": flat(x.grad),
            "grads": {k: flat(p.grad) for k, p in mod.named_parameters()},
        }
        if train:  # running statistics after one training forward
            case["state_after"] = {k: flat(v) for k, v in mod.state_dict().items()
                                   if "running" in k}
        out[name] = case
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "layers.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
    print("wrote", path, len(out), "cases")


if __name__ == "__main__":
    main()
