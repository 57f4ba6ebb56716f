"""How visibly structured a layer's filters are: smooth strokes and edges score high, noise ~0.

Learned first-layer filters are smooth (neighbouring weights agree); random ones are not. For
each k×k filter f, its mean removed, s(f) = (Σ f[i,j]·f[i,j+1] + Σ f[i,j]·f[i+1,j]) /
(2 Σ f[i,j]²): the correlation of each weight with its right and lower neighbours. A layer's
structure is the mean over its filters. Independent random weights score about −0.07 (the
mean removal makes neighbours slightly anti-correlated); a smooth bar scores near 1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["filter_structure", "layer_structure"]


def filter_structure(weights: np.ndarray) -> np.ndarray:
    """s(f) of each filter in ``weights`` (…, kH, kW): one number per filter (0 if all equal).

    A (C_out, C_in, kH, kW) conv weight gives (C_out, C_in): each input channel's 2-D slice is
    one filter, as it is drawn.
    """
    f = np.asarray(weights, dtype=np.float64)
    if f.ndim < 2:
        raise ValueError("a filter needs at least two dimensions (kH, kW)")
    f = f - f.mean(axis=(-2, -1), keepdims=True)
    right = (f[..., :, :-1] * f[..., :, 1:]).sum(axis=(-2, -1))
    down = (f[..., :-1, :] * f[..., 1:, :]).sum(axis=(-2, -1))
    energy = (f * f).sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        s = (right + down) / (2 * energy)
    return np.where(energy > 0, s, 0.0)


def layer_structure(weights: np.ndarray) -> float:
    """The layer's structure: the mean s(f) over all its 2-D filters."""
    return float(np.mean(filter_structure(weights)))
