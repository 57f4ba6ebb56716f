"""Plain image preprocessing for a network's 28×28 input (the explorer's "plain resize").

Unlike ``digits.preprocess_digit`` (MNIST's own preparation: ink centred in a 20×20 box),
this just stretches the picture to [0, 1] and squashes it to the input size, so a learner can
see what a network makes of an image that was not prepared like its training data.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

__all__ = ["plain_resize", "stretch01"]


def stretch01(a: np.ndarray) -> np.ndarray:
    """``a`` (float32) mapped linearly onto [0, 1]; all zeros when it is flat."""
    a = np.asarray(a, dtype=np.float32)
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)


def plain_resize(gray: np.ndarray, size: int = 28) -> np.ndarray:
    """Squash any grayscale picture to ``size``×``size`` (area average), stretched to [0, 1]."""
    a = stretch01(np.nan_to_num(np.asarray(gray, dtype=np.float32)))
    return np.asarray(Image.fromarray(a, mode="F").resize((size, size), Image.BOX), np.float32)
