"""Max and average pooling packaged for the animator, the argmax highlight and the shift demo.

Every number comes from the engine: ``F.max_pool2d`` / ``F.avg_pool2d`` give the result,
``F.max_pool2d_with_indices`` where each maximum sits, ``F.conv_window_map`` which cells a
window reads (a pooling window reads exactly what a same-sized kernel would). Max pooling
pads with −∞ (PyTorch), so in the animation its padding ring is NaN and is labelled "−∞";
average pooling pads with zeros that count in the mean (``count_include_pad=True``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, output_size_question, same
from cnnviz.lessons.window import WindowSpec

PoolKind = Literal["max", "avg"]

# The animated crop's side. 6 (not 8): on the default sample the busiest 6×6 crop starts on
# the ring's edge, so the first window's maximum is one clear pixel, not a tie on a flat
# dark patch (tests/pages/test_pooling.py checks it).
CROP_SIDE = 6


def _nchw(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)[None, None]


def pool_full(x: np.ndarray, kind: PoolKind, k: int, stride: int, padding: int = 0) -> np.ndarray:
    """The engine's pooling of one 2-D channel (the result the page shows everywhere)."""
    op = F.max_pool2d if kind == "max" else F.avg_pool2d
    return op(_nchw(x), k, stride, padding)[0, 0]


def pool_spec(x: np.ndarray, kind: PoolKind, k: int, stride: int, padding: int = 0) -> WindowSpec:
    """A ``WindowSpec`` of pooling a small crop: reducer "max" or "mean", engine output."""
    x = np.asarray(x, dtype=np.float32)
    p = int(padding)
    fill = np.nan if kind == "max" else 0.0  # NaN marks max pooling's −∞ padding
    xp = F.pad(_nchw(x), (p, p, p, p), value=fill)[0, 0] if p else x
    return WindowSpec(
        padded=xp,
        window_map=F.conv_window_map(x.shape, k, stride, p),
        output=pool_full(x, kind, k, stride, p),
        pad=(p, p, p, p),
        reducer="max" if kind == "max" else "mean",
    )


def max_positions(x: np.ndarray, k: int, stride: int, padding: int = 0) -> np.ndarray:
    """(Ho, Wo, 2) row/col of each window's maximum in the PADDED grid (engine indices)."""
    x = np.asarray(x, dtype=np.float32)
    _, idx = F.max_pool2d_with_indices(_nchw(x), k, stride, padding)
    rows, cols = np.divmod(idx[0, 0], x.shape[1])
    return np.stack([rows + padding, cols + padding], axis=-1)


@dataclass(frozen=True)
class ShiftResult:
    """Pooled image and pooled one-pixel-shifted image, and how many cells are unchanged.

    ``pixel_fraction`` is the same comparison on the raw pixels (the baseline: how much a
    one-pixel shift changes the image itself).
    """

    pooled: np.ndarray
    pooled_shifted: np.ndarray
    equal: np.ndarray
    fraction: float
    pixel_fraction: float


def shift_demo(
    x: np.ndarray, kind: PoolKind, k: int, stride: int, padding: int = 0, atol: float = 1e-6
) -> ShiftResult:
    """Pool the image and the image moved one pixel to the left; compare cell by cell.

    Both are cut to the same width (columns ``0..W-2`` against ``1..W-1``), so every cell
    of the two pooled maps covers the same place of the scene, one pixel apart.
    """
    x = np.asarray(x, dtype=np.float32)
    a, b = x[:, :-1], x[:, 1:]
    pa = pool_full(a, kind, k, stride, padding)
    pb = pool_full(b, kind, k, stride, padding)
    equal = np.isclose(pa, pb, atol=atol, rtol=0)
    return ShiftResult(
        pooled=pa,
        pooled_shifted=pb,
        equal=equal,
        fraction=float(equal.mean()),
        pixel_fraction=float(np.isclose(a, b, atol=atol, rtol=0).mean()),
    )


def pool_size_question(i: int, k: int, stride: int, padding: int) -> Question:
    """Output size of pooling with these numbers (same formula as a convolution)."""
    q = output_size_question(i, k, stride, padding)
    text = Text(
        f"Pooling an input {i} pixels wide with window {k}, stride {stride}, padding "
        f"{padding}: how wide is the output?",
        f"对宽 {i} 像素的输入做池化，窗口 {k}，步幅 {stride}，填充 {padding}：输出有多宽？",
    )
    right = int(formulas.pool_output_size(i, k, stride, padding))
    assert q.options[q.correct] == str(right)
    formula = formulas.formula_text("pool", i=i, k=k, s=stride, p=padding)
    return Question(text, q.options, q.correct, same(f"${formula}$"))


def first_window_question(spec: WindowSpec) -> Question:
    """Which value does the first window keep (max) or what is its mean (avg)?"""
    cells = spec.window_map[0, 0].reshape(-1, 2)
    values = spec.padded[cells[:, 0], cells[:, 1]]
    right = float(spec.output[0, 0])
    finite = values[np.isfinite(values)]
    if spec.reducer == "max":
        wrong = [float(finite.min()), float(np.median(finite)), float(finite.sum())]
    else:
        wrong = [float(finite.max()), float(finite.min()), float(finite.sum())]
    d = 2
    opts = sorted({round(right, d), *(round(w, d) for w in wrong)})
    step = 0.1 if max(abs(v) for v in opts) <= 1 else 1.0
    while len(opts) < 4:  # a flat window makes max, min and median one number
        opts = sorted({*opts, round(opts[-1] + step, d)})
    options = [f"{v:g}" for v in opts]
    what = (Text("max pooling", "最大池化") if spec.reducer == "max"
            else Text("average pooling", "平均池化"))
    text = Text(
        f"With {what.en}, what is the first output value (the window at the top-left)?",
        f"使用{what.zh}时，第一个输出值（左上角窗口）是多少？",
    )
    expl = entry("pooling", "first_window_why")
    return Question(text, options, opts.index(round(right, d)), expl)
