"""Preset convolution kernels for the lessons (NumPy only, no Streamlit).

Each preset builds a ``k x k`` float32 kernel for the sizes it allows (``min_size`` ..
``max_size``), so a page's size slider can use those bounds and never reach a size a preset
cannot make. Fixed 3x3 filters (Sobel, Laplacian, ...) are centred in a larger zero kernel:
the same filter, which shows the learner that zeros in a kernel read nothing.
Kernels are written as PyTorch uses them: cross-correlation, no flip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import comb

import numpy as np

from cnnviz.i18n import Text

MAX_KERNEL = 7


def _centred(small: list[list[float]], k: int) -> np.ndarray:
    a = np.asarray(small, dtype=np.float32)
    out = np.zeros((k, k), np.float32)
    o = (k - a.shape[0]) // 2
    out[o : o + a.shape[0], o : o + a.shape[1]] = a
    return out


def _identity(k: int) -> np.ndarray:
    out = np.zeros((k, k), np.float32)
    out[(k - 1) // 2, (k - 1) // 2] = 1.0
    return out


def _box(k: int) -> np.ndarray:
    return np.full((k, k), 1.0 / (k * k), np.float32)


def _gaussian(k: int) -> np.ndarray:
    """Binomial weights (Pascal's triangle): the integer-friendly Gaussian of the notes."""
    row = np.array([comb(k - 1, i) for i in range(k)], dtype=np.float64)
    g = np.outer(row, row)
    return (g / g.sum()).astype(np.float32)


def _fixed(small: list[list[float]]) -> Callable[[int], np.ndarray]:
    return lambda k: _centred(small, k)


@dataclass(frozen=True)
class KernelPreset:
    """A named kernel: its name and what it does, the sizes it allows, a builder."""

    key: str
    name: Text
    does: Text
    min_size: int
    max_size: int
    build: Callable[[int], np.ndarray]
    default_size: int = 3

    def kernel(self, k: int | None = None) -> np.ndarray:
        """The ``k x k`` kernel (default size when ``k`` is None); k is clamped to the range."""
        k = self.default_size if k is None else int(np.clip(k, self.min_size, self.max_size))
        return self.build(k)


SOBEL_X = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
PREWITT_X = [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]

def _preset(key: str, name: Text, does: Text, min_size: int,
            build: Callable[[int], np.ndarray]) -> KernelPreset:
    return KernelPreset(key, name, does, min_size, MAX_KERNEL, build)


PRESETS: dict[str, KernelPreset] = {
    p.key: p
    for p in [
        _preset("identity", Text("Identity", "恒等"),
                Text("copies the input", "原样复制输入"), 1, _identity),
        _preset("box", Text("Box blur", "均值模糊"),
                Text("averages a neighbourhood", "对邻域取平均"), 1, _box),
        _preset("gaussian", Text("Gaussian blur", "高斯模糊"),
                Text("weighted average, centre counts most", "加权平均，中心权重最大"),
                1, _gaussian),
        _preset("sharpen", Text("Sharpen", "锐化"),
                Text("boosts a pixel against its neighbours", "增强像素与邻居的差异"),
                3, _fixed([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])),
        _preset("sobel_x", Text("Sobel x", "Sobel x"),
                Text("vertical edges (left-right change)", "竖直边缘（左右方向的变化）"),
                3, _fixed(SOBEL_X)),
        _preset("sobel_y", Text("Sobel y", "Sobel y"),
                Text("horizontal edges (top-bottom change)", "水平边缘（上下方向的变化）"),
                3, _fixed(np.array(SOBEL_X).T.tolist())),
        _preset("prewitt_x", Text("Prewitt x", "Prewitt x"),
                Text("vertical edges, unweighted", "竖直边缘，不加权"), 3, _fixed(PREWITT_X)),
        _preset("prewitt_y", Text("Prewitt y", "Prewitt y"),
                Text("horizontal edges, unweighted", "水平边缘，不加权"),
                3, _fixed(np.array(PREWITT_X).T.tolist())),
        _preset("laplacian", Text("Laplacian", "拉普拉斯"),
                Text("edges in every direction", "各个方向的边缘"),
                3, _fixed([[0, 1, 0], [1, -4, 1], [0, 1, 0]])),
        _preset("emboss", Text("Emboss", "浮雕"),
                Text("a relief lit from the top left", "仿佛从左上方照亮的浮雕"),
                3, _fixed([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])),
        _preset("outline", Text("Outline", "轮廓"),
                Text("strong outlines of shapes", "形状的强轮廓"),
                3, _fixed([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])),
    ]
}

# Not in the gallery (lesson 1 lists every preset): the transposed-convolution lesson's
# kernel of ones, whose stamps count the overlap.
ONES = _preset("ones", Text("All ones", "全 1"), Text("every weight is 1", "每个权重都是 1"), 1,
               lambda k: np.ones((k, k), np.float32))

# The lecture notes' worked example (lessons 1 and 9): on their 4x4 input it gives
# [[15, 16], [6, 15]]. Offered first on lesson 1, so the page opens on the notes' numbers.
NOTES_KERNEL = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]
NOTES = _preset("notes", Text("Lecture notes' example", "讲义中的例子"),
                Text("the worked example of the lecture notes", "讲义中手算的例子"), 3,
                _fixed(NOTES_KERNEL))
_EXTRA = {ONES.key: ONES, NOTES.key: NOTES}


def preset(key: str) -> KernelPreset:
    """The preset named ``key``: one of ``PRESETS``, ``ONES`` or ``NOTES``."""
    return _EXTRA.get(key) or PRESETS[key]


def preset_kernel(key: str, k: int | None = None) -> np.ndarray:
    """Shortcut: ``PRESETS[key].kernel(k)``."""
    return PRESETS[key].kernel(k)


def presets_for(k: int, keys: Iterable[str] | None = None) -> list[str]:
    """The presets (of ``keys``, in that order; default all) that exist at size ``k``.

    A size slider and a preset list are shown together: only offering presets whose
    ``min_size``..``max_size`` holds ``k`` keeps ``kernel(k)`` from clipping silently.
    """
    return [key for key in (PRESETS if keys is None else keys)
            if key in PRESETS and PRESETS[key].min_size <= k <= PRESETS[key].max_size]
