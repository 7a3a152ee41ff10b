"""Generate solvers/testdata/schedules.json: learning rates (and momenta) of
torch.optim.lr_scheduler schedulers, step by step.

Run from the repository root with PyTorch 1.13:

    /usr/bin/python3 solvers/testdata/gen/gen_schedules.py

For step-driven schedulers, lrs[t] is the learning rate the optimizer uses
for its (t+1)-th step: the group's lr after t calls of scheduler.step().
For ReduceLROnPlateau, lrs[e] is the learning rate after step(metrics[e]).
"""
import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as L

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), 'schedules.json')
warnings.simplefilter('ignore')  # SequentialLR/OneCycle step-order chatter


def optimizer(kind, lr):
    p = [torch.zeros(1, requires_grad=True)]
    if kind == 'adam':
        return torch.optim.Adam(p, lr=lr)
    return torch.optim.SGD(p, lr=lr, momentum=0.9)


def record(opt, sched, steps):
    lrs, moms = [], []
    for _ in range(steps):
        g = opt.param_groups[0]
        lrs.append(g['lr'])
        moms.append(g['betas'][0] if 'betas' in g else g['momentum'])
        opt.step()
        sched.step()
    return lrs, moms


def main():
    cases = []

    def add(name, spec, steps, make, kind='sgd', base=0.1):
        opt = optimizer(kind, base)
        sched = make(opt)
        lrs, moms = record(opt, sched, steps)
        cases.append(dict(name=name, spec=spec, lrs=lrs, momenta=moms, base=base))

    add('step', {'type': 'step', 'step_size': 7, 'gamma': 0.5}, 40,
        lambda o: L.StepLR(o, step_size=7, gamma=0.5))
    add('step_default_gamma', {'type': 'step', 'step_size': 10}, 45,
        lambda o: L.StepLR(o, step_size=10))
    add('exponential', {'type': 'exponential', 'gamma': 0.93}, 50,
        lambda o: L.ExponentialLR(o, gamma=0.93))
    add('cosine', {'type': 'cosine', 't_max': 25, 'eta_min': 0.001}, 70,
        lambda o: L.CosineAnnealingLR(o, T_max=25, eta_min=0.001))
    add('cosine_restarts', {'type': 'cosine_restarts', 't_0': 10, 't_mult': 1, 'eta_min': 0.0}, 45,
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10))
    add('cosine_restarts_mult', {'type': 'cosine_restarts', 't_0': 5, 't_mult': 2, 'eta_min': 0.01}, 80,
        lambda o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01))
    add('warmup_cosine', {'type': 'warmup', 'steps': 5, 'start_factor': 0.1,
                          'then': {'type': 'cosine', 't_max': 20, 'eta_min': 0.0}}, 40,
        lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                     L.CosineAnnealingLR(o, T_max=20)], milestones=[5]))
    add('warmup_default_step', {'type': 'warmup', 'steps': 4,
                                'then': {'type': 'step', 'step_size': 6, 'gamma': 0.3}}, 30,
        lambda o: L.SequentialLR(o, [L.LinearLR(o, total_iters=4),
                                     L.StepLR(o, step_size=6, gamma=0.3)], milestones=[4]))
    add('warmup_exponential', {'type': 'warmup', 'steps': 10, 'start_factor': 0.01,
                               'then': {'type': 'exponential', 'gamma': 0.9}}, 30,
        lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.01, total_iters=10),
                                     L.ExponentialLR(o, gamma=0.9)], milestones=[10]))
    add('onecycle', {'type': 'onecycle', 'max_lr': 0.1, 'total_steps': 100}, 100,
        lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=100))
    add('onecycle_adam', {'type': 'onecycle', 'max_lr': 0.003, 'total_steps': 57}, 57,
        lambda o: L.OneCycleLR(o, max_lr=0.003, total_steps=57), kind='adam')
    add('onecycle_three_phase_linear', {'type': 'onecycle', 'max_lr': 0.2, 'total_steps': 90, 'three_phase': True,
                                        'linear': True, 'pct_start': 0.25, 'div_factor': 10,
                                        'final_div_factor': 100, 'base_momentum': 0.8, 'max_momentum': 0.9}, 90,
        lambda o: L.OneCycleLR(o, max_lr=0.2, total_steps=90, three_phase=True, anneal_strategy='linear',
                               pct_start=0.25, div_factor=10, final_div_factor=100,
                               base_momentum=0.8, max_momentum=0.9))
    add('onecycle_three_phase_cos', {'type': 'onecycle', 'max_lr': 0.05, 'total_steps': 40, 'three_phase': True}, 40,
        lambda o: L.OneCycleLR(o, max_lr=0.05, total_steps=40, three_phase=True))

    # ReduceLROnPlateau, fed a metric per epoch.
    def plateau(name, spec, metrics, **kw):
        opt = optimizer('sgd', 0.1)
        sched = L.ReduceLROnPlateau(opt, **kw)
        lrs = []
        for m in metrics:
            opt.step()
            sched.step(m)
            lrs.append(opt.param_groups[0]['lr'])
        cases.append(dict(name=name, spec=dict(spec, type='plateau'), metrics=metrics, lrs=lrs, base=0.1))

    down_then_flat = [1.0 / (1 + e) for e in range(8)] + [0.125 * (1 - 1e-5 * e) for e in range(40)]
    plateau('plateau_default', {}, down_then_flat)
    noisy = [1.0, 0.9, 0.95, 0.92, 0.91, 0.905, 0.9, 0.91, 0.89, 0.9, 0.95, 0.96, 0.97, 0.9, 0.88,
             0.89, 0.89, 0.89, 0.89, 0.89, 0.87, 0.88, 0.88, 0.88, 0.88, 0.88]
    plateau('plateau_patience_cooldown', {'patience': 2, 'cooldown': 1, 'factor': 0.5}, noisy,
            patience=2, cooldown=1, factor=0.5)
    acc = [0.5, 0.6, 0.65, 0.66, 0.66, 0.665, 0.66, 0.67, 0.67, 0.67, 0.67, 0.68, 0.68, 0.68, 0.68, 0.68]
    plateau('plateau_max_abs_min_lr', {'maximize': True, 'patience': 1, 'threshold': 0.005, 'abs': True,
                                       'factor': 0.2, 'min_lr': 0.001},
            acc, mode='max', patience=1, threshold=0.005, threshold_mode='abs', factor=0.2, min_lr=0.001)
    plateau('plateau_patience_zero', {'patience': 0, 'factor': 0.5, 'eps': 0.02},
            [1, 1, 1, 1, 1, 1, 1, 1], patience=0, factor=0.5, eps=0.02)

    with open(OUT, 'w') as f:
        json.dump({'generator': 'solvers/testdata/gen/gen_schedules.py', 'torch': torch.__version__,
                   'cases': cases}, f, indent=1)
        f.write('\n')
    print('wrote', OUT, len(cases), 'cases')


if __name__ == '__main__':
    main()
