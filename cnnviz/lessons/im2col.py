"""Lesson 10: im2col - convolution as one matrix product, through the engine.

The lecture notes' implementation: every window of the input is unrolled into a column
(``F.im2col``, which returns them as rows, transposed here), the kernels are the rows of a
matrix, and one product gives every output of every kernel. The result is compared with
``F.conv2d`` (lesson 1's operation); ``F.col2im`` folds columns back for the backward pass,
compared with ``F.conv2d_backward``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.kernels import NOTES_KERNEL
from cnnviz.lessons.quizzes import Question, choice_options

# integer kernels (the notes teach on integer grids, so every product can be checked by hand)
KERNELS_3 = (
    np.array(NOTES_KERNEL, dtype=np.float32),
    np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float32),  # Sobel x
    np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float32),  # Laplacian
)
KERNELS_2 = (
    np.array([[1, 0], [-1, 2]], dtype=np.float32),
    np.array([[1, -1], [1, -1]], dtype=np.float32),
    np.array([[1, 1], [1, 1]], dtype=np.float32),
)
LEVELS = 9  # an image crop is shown as integers 0..9


def kernels(k: int, n: int) -> np.ndarray:
    """The first ``n`` teaching kernels of size ``k`` as ``(n, k, k)``."""
    bank = KERNELS_3 if k == 3 else KERNELS_2
    return np.stack(bank[:n])


def as_digits(gray: np.ndarray) -> np.ndarray:
    """A [0, 1] crop as integers 0..9: one-digit numbers keep a column matrix readable."""
    return np.round(np.clip(np.asarray(gray, dtype=np.float64), 0, 1) * LEVELS).astype(
        np.float32)


def teaching_input(x: np.ndarray, is_grid: bool) -> tuple[np.ndarray, str | None]:
    """The input as small whole numbers, and the content key of the note saying so (None
    when nothing changed): an image crop as 0..9, a typed grid rounded into −99..99."""
    x = np.asarray(x, dtype=np.float64)
    if not is_grid:
        return as_digits(x), "digits_note"
    whole = np.clip(np.round(x), -99, 99).astype(np.float32)
    return whole, None if np.array_equal(whole, x) else "rounded_note"


@dataclass(frozen=True)
class Im2col:
    """Every matrix the page shows, from the engine."""

    x: np.ndarray  # (H, W)
    weights: np.ndarray  # (n, k, k)
    stride: int
    cols: np.ndarray  # (k*k, L): one column per window, F.im2col transposed
    rows: np.ndarray  # (n, k*k): one row per kernel
    product: np.ndarray  # rows @ cols, (n, L)
    conv: np.ndarray  # F.conv2d(x, weights), (n, Ho, Wo)
    window_map: np.ndarray  # (Ho, Wo, k, k, 2) from F.conv_window_map

    @property
    def out_shape(self) -> tuple[int, int]:
        """(Ho, Wo) of each kernel's output."""
        return self.conv.shape[1], self.conv.shape[2]

    @property
    def equal(self) -> bool:
        """The product, reshaped, is conv2d's output exactly."""
        return bool(np.array_equal(self.product.reshape(self.conv.shape), self.conv))

    @property
    def memory(self) -> tuple[int, int]:
        """(elements of the column matrix, elements of the input)."""
        return int(self.cols.size), int(self.x.size)


def im2col_lesson(x: np.ndarray, weights: np.ndarray, stride: int = 1) -> Im2col:
    """Unroll ``x`` with the engine, multiply once, and convolve with the engine to compare."""
    x = np.asarray(x, dtype=np.float32)
    w = np.asarray(weights, dtype=np.float32)
    k = w.shape[-1]
    cols = F.im2col(x[None, None], k, stride).T  # (k*k, L)
    rows = w.reshape(len(w), -1)
    return Im2col(
        x=x, weights=w, stride=stride,
        cols=np.ascontiguousarray(cols), rows=rows, product=rows @ cols,
        conv=F.conv2d(x[None, None], w[:, None], stride=stride)[0],
        window_map=F.conv_window_map(x.shape, k, stride),
    )


@dataclass(frozen=True)
class Col2im:
    """The backward pass in column form: dL/dcols = Wᵀ·dL/dY, folded back by col2im."""

    dy: np.ndarray  # (n, L) upstream gradient, all ones
    dcols: np.ndarray  # (k*k, L)
    dx: np.ndarray  # F.col2im(dcols), (H, W)
    dx_engine: np.ndarray  # F.conv2d_backward's dx
    counts: np.ndarray  # col2im of all-ones columns: how many windows read each pixel


def col2im_lesson(r: Im2col) -> Col2im:
    """dL/dX for L = sum of every output, through col2im and through the engine's backward."""
    n, (ho, wo) = len(r.weights), r.out_shape
    k = r.weights.shape[-1]
    dy = np.ones((n, ho * wo), dtype=np.float32)
    dcols = r.rows.T @ dy
    shape = (1, 1, *r.x.shape)
    dx = F.col2im(dcols.T, shape, k, r.stride)[0, 0]
    dx_engine = F.conv2d_backward(dy.reshape(1, n, ho, wo), r.x[None, None],
                                  r.weights[:, None], stride=r.stride)[0][0, 0]
    counts = F.col2im(np.ones_like(dcols.T), shape, k, r.stride)[0, 0]
    return Col2im(dy, dcols, dx, dx_engine, counts)


def columns_question(r: Im2col) -> Question:
    """How many columns (windows) does the matrix have: Ho·Wo."""
    ho, wo = r.out_shape
    k = r.weights.shape[-1]
    right = ho * wo
    options, correct = choice_options(right, [k * k, r.x.size, right + ho, ho + wo])
    q = Text(f"Input {r.x.shape[0]}×{r.x.shape[1]}, kernel {k}×{k}, stride {r.stride}: how "
             "many columns does the im2col matrix have?",
             f"输入 {r.x.shape[0]}×{r.x.shape[1]}，卷积核 {k}×{k}，步幅 {r.stride}："
             "im2col 矩阵有多少列？")
    return Question(q, options, correct, entry("im2col", "columns_why", ho=ho, wo=wo,
                                                   n=right))


def memory_question(r: Im2col) -> Question:
    """How many numbers does the column matrix hold: k²·Ho·Wo (against H·W in the input)."""
    cols, inputs = r.memory
    k = r.weights.shape[-1]
    options, correct = choice_options(cols, [inputs, k * k, cols // 2, cols + inputs])
    q = Text(f"How many numbers does the column matrix hold (the input holds {inputs})?",
             f"列矩阵一共有多少个数（输入有 {inputs} 个）？")
    return Question(q, options, correct, entry("im2col", "memory_why", kk=k * k,
                                                   l=cols // (k * k), n=cols))


@dataclass(frozen=True)
class Speed:
    """One layer computed two ways, timed on this machine (best of a few runs, seconds)."""

    shape: tuple[int, int, int, int]  # (C_in, H, W, C_out)
    product: float  # F.im2col, then one matrix product
    loop: float  # a Python loop over the output pixels, one window at a time
    agree: bool  # both give the same numbers


def speed(size: int = 48, c_in: int = 8, c_out: int = 16, k: int = 3, repeats: int = 3
          ) -> Speed:
    """Time a 3×3 layer (``c_in`` → ``c_out`` channels, ``size``²) as one product and as
    a loop of window sums: the measurement behind "one big product is fast"."""
    rng = np.random.default_rng(0)
    x = rng.random((1, c_in, size, size), dtype=np.float32)
    w = rng.standard_normal((c_out, c_in, k, k), dtype=np.float32)
    rows = w.reshape(c_out, -1)
    out = size - k + 1

    def product() -> np.ndarray:
        return (F.im2col(x, k) @ rows.T).T.reshape(c_out, out, out)

    def loop() -> np.ndarray:
        y = np.empty((c_out, out, out), dtype=np.float32)
        for i in range(out):
            for j in range(out):
                y[:, i, j] = rows @ x[0, :, i:i + k, j:j + k].reshape(-1)
        return y

    times = []
    for fn in (product, loop):
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn()
            best = min(best, time.perf_counter() - start)
        times.append((best, result))
    (t_product, a), (t_loop, b) = times
    return Speed((c_in, size, size, c_out), t_product, t_loop,
                 bool(np.allclose(a, b, atol=1e-4)))
