"""``pad`` as ``torch.nn.functional.pad``: constant, reflect, replicate and circular borders.

``pad`` lists (before, after) pairs starting from the LAST axis, as PyTorch:
``(left, right)`` pads the width only, ``(left, right, top, bottom)`` width and height.
The backward pass folds the gradient of every border pixel back onto the input pixel it
copied (reflect / replicate / circular borders copy pixels, so their gradients accumulate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ._util import as_float32

__all__ = ["pad", "pad_with_cache", "pad_backward_from_cache", "pad_backward"]

MODES = ("constant", "reflect", "replicate", "circular")


class PadCache(NamedTuple):
    """What pad's backward needs: the input shape and the normalised arguments."""

    shape: tuple[int, ...]
    pairs: tuple[tuple[int, int], ...]  # (before, after) for axes -1, -2, ...
    mode: str


def _normalise(shape: tuple[int, ...], pad: Sequence[int], mode: str
               ) -> tuple[tuple[int, int], ...]:
    """Check the arguments against PyTorch's rules; return (before, after) per padded axis."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    values = [int(v) for v in pad]
    if len(values) % 2 or not values:
        raise ValueError(f"pad must list (before, after) pairs, got {tuple(values)}")
    k = len(values) // 2
    ndim = len(shape)
    if mode == "constant":
        if k > ndim:
            raise ValueError(f"pad {tuple(values)} pads {k} dimensions but the input has {ndim}")
    else:
        if k > 2:
            raise ValueError(f"{mode} padding supports pad of length 2 or 4, got {len(values)}")
        if ndim not in (k + 1, k + 2):
            raise ValueError(
                f"{mode} padding with a pad of length {len(values)} expects a {k + 1}-D or "
                f"{k + 2}-D input, got shape {shape}")
    pairs = tuple((values[2 * i], values[2 * i + 1]) for i in range(k))
    for i, (before, after) in enumerate(pairs):
        axis = ndim - 1 - i
        size = shape[axis]
        if mode == "constant":
            if size + before + after < 0:
                raise ValueError(
                    f"padding {(before, after)} would give a negative size at dimension {axis} "
                    f"of input {shape}")
            continue
        if before < 0 or after < 0:
            raise ValueError(f"{mode} padding must be non-negative, got {(before, after)}")
        if mode == "reflect" and (before >= size or after >= size):
            raise ValueError(
                f"reflect padding must be less than the input size: padding {(before, after)} "
                f"at dimension {axis} of input {shape} (size {size})")
        if mode == "circular" and (before > size or after > size):
            raise ValueError(
                f"circular padding must be at most the input size: padding {(before, after)} "
                f"at dimension {axis} of input {shape} (size {size})")
        if mode == "replicate" and size == 0 and (before or after):
            raise ValueError(f"replicate padding needs a non-empty dimension {axis} in {shape}")
    return pairs


def _source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each padded position along one axis, the input position it copies."""
    q = np.arange(-before, size + after)
    if mode == "reflect":
        q = np.abs(q)
        return np.where(q >= size, 2 * (size - 1) - q, q)
    if mode == "replicate":
        return np.clip(q, 0, size - 1)
    return q % size  # circular


def _pad(x: np.ndarray, pairs: tuple[tuple[int, int], ...], mode: str, value: float
         ) -> np.ndarray:
    if mode == "constant":
        out_shape = list(x.shape)
        src = [slice(None)] * x.ndim
        dst = [slice(None)] * x.ndim
        for i, (before, after) in enumerate(pairs):
            axis = x.ndim - 1 - i
            size = x.shape[axis]
            out_shape[axis] = size + before + after
            lo, hi = max(-before, 0), size - max(-after, 0)
            src[axis] = slice(lo, max(hi, lo))
            dst[axis] = slice(max(before, 0), max(before, 0) + max(hi - lo, 0))
        out = np.full(out_shape, value, dtype=np.float32)
        out[tuple(dst)] = x[tuple(src)]
        return out
    out = x
    for i, (before, after) in enumerate(pairs):
        if before or after:
            axis = x.ndim - 1 - i
            out = out.take(_source_index(x.shape[axis], before, after, mode), axis=axis)
    return np.ascontiguousarray(out, dtype=np.float32)


def _fold(dy: np.ndarray, axis: int, size: int, before: int, after: int, mode: str
          ) -> np.ndarray:
    """Adjoint of padding one axis: add each border gradient onto the pixel it copied."""
    g = np.moveaxis(dy, axis, -1)
    dx = g[..., before:before + size].copy()
    left, right = g[..., :before], g[..., before + size:]
    if mode == "reflect":
        dx[..., 1:before + 1] += left[..., ::-1]
        dx[..., size - 1 - after:size - 1] += right[..., ::-1]
    elif mode == "replicate":
        dx[..., 0] += left.sum(-1)
        dx[..., size - 1] += right.sum(-1)
    else:  # circular
        dx[..., size - before:] += left
        dx[..., :after] += right
    return np.moveaxis(dx, -1, axis)


def _pad_backward(dy: np.ndarray, cache: PadCache) -> np.ndarray:
    shape, pairs, mode = cache
    ndim = len(shape)
    if mode == "constant":
        dx = np.zeros(shape, dtype=np.float32)
        src = [slice(None)] * ndim
        dst = [slice(None)] * ndim
        for i, (before, after) in enumerate(pairs):
            axis = ndim - 1 - i
            size = shape[axis]
            lo, hi = max(-before, 0), size - max(-after, 0)
            dst[axis] = slice(lo, max(hi, lo))
            src[axis] = slice(max(before, 0), max(before, 0) + max(hi - lo, 0))
        dx[tuple(dst)] = dy[tuple(src)]
        return dx
    dx = dy
    for i, (before, after) in enumerate(pairs):
        if before or after:
            axis = ndim - 1 - i
            dx = _fold(dx, axis, shape[axis], before, after, mode)
    return np.ascontiguousarray(dx, dtype=np.float32)


def pad(x: np.ndarray, pad: Sequence[int], mode: str = "constant", value: float | None = None
        ) -> np.ndarray:
    """Pad the last axes like ``torch.nn.functional.pad``; ``pad=(left, right, top, bottom)``.

    Modes: ``constant`` (fill with ``value``; negative pads crop), ``reflect`` (mirror without
    repeating the edge, pad < size), ``replicate`` (repeat the edge), ``circular`` (wrap around,
    pad <= size).
    """
    return pad_with_cache(x, pad, mode, value)[0]


def pad_with_cache(x: np.ndarray, pad: Sequence[int], mode: str = "constant",
                   value: float | None = None) -> tuple[np.ndarray, PadCache]:
    """Forward pass that also returns what :func:`pad_backward_from_cache` needs."""
    x = as_float32(x)
    pairs = _normalise(x.shape, pad, mode)
    if mode != "constant" and value:
        raise ValueError(f"padding mode {mode!r} copies pixels and takes no value (got {value})")
    return _pad(x, pairs, mode, float(value or 0.0)), PadCache(x.shape, pairs, mode)


def pad_backward_from_cache(dy: np.ndarray, cache: PadCache) -> np.ndarray:
    """dL/dx from dL/dy: the inner part of dy plus every border folded back onto its source."""
    dy = as_float32(dy)
    expected = list(cache.shape)
    for i, (before, after) in enumerate(cache.pairs):
        expected[len(expected) - 1 - i] += before + after
    if dy.shape != tuple(expected):
        raise ValueError(f"dy has shape {dy.shape}, expected the padded shape {tuple(expected)}")
    return _pad_backward(dy, cache)


def pad_backward(dy: np.ndarray, x: np.ndarray, pad: Sequence[int], mode: str = "constant",
                 value: float | None = None) -> np.ndarray:
    """Convenience backward that rebuilds the cache from the forward arguments."""
    x = np.asarray(x)
    return pad_backward_from_cache(dy, PadCache(x.shape, _normalise(x.shape, pad, mode), mode))
