#!/usr/bin/python3
"""Writes ../torchvision.json: outputs of torchvision 0.14 functional
transforms on small float images, the oracle for the Go transforms.

Run with the Debian interpreter: /usr/bin/python3 torchvision_fixtures.py
"""
import json
import os

import torch
import torchvision.transforms.functional as F
from torchvision.transforms import InterpolationMode

torch.manual_seed(0)


def flat(t):
    return [float(x) for x in t.reshape(-1).tolist()]


def rand(c, h, w):
    return torch.rand(c, h, w, dtype=torch.float64)


out = {"resized_crop": [], "affine": [], "color": []}

img = rand(2, 5, 7)
for (top, left, h, w, size) in [(1, 2, 3, 4, (6, 5)), (0, 0, 5, 7, (3, 4)), (1, 1, 4, 4, (4, 4)), (2, 0, 3, 7, (8, 9))]:
    y = F.resized_crop(img, top, left, h, w, list(size), InterpolationMode.BILINEAR, antialias=False)
    out["resized_crop"].append({"c": 2, "h": 5, "w": 7, "image": flat(img), "top": top, "left": left,
                                "height": h, "width": w, "out_h": size[0], "out_w": size[1], "want": flat(y)})

img = rand(2, 7, 9)
for (angle, tx, ty, scale, fill) in [(30.0, 1, -2, 1.2, 0.5), (90.0, 0, 0, 1.0, 0.0), (-45.0, 2, 1, 0.8, 0.25), (0.0, -3, 2, 1.0, 1.0)]:
    # Our angle is counter-clockwise (F.rotate's convention); F.affine's
    # is clockwise. grid_sample pads with zeros; shifting by the fill value
    # makes out-of-image pixels equal to the fill, which is what our
    # bilinear sampler does (torchvision's own fill blends the border
    # pixels with the mask a second time).
    y = F.affine(img - fill, angle=-angle, translate=[tx, ty], scale=scale, shear=[0.0, 0.0],
                 interpolation=InterpolationMode.BILINEAR) + fill
    out["affine"].append({"c": 2, "h": 7, "w": 9, "image": flat(img), "angle": angle, "tx": tx, "ty": ty,
                          "scale": scale, "fill": fill, "want": flat(y)})
# F.rotate agrees with the counter-clockwise convention.
r = F.rotate(img, 30.0, InterpolationMode.BILINEAR)
a = F.affine(img, angle=-30.0, translate=[0, 0], scale=1.0, shear=[0.0, 0.0], interpolation=InterpolationMode.BILINEAR)
assert torch.allclose(r, a)

rgb = rand(3, 4, 5)
gray = rand(1, 4, 5)
for name, fn, factor, im in [
    ("brightness", F.adjust_brightness, 1.3, rgb),
    ("brightness", F.adjust_brightness, 0.4, rgb),
    ("contrast", F.adjust_contrast, 0.6, rgb),
    ("contrast", F.adjust_contrast, 1.7, gray),
    ("saturation", F.adjust_saturation, 1.5, rgb),
    ("saturation", F.adjust_saturation, 0.2, rgb),
    ("hue", F.adjust_hue, 0.2, rgb),
    ("hue", F.adjust_hue, -0.45, rgb),
]:
    y = fn(im, factor)
    out["color"].append({"op": name, "factor": factor, "c": im.shape[0], "h": 4, "w": 5, "image": flat(im), "want": flat(y)})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "torchvision.json")
with open(path, "w") as f:
    json.dump(out, f)
print("wrote", path)
