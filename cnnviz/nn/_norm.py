"""Local response normalisation (AlexNet) and batch normalisation, as PyTorch computes them."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _threads
from ._util import as_float32

__all__ = [
    "local_response_norm", "local_response_norm_with_cache",
    "local_response_norm_backward_from_cache", "local_response_norm_backward",
    "batch_norm", "batch_norm_with_cache", "batch_norm_backward_from_cache",
    "batch_norm_backward",
]

_F32 = np.float32


# ---------------------------------------------------------------- local response norm


def _channel_window_sum(a: np.ndarray, size: int, before: int, after: int) -> np.ndarray:
    """Sum over a window of channels (axis 1), zero-padded ``before``/``after``; a loop over
    the ``size`` offsets, not over pixels."""
    C = a.shape[1]
    pad = [(0, 0)] * a.ndim
    pad[1] = (before, after)
    ap = np.pad(a, pad)
    total = ap[:, 0:C].copy()
    for j in range(1, size):
        total += ap[:, j:j + C]
    return total


def local_response_norm_with_cache(x: np.ndarray, size: int, alpha: float = 1e-4,
                                   beta: float = 0.75, k: float = 1.0
                                   ) -> tuple[np.ndarray, Any]:
    """y = x / (k + alpha/size * sum of x² over ``size`` neighbouring channels)^beta.

    As ``torch.nn.functional.local_response_norm``: the window is padded size//2 channels
    before and (size-1)//2 after, and the sum is averaged (alpha/size). Channels are axis 1
    for any input of 3 or more dims, as in PyTorch (a 3-D input is (N, C, L)).
    """
    x = as_float32(x)
    if x.ndim < 3:
        raise ValueError(f"local_response_norm expects 3 or more dims (N, C, ...), got {x.shape}")
    if size < 1:
        raise ValueError(f"local_response_norm: size must be at least 1, got {size}")
    summed = _channel_window_sum(x * x, size, size // 2, (size - 1) // 2)
    denom = _F32(k) + _F32(alpha) * (summed / _F32(size))
    scale = denom ** _F32(-beta)
    return x * scale, (x, denom, scale, size, _F32(alpha), _F32(beta))


def local_response_norm(x: np.ndarray, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> np.ndarray:
    """Lateral inhibition across channels, as in AlexNet."""
    return local_response_norm_with_cache(x, size, alpha, beta, k)[0]


def local_response_norm_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """dx_c = dy_c D_c^-β - (2αβ/size) x_c Σ_{c' whose window holds c} dy_c' x_c' D_c'^(-β-1).

    The channels whose window contains c form the mirrored window, hence the swapped
    padding (size-1)//2 before and size//2 after.
    """
    x, denom, scale, size, alpha, beta = cache
    dy = as_float32(dy)
    t = dy * x * scale / denom
    back = _channel_window_sum(t, size, (size - 1) // 2, size // 2)
    return dy * scale - (_F32(2) * alpha * beta / _F32(size)) * x * back


def local_response_norm_backward(dy: np.ndarray, x: np.ndarray, size: int, alpha: float = 1e-4,
                                 beta: float = 0.75, k: float = 1.0) -> np.ndarray:
    """dL/dx of :func:`local_response_norm` given dL/dy."""
    return local_response_norm_backward_from_cache(
        dy, local_response_norm_with_cache(x, size, alpha, beta, k)[1])


# ---------------------------------------------------------------- batch norm


def _channel_sums(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Per-channel sum of ``a`` (or of ``a * b``) over ``(N, C, X)``: einsum's contiguous
    dot-product loops, 2-3x faster than ``sum(axis=(0, 2))`` and without a temporary."""
    if b is None:
        return np.einsum("ncx->c", a)
    return np.einsum("ncx,ncx->c", a, b)


def batch_norm_with_cache(x: np.ndarray, running_mean: np.ndarray | None,
                          running_var: np.ndarray | None, weight: np.ndarray | None = None,
                          bias: np.ndarray | None = None, training: bool = False,
                          momentum: float = 0.1, eps: float = 1e-5
                          ) -> tuple[np.ndarray, Any]:
    """Normalise each channel, then scale and shift, as ``torch.nn.functional.batch_norm``.

    Training normalises with the batch's mean and biased variance and updates the running
    statistics in place (with the unbiased variance, as PyTorch); evaluation uses the
    running statistics, so one image's output does not depend on the rest of the batch.
    Works on an ``(N, C, X)`` view; the cache keeps ``x - mean`` (backward's xhat is that
    times invstd, folded into per-channel factors there).
    """
    x = as_float32(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm expects (N, C) or (N, C, H, W) input, got shape {x.shape}")
    C = x.shape[1]
    for name, v in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if v is not None and np.shape(v) != (C,):
            raise ValueError(f"batch_norm: {name} must have shape ({C},) for {C} channels, "
                             f"got {np.shape(v)}")
    x3 = x.reshape(x.shape[0], C, -1)
    count = x.size // max(C, 1)
    if training and count <= 1:
        raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                         f"training, got input shape {x.shape}")
    if not training and (running_mean is None or running_var is None):
        raise ValueError("batch_norm in eval mode needs running_mean and running_var")
    given = (None if training else as_float32(running_mean),
             None if training else as_float32(running_var),
             None if weight is None else as_float32(weight),
             None if bias is None else as_float32(bias))
    y, centred, stats = _normalise_channels(x3, count, given, _F32(eps))
    mean, var, invstd, scale = stats
    if training:
        m = _F32(momentum)
        if running_mean is not None:
            running_mean *= _F32(1) - m
            running_mean += m * mean
        if running_var is not None:
            running_var *= _F32(1) - m
            running_var += m * var * _F32(count / (count - 1))
    return y.reshape(x.shape), (centred, invstd, scale, bool(training), count)


def _normalise_channels(x3: np.ndarray, count: int, given: tuple[np.ndarray | None, ...],
                        eps: np.float32) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """(y, x - mean, (mean, var, invstd, scale)) of ``(N, C, X)`` ``x3``: with the batch's
    statistics, or the running ones ``given`` (mean, var, then weight and bias, each may be
    None). Channels are independent, so ranges of them go to the engine's threads."""
    C = x3.shape[1]
    running_mean, running_var, w, bias = given
    y, centred = np.empty_like(x3), np.empty_like(x3)
    mean, var, invstd, scale = (np.empty(C, dtype=_F32) for _ in range(4))

    def part(span: tuple[int, int]) -> None:
        a, b = span
        xs, cs = x3[:, a:b], centred[:, a:b]
        if running_mean is None:
            mean[a:b] = _channel_sums(xs) / _F32(count)
            np.subtract(xs, mean[a:b, None], out=cs)
            var[a:b] = _channel_sums(cs, cs) / _F32(count)
        else:
            mean[a:b] = running_mean[a:b]
            np.subtract(xs, mean[a:b, None], out=cs)
            var[a:b] = running_var[a:b]
        invstd[a:b] = _F32(1) / np.sqrt(var[a:b] + eps)
        scale[a:b] = invstd[a:b] if w is None else invstd[a:b] * w[a:b]
        np.multiply(cs, scale[a:b, None], out=y[:, a:b])
        if bias is not None:
            y[:, a:b] += bias[a:b, None]

    _threads.run(part, _threads.spans(C, x3.size))
    return y, centred, (mean, var, invstd, scale)


def batch_norm(x: np.ndarray, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: np.ndarray | None = None, bias: np.ndarray | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> np.ndarray:
    """Batch normalisation forward (PyTorch's argument order)."""
    return batch_norm_with_cache(x, running_mean, running_var, weight, bias, training,
                                 momentum, eps)[0]


def batch_norm_backward_from_cache(dy: np.ndarray, cache: Any
                                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dweight, dbias); in training the batch mean and variance also depend on x.

    With xhat = centred * invstd: dweight = invstd * sum(dy * centred), and in training
    dx = scale * (dy - mean(dy) - centred * invstd^2 * mean(dy * centred)): two multiplies
    and two subtractions over the array, the rest per channel.
    """
    centred, invstd, scale, training, count = cache
    dy = as_float32(dy)
    dy3 = dy.reshape(centred.shape)
    C = centred.shape[1]
    dx = np.empty_like(centred)
    dbias, dot = np.empty(C, dtype=_F32), np.empty(C, dtype=_F32)
    n = _F32(count)

    def part(span: tuple[int, int]) -> None:
        a, b = span
        d, cs, dxs = dy3[:, a:b], centred[:, a:b], dx[:, a:b]
        dbias[a:b] = _channel_sums(d)
        dot[a:b] = _channel_sums(d, cs)
        np.multiply(d, scale[a:b, None], out=dxs)
        if training:
            sc, inv = scale[a:b], invstd[a:b]
            dxs -= cs * (sc * inv * inv * dot[a:b] / n)[:, None]
            dxs -= (sc * dbias[a:b] / n)[:, None]

    _threads.run(part, _threads.spans(C, centred.size))
    return dx.reshape(dy.shape), (dot * invstd).astype(_F32), dbias


def batch_norm_backward(dy: np.ndarray, x: np.ndarray, running_mean: np.ndarray | None,
                        running_var: np.ndarray | None, weight: np.ndarray | None = None,
                        bias: np.ndarray | None = None, training: bool = False,
                        momentum: float = 0.1, eps: float = 1e-5
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`batch_norm`. In training mode this re-runs the forward pass, which
    updates the running statistics again: pass copies if that matters."""
    cache = batch_norm_with_cache(x, running_mean, running_var, weight, bias, training,
                                  momentum, eps)[1]
    return batch_norm_backward_from_cache(dy, cache)
