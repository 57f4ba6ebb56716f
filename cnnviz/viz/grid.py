"""Numbered grids: heatmaps with their values written in the cells, and what is drawn on them.

The pieces every small-grid figure shares (the animators and ``heatmaps.number_grid_figure``):
grid columns side by side with square cells, the written numbers sized to fit their cells,
outlines around cells (the window, the current output cell), the grey cover over cells
not computed yet, and the padding ring (faded padding, the original area outlined in green).
Traces and shapes are plain dicts: animation frames carry them without plotly re-validating.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.viz.style import (
    HIGHLIGHT,
    NARROWEST_PX,
    NOT_YET,
    PAD_OUTLINE,
    WINDOW_FILL,
    fit_titles,
    fmt,
    title_room,
)

Trace = dict[str, object]
Pad = tuple[int, int, int, int]  # (left, right, top, bottom), as F.pad takes it


def grid_columns(
    titles: Sequence[str], widths: Sequence[float], spacing: float = 0.06
) -> go.Figure:
    """One row of subplots, each as wide as its grid has columns (``widths`` in cells)."""
    return make_subplots(
        rows=1,
        cols=len(titles),
        column_widths=[w / sum(widths) for w in widths],
        subplot_titles=list(titles),
        horizontal_spacing=spacing,
    )


def fit_column_titles(fig: go.Figure, size: int, width_px: float,
                      edge_px: float = 5) -> tuple[list[dict[str, object]], int]:
    """The subplot titles as annotation dicts, wrapped (``<br>``) so each stays over its own
    column on a ``width_px`` figure, at ``size`` (smaller only for a piece that cannot break),
    and the top margin their lines need. ``edge_px`` is the figure's side margin."""
    titles = [a.to_plotly_json() for a in fig.layout.annotations]
    plot_px = max(min(width_px, NARROWEST_PX) - 2 * edge_px, 1)
    domains = [fig.layout[f"xaxis{'' if i == 0 else i + 1}"].domain for i in range(len(titles))]
    widths = []
    for i, (x0, x1) in enumerate(domains):
        # a centred title may spill into half the gap on each side (the margin at an edge)
        left = (x0 - domains[i - 1][1]) / 2 * plot_px if i else edge_px
        right = (domains[i + 1][0] - x1) / 2 * plot_px if i + 1 < len(domains) else edge_px
        widths.append((x1 - x0) * plot_px + 2 * min(left, right))
    texts, font, lines = fit_titles([str(a["text"]) for a in titles], widths, size)
    for a, text in zip(titles, texts):
        a["text"], a["font"] = text, {"size": font}
    return titles, title_room(lines, font)


def titles_top(titles: Sequence[str], widths: Sequence[float], size: int, width_px: float,
               spacing: float = 0.06, edge_px: float = 10) -> int:
    """The top margin ``column_titles`` would give titles over ``grid_columns(titles,
    widths, spacing)``, without building the figure (the classroom fit asks it of many crops).
    """
    n = len(widths)
    room = 1 - spacing * (n - 1)
    x0, domains = 0.0, []
    for w in widths:
        domains.append((x0, x0 + room * w / sum(widths)))
        x0 = domains[-1][1] + spacing
    plot_px = max(min(width_px, NARROWEST_PX) - 2 * edge_px, 1)
    px = []
    for i, (a, b) in enumerate(domains):
        left = (a - domains[i - 1][1]) / 2 * plot_px if i else edge_px
        right = (domains[i + 1][0] - b) / 2 * plot_px if i + 1 < n else edge_px
        px.append((b - a) * plot_px + 2 * min(left, right))
    _, font, lines = fit_titles(list(titles), px, size)
    return title_room(lines, font)


def column_titles(fig: go.Figure, size: int,
                  width_px: float = NARROWEST_PX) -> tuple[list[dict[str, object]], int]:
    """The column titles fitted to their columns (``fit_column_titles``), for frames to
    carry with each step's equation (a frame replaces all of the layout's annotations)."""
    return fit_column_titles(fig, size, width_px, edge_px=10)


def square_cells(fig: go.Figure, ncols: int, *, clear_ticks: bool = True) -> None:
    """Square cells, row 0 at the top, no tick labels or grid lines, in every column."""
    ticks = {"ticks": ""} if clear_ticks else {}
    for i in range(1, ncols + 1):
        xa = "x" if i == 1 else f"x{i}"
        fig.update_yaxes(
            autorange="reversed", scaleanchor=xa, constrain="domain",
            showticklabels=False, showgrid=False, zeroline=False, row=1, col=i, **ticks,
        )
        fig.update_xaxes(
            constrain="domain", showticklabels=False, showgrid=False, zeroline=False,
            row=1, col=i, **ticks,
        )


def text_grid(a: np.ndarray, decimals: int, mask: np.ndarray | None = None) -> list[list[str]]:
    """The numbers written in the cells; NaN (and cells outside ``mask``) stay blank."""
    out = []
    for i, row in enumerate(np.asarray(a)):
        line = []
        for j, v in enumerate(row):
            show = np.isfinite(v) and (mask is None or mask[i, j])
            line.append(fmt(float(v), decimals) if show else "")
        out.append(line)
    return out


def max_chars(texts: list[list[str]]) -> int:
    """Length of the longest number in a text grid (what has to fit in a cell)."""
    return max((len(x) for row in texts for x in row), default=1)


def numbered_heatmap(
    z: object, text: list[list[str]], font: int, hover: str | None = None, **extra: object
) -> Trace:
    """A heatmap trace with ``text`` written in its cells (no hover text when ``hover`` is None).

    ``extra`` carries the colours (``style.signed_colours`` / ``input_colours``) and, for a
    trace that frames replace, its axes.
    """
    trace: Trace = {"type": "heatmap", "z": z, "text": text, "texttemplate": "%{text}",
                    "textfont": {"size": font}, "showscale": False, "xgap": 1, "ygap": 1}
    if hover is None:
        trace["hoverinfo"] = "skip"
    else:
        trace["hovertemplate"] = hover
    return {**trace, **extra}


def cell_outlines(cells: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """Closed squares around each (row, col), separated by None (one scatter trace)."""
    cells = np.asarray(cells).reshape(-1, 2)
    (r0, c0), (r1, c1) = cells.min(0), cells.max(0)
    if len(np.unique(cells, axis=0)) == (r1 - r0 + 1) * (c1 - c0 + 1):
        # a contiguous window: one rectangle is enough (and keeps frames small)
        x0, x1, y0, y1 = c0 - 0.5, c1 + 0.5, r0 - 0.5, r1 + 0.5
        return [x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for r, c in cells:
        x0, x1, y0, y1 = c - 0.5, c + 0.5, r - 0.5, r + 0.5
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y0, y0, y1, y1, y0, None]
    return xs, ys


def outline_trace(
    cells: np.ndarray, width: int, *, filled: bool = False, axes: str | None = None
) -> Trace:
    """The highlight outline around ``cells`` (tinted inside when ``filled``: the window).

    ``axes`` ("" for the first column, "3" for the third) pins the trace to a column when
    it is not added with ``row`` / ``col``.
    """
    xs, ys = cell_outlines(cells)
    trace: Trace = {"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                    "line": {"color": HIGHLIGHT, "width": width}}
    if filled:
        trace.update(fill="toself", fillcolor=WINDOW_FILL)
    trace.update(hoverinfo="skip", showlegend=False)
    if axes is not None:
        trace.update(xaxis=f"x{axes}", yaxis=f"y{axes}")
    return trace


def not_yet_polygon(r: int, c: int, ho: int, wo: int) -> tuple[list[float], list[float]]:
    """Outline of the output cells after (r, c) in raster order (not yet computed)."""
    x0, x1 = -0.5, wo - 0.5
    yr, yn, yb = r - 0.5, r + 0.5, ho - 0.5
    xc = c + 0.5
    if r == ho - 1 and c == wo - 1:
        return [], []
    if c == wo - 1:  # current row done: cover the rows below
        return [x0, x1, x1, x0, x0], [yn, yn, yb, yb, yn]
    return [xc, x1, x1, x0, x0, xc, xc], [yr, yr, yb, yb, yn, yn, yr]


def not_yet_cover(cell: tuple[int, int], shape: tuple[int, int]) -> Trace:
    """An opaque grey polygon over the output cells after ``cell``.

    The output heatmap stays static (all the engine's values); a frame moves this cover,
    a few points instead of a whole grid.
    """
    xs, ys = not_yet_polygon(cell[0], cell[1], shape[0], shape[1])
    return {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
            "fillcolor": NOT_YET, "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False}


def _rect(axes: str, x0: float, x1: float, y0: float, y1: float, **style: object) -> Trace:
    return {"type": "rect", "xref": f"x{axes}", "yref": f"y{axes}",
            "x0": x0, "x1": x1, "y0": y0, "y1": y1, **style, "layer": "above"}


def pad_outline(shape: tuple[int, int], pad: Pad, axes: str = "") -> Trace:
    """The dashed green outline of the original area inside a grid padded by ``pad``."""
    (h, w), (left, right, top, bottom) = shape, pad
    return _rect(axes, left - 0.5, w - right - 0.5, top - 0.5, h - bottom - 0.5,
                 line={"color": PAD_OUTLINE, "width": 4, "dash": "dash"})


def padding_ring(
    shape: tuple[int, int], pad: Pad, axes: str = "", fade: float = 0.45
) -> list[Trace]:
    """Shapes that fade the padding cells (white at ``fade`` opacity) and outline the rest."""
    (h, w), (left, right, top, bottom) = shape, pad
    shapes = []
    for x0, x1, y0, y1 in (
        (-0.5, w - 0.5, -0.5, top - 0.5),
        (-0.5, w - 0.5, h - bottom - 0.5, h - 0.5),
        (-0.5, left - 0.5, top - 0.5, h - bottom - 0.5),
        (w - right - 0.5, w - 0.5, top - 0.5, h - bottom - 0.5),
    ):
        if x1 > x0 and y1 > y0:
            shapes.append(_rect(axes, x0, x1, y0, y1, fillcolor=f"rgba(255,255,255,{fade})",
                                line={"width": 0}))
    return [*shapes, pad_outline(shape, pad, axes)]


def cell_marks(cells: np.ndarray, axes: str = "", width: int = 3) -> list[Trace]:
    """Static highlight squares around ``cells`` (shapes, for figures without frames)."""
    return [_rect(axes, c - 0.5, c + 0.5, r - 0.5, r + 0.5,
                  line={"color": HIGHLIGHT, "width": width})
            for r, c in np.asarray(cells).reshape(-1, 2)]
