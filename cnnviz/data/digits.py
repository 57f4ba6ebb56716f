"""Turn a drawn or photographed digit into a 28x28 MNIST-style input.

A network trained on MNIST only recognises digits prepared the way MNIST's were: white ink
on black, the digit's bounding box scaled to 20 px on its longer side (anti-aliased), and
placed in a 28x28 field so that its centre of mass sits at the centre. Skipping any of
these steps is the usual reason a hand-drawn "7" is misread, so the steps are spelled out.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from cnnviz.i18n import LocalizedError, Text

__all__ = ["BlankDigitError", "center_of_mass", "preprocess_digit"]

BOX = 20
FIELD = 28
CENTRE = 14.0  # measured on MNIST itself: the mean centre of mass is (14.0, 14.0) in indices
INK_EPS = 0.02


class BlankDigitError(LocalizedError, ValueError):
    """The drawing has no ink; ``message(lang)`` asks the learner to draw (reason "blank")."""


def center_of_mass(img: np.ndarray) -> tuple[float, float]:
    """Intensity-weighted (row, column) mean; the centre of the array when it is all zero."""
    img = np.asarray(img, dtype=np.float64)
    total = img.sum()
    if total <= 0:
        return (img.shape[0] - 1) / 2, (img.shape[1] - 1) / 2
    rows, cols = np.indices(img.shape)
    return float((rows * img).sum() / total), float((cols * img).sum() / total)


def _blank() -> BlankDigitError:
    return BlankDigitError(
        Text(
            "The drawing is empty: there is no ink to recognise. Draw a digit first.",
            "画板是空的：没有可识别的笔迹。请先写一个数字。",
        ),
        "blank",
    )


def preprocess_digit(gray: np.ndarray) -> np.ndarray:
    """A (H, W) image in [0, 1] (uint8 accepted) to a float32 (28, 28) MNIST-style digit.

    1. polarity: if the border is light (mean > 0.5) the image is inverted, so ink is bright;
    2. background: the border's median level is subtracted and the ink stretched to 1,
       so grey paper in a photo becomes black;
    3. the bounding box of ink (> a small epsilon) is scaled to 20 px on its longer side;
    4. it is pasted into 28x28 with its centre of mass at (14, 14), shifted by whole pixels.

    Raises ``BlankDigitError`` (a ``ValueError``) when there is no ink.
    """
    a = np.asarray(gray)
    if a.dtype == np.uint8:
        a = a.astype(np.float32) / 255.0
    a = np.nan_to_num(np.asarray(a, dtype=np.float32), nan=0.0)
    if a.ndim == 3:
        a = (
            a[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
            if a.shape[2] >= 3
            else a[..., 0]
        )
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"expected a 2-D grayscale image, got shape {a.shape}")
    a = np.clip(a, 0.0, 1.0)
    border = np.concatenate([a[0], a[-1], a[1:-1, 0], a[1:-1, -1]])
    if border.mean() > 0.5:
        a = 1.0 - a
        border = 1.0 - border
    background = float(np.median(border))
    peak = float(a.max())
    if peak - background < INK_EPS:
        raise _blank()
    a = np.clip((a - background) / (peak - background), 0.0, 1.0)
    rows = np.flatnonzero((a > INK_EPS).any(axis=1))
    cols = np.flatnonzero((a > INK_EPS).any(axis=0))
    if rows.size == 0:
        raise _blank()
    box = a[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    h, w = box.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = Image.fromarray(np.ascontiguousarray(box), "F").resize(
        (nw, nh), Image.Resampling.LANCZOS
    )
    digit = np.clip(np.asarray(small, dtype=np.float32), 0.0, 1.0)
    cy, cx = center_of_mass(digit)
    top = int(np.clip(round(CENTRE - cy), 0, FIELD - nh))
    left = int(np.clip(round(CENTRE - cx), 0, FIELD - nw))
    out = np.zeros((FIELD, FIELD), np.float32)
    out[top : top + nh, left : left + nw] = digit
    return out
