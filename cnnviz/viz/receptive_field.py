"""The receptive field sliding: one output unit after another along a row, and the box of
input pixels each depends on (measured by the engine's backward pass). No Streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.viz.linked_animation import LinkedGrid, LinkedStep, linked_animation_figure

LINE = Text("unit ({r}, {c}) sees rows {t}–{b}, columns {le}–{ri}: {h} × {w} pixels",
            "单元 ({r}, {c}) 看到第 {t}–{b} 行、第 {le}–{ri} 列：{h} × {w} 个像素")
MOVE = Text("one unit to the right moves it {j} pixels (the product of the strides)",
            "向右移一个单元，它移动 {j} 个像素（各步幅之积）")


def _box_cells(box: tuple[int, int, int, int]) -> np.ndarray:
    top, bottom, left, right = box
    rr, cc = np.mgrid[top:bottom + 1, left:right + 1]
    return np.stack([rr.ravel(), cc.ravel()], axis=1)


def receptive_field_linked(x: np.ndarray, output: np.ndarray, row: int,
                           boxes: list[tuple[int, int, int, int]], jump: int,
                           titles: tuple[str, str], lang: str
                           ) -> tuple[list[LinkedGrid], list[LinkedStep]]:
    """Input | output, and a step per unit of output row ``row`` (figure and GIF)."""
    grids = [LinkedGrid(titles[0], x, numbers=False, vmin=0.0, vmax=1.0),
             LinkedGrid(titles[1], output, numbers=False, vmin=0.0, vmax=1.0)]
    steps = []
    for col, box in enumerate(boxes):
        top, bottom, left, right = box
        line = LINE.format(r=row, c=col, t=top, b=bottom, le=left, ri=right,
                           h=bottom - top + 1, w=right - left + 1).get(lang)
        steps.append(LinkedStep(marks={0: _box_cells(box), 1: np.array([[row, col]])},
                                lines=(line, MOVE.format(j=jump).get(lang))))
    return grids, steps


def receptive_field_figure(
    x: np.ndarray,
    output: np.ndarray,
    row: int,
    boxes: list[tuple[int, int, int, int]],
    jump: int,
    titles: tuple[str, str],
    *,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 700,
    height: int | None = None,
    width_hint: int = 800,
) -> go.Figure:
    """Input | output, animated along output row ``row``: the unit and the box it sees."""
    grids, steps = receptive_field_linked(x, output, row, boxes, jump, titles, lang)
    return linked_animation_figure(grids, steps, lang=lang, classroom=classroom,
                                   frame_ms=frame_ms, height=height, width_hint=width_hint)
