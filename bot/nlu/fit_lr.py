"""Per-term weights by a regularised multinomial logistic regression over the classifier's own matches.

    logit(c)     = bias(c) + scale · Σ_terms of c  weight(term) · position(zone) · strength
    logit(other) = bias(other) + length_pull · log(1 + chars/100) + scale · Σ_outside terms …

`weight(term)` is penalised towards the admin's YAML weight (L2, the prior mean), so a term with little
evidence keeps its YAML weight; weights stay ≥ 0 so `matched` keeps explaining the answer. Category biases
share one mean. Only the weights leave the fit (`lr_weights`): the rules decide with them at run time.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from bot.nlu.fit_design import Design

#: The category biases' deviations from their shared mean are held this tightly.
BIAS_L2 = 3.0
MAX_WEIGHT = 50.0
#: L-BFGS iterations per fit: the weights settle well before (checked on the 2.3k fit examples).
MAX_ITER = 200


# Parameter vector: [scale, pos_request, pos_body, length_pull, bias_other, bias_mean, passing, eps (C-1), delta (T)].
_HEAD = 7


def _logits(theta: np.ndarray, d: Design) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_cls = len(d.classes)
    scale, p1, p2, pull, b_other, b_mean, pass_coef = theta[:_HEAD]
    eps = theta[_HEAD : _HEAD + n_cls - 1]
    w = d.prior + theta[_HEAD + n_cls - 1 :]
    pos = np.array([1.0, p1, p2])
    coef = pos[d.ranks] * d.vals
    flat = d.rows * n_cls + d.term_class[d.cols]
    z = np.bincount(flat, scale * coef * w[d.cols], minlength=d.n * n_cls).reshape(d.n, n_cls)
    z[:, :-1] += b_mean + eps + pass_coef * d.passing
    z[:, -1] += b_other + pull * d.length
    return z, coef, flat


def _objective(theta: np.ndarray, d: Design, lam: float) -> tuple[float, np.ndarray]:
    n_cls = len(d.classes)
    z, coef, flat = _logits(theta, d)
    top = z.max(axis=1, keepdims=True)
    ez = np.exp(z - top)
    total = ez.sum(axis=1, keepdims=True)
    lse = (top + np.log(total)).ravel()
    loss = float(np.sum(d.weight * (lse - z[np.arange(d.n), d.y])))
    g = ez / total
    g[np.arange(d.n), d.y] -= 1.0
    g *= d.weight[:, None]
    scale = theta[0]
    eps = theta[_HEAD : _HEAD + n_cls - 1]
    delta = theta[_HEAD + n_cls - 1 :]
    w = d.prior + delta
    g_nnz = g.ravel()[flat]
    grad = np.zeros_like(theta)
    grad[0] = float(np.sum(coef * w[d.cols] * g_nnz))
    base = scale * d.vals * w[d.cols] * g_nnz
    grad[1] = float(np.sum(base[d.ranks == 1]))
    grad[2] = float(np.sum(base[d.ranks == 2]))
    grad[3] = float(np.sum(g[:, -1] * d.length))
    grad[4] = float(np.sum(g[:, -1]))
    grad[5] = float(np.sum(g[:, :-1]))
    grad[6] = float(np.sum(g[:, :-1] * d.passing))
    grad[_HEAD : _HEAD + n_cls - 1] = g[:, :-1].sum(axis=0) + BIAS_L2 * eps
    grad[_HEAD + n_cls - 1 :] = np.bincount(d.cols, scale * coef * g_nnz, minlength=len(d.terms)) + lam * delta
    loss += 0.5 * lam * float(delta @ delta) + 0.5 * BIAS_L2 * float(eps @ eps)
    return loss, grad


def _start(d: Design) -> np.ndarray:
    theta = np.zeros(_HEAD + len(d.classes) - 1 + len(d.terms))
    theta[:_HEAD] = (1.5, 0.8, 0.5, 0.5, 0.0, -1.5, 0.0)
    return theta


def optimise(d: Design, lam: float, start: np.ndarray | None = None) -> np.ndarray:
    bounds = [(0.05, 20.0), (0.0, 2.0), (0.0, 2.0), (-10.0, 10.0), (-20.0, 20.0), (-20.0, 20.0), (-10.0, 10.0)]
    bounds += [(-20.0, 20.0)] * (len(d.classes) - 1)
    bounds += [(-w0, MAX_WEIGHT - w0) for w0 in d.prior]
    result = minimize(_objective, _start(d) if start is None else start, args=(d, lam), jac=True, method="L-BFGS-B",
                      bounds=bounds, options={"maxiter": MAX_ITER})
    return result.x


def lr_weights(theta: np.ndarray, d: Design) -> np.ndarray:
    """The term weights in YAML units (what the rules add up); the LR's other numbers stay inside the fit."""
    return d.prior + theta[_HEAD + len(d.classes) - 1 :]
