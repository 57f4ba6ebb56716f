"""Dilated convolution: the kernel's footprint, receptive fields of stacks, and the cost.

The footprint comes from ``F.conv_window_map`` (where the taps of one window land), the
receptive fields from ``formulas.receptive_field``, the counts from ``formulas.conv_params``
and ``formulas.conv_multiply_adds``. Nothing is re-derived here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options, same


def footprint(kernel: np.ndarray, dilation: int) -> tuple[np.ndarray, np.ndarray]:
    """``(dense, taps)``: the kernel spread over its k'×k' reach with zeros in the gaps,
    and the (k*k, 2) cells its taps occupy (the first window of ``F.conv_window_map``)."""
    kernel = np.asarray(kernel, dtype=np.float32)
    kh, kw = kernel.shape
    span = formulas.effective_kernel_size((kh, kw), dilation)
    taps = F.conv_window_map(span, (kh, kw), 1, 0, dilation)[0, 0].reshape(-1, 2)
    dense = np.zeros(span, dtype=np.float32)
    dense[taps[:, 0], taps[:, 1]] = kernel.reshape(-1)
    return dense, taps


@dataclass(frozen=True)
class StackRow:
    """One layer of a stack: receptive field with rate d, with rate 1, with rates 1, 2, 4 …"""

    layer: int
    rf_dilated: int
    rf_dense: int
    rf_doubling: int
    doubling_rate: int


def stack_rows(k: int, dilation: int, layers: int) -> list[StackRow]:
    """Receptive fields after each of ``layers`` stride-1 k×k layers (formulas.receptive_field)."""
    dil = formulas.receptive_field([(k, 1, dilation)] * layers)
    dense = formulas.receptive_field([(k, 1, 1)] * layers)
    rates = [2**i for i in range(layers)]
    dbl = formulas.receptive_field([(k, 1, r) for r in rates])
    return [
        StackRow(n + 1, dil[n].size, dense[n].size, dbl[n].size, rates[n]) for n in range(layers)
    ]


@dataclass(frozen=True)
class CostRow:
    """Weights and multiply-adds of one layer (``channels`` in and out) and its output size."""

    name: str
    kernel: int
    dilation: int
    out_hw: tuple[int, int]
    params: int
    multiply_adds: int


def cost_rows(k: int, dilation: int, channels: int, in_hw: tuple[int, int],
              padding: int = 0) -> list[CostRow]:
    """The dilated k×k layer against a dense layer with the same reach k' = d(k-1)+1, each
    on the ``in_hw`` input with its own output size (formulas.conv_output_size per row)."""
    span = int(formulas.effective_kernel_size(k, dilation))
    rows = []
    for name, kk, d in (("dilated", k, dilation), ("dense", span, 1)):
        out = formulas.conv_output_size(tuple(in_hw), kk, 1, padding, d)
        out_hw = (int(out[0]), int(out[1]))  # type: ignore[index]
        rows.append(CostRow(name, kk, d, out_hw,
                            formulas.conv_params(channels, channels, kk, bias=False),
                            formulas.conv_multiply_adds(channels, channels, kk, out_hw)))
    return rows


def receptive_field_question(k: int, dilation: int, layers: int) -> Question:
    """How wide is the receptive field after ``layers`` k×k layers with rate ``dilation``?"""
    right = formulas.receptive_field([(k, 1, dilation)] * layers)[-1].size
    span = int(formulas.effective_kernel_size(k, dilation))
    wrong = [span, layers * span, formulas.receptive_field([(k, 1, 1)] * layers)[-1].size,
             right + dilation]
    options, correct = choice_options(right, wrong)
    q = Text(
        f"{layers} stacked {k}×{k} convolutions, stride 1, dilation {dilation}: how many input "
        "pixels wide is the receptive field of one output pixel?",
        f"{layers} 层堆叠的 {k}×{k} 卷积，步幅 1，膨胀率 {dilation}：一个输出像素的感受野有多少个"
        "输入像素宽？",
    )
    expl = Text(
        f"Each layer adds d(k−1) = {dilation}·({k}−1) = {dilation * (k - 1)}: "
        f"1 + {layers}·{dilation * (k - 1)} = {right}.",
        f"每一层增加 d(k−1) = {dilation}·({k}−1) = {dilation * (k - 1)}："
        f"1 + {layers}·{dilation * (k - 1)} = {right}。",
    )
    return Question(q, options, correct, expl)


def effective_size_question(k: int, dilation: int) -> Question:
    """How many pixels does a k×k kernel with rate d span?"""
    right = int(formulas.effective_kernel_size(k, dilation))
    options, correct = choice_options(right, [k * dilation, k + dilation, k, right + 1])
    q = Text(
        f"A {k}×{k} kernel with dilation {dilation}: how many pixels wide is its footprint?",
        f"膨胀率为 {dilation} 的 {k}×{k} 卷积核：它的覆盖范围有多少个像素宽？",
    )
    latex = formulas.effective_kernel_size_latex(k, dilation)
    return Question(q, options, correct, same(f"${latex}$"))
