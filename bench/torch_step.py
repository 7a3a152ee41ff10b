#!/usr/bin/env python3
"""PyTorch's side of bench/lenet_step.sh: images/s of one training step
(forward, backward, Adam update) of LeNet-5 or the MLP on a batch of
float32 images, best of 1 and 2 threads unless --threads is given.

    /usr/bin/python3 bench/torch_step.py --model lenet5 --batch 64
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_mnist import LeNet5


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def measure(model_name, batch, threads, seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = LeNet5() if model_name == "lenet5" else mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(batch, 1, 28, 28)
    y = torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()

    for _ in range(20):
        step()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step()
        n += 1
    return n * batch / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="lenet5", choices=["lenet5", "mlp"])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seconds", type=float, default=3)
    a = ap.parse_args()
    best = max(measure(a.model, a.batch, t, a.seconds) for t in a.threads)
    print(f"{best:.0f}")


if __name__ == "__main__":
    main()
