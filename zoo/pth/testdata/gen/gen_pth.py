#!/usr/bin/python3
"""Writes the small PyTorch checkpoint fixtures of package pth.

Run from anywhere with the Debian interpreter (torch 1.13):

    /usr/bin/python3 zoo/pth/testdata/gen/gen_pth.py

It writes zoo/pth/testdata/*.pth and expected.json, which maps each fixture
to the tensors pth.ReadFile must return (name, dtype, shape, values in
row-major order). The malicious fixtures are written opcode by opcode and are
never unpickled here; the Go tests only check that they are refused.
"""
import collections
import io
import json
import os
import struct
import zipfile

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# safetensors spelling of the dtypes pth.ReadFile returns. bool, int8 and
# int16 have no safetensors dtype of their own in internal/safetensors, so the
# reader widens them to U8 and I32 (values are unchanged).
DTYPE = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.uint8: "U8",
    torch.bool: "U8",
    torch.int8: "I32",
    torch.int16: "I32",
}


class Tiny(nn.Module):
    """conv + batch norm + linear: the layers every vision model has."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(3 * 2 * 2, 4)

    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        return self.fc(x.flatten(1))


def tiny_state_dict():
    torch.manual_seed(0)
    m = Tiny()
    with torch.no_grad():  # batch-norm affine parameters other than 1 and 0
        m.bn.weight.uniform_(0.5, 1.5)
        m.bn.bias.uniform_(-0.5, 0.5)
    # A few training steps so the batch-norm buffers are not 0/1 and
    # num_batches_tracked counts.
    m.train()
    for _ in range(3):
        m(torch.randn(5, 2, 2, 2))
    return m.state_dict()


def expect(sd):
    out = []
    for name, t in sd.items():
        out.append({
            "name": name,
            "dtype": DTYPE[t.dtype],
            "shape": list(t.shape),
            # float64 holds every value of these dtypes exactly.
            "values": t.detach().contiguous().reshape(-1).to(torch.float64).tolist(),
        })
    return out


def save(name, obj, legacy=False):
    path = os.path.join(OUT, name)
    torch.save(obj, path, _use_new_zipfile_serialization=not legacy)
    return path


def dtypes_dict():
    torch.manual_seed(1)
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 8 - 1
    d = collections.OrderedDict()
    d["f32"] = torch.randn(2, 3)
    d["f64"] = torch.randn(3, 2, dtype=torch.float64)
    d["f16"] = torch.randn(5).half()
    d["bf16"] = torch.randn(2, 2).bfloat16()
    d["i64"] = torch.tensor([-3, 0, 7, 1 << 40], dtype=torch.int64)
    d["i32"] = torch.tensor([[-2, 5]], dtype=torch.int32)
    d["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    d["bool"] = torch.tensor([True, False, True])
    d["i8"] = torch.tensor([-128, 3, 127], dtype=torch.int8)
    d["i16"] = torch.tensor([-300, 4], dtype=torch.int16)
    d["scalar"] = torch.tensor(2.5)
    d["count"] = torch.tensor(7)  # like num_batches_tracked
    # Views of one storage: torch.save keeps the view (offset and strides),
    # it does not copy it, so the reader has to materialize them.
    d["base"] = base
    d["transposed"] = base.t()  # non-contiguous, offset 0
    d["strided"] = base[1:, ::2]  # non-contiguous, offset 6
    d["row"] = base[2]  # contiguous, offset 12
    d["expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)  # stride 0
    d["empty"] = torch.zeros(0, 3)
    return d


def write_zip_pickle(name, pickle_bytes):
    """A zip checkpoint whose data.pkl is the given bytes (and no storages)."""
    path = os.path.join(OUT, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", pickle_bytes)
        z.writestr("archive/version", "3\n")
    return path


def os_system_pickle():
    """pickle.dumps of a __reduce__ to os.system, written opcode by opcode
    so nothing is imported or run: GLOBAL 'os system', a 1-tuple argument,
    REDUCE, STOP."""
    cmd = b"echo pwned > /tmp/pth-pwned"
    return (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(cmd)) + cmd +
            b"\x85" + b"R" + b".")


def main():
    expected = {}
    sd = tiny_state_dict()
    save("tiny_zip.pth", sd)
    save("tiny_legacy.pth", sd, legacy=True)
    expected["tiny_zip.pth"] = expect(sd)
    expected["tiny_legacy.pth"] = expect(sd)

    # A training checkpoint that wraps the state dict, as in PyTorch's
    # "saving a general checkpoint" tutorial and timm's train.py.
    save("wrapped.pth", {"epoch": 3, "arch": "tiny", "best_acc": 0.5, "state_dict": sd})
    expected["wrapped.pth"] = expect(sd)
    save("wrapped_model.pth", {"model": sd, "optimizer": {"lr": 0.1}})
    expected["wrapped_model.pth"] = expect(sd)

    dp = nn.DataParallel(Tiny())
    dp.module.load_state_dict(sd)
    dpsd = dp.state_dict()
    assert all(k.startswith("module.") for k in dpsd)
    save("data_parallel.pth", dpsd)
    expected["data_parallel.pth"] = expect(sd)  # prefix stripped

    d = dtypes_dict()
    save("dtypes_zip.pth", d)
    save("dtypes_legacy.pth", d, legacy=True)
    expected["dtypes_zip.pth"] = expect(d)
    expected["dtypes_legacy.pth"] = expect(d)

    write_zip_pickle("malicious_zip.pth", os_system_pickle())
    with open(os.path.join(OUT, "malicious_legacy.pth"), "wb") as f:
        f.write(os_system_pickle())

    # One tensor a line keeps the file short and its diffs readable.
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        f.write("{\n")
        for i, name in enumerate(sorted(expected)):
            f.write(f" {json.dumps(name)}: [\n")
            rows = [json.dumps(t) for t in expected[name]]
            f.write(",\n".join("  " + r for r in rows))
            f.write("\n ]" + ("," if i < len(expected) - 1 else "") + "\n")
        f.write("}\n")
    for name in sorted(os.listdir(OUT)):
        p = os.path.join(OUT, name)
        if os.path.isfile(p):
            print(f"{name}: {os.path.getsize(p)} bytes")


if __name__ == "__main__":
    main()
