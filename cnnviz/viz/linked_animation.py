"""An animation of grids linked step by step: cells outlined in several grids at once, some
grids filling in as the steps go, and the step's sum written underneath (no Streamlit).

The sliding-window animator (``window_animation``) draws one window over one input; the
training-half lessons link other things: a window and the column it becomes (im2col), a
gradient cell and the input cell it is routed to (pooling backward), an output unit and the
input pixels it sees (receptive field). Each step says which cells to outline in which
grid, which grids show new values, and the lines written under the grids; everything else
(titles fitted to their columns, square cells, Play / Fast / Pause and the step slider) is
the same pieces the window animator is made of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go

from cnnviz.viz import fit
from cnnviz.viz.controls import Stage, animate, frame
from cnnviz.viz.equation import equation_annotation, equation_font, equation_height
from cnnviz.viz.grid import (
    column_titles,
    grid_columns,
    max_chars,
    numbered_heatmap,
    outline_trace,
    square_cells,
    text_grid,
)
from cnnviz.viz.style import AnimationStyle, auto_decimals, fit_font, input_colours, signed_colours


@dataclass(frozen=True)
class LinkedGrid:
    """One grid of the figure: its final values (the colour range), and how it is drawn."""

    title: str
    values: np.ndarray
    signed: bool = False
    numbers: bool = True  # write the values in the cells (False: an image, colours only)
    vmin: float | None = None
    vmax: float | None = None


@dataclass(frozen=True)
class LinkedStep:
    """What one step shows: outlined cells per grid (index -> (n, 2) cells), the values of
    the grids that change (index -> array, NaN = not yet: drawn grey) and the written lines."""

    marks: dict[int, np.ndarray] = field(default_factory=dict)
    values: dict[int, np.ndarray] = field(default_factory=dict)
    lines: tuple[str, ...] = ()
    accents: dict[int, np.ndarray] = field(default_factory=dict)  # cells marked in magenta


ACCENT = "#e0007a"  # magenta, as pooling's maximum: distinct from the orange window


def accent_trace(cells: np.ndarray, width: int, axes: str) -> dict[str, object]:
    """Magenta squares just inside ``cells`` (a maximum inside the orange window)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    e = 0.36
    for r, c in np.asarray(cells).reshape(-1, 2):
        xs += [c - e, c + e, c + e, c - e, c - e, None]
        ys += [r - e, r - e, r + e, r + e, r - e, None]
    return {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "hoverinfo": "skip",
            "showlegend": False, "line": {"color": ACCENT, "width": width},
            "xaxis": f"x{axes}", "yaxis": f"y{axes}"}


def _colours(g: LinkedGrid, classroom: bool) -> dict[str, object]:
    v = np.asarray(g.values, dtype=np.float64)
    if g.signed:
        amax = g.vmax if g.vmax is not None else max(float(np.nanmax(np.abs(v))), 1e-4)
        return signed_colours(amax, classroom)
    lo = float(np.nanmin(v)) if g.vmin is None else g.vmin
    hi = float(np.nanmax(v)) if g.vmax is None else g.vmax
    return input_colours(lo, hi if hi > lo else lo + 1.0, classroom)


def _text(g: LinkedGrid, z: np.ndarray) -> list[list[str]]:
    if not g.numbers:
        return [["" for _ in row] for row in np.asarray(z)]
    return text_grid(z, auto_decimals(g.values))


def _heatmap(g: LinkedGrid, z: np.ndarray, font: int, axes: str, classroom: bool
             ) -> dict[str, object]:
    z = np.asarray(z, dtype=np.float64)
    gaps = {} if g.numbers else {"xgap": 0, "ygap": 0}
    return {**numbered_heatmap(z.tolist(), _text(g, z), font, None, **_colours(g, classroom)),
            **gaps, "xaxis": f"x{axes}", "yaxis": f"y{axes}"}


def grid_font(grids: Sequence[LinkedGrid], cell_px: float, base: int) -> int:
    """The digits' size: as large as fits the cell's width and height (at most ``base``)."""
    chars = max((max_chars(text_grid(g.values, auto_decimals(g.values))) for g in grids
                 if g.numbers), default=1)
    return min(fit_font(cell_px, chars, base), int(cell_px * 0.7))


def _traces(steps: Sequence[LinkedStep], n: int) -> tuple[list[int], list[int], list[int]]:
    """Grids whose values change, grids with outlines, grids with accents (each a trace the
    frames replace)."""
    changing = sorted({i for s in steps for i in s.values})
    marked = sorted({i for s in steps for i in s.marks})
    accented = sorted({i for s in steps for i in s.accents})
    assert all(0 <= i < n for i in [*changing, *marked, *accented])
    return changing, marked, accented


def linked_animation_figure(
    grids: Sequence[LinkedGrid],
    steps: Sequence[LinkedStep],
    *,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 900,
    height: int | None = None,
    width_hint: int = 800,
) -> go.Figure:
    """Grids side by side with frames: each step outlines cells and updates values.

    ``width_hint`` (px, the stage width) and ``height`` (a budget for the whole figure)
    size the cells; the digits are as large as the cells allow (keep grids small enough
    for 16 px digits in classroom mode: the lesson chooses the sizes).
    """
    style = AnimationStyle.of(classroom)
    widths = [max(np.asarray(g.values).shape[1], 2) for g in grids]
    rows = max(np.asarray(g.values).shape[0] for g in grids)
    fig = grid_columns([g.title for g in grids], widths)
    titled, top = column_titles(fig, style.font + 2, width_hint)
    eq_font = equation_font([list(s.lines) or [""] for s in steps], width_hint, style.equation)
    eq_px = equation_height(max(len(s.lines) for s in steps) + 1, eq_font)
    cell_w = fit.cell_width(widths, width_hint)
    grid_px = fit.grid_height(rows, cell_w, fit.grid_most(classroom), height, eq_px)
    grid_px = max(grid_px - (top - 50), 120)
    cell = min(cell_w, (grid_px - fit.TITLE_PX) / rows)
    font = grid_font(grids, cell, style.font)
    changing, marked, accented = _traces(steps, len(grids))
    first = steps[0]
    for i, g in enumerate(grids):
        axes = "" if i == 0 else str(i + 1)
        fig.add_trace(go.Heatmap(_heatmap(g, first.values.get(i, g.values), font, axes,
                                          classroom)), row=1, col=i + 1)
    n_static = len(fig.data)

    def moving(step: LinkedStep) -> list[dict[str, object]]:
        data = [_heatmap(grids[i], step.values.get(i, grids[i].values), font,
                         "" if i == 0 else str(i + 1), classroom) for i in changing]
        for i in marked:
            cells = step.marks.get(i, np.empty((0, 2)))
            axes = "" if i == 0 else str(i + 1)
            if len(cells):
                data.append(outline_trace(cells, style.line, filled=i == 0, axes=axes))
            else:
                data.append({"type": "scatter", "x": [], "y": [], "mode": "lines",
                             "hoverinfo": "skip", "showlegend": False,
                             "xaxis": f"x{axes}", "yaxis": f"y{axes}"})
        for i in accented:
            data.append(accent_trace(step.accents.get(i, np.empty((0, 2))), style.line - 1,
                                     "" if i == 0 else str(i + 1)))
        return data

    ids = [*changing, *range(n_static, n_static + len(marked) + len(accented))]
    frames = [frame(k, moving(s), ids, [*titled, equation_annotation(list(s.lines), eq_font)])
              for k, s in enumerate(steps)]
    for trace in frames[0]["data"][len(changing):]:
        fig.add_trace(go.Scatter(trace))
    stage = Stage(grid_px, eq_px, style.font, frame_ms,
                  slider=fit.slider_span(lang, style.font - 2, width_hint), top=top)
    animate(fig, frames, stage, lang, frames[0]["layout"]["annotations"], [])
    square_cells(fig, len(grids))
    return fig
