"""Stride: which input cells the windows read, and which they skip (engine's window map).

``F.conv_window_map`` says which padded-input cell each tap of each window reads; counting
them shows the cost of a large stride: cells between windows that no window ever reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options
from cnnviz.lessons.window import WindowSpec

# Lesson 4 opens with a stride larger than the kernel, so some pixels are never read: the
# cost of a large stride is on screen before the learner touches a slider (k 3, s 2 on the
# 9×9 crop reads every pixel).
DEFAULT_KERNEL = 3
DEFAULT_STRIDE = 4


@dataclass(frozen=True)
class Coverage:
    """``counts``: windows reading each padded cell; ``anchors`` (n, 2): where each window
    starts; ``skipped`` of the ``total`` real (unpadded) input cells are never read."""

    counts: np.ndarray
    anchors: np.ndarray
    skipped: int
    total: int


def coverage(spec: WindowSpec, padding: int, input_shape: tuple[int, int]) -> Coverage:
    """How often the windows of ``spec`` read each cell, from its window map."""
    counts = np.zeros(spec.padded.shape, dtype=np.int64)
    cells = np.asarray(spec.window_map).reshape(-1, 2)
    np.add.at(counts, (cells[:, 0], cells[:, 1]), 1)
    h, w = input_shape
    inner = counts[padding : padding + h, padding : padding + w]
    anchors = spec.window_map[:, :, 0, 0].reshape(-1, 2)
    return Coverage(counts, anchors, int((inner == 0).sum()), int(inner.size))


def never_read_question(
    shape: tuple[int, int], k: int, stride: int, padding: int, skipped: int
) -> Question:
    """ "How many input pixels are never read?" for the crop the page shows."""
    ch, cw = shape
    read = ch * cw - skipped
    # off by one, a row too many, or the pixels that ARE read
    options, correct = choice_options(skipped, [skipped + 1, skipped - 1, skipped + cw, read])
    return Question(
        Text(
            f"In the {ch}×{cw} crop with kernel {k}, stride {stride}, padding {padding}: how "
            "many input pixels are never read?",
            f"在 {ch}×{cw} 的裁剪区域上，卷积核 {k}，步幅 {stride}，填充 {padding}：有多少个输入"
            "像素从未被读取？",
        ),
        options,
        correct,
        entry("stride", "never_read_why"),
    )
