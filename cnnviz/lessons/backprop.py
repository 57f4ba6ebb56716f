"""Backpropagation through one convolution, three ways, all through the engine.

For ``Y = conv2d(X, W)`` and a given upstream gradient ``G = dL/dY`` (take ``L = Σ Y·G``):

- ``dL/dW`` is the correlation of the input with G: ``F.conv2d(X, G)``;
- ``dL/dX`` is the full convolution of G with the kernel turned 180°:
  ``F.conv2d(F.pad(G, k-1), flip(W))`` - which is also ``F.conv_transpose2d(G, W)``;
- and numerically, by central differences of the engine's forward ``F.conv2d``.

All must equal ``F.conv2d_backward``; the page shows them side by side, the tests assert it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.kernels import NOTES_KERNEL
from cnnviz.lessons.conv import NOTES_INPUT
from cnnviz.lessons.quizzes import Question, choice_options
from cnnviz.lessons.window import WindowSpec

# The lecture notes' 4x4 example (as lesson 1 opens on), and two small kernels.
EXAMPLE_X = NOTES_INPUT
KERNELS = {
    2: np.array([[1, 0], [-1, 2]], dtype=np.float32),
    3: np.array(NOTES_KERNEL, dtype=np.float32),
}
# the upstream gradients dL/dY the lesson offers, by what they make L
UPSTREAM_NAMES: dict[str, Text] = {
    "ones": Text("All ones (L = sum of Y)", "全 1（L = Y 之和）"),
    "corner": Text("Only Y[0,0] (L = Y[0,0])", "只有 Y[0,0]（L = Y[0,0]）"),
    "random": Text("Small random integers", "小的随机整数"),
}
UPSTREAM = tuple(UPSTREAM_NAMES)


def upstream_gradient(kind: str, shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """``dL/dY``: all ones (L = ΣY), one cell (L = Y[0,0]) or small random integers."""
    if kind == "ones":
        return np.ones(shape, dtype=np.float32)
    if kind == "corner":
        g = np.zeros(shape, dtype=np.float32)
        g[0, 0] = 1.0
        return g
    return np.random.default_rng(seed).integers(-2, 3, size=shape).astype(np.float32)


def _4d(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)[None, None]


def loss(x: np.ndarray, w: np.ndarray, dy: np.ndarray) -> float:
    """``L = Σ conv2d(x, w) · dy`` (so that dL/dY = dy), forward through the engine."""
    y = F.conv2d(_4d(x), _4d(w))[0, 0]
    return float(np.sum(y.astype(np.float64) * np.asarray(dy, dtype=np.float64)))


def numerical_gradient(f: Callable[[np.ndarray], float], a: np.ndarray, h: float = 0.5
                       ) -> np.ndarray:
    """Central differences ``(f(a + h·e) − f(a − h·e)) / 2h`` for every element of ``a``.

    L is linear in each single weight or pixel, so any h is exact up to rounding; h = 0.5
    keeps float32 rounding far below the digits shown.
    """
    a = np.asarray(a, dtype=np.float32)
    grad = np.zeros(a.shape, dtype=np.float64)
    for idx in np.ndindex(a.shape):
        plus, minus = a.copy(), a.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (f(plus) - f(minus)) / (2 * h)
    return grad


@dataclass(frozen=True)
class Backprop:
    """Every gradient the page shows, each from a different engine route."""

    x: np.ndarray
    w: np.ndarray
    y: np.ndarray
    dy: np.ndarray
    dx: np.ndarray  # F.conv2d_backward
    dw: np.ndarray
    db: float
    dw_correlation: np.ndarray  # F.conv2d(X, dY)
    dx_full_conv: np.ndarray  # F.conv2d(pad(dY, k-1), flip(W))
    dx_transposed: np.ndarray  # F.conv_transpose2d(dY, W)
    dw_numerical: np.ndarray
    dx_numerical: np.ndarray

    @property
    def dw_error(self) -> float:
        """Largest disagreement of the other dL/dW routes with the engine's backward."""
        return float(max(np.abs(self.dw - self.dw_numerical).max(),
                         np.abs(self.dw - self.dw_correlation).max()))

    @property
    def dx_error(self) -> float:
        """Largest disagreement of the other dL/dX routes with the engine's backward."""
        return float(max(np.abs(self.dx - self.dx_numerical).max(),
                         np.abs(self.dx - self.dx_full_conv).max(),
                         np.abs(self.dx - self.dx_transposed).max()))


def backprop(x: np.ndarray, w: np.ndarray, dy: np.ndarray, h: float = 0.5) -> Backprop:
    """All routes to dL/dW and dL/dX for one channel, stride 1, no padding."""
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(w, dtype=np.float32)
    dy = np.asarray(dy, dtype=np.float32)
    k = w.shape[0]
    y = F.conv2d(_4d(x), _4d(w))[0, 0]
    dx, dw, db = F.conv2d_backward(_4d(dy), _4d(x), _4d(w))
    flipped = np.ascontiguousarray(w[::-1, ::-1])
    padded = F.pad(_4d(dy), (k - 1, k - 1, k - 1, k - 1))
    return Backprop(
        x=x, w=w, y=y, dy=dy,
        dx=dx[0, 0], dw=dw[0, 0], db=float(db[0]),
        dw_correlation=F.conv2d(_4d(x), _4d(dy))[0, 0],
        dx_full_conv=F.conv2d(padded, _4d(flipped))[0, 0],
        dx_transposed=F.conv_transpose2d(_4d(dy), _4d(w))[0, 0],
        dw_numerical=numerical_gradient(lambda w_: loss(x, w_, dy), w, h),
        dx_numerical=numerical_gradient(lambda x_: loss(x_, w, dy), x, h),
    )


def dw_spec(r: Backprop) -> WindowSpec:
    """dL/dW animated: dL/dY is the 'kernel' sliding over X; the output is the engine's dW."""
    return WindowSpec(
        padded=r.x,
        window_map=F.conv_window_map(r.x.shape, r.dy.shape),
        output=r.dw,
        kernel=r.dy,
        symbol="∂L/∂W",
    )


def dx_spec(r: Backprop) -> WindowSpec:
    """dL/dX animated: the flipped kernel slides over dL/dY padded by k − 1 (a full conv)."""
    k = r.w.shape[0]
    return WindowSpec(
        padded=F.pad(_4d(r.dy), (k - 1,) * 4)[0, 0],
        window_map=F.conv_window_map(r.dy.shape, r.w.shape, 1, k - 1),
        output=r.dx,
        kernel=np.ascontiguousarray(r.w[::-1, ::-1]),
        pad=(k - 1,) * 4,
        symbol="∂L/∂X",
    )


def bias_question(r: Backprop) -> Question:
    """dL/db is the sum of dL/dY (from the engine's backward)."""
    right = round(r.db)
    wrong = [int(r.dy.size), round(float(r.dw.sum())), right + 1, int(r.dy.max())]
    options, correct = choice_options(right, [v for v in wrong if v != right])
    q = Text(
        "With the current dL/dY, what is dL/db (the bias gradient)?",
        "在当前的 dL/dY 下，dL/db（偏置的梯度）是多少？",
    )
    expl = entry("backprop", "bias_why")
    return Question(q, options, correct, expl)


def dx_corner_question(r: Backprop) -> Question:
    """dL/dX[0,0]: only the window at the top-left reads X[0,0], through W[0,0]."""
    right = round(float(r.dx[0, 0]), 2)
    wrong = [round(float(r.w[-1, -1] * r.dy[0, 0]), 2), round(float(r.dx[-1, -1]), 2),
             round(float(r.dy[0, 0]), 2), round(right + 1, 2)]
    values = sorted({right, *wrong})
    while len(values) < 4:  # the distractors can coincide (dL/dY of ones, a symmetric W)
        values = sorted({*values, round(values[-1] + 1, 2)})
    options = [f"{v:g}" for v in values]
    q = Text(
        "What is dL/dX[0,0] (top-left input pixel)?",
        "dL/dX[0,0]（左上角输入像素的梯度）是多少？",
    )
    expl = entry("backprop", "dx_corner_why")
    return Question(q, options, values.index(right), expl)
