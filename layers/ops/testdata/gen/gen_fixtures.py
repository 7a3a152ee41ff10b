#!/usr/bin/python3
"""Generate the PyTorch parity fixtures of package ops.

Run from anywhere with Debian's PyTorch (1.13):

    /usr/bin/python3 layers/ops/testdata/gen/gen_fixtures.py

Each fixture file holds a list of cases. A case has the op parameters, the
named inputs, a weight w with the output's shape, the output y of the op and
the gradients of the scalar L = sum(y * w) with respect to the inputs, all in
float64. The Go tests rebuild the same op in Gorgonia, form the same L and
compare. Tensors are {"shape": [...], "data": [... row-major ...]}.
"""

import json
import math
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20240611)
torch.set_default_dtype(torch.float64)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def t2j(t):
    t = t.detach().to(torch.float64).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, params, inputs, fn, grad_of=None, extra=None):
    """Run fn(**inputs) and record output and gradients of sum(y*w)."""
    grad_of = list(inputs) if grad_of is None else grad_of
    leaves = {}
    for k, v in inputs.items():
        leaves[k] = v.detach().clone().requires_grad_(k in grad_of)
    y = fn(**leaves)
    w = torch.randn(y.shape)
    (y * w).sum().backward()
    c = {
        "name": name,
        "params": params,
        "inputs": [dict(name=k, **t2j(v)) for k, v in inputs.items()],
        "weight": t2j(w),
        "output": t2j(y),
        "grads": {k: t2j(leaves[k].grad) for k in grad_of},
    }
    if extra:
        c["extra"] = {k: t2j(v) for k, v in extra.items()}
    return c


def write(name, cases):
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump({"generator": "testdata/gen/gen_fixtures.py",
                   "torch": torch.__version__, "cases": cases}, f)
    print(path, len(cases), "cases")


def softmax_cases():
    cs = []
    x2 = torch.randn(4, 5) * 3
    x2[1] = torch.tensor([100.0, 0, 0, -3, 1])
    x2[2] = torch.tensor([-800.0, 0, 0, 2, 800])
    x3 = torch.randn(2, 3, 4) * 2
    x4 = torch.randn(2, 3, 2, 2)
    for log in (True, False):
        f = F.log_softmax if log else F.softmax
        kind = "log" if log else "softmax"
        cs.append(case("2d_axis1_" + kind, {"axis": 1, "log": log}, {"x": x2},
                       lambda x, f=f: f(x, dim=1)))
        cs.append(case("3d_axis1_" + kind, {"axis": 1, "log": log}, {"x": x3},
                       lambda x, f=f: f(x, dim=1)))
        cs.append(case("3d_axis-1_" + kind, {"axis": -1, "log": log}, {"x": x3},
                       lambda x, f=f: f(x, dim=-1)))
        cs.append(case("3d_axis0_" + kind, {"axis": 0, "log": log}, {"x": x3},
                       lambda x, f=f: f(x, dim=0)))
        cs.append(case("4d_axis1_" + kind, {"axis": 1, "log": log}, {"x": x4},
                       lambda x, f=f: f(x, dim=1)))
    write("softmax", cs)


def crossentropy_cases():
    cs = []
    logits = torch.randn(4, 5) * 2
    target = F.softmax(torch.randn(4, 5), dim=1)
    cs.append(case("soft_2d", {}, {"logits": logits, "target": target},
                   lambda logits, target: F.cross_entropy(logits, target)))
    logits4 = torch.randn(2, 3, 2, 2)
    target4 = F.softmax(torch.randn(2, 3, 2, 2), dim=1)
    cs.append(case("soft_4d", {}, {"logits": logits4, "target": target4},
                   lambda logits, target: F.cross_entropy(logits, target)))
    # Integer labels with and without label smoothing: the Go side builds the
    # target with SmoothLabels, so this also checks PyTorch's smoothing rule.
    for name, lg, labels, eps in [
        ("labels_smooth0.1", torch.randn(4, 5) * 2, [0, 3, 1, 4], 0.1),
        ("labels_smooth0.25", torch.randn(3, 4), [2, 2, 0], 0.25),
        ("labels_extreme", torch.tensor([[0.0, 0, 0], [100.0, 0, 0], [800.0, 0, 0], [0, 0, -800.0]]),
         [0, 1, 2, 2], 0.0),
    ]:
        lab = torch.tensor(labels)
        c = case(name, {"labels": labels, "eps": eps, "k": lg.shape[1]}, {"logits": lg},
                 lambda logits, lab=lab, eps=eps: F.cross_entropy(logits, lab, label_smoothing=eps))
        cs.append(c)
    write("crossentropy", cs)


def mse_cases():
    cs = []
    for shape in [(3, 4), (2, 3, 2, 2)]:
        a, b = torch.randn(shape), torch.randn(shape)
        cs.append(case("mse_%dd" % len(shape), {}, {"a": a, "b": b},
                       lambda a, b: F.mse_loss(a, b)))
    write("mse", cs)


def reduce_cases():
    cs = []
    x = torch.randn(2, 3, 4, 5)
    for op in ("sum", "mean"):
        f = torch.sum if op == "sum" else torch.mean
        for axes in ([2, 3], [1], [0, 2], [3], [-1], [0, 1, 2, 3], [1, 3], [0, 1, 3]):
            cs.append(case("%s_%s" % (op, axes), {"op": op, "axes": axes}, {"x": x},
                           lambda x, f=f, axes=axes: f(x, dim=axes)))
        cs.append(case("%s_all" % op, {"op": op, "axes": []}, {"x": x},
                       lambda x, f=f: f(x)))
        x3 = torch.randn(3, 1, 4)
        cs.append(case("%s_3d_[1, 2]" % op, {"op": op, "axes": [1, 2]}, {"x": x3},
                       lambda x, f=f: f(x, dim=[1, 2])))
    cs.append(case("global_avg_pool", {"op": "global"}, {"x": x},
                   lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1)))
    write("reduce", cs)


def avgpool_cases():
    cs = []
    configs = [
        # kernel, stride, pad, count_include_pad, ceil_mode, input shape
        ((2, 2), (2, 2), (0, 0), True, False, (2, 3, 6, 6)),
        ((3, 3), (2, 2), (1, 1), True, False, (2, 3, 7, 6)),
        ((3, 3), (2, 2), (1, 1), False, False, (2, 3, 7, 6)),
        ((3, 2), (1, 2), (1, 0), True, False, (1, 2, 5, 7)),
        ((3, 3), (2, 2), (1, 1), True, True, (1, 2, 6, 6)),
        ((3, 3), (2, 2), (1, 1), False, True, (1, 2, 6, 6)),
        ((2, 2), (2, 2), (0, 0), True, True, (1, 2, 5, 5)),
        ((3, 3), (3, 3), (0, 0), True, True, (1, 1, 7, 8)),
        ((3, 3), (1, 1), (1, 1), False, False, (1, 2, 4, 4)),
    ]
    for k, s, p, cip, ceil, shape in configs:
        x = torch.randn(shape)
        name = "k%s_s%s_p%s_cip%d_ceil%d" % (k, s, p, cip, ceil)
        cs.append(case(name, {"kernel": k, "stride": s, "pad": p,
                              "count_include_pad": cip, "ceil_mode": ceil}, {"x": x},
                       lambda x, k=k, s=s, p=p, cip=cip, ceil=ceil: F.avg_pool2d(
                           x, k, s, p, ceil_mode=ceil, count_include_pad=cip)))
    write("avgpool", cs)


def batchnorm_cases():
    cs = []
    eps, momentum = 1e-5, 0.1
    for shape in [(6, 4), (3, 2, 4, 5)]:
        c = shape[1]
        x = torch.randn(shape) * 2 + 0.5
        gamma, beta = torch.rand(c) + 0.5, torch.randn(c)
        rm, rv = torch.randn(c), torch.rand(c) + 0.5
        # training mode: normalize by the biased batch variance, update the
        # running statistics with the unbiased one
        rm_t, rv_t = rm.clone(), rv.clone()

        def train(x, gamma, beta, rm_t=rm_t, rv_t=rv_t):
            return F.batch_norm(x, rm_t, rv_t, gamma, beta, True, momentum, eps)

        tc = case("train_%dd" % len(shape), {"mode": "train", "eps": eps, "momentum": momentum},
                  {"x": x, "gamma": gamma, "beta": beta}, train)
        dims = [0] + list(range(2, len(shape)))
        tc["extra"] = {
            "running_mean_before": t2j(rm), "running_var_before": t2j(rv),
            # the forward ran once inside case(), so these hold the update
            "running_mean_after": t2j(rm_t), "running_var_after": t2j(rv_t),
            "batch_mean": t2j(x.mean(dim=dims)),
            "batch_var_unbiased": t2j(x.var(dim=dims, unbiased=True)),
        }
        cs.append(tc)

        def evaluate(x, gamma, beta, rm=rm, rv=rv):
            return F.batch_norm(x, rm.clone(), rv.clone(), gamma, beta, False, momentum, eps)

        ec = case("eval_%dd" % len(shape), {"mode": "eval", "eps": eps},
                  {"x": x, "gamma": gamma, "beta": beta}, evaluate)
        ec["extra"] = {"running_mean": t2j(rm), "running_var": t2j(rv)}
        cs.append(ec)
    write("batchnorm", cs)


def dropout_cases():
    cs = []
    for name, shape, p, fn in [
        ("dropout_p0.3", (4, 6), 0.3, F.dropout),
        ("dropout_p0.8", (3, 5), 0.8, F.dropout),
        ("dropout2d_p0.5", (2, 4, 3, 3), 0.5, F.dropout2d),
    ]:
        x = torch.randn(shape)
        y = fn(x, p, training=True)
        # Recover PyTorch's mask from its output (x has no zeros): 0 where
        # dropped, 1/(1-p) where kept; for dropout2d one value per channel.
        mask = (y / x)
        if fn is F.dropout2d:
            mask = mask.mean(dim=(2, 3), keepdim=True)
        mask = torch.where(mask.abs() < 1e-9, torch.zeros_like(mask),
                           torch.full_like(mask, 1.0 / (1.0 - p)))
        c = case(name, {"p": p}, {"x": x, "mask": mask},
                 lambda x, mask: x * mask, grad_of=["x"])
        # check the recovered mask reproduces PyTorch's dropout output exactly
        assert torch.allclose(torch.tensor(c["output"]["data"]).reshape(shape), y, atol=1e-12), name
        cs.append(c)
    write("dropout", cs)


def gelu_cases():
    cs = []
    x = torch.cat([torch.linspace(-6, 6, 25), torch.randn(11) * 2])
    for approx in ("none", "tanh"):
        cs.append(case("gelu_" + approx, {"approximate": approx}, {"x": x},
                       lambda x, a=approx: F.gelu(x, approximate=a)))
    x4 = torch.randn(2, 3, 2, 2)
    cs.append(case("gelu_none_4d", {"approximate": "none"}, {"x": x4},
                   lambda x: F.gelu(x)))
    write("gelu", cs)


def conv_cases():
    cs = []
    configs = [
        # name, x shape, out channels, groups, kernel, stride, pad, dilation
        ("groups2", (2, 4, 5, 5), 6, 2, (3, 3), (1, 1), (1, 1), (1, 1)),
        ("depthwise_s2", (2, 3, 6, 6), 3, 3, (3, 3), (2, 2), (1, 1), (1, 1)),
        ("depthwise_mult2", (1, 2, 5, 4), 4, 2, (3, 2), (1, 1), (0, 1), (1, 1)),
        ("groups1", (2, 3, 5, 5), 4, 1, (3, 3), (1, 1), (1, 1), (1, 1)),
        ("groups3_dil2", (1, 6, 7, 7), 3, 3, (3, 3), (1, 1), (2, 2), (2, 2)),
    ]
    for name, shape, cout, groups, k, s, p, d in configs:
        x = torch.randn(shape)
        w = torch.randn(cout, shape[1] // groups, k[0], k[1])
        cs.append(case(name, {"groups": groups, "kernel": k, "stride": s, "pad": p, "dilation": d},
                       {"x": x, "w": w},
                       lambda x, w, s=s, p=p, d=d, groups=groups: F.conv2d(
                           x, w, None, s, p, d, groups)))
    write("conv_grouped", cs)


def depthwise_cases():
    cs = []
    configs = [
        # name, x shape, kernel, stride, pad, dilation
        ("k3_s1_p1", (2, 3, 7, 6), (3, 3), (1, 1), (1, 1), (1, 1)),
        ("k3_s2_p1", (1, 4, 9, 8), (3, 3), (2, 2), (1, 1), (1, 1)),
        ("k3x2_s2x1_p1x0", (2, 2, 5, 7), (3, 2), (2, 1), (1, 0), (1, 1)),
        ("k5_s2_p2", (1, 3, 7, 7), (5, 5), (2, 2), (2, 2), (1, 1)),
        ("k1_s2", (2, 5, 6, 5), (1, 1), (2, 2), (0, 0), (1, 1)),
        ("k3_d2_p2", (1, 2, 7, 7), (3, 3), (1, 1), (2, 2), (2, 2)),
        ("k3x2_s2_p2x1_d2x3", (2, 3, 8, 9), (3, 2), (2, 2), (2, 1), (2, 3)),
    ]
    for name, shape, k, s, p, d in configs:
        x = torch.randn(shape)
        w = torch.randn(shape[1], 1, k[0], k[1])
        cs.append(case(name, {"stride": s, "pad": p, "dilation": d}, {"x": x, "w": w},
                       lambda x, w, s=s, p=p, d=d: F.conv2d(x, w, None, s, p, d, x.shape[1])))
    write("depthwise", cs)


def relu6_cases():
    # The kinks 0 and 6 exactly (PyTorch's gradient is 0 there), points just
    # inside and outside, and random values spanning both saturated sides.
    kinks = torch.tensor([-1.0, -0.0, 0.0, 1e-7, 3.0, 5.999999, 6.0, 6.000001, 7.0, 1e9])
    x = torch.cat([kinks, torch.randn(14) * 5])
    cs = [case("relu6", {}, {"x": x}, lambda x: F.relu6(x))]
    cs.append(case("relu6_4d", {}, {"x": torch.randn(2, 3, 2, 2) * 5}, lambda x: F.relu6(x)))
    write("relu6", cs)


def relu_cases():
    # Zero exactly (PyTorch's gradient is 0 there), tiny values on both
    # sides and random values.
    edge = torch.tensor([-1.0, -0.0, 0.0, 1e-30, -1e-30, 1e9, -1e9])  # 1e-30 survives float32
    x = torch.cat([edge, torch.randn(17) * 3])
    cs = [case("relu", {}, {"x": x}, lambda x: F.relu(x))]
    cs.append(case("relu_4d", {}, {"x": torch.randn(2, 3, 4, 5)}, lambda x: F.relu(x)))
    write("relu", cs)


def maxpool_cases():
    # (name, shape, kernel, stride, pad, ceil, integer-valued): LeNet's 2x2,
    # ResNet's 3x3/2 with padding, non-square and overlapping windows, ceil
    # mode, and small integers so that windows hold ties (the gradient goes
    # to the first maximum in row-major order).
    configs = [
        ("k2s2", (2, 3, 6, 6), (2, 2), (2, 2), (0, 0), False, False),
        ("k3s2p1", (2, 2, 7, 8), (3, 3), (2, 2), (1, 1), False, False),
        ("k2x3s1x2p1", (1, 2, 5, 7), (2, 3), (1, 2), (1, 1), False, False),
        ("k3s1_overlap", (1, 3, 5, 5), (3, 3), (1, 1), (0, 0), False, False),
        ("k3s2_ceil", (2, 2, 6, 7), (3, 3), (2, 2), (0, 0), True, False),
        ("k3s2p1_ceil", (1, 2, 6, 6), (3, 3), (2, 2), (1, 1), True, False),
        ("ties_k3s1p1", (2, 2, 5, 5), (3, 3), (1, 1), (1, 1), False, True),
        ("ties_k2s2", (1, 3, 4, 6), (2, 2), (2, 2), (0, 0), False, True),
    ]
    cs = []
    for name, shape, k, s, p, ceil, ints in configs:
        x = torch.randint(-2, 3, shape).double() if ints else torch.randn(shape)
        params = {"kernel": list(k), "stride": list(s), "pad": list(p), "ceil": ceil}
        cs.append(case(name, params, {"x": x},
                       lambda x, k=k, s=s, p=p, ceil=ceil: F.max_pool2d(x, k, s, p, ceil_mode=ceil)))
    write("maxpool", cs)


if __name__ == "__main__":
    softmax_cases()
    crossentropy_cases()
    mse_cases()
    reduce_cases()
    avgpool_cases()
    batchnorm_cases()
    dropout_cases()
    gelu_cases()
    conv_cases()
    # New cases go last: each draws from the one seeded stream, so this
    # order leaves every earlier fixture unchanged.
    depthwise_cases()
    relu6_cases()
    relu_cases()
    maxpool_cases()
