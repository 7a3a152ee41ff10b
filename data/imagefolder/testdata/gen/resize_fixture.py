#!/usr/bin/python3
"""Writes ../resize_fixture.json: torchvision's tensor resize and center crop
(antialias=False, the semantics of data.ResizeBilinear and friends) on small
random float32 images, including tiny images, crops larger than the resized
image (zero padding), odd/even centring and extreme aspect ratios.

Run from this folder with /usr/bin/python3 (PyTorch 1.13, torchvision 0.14):
    /usr/bin/python3 resize_fixture.py
"""
import json

import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

torch.manual_seed(0)
MODES = {"bilinear": InterpolationMode.BILINEAR, "nearest": InterpolationMode.NEAREST}

# (name, op, input shape C×H×W, parameters)
CASES = [
    ("down", "resize", (3, 5, 7), dict(size=[3, 4])),
    ("up", "resize", (2, 5, 7), dict(size=[8, 9])),
    ("pixel to 5x7", "resize", (1, 1, 1), dict(size=[5, 7])),
    ("identity", "resize", (2, 3, 3), dict(size=[3, 3])),
    ("down 8 to 3", "resize", (1, 8, 8), dict(size=[3, 3])),
    ("exact 2x", "resize", (1, 4, 6), dict(size=[8, 12])),
    ("mixed", "resize", (2, 9, 4), dict(size=[4, 10])),
    ("shorter wide", "shorter", (3, 6, 10), dict(size=4)),
    ("shorter tall", "shorter", (1, 10, 6), dict(size=9)),
    ("shorter extreme", "shorter", (1, 2, 30), dict(size=3)),
    ("shorter max_size", "shorter", (1, 4, 40), dict(size=3, max_size=12)),
    ("crop odd", "crop", (1, 7, 6), dict(crop=[2, 3])),
    ("crop pad", "crop", (2, 3, 2), dict(crop=[6, 5])),
    ("crop pad one axis", "crop", (1, 8, 3), dict(crop=[5, 6])),
    ("eval", "shorter_crop", (2, 10, 14), dict(size=8, crop=[7, 7])),
    ("eval tiny", "shorter_crop", (3, 2, 3), dict(size=8, crop=[6, 6])),
    ("eval pixel", "shorter_crop", (3, 1, 1), dict(size=5, crop=[4, 4])),
    ("eval crop > size", "shorter_crop", (1, 6, 9), dict(size=4, crop=[7, 5])),
    ("eval extreme wide", "shorter_crop", (1, 2, 90), dict(size=6, crop=[5, 5])),
    ("eval extreme tall", "shorter_crop", (1, 70, 3), dict(size=7, crop=[6, 6])),
    ("eval odd centring", "shorter_crop", (1, 9, 12), dict(size=9, crop=[4, 6])),
    ("resized crop", "resized_crop", (2, 9, 12), dict(rect=[2, 3, 5, 7], size=[8, 8])),
    ("resized crop down", "resized_crop", (1, 12, 12), dict(rect=[1, 0, 11, 9], size=[4, 3])),
    ("resized crop outside", "resized_crop", (1, 5, 6), dict(rect=[-1, 2, 4, 6], size=[5, 5])),
]


def run(op, x, p, mode):
    if op == "resize":
        return F.resize(x, p["size"], interpolation=mode, antialias=False)
    if op == "shorter":
        return F.resize(x, p["size"], interpolation=mode, max_size=p.get("max_size"), antialias=False)
    if op == "crop":
        return F.center_crop(x, p["crop"])
    if op == "resized_crop":
        top, left, h, w = p["rect"]
        return F.resized_crop(x, top, left, h, w, p["size"], interpolation=mode, antialias=False)
    if op == "shorter_crop":
        y = F.resize(x, p["size"], interpolation=mode, antialias=False)
        return F.center_crop(y, p["crop"])
    raise ValueError(op)


def short(t):
    # 9 significant digits round-trip a float32 exactly and keep the file small.
    return [float(f"{v:.9g}") for v in t.flatten().tolist()]


cases = []
for name, op, shape, p in CASES:
    x = torch.rand(shape, dtype=torch.float32)
    for interp in (["bilinear"] if op == "crop" else ["bilinear", "nearest"]):
        y = run(op, x, p, MODES[interp])
        cases.append(dict(
            name=f"{name}/{interp}", op=op, interp=interp, shape=list(shape),
            input=short(x), out_shape=list(y.shape), output=short(y), **p))

with open("../resize_fixture.json", "w") as f:
    json.dump(dict(torch=torch.__version__, cases=cases), f, separators=(",", ":"))
print(len(cases), "cases")
