"""Lesson 12: backpropagation beyond one channel - max pooling, stride, channels, ReLU.

Every gradient is the engine's backward (``F.max_pool2d_backward``, ``F.conv2d_backward``,
``F.relu_backward``); beside it, the route a student can follow by hand, computed with the
engine's forward ops, and the tests assert they agree:

- max pooling: each dL/dY goes to the position of its window's maximum
  (``F.max_pool2d_with_indices``), zero elsewhere; overlapping windows add up;
- a stride-s convolution: dL/dY spread out by zero insertion (``F.zero_insert``), padded by
  k − 1, then a full convolution with the kernel turned 180° (and ``F.conv_transpose2d``);
- several channels: input channel c gets the sum over output channels o of the full
  convolution of dL/dY[o] with W[o, c] turned 180°;
- ReLU: dL/dY where the input was positive, zero elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options
from cnnviz.lessons.window import WindowSpec

# the lecture-style integer examples (every window's maximum unique)
POOL_X = np.array([[1, 3, 2, 1, 0, 2], [4, 2, 0, 1, 3, 1], [3, 1, 5, 2, 0, 4],
                   [0, 2, 1, 4, 2, 1], [2, 0, 3, 1, 6, 0], [1, 4, 0, 2, 1, 3]], np.float32)
POOLS: dict[str, tuple[int, int]] = {"2s2": (2, 2), "3s1": (3, 1), "3s2": (3, 2)}
POOL_NAMES: dict[str, Text] = {
    "2s2": Text("2×2, stride 2", "2×2，步幅 2"),
    "3s1": Text("3×3, stride 1 (windows overlap)", "3×3，步幅 1（窗口重叠）"),
    "3s2": Text("3×3, stride 2 (windows overlap)", "3×3，步幅 2（窗口重叠）"),
}
CONV_X = np.array([[1, 0, 2, 1, 0], [0, 1, 3, 0, 1], [2, 1, 0, 1, 2], [1, 0, 1, 2, 0],
                   [0, 2, 1, 0, 1]], np.float32)
CONV_W = np.array([[1, 0, -1], [2, 1, 0], [0, -1, 1]], np.float32)
# two input channels, two output channels of 2×2 kernels; ReLU's signed input
CH_X = np.array([[[1, 0, 2, 1], [0, 1, 3, 0], [2, 1, 0, 1], [1, 0, 1, 2]],
                 [[0, 2, 1, 0], [1, 1, 0, 2], [0, 1, 2, 1], [2, 0, 1, 1]]], np.float32)
CH_W = np.array([[[[1, 0], [-1, 2]], [[0, 1], [1, 0]]],
                 [[[2, -1], [0, 1]], [[1, 1], [0, -1]]]], np.float32)
RELU_X = np.array([[0, -1, 1, 0], [-1, 0, 2, -1], [1, 0, -1, 0], [0, -1, 0, 1]], np.float32)
LEVELS = 9


def _4d(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)[None, None]


def upstream(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Small non-zero integer dL/dY, so every sum can be checked by hand."""
    g = np.random.default_rng(seed).integers(-3, 4, size=shape)
    return np.where(g == 0, 1, g).astype(np.float32)


def as_digits(gray: np.ndarray) -> np.ndarray:
    """An image crop as integers 0..9 (the lesson's grids stay one digit wide)."""
    return np.round(np.clip(np.asarray(gray, np.float64), 0, 1) * LEVELS).astype(np.float32)


# ---------------------------------------------------------------- max pooling


@dataclass(frozen=True)
class PoolBackward:
    """Max pooling forward and backward on one channel."""

    x: np.ndarray
    k: int
    s: int
    y: np.ndarray
    argmax: np.ndarray  # (Ho, Wo, 2): the (row, col) of each window's maximum (engine)
    dy: np.ndarray
    dx: np.ndarray  # F.max_pool2d_backward
    window_map: np.ndarray

    def partial(self, step: int) -> np.ndarray:
        """dL/dX after routing the first ``step + 1`` gradients (NaN: nothing routed yet)."""
        out = np.zeros(self.x.shape)
        touched = np.zeros(self.x.shape, bool)
        cells = self.argmax.reshape(-1, 2)[: step + 1]
        np.add.at(out, (cells[:, 0], cells[:, 1]), self.dy.reshape(-1)[: step + 1])
        touched[cells[:, 0], cells[:, 1]] = True
        return np.where(touched, out, np.nan)


def pool_backward(x: np.ndarray, k: int, s: int, seed: int = 1) -> PoolBackward:
    """Max pool ``x`` (k, s) with the engine, send small integer gradients back."""
    x = np.asarray(x, dtype=np.float32)
    y, idx = F.max_pool2d_with_indices(_4d(x), k, s)
    dy = upstream(y.shape[2:], seed)
    dx = F.max_pool2d_backward(_4d(dy), _4d(x), k, s)[0, 0]
    flat = idx[0, 0]
    argmax = np.stack(np.divmod(flat, x.shape[1]), axis=-1)
    return PoolBackward(x, k, s, y[0, 0], argmax, dy, dx,
                        F.conv_window_map(x.shape, k, s))


# ---------------------------------------------------------------- strided convolution


@dataclass(frozen=True)
class StrideBackward:
    """dL/dX of a stride-s convolution, three ways."""

    x: np.ndarray
    w: np.ndarray
    s: int
    dy: np.ndarray
    stretched: np.ndarray  # F.zero_insert(dY, s)
    padded: np.ndarray  # stretched, padded by k − 1 (+ the rows the stride never reached)
    pad: tuple[int, int, int, int]
    dx: np.ndarray  # F.conv2d_backward
    dx_full_conv: np.ndarray  # conv2d(padded, rot180(W))
    dx_transposed: np.ndarray  # F.conv_transpose2d(dY, W, stride=s, output_padding=extra)

    def spec(self) -> WindowSpec:
        """The full convolution as the window animator shows it (output: the engine's dX)."""
        k = self.w.shape[0]
        return WindowSpec(padded=self.padded, window_map=F.conv_window_map(self.padded.shape, k),
                          output=self.dx, kernel=np.ascontiguousarray(self.w[::-1, ::-1]),
                          pad=self.pad, symbol="∂L/∂X")


def stride_backward(x: np.ndarray, w: np.ndarray, s: int, seed: int = 2) -> StrideBackward:
    """Backward of ``conv2d(x, w, stride=s)`` for a small integer dL/dY."""
    x, w = np.asarray(x, np.float32), np.asarray(w, np.float32)
    k = w.shape[0]
    y = F.conv2d(_4d(x), _4d(w), stride=s)
    dy = upstream(y.shape[2:], seed)
    dx = F.conv2d_backward(_4d(dy), _4d(x), _4d(w), stride=s)[0][0, 0]
    stretched = F.zero_insert(dy, s)
    extra = (x.shape[0] - k) % s, (x.shape[1] - k) % s  # rows / columns no window started at
    pad = (k - 1, k - 1 + extra[1], k - 1, k - 1 + extra[0])
    padded = F.pad(_4d(stretched), pad)[0, 0]
    flipped = np.ascontiguousarray(w[::-1, ::-1])
    return StrideBackward(
        x, w, s, dy, stretched, padded, pad, dx,
        dx_full_conv=F.conv2d(_4d(padded), _4d(flipped))[0, 0],
        dx_transposed=F.conv_transpose2d(_4d(dy), _4d(w), stride=s, output_padding=extra)[0, 0],
    )


# ---------------------------------------------------------------- several channels, ReLU


@dataclass(frozen=True)
class ChannelsBackward:
    """Two input channels, two output channels: dL/dX[c] = Σ_o full_conv(dY[o], W[o, c])."""

    x: np.ndarray  # (C_in, H, W)
    w: np.ndarray  # (C_out, C_in, k, k)
    dy: np.ndarray  # (C_out, Ho, Wo)
    parts: np.ndarray  # (C_in, C_out, H, W): each output channel's share, by the engine
    dx: np.ndarray  # (C_in, H, W): F.conv2d_backward


def channels_backward(x: np.ndarray, w: np.ndarray, seed: int = 3) -> ChannelsBackward:
    """dL/dX of a multi-channel convolution and each output channel's share of it."""
    x, w = np.asarray(x, np.float32), np.asarray(w, np.float32)
    y = F.conv2d(x[None], w)
    dy = upstream(y.shape[1:], seed)
    dx = F.conv2d_backward(dy[None], x[None], w)[0][0]
    parts = np.stack([  # output channel o alone: its dL/dY, the other channels' zero
        F.conv2d_backward(np.where(np.arange(len(w))[:, None, None] == o, dy, 0)[None],
                          x[None], w)[0][0] for o in range(len(w))], axis=1)
    return ChannelsBackward(x, w, dy, parts, dx)


@dataclass(frozen=True)
class ReluBackward:
    """ReLU's backward: the gradient where the input was positive (the engine's)."""

    x: np.ndarray
    dy: np.ndarray
    mask: np.ndarray
    dx: np.ndarray


def relu_backward(x: np.ndarray, seed: int = 4) -> ReluBackward:
    """dL/dX of ReLU for small integer dL/dY."""
    x = np.asarray(x, np.float32)
    dy = upstream(x.shape, seed)
    return ReluBackward(x, dy, (x > 0).astype(np.float32), F.relu_backward(dy, x))


# ---------------------------------------------------------------- questions


def pool_question(r: PoolBackward) -> Question:
    """How many cells of dL/dX get a non-zero gradient (the distinct maxima)?"""
    right = int(np.count_nonzero(r.dx))
    options, correct = choice_options(right, [r.x.size, r.dy.size * r.k * r.k, r.dy.size,
                                              right + 1, right - 1])
    q = Text(f"Max pooling {r.k}×{r.k}, stride {r.s}, on this {r.x.shape[0]}×{r.x.shape[1]} "
             "input: how many cells of dL/dX are not zero?",
             f"在这个 {r.x.shape[0]}×{r.x.shape[1]} 的输入上做 {r.k}×{r.k}、步幅 {r.s} 的最大池化："
             "dL/dX 中有多少个格子不为零？")
    return Question(q, options, correct, entry("backprop_channels", "pool_why"))


def stretched_question(r: StrideBackward) -> Question:
    """How wide is dL/dY after zero insertion: (Wo − 1)·s + 1."""
    wo = r.dy.shape[1]
    right = r.stretched.shape[1]
    options, correct = choice_options(right, [wo * r.s, wo, wo + r.s, r.x.shape[1]])
    q = Text(f"dL/dY is {r.dy.shape[0]}×{wo} and the stride is {r.s}: how wide is it after "
             "zero insertion?",
             f"dL/dY 是 {r.dy.shape[0]}×{wo}，步幅为 {r.s}：插零之后有多宽？")
    return Question(q, options, correct, entry("backprop_channels", "stretched_why",
                                                   wo=wo, s=r.s, n=right))
