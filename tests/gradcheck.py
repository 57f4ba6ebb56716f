"""Numerical gradient checks in float64 by central differences.

The engine computes in float32, so the step is chosen for float32 and the tolerance
is relative to the size of the gradient.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_grad(f: Callable[[], float], x: np.ndarray, eps: float = 1e-2) -> np.ndarray:
    """d f / d x by central differences, perturbing ``x`` in place (restored after)."""
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)
    g = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = float(f())
        flat[i] = old - eps
        down = float(f())
        flat[i] = old
        g[i] = (up - down) / (2 * eps)
    return grad


def assert_grad_close(analytic: np.ndarray, numeric: np.ndarray, rtol: float = 2e-2,
                      atol: float = 2e-3) -> None:
    """Relative comparison scaled by the gradient's size (float32 central differences)."""
    analytic = np.asarray(analytic, dtype=np.float64)
    scale = max(1.0, float(np.abs(numeric).max()))
    err = float(np.abs(analytic - numeric).max())
    assert err <= atol * scale + rtol * float(np.abs(numeric).max()), (
        f"max abs error {err:.3g} (gradient scale {scale:.3g})"
    )


def check_op_grad(forward: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                  analytic_dx: Callable[[np.ndarray], np.ndarray], seed: int = 0) -> None:
    """Check ``analytic_dx(dy)`` against the numerical gradient of sum(forward(x) * dy)."""
    rng = np.random.default_rng(seed)
    y = forward(x)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    x = x.astype(np.float32).copy()
    numeric = numerical_grad(lambda: float((forward(x).astype(np.float64) * dy).sum()), x)
    assert_grad_close(analytic_dx(dy), numeric)
