"""Hand-check values for solvers/handcheck_test.go, in 40-digit decimal
arithmetic straight from the formulas of issue 3 (no torch, no float64).

    /usr/bin/python3 solvers/testdata/gen/handcheck.py
"""
from decimal import Decimal as D, getcontext

getcontext().prec = 40


def sqrt(x):
    return x.sqrt()


def adabound(ws, grads, lr, gamma, ams, b1=D('0.9'), b2=D('0.999'), final_lr=D('0.1'), eps=D('1e-8')):
    m = [D(0)] * len(ws)
    v = [D(0)] * len(ws)
    vmax = [D(0)] * len(ws)
    out = []
    for t, g in enumerate(grads, 1):
        step = lr * sqrt(1 - b2 ** t) / (1 - b1 ** t)
        final = final_lr * lr / lr
        lower = final * (1 - 1 / (gamma * t + 1))
        upper = final * (1 + 1 / (gamma * t))
        for i in range(len(ws)):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            vmax[i] = max(vmax[i], v[i])
            den = sqrt(vmax[i] if ams else v[i]) + eps
            r = min(max(step / den, lower), upper)
            ws[i] = ws[i] - r * m[i]
        out.append(list(ws))
    return out


def radam(w, g, lr, steps, degenerate, b1=D('0.9'), b2=D('0.999'), eps=D('1e-8')):
    m = v = D(0)
    rho_inf = 2 / (1 - b2) - 1
    out = []
    for t in range(1, steps + 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        rho = rho_inf - 2 * t * b2 ** t / bc2
        if rho > 5:
            r = sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            w = w - lr * r * (m / bc1) * sqrt(bc2) / (sqrt(v) + eps)
        elif degenerate:
            w = w - lr * m / bc1
        out.append((t, rho, w))
    return out


print('AdaBound gamma 0.5, w=[1,-2], g=[0.5,0.001],[0.25,0.002],[0.01,-0.003]')
grads = [[D('0.5'), D('0.001')], [D('0.25'), D('0.002')], [D('0.01'), D('-0.003')]]
for row in adabound([D(1), D(-2)], grads, D('1e-3'), D('0.5'), False):
    print(' ', [str(x) for x in row])
print('AMSBound same')
for row in adabound([D(1), D(-2)], grads, D('1e-3'), D('0.5'), True):
    print(' ', [str(x) for x in row])
print('AdaBound default gamma 1e-3, w=[1,-2], g=[0.5,0.001],[0.01,0.0001],[0.02,0.0005]')
grads = [[D('0.5'), D('0.001')], [D('0.01'), D('0.0001')], [D('0.02'), D('0.0005')]]
for row in adabound([D(1), D(-2)], grads, D('1e-3'), D('1e-3'), False):
    print(' ', [str(x) for x in row])
print('AMSBound same')
for row in adabound([D(1), D(-2)], grads, D('1e-3'), D('1e-3'), True):
    print(' ', [str(x) for x in row])
print('RAdam torch, w=1, g=0.5 constant, lr 0.1')
for t, rho, w in radam(D(1), D('0.5'), D('0.1'), 8, True):
    print(' ', t, str(rho)[:12], str(w))
print('RAdam authors (no SGD)')
for t, rho, w in radam(D(1), D('0.5'), D('0.1'), 8, False):
    print(' ', t, str(rho)[:12], str(w))
