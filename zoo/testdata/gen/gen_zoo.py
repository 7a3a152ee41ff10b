#!/usr/bin/env python3
"""Generates the parity fixtures of package zoo from torchvision 0.14.

Run with Debian's interpreter, from any directory:

    /usr/bin/python3 zoo/testdata/gen/gen_zoo.py small   # committed, run in CI
    /usr/bin/python3 zoo/testdata/gen/gen_zoo.py large   # zoo/testdata/large/, git-ignored
    /usr/bin/python3 zoo/testdata/gen/gen_zoo.py keys    # zoo/testdata/keys.json

For each model the script builds the torchvision module with its own
random initialization, replaces every batch norm's statistics and affine
parameters by random non-trivial values (as a pretrained network has), and
writes

  NAME.safetensors     the state dict (F32 tensors, I64 num_batches_tracked),
                       in state-dict order: what a user loads;
  NAME.pth             the same state dict saved by torch.save (zip format);
  NAME.io.safetensors  input, R, eval_logits, train_logits, grad.<param> and
                       after.<buffer>.

eval_logits are the outputs in eval mode. train_logits are the outputs in
train mode (batch statistics; dropout disabled, because PyTorch's masks
cannot be reproduced), and grad.<param> the gradients of
loss = sum(train_logits * R) for the parameters listed per model (the first
convolution, the classifier and one inner convolution). train_logits64 and
grad64.<param> are the same computed in float64 from the same weights and
input, the accurate reference for ill-conditioned gradients. after.<buffer>
are the batch-norm buffers after the float32 training-mode forward
(running statistics updated with momentum 0.1, num_batches_tracked
incremented).

"keys" writes the state-dict names and shapes of the registered
architectures (resnet18, resnet34, resnet50, mobilenet_v2 with 1000
classes), so the Go test checks every name without the large fixtures.
"""
import copy
import json
import os
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet
from torchvision.models.mobilenetv2 import MobileNetV2

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)

torch.set_num_threads(1)


def narrow_resnet(block, layers, width, num_classes):
    """A torchvision ResNet whose stage widths are width·(1, 2, 4, 8)
    instead of 64·(1, 2, 4, 8). torchvision hard-codes 64, so the stem, the
    stages and fc are rebuilt with torchvision's own _make_layer and then
    initialized exactly as ResNet.__init__ does."""
    m = ResNet(block, [1, 1, 1, 1], num_classes=num_classes)
    m.inplanes = width
    m.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(width)
    m.layer1 = m._make_layer(block, width, layers[0])
    m.layer2 = m._make_layer(block, 2 * width, layers[1], stride=2)
    m.layer3 = m._make_layer(block, 4 * width, layers[2], stride=2)
    m.layer4 = m._make_layer(block, 8 * width, layers[3], stride=2)
    m.fc = nn.Linear(8 * width * block.expansion, num_classes)
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(mod, nn.BatchNorm2d):
            nn.init.constant_(mod.weight, 1)
            nn.init.constant_(mod.bias, 0)
    return m


# Tiny MobileNetV2 for CI: torchvision's class with a short inverted-residual
# setting that still has every block kind (t = 1, stride 2, residual).
TINY_MOBILENET_SETTING = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2]]

SMALL = [
    # name, constructor, input shape, gradients to save
    ("resnet_tiny_basic", lambda: narrow_resnet(BasicBlock, [1, 1, 1, 1], 8, 10), (2, 3, 40, 56),
     ["conv1.weight", "layer2.0.downsample.0.weight", "fc.weight"]),
    ("resnet_tiny_bottleneck", lambda: narrow_resnet(Bottleneck, [1, 1, 1, 1], 4, 10), (2, 3, 32, 32),
     ["conv1.weight", "layer3.0.conv2.weight", "fc.weight"]),
    ("mobilenet_v2_tiny",
     lambda: MobileNetV2(num_classes=10, width_mult=0.25, inverted_residual_setting=TINY_MOBILENET_SETTING),
     (2, 3, 32, 32),
     ["features.0.0.weight", "features.2.conv.1.0.weight", "classifier.1.weight"]),
]

LARGE = [
    ("resnet18", lambda: torchvision.models.resnet18(), (2, 3, 224, 224), ["conv1.weight", "fc.weight"]),
    ("resnet50", lambda: torchvision.models.resnet50(), (2, 3, 224, 224), ["conv1.weight", "fc.weight"]),
    ("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(), (2, 3, 224, 224),
     ["features.0.0.weight", "classifier.1.weight"]),
]

KEYS = [
    ("resnet18", torchvision.models.resnet18),
    ("resnet34", torchvision.models.resnet34),
    ("resnet50", torchvision.models.resnet50),
    ("mobilenet_v2", torchvision.models.mobilenet_v2),
]


def randomize_batchnorm(model, gen):
    """Non-trivial statistics and affine parameters for every batch norm,
    as a pretrained network has, so that a model that ignored them (or
    swapped mean and variance, or weight and bias) would fail."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.rand(c, generator=gen) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(c, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(c, generator=gen) * 0.4 - 0.2)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))


def write_safetensors(path, tensors, metadata=None):
    """Writes a .safetensors file by hand: 8-byte little-endian header
    length, JSON header, raw little-endian data (no python package here)."""
    header = OrderedDict()
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.float32:
            dtype = "F32"
        elif t.dtype == torch.float64:
            dtype = "F64"
        elif t.dtype == torch.int64:
            dtype = "I64"
        else:
            raise ValueError(f"{name}: unsupported dtype {t.dtype}")
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)  # align the data, as the reference writer does
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def generate(name, ctor, shape, grad_names, outdir, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model = ctor()
    randomize_batchnorm(model, gen)
    state = OrderedDict((k, v.clone()) for k, v in model.state_dict().items())

    x = torch.randn(*shape, generator=gen)
    model.eval()
    with torch.no_grad():
        eval_logits = model(x)
    r = torch.randn(eval_logits.shape, generator=gen)

    # Training mode: batch statistics; dropout off so Go can match.
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    # The same in float64, from the same weights: deep networks' first-conv
    # gradients are ill-conditioned (PyTorch's own float32 result differs
    # from float64 by 2% for resnet50), so float32 is judged against this.
    model64 = copy.deepcopy(model).double().train()
    train_logits64 = model64(x.double())
    (train_logits64 * r.double()).sum().backward()
    params64 = dict(model64.named_parameters())

    model.train()
    train_logits = model(x)
    loss = (train_logits * r).sum()
    loss.backward()
    params = dict(model.named_parameters())

    io = OrderedDict()
    io["input"] = x
    io["r"] = r
    io["eval_logits"] = eval_logits
    io["train_logits"] = train_logits
    for g in grad_names:
        io["grad." + g] = params[g].grad
    io["train_logits64"] = train_logits64
    for g in grad_names:
        io["grad64." + g] = params64[g].grad
    for k, v in model.state_dict().items():
        if "running_" in k or "num_batches_tracked" in k:
            io["after." + k] = v

    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__, "model": name,
            "seed": str(seed)}
    write_safetensors(os.path.join(outdir, name + ".safetensors"), state, meta)
    write_safetensors(os.path.join(outdir, name + ".io.safetensors"), io, meta)
    torch.save(state, os.path.join(outdir, name + ".pth"))
    scale = eval_logits.abs().max().item()
    print(f"{name}: {len(state)} tensors, input {tuple(shape)}, |eval logits| max {scale:.3g}, "
          f"|train logits| max {train_logits.abs().max().item():.3g}")


def keys():
    out = OrderedDict()
    for name, ctor in KEYS:
        sd = ctor().state_dict()
        out[name] = [[k, list(v.shape)] for k, v in sd.items()]
    path = os.path.join(TESTDATA, "keys.json")
    # One tensor a line, so a diff shows which names changed.
    models = []
    for name, entries in out.items():
        lines = ",\n".join("  " + json.dumps(e) for e in entries)
        models.append(f"{json.dumps(name)}: [\n{lines}\n]")
    with open(path, "w") as f:
        f.write("{\n" + ",\n".join(models) + "\n}\n")
    print(f"wrote {path}")


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "small"
    if what == "small":
        for i, (name, ctor, shape, grads) in enumerate(SMALL):
            generate(name, ctor, shape, grads, TESTDATA, 100 + i)
    elif what == "large":
        outdir = os.path.join(TESTDATA, "large")
        os.makedirs(outdir, exist_ok=True)
        for i, (name, ctor, shape, grads) in enumerate(LARGE):
            generate(name, ctor, shape, grads, outdir, 200 + i)
    elif what == "keys":
        keys()
    else:
        sys.exit(f"usage: {sys.argv[0]} small|large|keys")


if __name__ == "__main__":
    main()
