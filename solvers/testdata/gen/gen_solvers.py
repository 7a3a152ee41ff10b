"""Generate solvers/testdata/trajectories*.json: reference trajectories of
every solver on a tiny regression problem.

Run from the repository root with PyTorch 1.13:

    /usr/bin/python3 solvers/testdata/gen/gen_solvers.py

Problem: loss = mean((tanh(x @ W + b) - y)^2) with W (3, 2), b (2,), step k
using batch k % 4 (x (5, 3), y (5, 2)). Each configuration records W and b
after every step. The Go tests build the same loss as a Gorgonia graph, drive
solvers.New(...).Step with the same data, and compare. Torch optimizers are
used where torch 1.13 has the configuration; otherwise the authors' reference
code in reference.py.
"""
import json
import math
import os

import numpy as np
import torch

from reference import AdaBound, AuthorsRAdam

STEPS = 60
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)


def problem():
    rng = np.random.RandomState(3)
    xs = [rng.normal(size=(5, 3)) for _ in range(4)]
    ys = [rng.uniform(-0.8, 0.8, size=(5, 2)) for _ in range(4)]
    w0 = rng.normal(size=(3, 2)) * 0.5
    b0 = rng.normal(size=(2,)) * 0.1
    return xs, ys, w0, b0


def make_optimizer(cfg, groups):
    s, o = cfg['solver'], cfg['opts']
    lr = o['lr']
    wd = o.get('weight_decay', 0.0)
    betas = tuple(o.get('betas', (0.9, 0.999)))
    eps = o.get('eps', 1e-8)
    if s in ('sgd', 'momentum', 'nesterov'):
        mom = o.get('momentum', 0.9 if s != 'sgd' else 0.0)
        return torch.optim.SGD(groups, lr=lr, momentum=mom, weight_decay=wd,
                               nesterov=(s == 'nesterov' or o.get('nesterov', False)))
    if s == 'adagrad':
        return torch.optim.Adagrad(groups, lr=lr, eps=o.get('eps', 1e-10), weight_decay=wd)
    if s == 'rmsprop':
        return torch.optim.RMSprop(groups, lr=lr, alpha=o.get('alpha', 0.99), eps=eps,
                                   weight_decay=wd, momentum=o.get('momentum', 0.0))
    if s == 'adam':
        return torch.optim.Adam(groups, lr=lr, betas=betas, eps=eps, weight_decay=wd,
                                amsgrad=o.get('amsgrad', False))
    if s == 'adamw':
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps,
                                 weight_decay=o.get('weight_decay', 0.01), amsgrad=o.get('amsgrad', False))
    if s == 'radam':
        degenerate = o.get('degenerate_to_sgd', True)
        decoupled = o.get('decoupled_weight_decay', False)
        if degenerate and not decoupled:
            return torch.optim.RAdam(groups, lr=lr, betas=betas, eps=eps, weight_decay=wd)
        return AuthorsRAdam(groups, lr=lr, betas=betas, eps=eps,
                            weight_decay=wd if decoupled else 0.0, degenerated_to_sgd=degenerate)
    if s in ('adabound', 'amsbound'):
        return AdaBound(groups, lr=lr, betas=betas, final_lr=o.get('final_lr', 0.1),
                        gamma=o.get('gamma', 1e-3), eps=eps, weight_decay=wd,
                        amsbound=(s == 'amsbound' or o.get('amsgrad', False)),
                        base_lrs=[lr for _ in groups])
    raise ValueError(s)


def reference_name(cfg):
    s, o = cfg['solver'], cfg['opts']
    if s == 'radam' and (not o.get('degenerate_to_sgd', True) or o.get('decoupled_weight_decay', False)):
        return 'authors RAdam (reference.py)'
    if s in ('adabound', 'amsbound'):
        return 'authors AdaBound (reference.py)'
    return 'torch.optim ' + torch.__version__


def run(cfg, dtype):
    xs, ys, w0, b0 = problem()
    W = torch.tensor(w0, dtype=dtype, requires_grad=True)
    b = torch.tensor(b0, dtype=dtype, requires_grad=True)
    scales = cfg.get('scales', {})
    lr = cfg['opts']['lr']
    groups = [{'params': [W], 'lr': lr * scales.get('W', 1.0)},
              {'params': [b], 'lr': lr * scales.get('b', 1.0)}]
    opt = make_optimizer(cfg, groups)
    sched = None
    oc = cfg.get('onecycle')
    if oc:
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=oc['max_lr'], total_steps=STEPS)
    traj, losses = [], []
    for k in range(STEPS):
        if cfg.get('lrs'):
            for g, name in zip(opt.param_groups, ('W', 'b')):
                g['lr'] = cfg['lrs'][k] * scales.get(name, 1.0)
        x = torch.tensor(xs[k % 4], dtype=dtype)
        y = torch.tensor(ys[k % 4], dtype=dtype)
        opt.zero_grad()
        loss = ((torch.tanh(x @ W + b) - y) ** 2).mean()
        loss.backward()
        if cfg['opts'].get('clip_norm'):
            torch.nn.utils.clip_grad_norm_([W, b], cfg['opts']['clip_norm'])
        opt.step()
        if sched:
            sched.step()
        losses.append(loss.item())
        traj.append(W.detach().reshape(-1).tolist() + b.detach().tolist())
    return traj, losses


def configs():
    decay = [0.05 * (0.5 ** (k // 20)) * (1 + 0.5 * math.sin(k)) for k in range(STEPS)]
    c = []

    def add(name, solver, scales=None, lrs=None, onecycle=None, **opts):
        c.append(dict(name=name, solver=solver, opts=opts, scales=scales or {}, lrs=lrs, onecycle=onecycle))

    add('sgd', 'sgd', lr=0.3)
    add('sgd_wd', 'sgd', lr=0.3, weight_decay=0.05)
    add('momentum', 'momentum', lr=0.1)
    add('sgd_momentum_wd_lrs', 'sgd', lr=0.1, momentum=0.8, weight_decay=0.02, lrs=[10 * l for l in decay])
    add('nesterov', 'nesterov', lr=0.1)
    add('sgd_nesterov_wd', 'sgd', lr=0.1, momentum=0.7, nesterov=True, weight_decay=0.03)
    add('sgd_momentum_groups', 'momentum', lr=0.1, scales={'b': 0.25})
    add('adagrad', 'adagrad', lr=0.1)
    add('adagrad_wd_eps', 'adagrad', lr=0.2, weight_decay=0.05, eps=1e-6)
    add('rmsprop', 'rmsprop', lr=0.01)
    add('rmsprop_alpha_wd', 'rmsprop', lr=0.01, alpha=0.9, weight_decay=0.05)
    add('rmsprop_momentum', 'rmsprop', lr=0.005, momentum=0.6)
    add('adam', 'adam', lr=0.02)
    add('adam_wd', 'adam', lr=0.02, weight_decay=0.05)
    add('adam_amsgrad', 'adam', lr=0.02, amsgrad=True)
    add('adam_betas_eps', 'adam', lr=0.02, betas=[0.8, 0.99], eps=1e-6)
    add('adam_clip', 'adam', lr=0.02, clip_norm=0.05)
    add('adam_groups_lrs', 'adam', lr=0.02, scales={'W': 0.5, 'b': 2.0}, lrs=decay)
    add('adamw', 'adamw', lr=0.02)
    add('adamw_wd_amsgrad', 'adamw', lr=0.02, weight_decay=0.3, amsgrad=True)
    add('adamw_groups', 'adamw', lr=0.02, weight_decay=0.2, scales={'b': 0.1})
    add('radam', 'radam', lr=0.02)
    add('radam_wd', 'radam', lr=0.02, weight_decay=0.05)
    add('radam_betas', 'radam', lr=0.02, betas=[0.8, 0.99])
    add('radam_no_sgd', 'radam', lr=0.02, degenerate_to_sgd=False)
    add('radam_decoupled', 'radam', lr=0.02, weight_decay=0.2, decoupled_weight_decay=True)
    add('radam_no_sgd_decoupled', 'radam', lr=0.02, weight_decay=0.2, decoupled_weight_decay=True,
        degenerate_to_sgd=False)
    add('radam_decoupled_groups_clip', 'radam', lr=0.02, weight_decay=0.2, decoupled_weight_decay=True,
        scales={'W': 0.3}, clip_norm=0.1)
    add('adabound', 'adabound', lr=0.01)
    add('adabound_wd', 'adabound', lr=0.01, weight_decay=0.05)
    add('adabound_tight', 'adabound', lr=0.01, final_lr=0.05, gamma=0.1, betas=[0.85, 0.995], eps=1e-6)
    add('adabound_lrs_groups', 'adabound', lr=0.01, final_lr=0.05, gamma=0.05, lrs=[l / 5 for l in decay],
        scales={'b': 0.5})
    add('amsbound', 'amsbound', lr=0.01)
    add('amsbound_tight_wd', 'amsbound', lr=0.01, final_lr=0.05, gamma=0.1, weight_decay=0.05)
    add('adabound_amsgrad_option', 'adabound', lr=0.01, amsgrad=True, gamma=0.1)
    add('onecycle_momentum', 'momentum', lr=0.1, onecycle={'max_lr': 0.3})
    add('onecycle_adam', 'adam', lr=0.01, onecycle={'max_lr': 0.05})
    add('onecycle_radam', 'radam', lr=0.01, onecycle={'max_lr': 0.05})
    return c


def main():
    xs, ys, w0, b0 = problem()
    for dtype, suffix, names in ((torch.float64, '', None),
                                 (torch.float32, '_f32', {'momentum', 'adagrad', 'rmsprop', 'adam_wd', 'adamw',
                                                          'radam_wd', 'radam_no_sgd_decoupled', 'adabound', 'amsbound'})):
        out = {
            'generator': 'solvers/testdata/gen/gen_solvers.py',
            'torch': torch.__version__,
            'dtype': str(dtype).replace('torch.', ''),
            'steps': STEPS,
            'loss': 'mean((tanh(x @ W + b) - y)^2), batch k % 4 at step k',
            'xs': [x.tolist() for x in xs], 'ys': [y.tolist() for y in ys],
            'w0': w0.tolist(), 'b0': b0.tolist(),
            'configs': [],
        }
        for cfg in configs():
            if names is not None and cfg['name'] not in names:
                continue
            traj, losses = run(cfg, dtype)
            cfg = dict(cfg, reference=reference_name(cfg), traj=traj, losses=losses)
            out['configs'].append(cfg)
        path = os.path.join(OUT, 'trajectories%s.json' % suffix)
        with open(path, 'w') as f:
            json.dump(out, f, indent=None, separators=(',', ':'))
            f.write('\n')
        print('wrote', path, len(out['configs']), 'configs')


if __name__ == '__main__':
    main()
