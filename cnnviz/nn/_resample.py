"""Nearest and bilinear resizing (+ backward) with PyTorch's exact source-index rules.

Both modes are separable: each output row reads a weighted pair (or one) of input rows,
and likewise for columns. So resizing is ``A_h @ x @ A_w.T`` with two small (out, in)
interpolation matrices, and the backward pass is the same with the transposes. Index
arithmetic is done in float32, as PyTorch's CPU kernels do, so borderline indices agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._util import as_float32

__all__ = [
    "interpolate", "interpolate_with_cache", "interpolate_backward_from_cache",
    "interpolate_backward",
    "upsample_nearest", "upsample_nearest_with_cache", "upsample_nearest_backward_from_cache",
    "upsample_nearest_backward",
    "upsample_bilinear", "upsample_bilinear_with_cache",
    "upsample_bilinear_backward_from_cache", "upsample_bilinear_backward",
]

_F32 = np.float32
_MODES = ("nearest", "bilinear")


def _scale(size: int, out: int, scale_factor: float | None, align_corners: bool) -> np.float32:
    """PyTorch's area_pixel_compute_scale: output→input step in float32."""
    if align_corners:
        return _F32(size - 1) / _F32(out - 1) if out > 1 else _F32(0)
    if scale_factor is not None and scale_factor > 0:
        return _F32(1.0 / scale_factor)
    return _F32(size) / _F32(out)


def _nearest_matrix(size: int, out: int, scale_factor: float | None) -> np.ndarray:
    """(out, size) one-hot rows: source = min(floor(dst * scale), size - 1)."""
    dst = np.arange(out)
    if out == size:
        src = dst
    elif out == 2 * size:
        src = dst >> 1
    else:
        scale = _scale(size, out, scale_factor, False)
        src = np.minimum(np.floor(dst.astype(_F32) * scale).astype(np.int64), size - 1)
    m = np.zeros((out, size), dtype=_F32)
    m[dst, src] = 1
    return m


def _bilinear_matrix(size: int, out: int, scale_factor: float | None,
                     align_corners: bool) -> np.ndarray:
    """(out, size) rows holding the two linear weights of each output position.

    Without align_corners pixel centres line up (src = (dst + 0.5) * scale - 0.5, clamped at
    0); with it, the corner pixels line up (src = dst * (size-1)/(out-1)).
    """
    dst = np.arange(out)
    m = np.zeros((out, size), dtype=_F32)
    if out == size:
        m[dst, dst] = 1
        return m
    scale = _scale(size, out, scale_factor, align_corners)
    d = dst.astype(_F32)
    half_pixel = np.maximum(scale * (d + _F32(0.5)) - _F32(0.5), _F32(0))
    real = scale * d if align_corners else half_pixel
    i0 = np.minimum(np.floor(real).astype(np.int64), size - 1)
    lam1 = np.clip(real - i0.astype(_F32), _F32(0), _F32(1)).astype(_F32)
    i1 = i0 + (i0 < size - 1)
    np.add.at(m, (dst, i0), _F32(1) - lam1)
    np.add.at(m, (dst, i1), lam1)
    return m


def _pair_of(value: Any, name: str) -> tuple[Any, Any]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != 2:
            raise ValueError(f"interpolate: {name} needs 2 values (height, width), got {value!r}")
        return value[0], value[1]
    return value, value


def interpolate_with_cache(x: np.ndarray, size: int | Sequence[int] | None = None,
                           scale_factor: float | Sequence[float] | None = None,
                           mode: str = "nearest", align_corners: bool | None = None
                           ) -> tuple[np.ndarray, Any]:
    """Resize an (N, C, H, W) batch as ``torch.nn.functional.interpolate`` does.

    Give exactly one of ``size`` or ``scale_factor``; with a scale factor the output is
    floor(in * scale) and the given scale (not out/in) places the samples, as PyTorch.
    """
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode must be one of {_MODES}, got {mode!r}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners can only be set with mode='bilinear'")
    x = as_float32(x)
    if x.ndim != 4:
        raise ValueError(f"interpolate needs a 4-D (N, C, H, W) array, got shape {x.shape} "
                         f"(PyTorch reads 3-D input as 1-D signals); add a batch axis: x[None]")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size or scale_factor")
    H, W = x.shape[2:]
    if size is not None:
        oh, ow = (int(v) for v in _pair_of(size, "size"))
        sh = sw = None
    else:
        sh, sw = (float(v) for v in _pair_of(scale_factor, "scale_factor"))
        oh, ow = math.floor(H * sh), math.floor(W * sw)
    if oh < 1 or ow < 1:
        raise ValueError(f"interpolate: output size {oh}×{ow} from input {H}×{W} is empty; "
                         f"use a larger size or scale_factor")
    if mode == "nearest":
        ah, aw = _nearest_matrix(H, oh, sh), _nearest_matrix(W, ow, sw)
        rows = ah.argmax(axis=1)
        cols = aw.argmax(axis=1)
        y = x[:, :, rows[:, None], cols[None, :]]
    else:
        corners = bool(align_corners)
        ah = _bilinear_matrix(H, oh, sh, corners)
        aw = _bilinear_matrix(W, ow, sw, corners)
        y = ah @ x @ aw.T
    return y, (ah, aw)


def interpolate(x: np.ndarray, size: int | Sequence[int] | None = None,
                scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
                align_corners: bool | None = None) -> np.ndarray:
    """Nearest or bilinear resize (PyTorch's ``F.interpolate`` for 4-D input)."""
    return interpolate_with_cache(x, size, scale_factor, mode, align_corners)[0]


def interpolate_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """Each input pixel collects the gradients of the outputs that read it, by its weight."""
    ah, aw = cache
    return ah.T @ as_float32(dy) @ aw


def interpolate_backward(dy: np.ndarray, x: np.ndarray, size: int | Sequence[int] | None = None,
                         scale_factor: float | Sequence[float] | None = None,
                         mode: str = "nearest", align_corners: bool | None = None
                         ) -> np.ndarray:
    """dL/dx of :func:`interpolate` given dL/dy."""
    cache = interpolate_with_cache(x, size, scale_factor, mode, align_corners)[1]
    return interpolate_backward_from_cache(dy, cache)


def upsample_nearest_with_cache(x: np.ndarray, scale: float | Sequence[float]
                                ) -> tuple[np.ndarray, Any]:
    """Shortcut for ``interpolate(x, scale_factor=scale, mode="nearest")``."""
    return interpolate_with_cache(x, scale_factor=scale, mode="nearest")


def upsample_nearest(x: np.ndarray, scale: float | Sequence[float]) -> np.ndarray:
    """Repeat each pixel (for integer scales): the simplest learned-free upsampling."""
    return upsample_nearest_with_cache(x, scale)[0]


def upsample_nearest_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """Sums the gradients of the copies of each pixel."""
    return interpolate_backward_from_cache(dy, cache)


def upsample_nearest_backward(dy: np.ndarray, x: np.ndarray, scale: float | Sequence[float]
                              ) -> np.ndarray:
    """dL/dx of :func:`upsample_nearest` given dL/dy."""
    return interpolate_backward_from_cache(dy, upsample_nearest_with_cache(x, scale)[1])


def upsample_bilinear_with_cache(x: np.ndarray, scale: float | Sequence[float],
                                 align_corners: bool = False) -> tuple[np.ndarray, Any]:
    """Shortcut for ``interpolate(x, scale_factor=scale, mode="bilinear", ...)``."""
    return interpolate_with_cache(x, scale_factor=scale, mode="bilinear",
                                  align_corners=align_corners)


def upsample_bilinear(x: np.ndarray, scale: float | Sequence[float],
                      align_corners: bool = False) -> np.ndarray:
    """Smooth upsampling by linear interpolation along rows then columns."""
    return upsample_bilinear_with_cache(x, scale, align_corners)[0]


def upsample_bilinear_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """Spreads each output gradient to its (up to) four source pixels."""
    return interpolate_backward_from_cache(dy, cache)


def upsample_bilinear_backward(dy: np.ndarray, x: np.ndarray, scale: float | Sequence[float],
                               align_corners: bool = False) -> np.ndarray:
    """dL/dx of :func:`upsample_bilinear` given dL/dy."""
    return interpolate_backward_from_cache(dy, upsample_bilinear_with_cache(
        x, scale, align_corners)[1])
