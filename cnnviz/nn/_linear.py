"""Fully connected layer: ``y = x @ weight.T + bias`` with PyTorch's (out, in) weight layout."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _threads
from ._util import as_float32

__all__ = ["linear", "linear_with_cache", "linear_backward_from_cache", "linear_backward"]


def linear_with_cache(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None
                      ) -> tuple[np.ndarray, Any]:
    """Forward for x of shape (..., in); the cache keeps x and weight for the two gradients."""
    x = as_float32(x)
    weight = as_float32(weight)
    if weight.ndim != 2:
        raise ValueError(f"linear weight must be 2-D (out_features, in_features), "
                         f"got shape {weight.shape}")
    if x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear expects inputs with {weight.shape[1]} features (last axis), "
                         f"got shape {x.shape}; flatten the image first?")
    y = _threads.matmul(x, weight.T)
    if bias is not None:
        y = y + as_float32(bias)
    return y, (x, weight)


def linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """As ``torch.nn.functional.linear``."""
    return linear_with_cache(x, weight, bias)[0]


def linear_backward_from_cache(dy: np.ndarray, cache: Any
                               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dweight, dbias); dbias is returned even without a bias, like conv2d's contract."""
    x, weight = cache
    dy = as_float32(dy)
    dx = _threads.matmul(dy, weight)
    dy2 = dy.reshape(-1, weight.shape[0])
    x2 = x.reshape(-1, weight.shape[1])
    return dx, _threads.matmul(dy2.T, x2), dy2.sum(axis=0)


def linear_backward(dy: np.ndarray, x: np.ndarray, weight: np.ndarray,
                    bias: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of :func:`linear` given dL/dy."""
    return linear_backward_from_cache(dy, linear_with_cache(x, weight, bias)[1])
