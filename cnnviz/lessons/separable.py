"""Depthwise-separable, grouped and factorised convolution, as engine calls and counts.

- depthwise (``F.conv2d`` with ``groups = C``: one kernel per channel) then pointwise
  (a 1×1 ``F.conv2d`` mixing channels) - the same maths as ``nn.DepthwiseSeparableConv2d``;
- grouped: which input channels each output channel sees, read off ``F.conv2d`` itself;
- factorised: a k×1 then a 1×k convolution equals one k×k convolution with the outer-product
  (rank-1) kernel;
- the parameter and multiply-add counts come from ``cnnviz.formulas``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from typing import NamedTuple

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options, same
from cnnviz.lessons.window import WindowSpec


@dataclass(frozen=True)
class Separable:
    """``depthwise`` (C, H', W'): each channel with its own kernel; ``output`` (C_out, H', W')."""

    depthwise: np.ndarray
    output: np.ndarray


def depthwise_pointwise(
    x: np.ndarray, depthwise: np.ndarray, pointwise: np.ndarray, padding: int = 0
) -> Separable:
    """``x`` (C, H, W), ``depthwise`` (C, k, k), ``pointwise`` (C_out, C) -> both stages."""
    x = np.asarray(x, dtype=np.float32)[None]
    dw = np.asarray(depthwise, dtype=np.float32)[:, None]
    pw = np.asarray(pointwise, dtype=np.float32)[:, :, None, None]
    mid = F.conv2d(x, dw, padding=padding, groups=x.shape[1])
    return Separable(mid[0], F.conv2d(mid, pw)[0])


def pointwise_spec(mid_crop: np.ndarray, out_crop: np.ndarray, weights: np.ndarray) -> WindowSpec:
    """The 1×1 convolution drawn as a C-tall window sliding along the crop's pixels.

    Columns of ``padded`` are the crop's pixels in raster order, rows its channels; the
    (C, 1) kernel is one output channel's pointwise weights, so each step is that pixel's
    multiply-add across channels; ``out_crop`` (h, w) is the engine's pointwise output.
    """
    mid_crop = np.asarray(mid_crop, dtype=np.float32)
    c = mid_crop.shape[0]
    grid = mid_crop.reshape(c, -1)
    return WindowSpec(
        padded=grid,
        window_map=F.conv_window_map(grid.shape, (c, 1)),
        output=np.asarray(out_crop, dtype=np.float32).reshape(1, -1),
        kernel=np.asarray(weights, dtype=np.float32).reshape(c, 1),
    )


def divisors_of_both(c_in: int, c_out: int) -> list[int]:
    """The group counts PyTorch accepts: the common divisors of the channel counts."""
    g = gcd(int(c_in), int(c_out))
    return [d for d in range(1, g + 1) if g % d == 0]


def group_connectivity(c_in: int, c_out: int, groups: int) -> np.ndarray:
    """(c_out, c_in) 0/1: does output channel o read input channel i? Asked of ``F.conv2d``:
    one one-hot image per input channel through a grouped 1×1 conv of ones."""
    eye = np.eye(c_in, dtype=np.float32)[:, :, None, None]
    w = np.ones((c_out, c_in // groups, 1, 1), dtype=np.float32)
    return (F.conv2d(eye, w, groups=groups)[:, :, 0, 0].T != 0).astype(np.float32)


class Vector(NamedTuple):
    """A 1-D kernel for the factorised view: its weights and its name."""

    values: tuple[float, ...]
    name: Text


# the 1-D kernels the factorised view offers (their outer products: Sobel, blur, ...)
VECTORS: dict[str, Vector] = {
    "smooth": Vector((1.0, 2.0, 1.0), Text("Smooth [1, 2, 1]", "平滑 [1, 2, 1]")),
    "diff": Vector((-1.0, 0.0, 1.0), Text("Difference [−1, 0, 1]", "差分 [−1, 0, 1]")),
    "box": Vector((1.0, 1.0, 1.0), Text("Box [1, 1, 1]", "均值 [1, 1, 1]")),
}


@dataclass(frozen=True)
class Factorised:
    """k×1 then 1×k (``after_column``, ``two_step``) against the outer-product kernel."""

    after_column: np.ndarray
    two_step: np.ndarray
    kernel: np.ndarray
    one_step: np.ndarray

    @property
    def largest_difference(self) -> float:
        """max |two-step − one-step|: rounding only, for a rank-1 kernel."""
        return float(np.abs(self.two_step - self.one_step).max())


def factorised(x: np.ndarray, column: np.ndarray, row: np.ndarray, padding: int = 0) -> Factorised:
    """Two 1-D passes (engine) and one 2-D pass with ``outer(column, row)`` (engine)."""
    x = np.asarray(x, dtype=np.float32)[None, None]
    col = np.asarray(column, dtype=np.float32).reshape(1, 1, -1, 1)
    rw = np.asarray(row, dtype=np.float32).reshape(1, 1, 1, -1)
    a = F.conv2d(x, col, padding=(padding, 0))
    b = F.conv2d(a, rw, padding=(0, padding))
    kernel = np.outer(col.ravel(), rw.ravel()).astype(np.float32)
    full = F.conv2d(x, kernel[None, None], padding=padding)
    return Factorised(a[0, 0], b[0, 0], kernel, full[0, 0])


@dataclass(frozen=True)
class CostRow:
    """One design in the comparison table."""

    key: str
    params: int
    multiply_adds: int


def factorised_middle(c_in: int, c_out: int) -> int:
    """Channels between the k×1 and the 1×k layer: the smaller of in and out.

    Then k·C_in·C_mid + k·C_mid·C_out is at most 2/k of k²·C_in·C_out, so the factorised
    layer always saves (C_mid = C_out would cost as much as the standard layer when
    C_out = 2 C_in, contradicting the lesson's "2k instead of k²").
    """
    return min(int(c_in), int(c_out))


def cost_table(c_in: int, c_out: int, k: int, hw: tuple[int, int], groups: int) -> list[CostRow]:
    """Standard, depthwise-separable, grouped and factorised counts (no bias), from formulas."""
    sep = formulas.depthwise_separable_counts(c_in, c_out, k, hw)
    grp = formulas.grouped_counts(c_in, c_out, k, hw, groups)
    fac = formulas.factorised_counts(c_in, c_out, k, hw, factorised_middle(c_in, c_out))
    return [
        CostRow("standard", sep.standard.params, sep.standard.multiply_adds),
        CostRow("separable", sep.params, sep.multiply_adds),
        CostRow("grouped", grp.params, grp.multiply_adds),
        CostRow("factorised", fac.params, fac.multiply_adds),
    ]


def separable_params_question(c_in: int, c_out: int, k: int) -> Question:
    """How many weights has a depthwise-separable layer with these numbers?"""
    counts = formulas.depthwise_separable_counts(c_in, c_out, k, 1)
    right = counts.params
    wrong = [counts.standard.params, c_in * k * k, c_in * c_out, right + c_out]
    options, correct = choice_options(right, wrong)
    q = Text(
        f"A depthwise-separable layer: {c_in} channels in, {c_out} out, {k}×{k} depthwise, "
        "no bias. How many weights?",
        f"深度可分离卷积层：输入 {c_in} 个通道，输出 {c_out} 个，{k}×{k} 深度卷积，不含偏置。"
        "共有多少个权重？",
    )
    expl = Text(
        f"Depthwise {c_in}·{k}·{k} = {c_in * k * k}, pointwise {c_in}·{c_out} = {c_in * c_out}: "
        f"{right}, against {counts.standard.params} for a standard {k}×{k} convolution.",
        f"深度卷积 {c_in}·{k}·{k} = {c_in * k * k}，逐点卷积 {c_in}·{c_out} = {c_in * c_out}："
        f"共 {right} 个，标准 {k}×{k} 卷积则有 {counts.standard.params} 个。",
    )
    return Question(q, options, correct, expl)


def grouped_params_question(c_in: int, c_out: int, k: int, groups: int) -> Question:
    """How many weights with ``groups`` groups?"""
    right = formulas.conv_params(c_in, c_out, k, groups, bias=False)
    wrong = [formulas.conv_params(c_in, c_out, k, 1, bias=False), right * groups // 2 or 1,
             c_out * k * k, right + k * k]
    options, correct = choice_options(right, wrong)
    q = Text(
        f"{c_in} → {c_out} channels, {k}×{k} kernels, groups = {groups}, no bias: how many "
        "weights?",
        f"{c_in} → {c_out} 个通道，{k}×{k} 卷积核，分组数 = {groups}，不含偏置：有多少个权重？",
    )
    expl = same(f"$${c_out}\\cdot({c_in}/{groups})\\cdot{k}\\cdot{k} = {right}$$")
    return Question(q, options, correct, expl)
