"""One colour scale for result panels shown side by side (no Streamlit, no plotting).

Panels that compare results (cross-correlation against convolution, stride 1 against s, one
padding mode against another) must share a scale, or the same colour would mean different
values in neighbouring pictures. Signed results get a diverging scale symmetric around 0;
results that are never negative get 0..max.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ColourScale(NamedTuple):
    """``kind``, ``vmin``, ``vmax`` in the order of a ``cnnviz.viz.heatmaps.Panel``'s fields,
    so a page writes ``Panel(title, image, *scale)``."""

    kind: str  # "signed" (white at 0) | "input"
    vmin: float | None  # None for "signed": the scale is ±vmax
    vmax: float


def shared_scale(*arrays: np.ndarray, signed: bool | None = None) -> ColourScale:
    """The scale all ``arrays`` share: ±max|value| when signed, else 0..max.

    ``signed=None`` decides from the values (signed when any is negative); a lesson whose
    caption explains blue/white/red passes ``signed=True``. An all-zero result gets a scale
    of 1 so the picture is white rather than undefined.
    """
    if signed is None:
        signed = any(float(np.min(a)) < 0 for a in arrays)
    vmax = max(float(np.abs(a).max()) for a in arrays) or 1.0
    return ColourScale("signed", None, vmax) if signed else ColourScale("input", 0.0, vmax)
