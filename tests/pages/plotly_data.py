"""Decode plotly's typed-array JSON (``{"dtype", "bdata", "shape"}``) back into NumPy.

Figures in ``plotly_chart`` specs carry NumPy arrays base64-encoded; the page tests for
lessons 5-9 compare those numbers with the engine's, so they need them as arrays.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np


def arr(value: Any) -> np.ndarray:
    """A figure's array field (typed-array dict or nested list; None -> NaN) as float64."""
    if isinstance(value, dict) and "bdata" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            a = a.reshape([int(s) for s in str(shape).split(",")])
        return a.astype(np.float64)
    return np.array(value, dtype=object).astype(np.float64)
