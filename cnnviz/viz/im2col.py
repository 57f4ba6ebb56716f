"""im2col animated: each window of the input and the column it becomes, outlined together,
with every kernel row's dot product with that column written out (no Streamlit)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.lessons.im2col import Im2col
from cnnviz.viz.equation import paren
from cnnviz.viz.linked_animation import LinkedGrid, LinkedStep, linked_animation_figure
from cnnviz.viz.style import fmt

HEAD = Text("window {j} (row {r}, col {c}) → column {j}",
            "窗口 {j}（第 {r} 行，第 {c} 列）→ 第 {j} 列")


def dot_line(row: np.ndarray, col: np.ndarray, total: float, name: str) -> str:
    """``W1·c = 2·1+0·2+... = 15``: integers, so the printed terms add up exactly (no spaces
    around "+": the line stays one line, and large, on a projected 1024-px page)."""
    terms = "+".join(f"{paren(float(w), 0)}·{paren(float(v), 0)}" for w, v in zip(row, col))
    return f"{name} = {terms} = {fmt(float(total), 0)}"


def im2col_steps(r: Im2col, lang: str) -> list[LinkedStep]:
    """One step per window: the window on the input, its column, the products so far."""
    ho, wo = r.out_shape
    kk, n_cols = r.cols.shape
    steps = []
    for j in range(n_cols):
        row, col = divmod(j, wo)
        cells = r.window_map[row, col].reshape(-1, 2)
        column = np.stack([np.arange(kk), np.full(kk, j)], axis=1)
        shown = r.cols.astype(np.float64).copy()
        shown[:, j + 1:] = np.nan
        product = r.product.astype(np.float64).copy()
        product[:, j + 1:] = np.nan
        head = HEAD.format(j=j, r=row, c=col).get(lang)
        lines = [head, *(dot_line(r.rows[i], r.cols[:, j], r.product[i, j], f"W{i + 1}·c{j}")
                         for i in range(len(r.rows)))]
        steps.append(LinkedStep(
            marks={0: cells, 1: column, 2: np.stack([np.arange(len(r.rows)),
                                                     np.full(len(r.rows), j)], axis=1)},
            values={1: shown, 2: product}, lines=tuple(lines)))
    return steps


def im2col_linked(r: Im2col, titles: tuple[str, str, str], lang: str
                  ) -> tuple[list[LinkedGrid], list[LinkedStep]]:
    """Input | column matrix | W·columns, and a step per window (figure and GIF)."""
    signed = bool(r.product.min() < 0)
    grids = [LinkedGrid(titles[0], r.x, vmin=0.0),
             LinkedGrid(titles[1], r.cols, vmin=float(r.x.min()), vmax=float(r.x.max())),
             LinkedGrid(titles[2], r.product, signed=signed)]
    return grids, im2col_steps(r, lang)


def im2col_figure(
    r: Im2col,
    titles: tuple[str, str, str],
    *,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 900,
    height: int | None = None,
    width_hint: int = 800,
) -> go.Figure:
    """Input | column matrix | W·columns, animated window by window."""
    grids, steps = im2col_linked(r, titles, lang)
    return linked_animation_figure(grids, steps, lang=lang, classroom=classroom,
                                   frame_ms=frame_ms, height=height, width_hint=width_hint)
