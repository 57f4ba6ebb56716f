"""Max pooling's backward animated: each dL/dY cell, the maximum of its window, and the
dL/dX cell that receives it (the others stay zero). No Streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.lessons.backprop_channels import PoolBackward
from cnnviz.viz.linked_animation import LinkedGrid, LinkedStep, linked_animation_figure
from cnnviz.viz.style import fmt

MAX = Text("window ({r}, {c}): max = X[{i},{j}] = {v}",
           "窗口 ({r}, {c})：最大值 = X[{i},{j}] = {v}")


def _n(v: float) -> str:
    return fmt(float(v), 0)


def pool_steps(r: PoolBackward, lang: str) -> list[LinkedStep]:
    """One step per dL/dY cell: the window, its maximum, where the gradient lands."""
    steps = []
    ho, wo = r.dy.shape
    for t in range(ho * wo):
        row, col = divmod(t, wo)
        i, j = (int(v) for v in r.argmax[row, col])
        before = r.partial(t - 1)[i, j] if t else np.nan
        g = float(r.dy[row, col])
        after = r.partial(t)[i, j]
        sum_line = (f"dL/dX[{i},{j}] = {_n(before)} + {fmt(g, 0)} = {_n(after)}"
                    if np.isfinite(before) else f"dL/dX[{i},{j}] = dL/dY[{row},{col}] = {_n(g)}")
        head = MAX.format(r=row, c=col, i=i, j=j, v=_n(r.x[i, j])).get(lang)
        steps.append(LinkedStep(
            marks={0: r.window_map[row, col].reshape(-1, 2), 1: np.array([[row, col]]),
                   2: np.array([[i, j]])},
            values={2: r.partial(t)}, lines=(head, sum_line), accents={0: np.array([[i, j]])}))
    return steps


def pool_backward_linked(r: PoolBackward, titles: tuple[str, str, str], lang: str
                         ) -> tuple[list[LinkedGrid], list[LinkedStep]]:
    """X | dL/dY | dL/dX, and a step per dL/dY cell (figure and GIF)."""
    amax = max(float(np.abs(r.dx).max()), float(np.abs(r.dy).max()), 1.0)
    grids = [LinkedGrid(titles[0], r.x, vmin=0.0),
             LinkedGrid(titles[1], r.dy, signed=True, vmax=amax),
             LinkedGrid(titles[2], r.dx, signed=True, vmax=amax)]
    steps = pool_steps(r, lang)
    last = steps[-1]
    # the last step shows the engine's dL/dX whole: zeros where no maximum was
    steps[-1] = LinkedStep(marks=last.marks, values={2: r.dx}, lines=last.lines,
                           accents=last.accents)
    return grids, steps


def pool_backward_figure(
    r: PoolBackward,
    titles: tuple[str, str, str],
    *,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 900,
    height: int | None = None,
    width_hint: int = 800,
) -> go.Figure:
    """X (the window) | dL/dY (the cell sent back) | dL/dX (filling in, zeros at the end)."""
    grids, steps = pool_backward_linked(r, titles, lang)
    return linked_animation_figure(grids, steps, lang=lang, classroom=classroom,
                                   frame_ms=frame_ms, height=height, width_hint=width_hint)
