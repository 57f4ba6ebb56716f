"""Argument normalisation shared by the engine's ops (PyTorch accepts ints or pairs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

IntOrPair = int | Sequence[int]


def pair(value: IntOrPair, name: str = "value") -> tuple[int, int]:
    """Return ``(h, w)`` from an int or a 2-sequence, as PyTorch's ``_pair``."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    values = tuple(int(v) for v in value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair, got {value!r}")
    return values


def as_float32(x: np.ndarray) -> np.ndarray:
    """The engine computes in float32, as PyTorch's default dtype."""
    return np.asarray(x, dtype=np.float32)


def batched(x: np.ndarray) -> tuple[np.ndarray, bool]:
    """Accept (C, H, W) like PyTorch's unbatched input; return (N, C, H, W) and a flag."""
    x = as_float32(x)
    if x.ndim == 3:
        return x[None], True
    if x.ndim != 4:
        raise ValueError(f"expected a 3-D (C, H, W) or 4-D (N, C, H, W) array, got shape {x.shape}")
    return x, False
