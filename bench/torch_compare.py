#!/usr/bin/env python3
"""PyTorch's side of `go run ./bench/cmd/compare`: one workload, one thread
count, in its own process. Prints one JSON line:

    {"value": <images/s, or seconds for "finetune">, "max_rss_kb": <VmHWM>}

Workloads (the same as the Go workers in bench/cmd/compare):

    lenet5     LeNet-5 training step (forward, backward, Adam), images/s
    resnet18   ResNet-18 training step, images/s
    infer      ResNet-18 inference (eval mode, no grad), images/s
    finetune   ResNet-18 with a frozen backbone and a new head trained with
               Adam on an ImageFolder for --epochs epochs: wall seconds of
               reading the folder and training (model construction excluded)

    /usr/bin/python3 bench/torch_compare.py --workload resnet18 --batch 16 --size 112 --threads 2
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from PIL import Image

from torch_mnist import LeNet5


def max_rss_kb():
    # VmHWM is the peak resident set size of this process, the number the
    # Go workers read for themselves.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def timed_steps(step, batch, warmup, min_steps, seconds):
    """Runs warmup steps, then at least min_steps and at least seconds of
    steps, and returns images/s of the timed ones."""
    for _ in range(warmup):
        step()
    n, start = 0, time.perf_counter()
    while n < min_steps or time.perf_counter() - start < seconds:
        step()
        n += 1
    return n * batch / (time.perf_counter() - start)


def train_step(model, batch, c, size, classes):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, c, size, size)
    y = torch.randint(0, classes, (batch,))
    model.train()

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    return step


def infer_step(model, batch, size):
    x = torch.rand(batch, 3, size, size)
    model.eval()

    def step():
        with torch.no_grad():
            model(x)

    return step


class Folder(torch.utils.data.Dataset):
    """torchvision's ImageFolder order and labels, with ToTensor and
    ImageNet normalization done by hand (what ToTensor+Normalize do)."""

    mean = np.array([0.485, 0.456, 0.406], dtype=np.float32).reshape(3, 1, 1)
    std = np.array([0.229, 0.224, 0.225], dtype=np.float32).reshape(3, 1, 1)

    def __init__(self, root):
        self.inner = torchvision.datasets.ImageFolder(root, loader=lambda p: Image.open(p).convert("RGB"))

    def __len__(self):
        return len(self.inner)

    def __getitem__(self, i):
        img, label = self.inner[i]
        x = np.asarray(img, dtype=np.float32).transpose(2, 0, 1) / 255
        return torch.from_numpy((x - self.mean) / self.std), label


def finetune(root, classes, epochs, batch):
    torch.manual_seed(1)
    model = torchvision.models.resnet18(num_classes=1000)
    for p in model.parameters():
        p.requires_grad = False
    model.fc = nn.Linear(512, classes)
    start = time.perf_counter()
    loader = torch.utils.data.DataLoader(Folder(root), batch_size=batch, shuffle=True)
    opt = torch.optim.Adam(model.fc.parameters(), lr=1e-3)
    # Frozen batch norms normalize with their running statistics, as in
    # tanren (transfer.FreezeBody); the head has no dropout or batch norm,
    # so evaluation mode is the whole difference.
    model.eval()
    for _ in range(epochs):
        for x, y in loader:
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", required=True, choices=["lenet5", "resnet18", "infer", "finetune"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--min-steps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--dir", help="image folder (finetune)")
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=5)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    if a.workload == "lenet5":
        step = train_step(LeNet5(), a.batch, 1, 28, 10)
        value = timed_steps(step, a.batch, a.warmup, a.min_steps, a.seconds)
    elif a.workload == "resnet18":
        step = train_step(torchvision.models.resnet18(), a.batch, 3, a.size, 1000)
        value = timed_steps(step, a.batch, a.warmup, a.min_steps, a.seconds)
    elif a.workload == "infer":
        step = infer_step(torchvision.models.resnet18(), a.batch, a.size)
        value = timed_steps(step, a.batch, a.warmup, a.min_steps, a.seconds)
    else:
        value = finetune(a.dir, a.classes, a.epochs, a.batch)
    print(json.dumps({"value": value, "max_rss_kb": max_rss_kb()}))


if __name__ == "__main__":
    main()
