"""Whole-image and small-grid figures built from engine results (plotly, no Streamlit).

Whole images (up to ~256x256) are sent as PNG-encoded ``go.Image`` traces rather than
heatmaps: a 256x256 heatmap is ~1 MB of JSON and redraws slowly, a PNG is a few kB.
Signed results use a diverging map with zero at white, scaled symmetrically, so "no
response" always looks the same across panels; a colour bar gives the numbers back.
Small grids (``number_grid_figure``) are heatmaps with every value written in its cell.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import plotly.graph_objects as go
from matplotlib import colormaps
from PIL import Image
from plotly.subplots import make_subplots

from cnnviz.viz.grid import (
    cell_marks,
    fit_column_titles,
    grid_columns,
    max_chars,
    numbered_heatmap,
    pad_outline,
    square_cells,
    text_grid,
)
from cnnviz.viz.style import (
    GRID_BACKGROUND,
    NARROWEST_PX,
    auto_decimals,
    colour_scales,
    fit_font,
    fmt,
    input_colours,
    signed_colours,
    text_px,
)

PanelKind = Literal["input", "signed", "rgb", "gray"]

_MPL = {
    "RdBu_r": "RdBu_r",
    "PuOr_r": "PuOr_r",
    "Viridis": "viridis",
    "Cividis": "cividis",
}


@dataclass(frozen=True)
class Panel:
    """One picture of a row: ``kind`` picks the colour treatment.

    - "input": single channel drawn with the input colour map over ``[vmin, vmax]``
      (default: the array's own range)
    - "gray": single channel in gray over ``[vmin, vmax]`` (default 0..1)
    - "signed": diverging map, zero at white, symmetric ``±vmax`` (default max |value|)
    - "rgb": (H, W, 3) floats in [0, 1] (clipped) or uint8
    """

    title: str
    image: np.ndarray
    kind: PanelKind = "input"
    vmin: float | None = None
    vmax: float | None = None


def _mpl_cmap(scale: object) -> object:
    if isinstance(scale, str):
        return colormaps[_MPL.get(scale, scale)]
    return colormaps["gray"]  # a list scale (black -> white)


def panel_range(panel: Panel) -> tuple[float, float]:
    """The value range a panel's colours span (what its colour bar shows)."""
    a = np.asarray(panel.image, dtype=np.float64)
    finite = a[np.isfinite(a)] if a.size else np.zeros(1)
    if finite.size == 0:
        finite = np.zeros(1)
    if panel.kind == "signed":
        vmax = panel.vmax if panel.vmax is not None else float(np.max(np.abs(finite)))
        vmax = max(vmax, 1e-4)  # round-off on a zero result stays white
        return -vmax, vmax
    if panel.kind == "gray":
        lo = 0.0 if panel.vmin is None else panel.vmin
        hi = 1.0 if panel.vmax is None else panel.vmax
    else:
        lo = float(finite.min()) if panel.vmin is None else panel.vmin
        hi = float(finite.max()) if panel.vmax is None else panel.vmax
    return lo, (hi if hi > lo else lo + 1.0)


def to_rgb(panel: Panel, classroom: bool = False) -> np.ndarray:
    """(H, W, 3) uint8 colours for a panel (the colour map applied here, not in the browser)."""
    a = np.asarray(panel.image)
    if panel.kind == "rgb":
        if a.dtype == np.uint8:
            return a
        return (np.clip(np.nan_to_num(a.astype(np.float64)), 0, 1) * 255 + 0.5).astype(np.uint8)
    scales = colour_scales(classroom)
    lo, hi = panel_range(panel)
    norm = np.clip((np.nan_to_num(a.astype(np.float64)) - lo) / (hi - lo), 0, 1)
    if panel.kind == "gray":
        g = (norm * 255 + 0.5).astype(np.uint8)
        return np.stack([g, g, g], axis=-1)
    cmap = _mpl_cmap(scales["signed"] if panel.kind == "signed" else scales["input"])
    return (cmap(norm)[..., :3] * 255 + 0.5).astype(np.uint8)  # type: ignore[operator]


def png_data_uri(rgb: np.ndarray) -> str:
    """A PNG data URI for ``go.Image(source=...)``: compact and fast to draw."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def panel_data_uri(panel: Panel, classroom: bool = False) -> str:
    """A panel as the smallest lossless PNG that draws exactly what ``to_rgb`` would.

    A colour-mapped panel has at most 256 colours (the map's lookup table), so it is sent as
    an 8-bit palette PNG, a gray panel as one channel: about a third of the RGB bytes to
    send, encode and decode for a 256×256 result.
    """
    if panel.kind == "rgb":
        return png_data_uri(to_rgb(panel, classroom))
    lo, hi = panel_range(panel)
    a = np.nan_to_num(np.asarray(panel.image, dtype=np.float64))
    norm = np.clip((a - lo) / (hi - lo), 0, 1)
    if panel.kind == "gray":
        im = Image.fromarray((norm * 255 + 0.5).astype(np.uint8), mode="L")
    else:
        index = np.minimum(norm * 256, 255).astype(np.uint8)  # matplotlib's lookup rule
        scales = colour_scales(classroom)
        cmap = _mpl_cmap(scales["signed"] if panel.kind == "signed" else scales["input"])
        lut = (cmap(np.linspace(0, 1, 256))[:, :3] * 255 + 0.5).astype(np.uint8)  # type: ignore[operator]
        im = Image.fromarray(index, mode="P")
        im.putpalette(lut.reshape(-1).tolist())
    buf = io.BytesIO()
    im.save(buf, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def colour_bar(lo: float, hi: float, signed: bool, font: int) -> dict[str, object]:
    """A thin colour bar with three ticks at most (the ends, and zero for signed values),
    rounded inwards to two significant digits so the numbers stay short ("1.9", not
    "1.99"); ``x`` and ``len`` are set by the figure."""
    top = max(abs(lo), abs(hi)) or 1.0
    step = 10.0 ** (math.floor(math.log10(top)) - 1)
    ends = [math.ceil(lo / step - 1e-9) * step, math.floor(hi / step + 1e-9) * step]
    ticks = [ends[0], 0.0, ends[1]] if signed else ends
    d = max(0, -math.floor(math.log10(step)))
    return {"xanchor": "left", "thickness": 10, "outlinewidth": 0, "xpad": 3,
            "tickvals": ticks, "ticktext": [fmt(v, d) if v else "0" for v in ticks],
            "tickfont": {"size": font - 4}}


def bar_room(bar: dict[str, object], font: int) -> float:
    """Pixels a colour bar and its numbers take beside a picture."""
    texts = bar["ticktext"]
    assert isinstance(texts, list)
    return 10 + 3 + 4 + text_px(max(texts, key=len), font - 4) + 4


def _with_bar(fig: go.Figure, col: int, panel: Panel, classroom: bool, font: int,
              plot_px: tuple[float, float]) -> None:
    """A colour bar inside the panel's own column: the picture gives up the room the bar
    and its numbers need, so the bar can never cover the next panel. ``plot_px`` is the
    plot area (width, height) on the narrowest screen."""
    lo, hi = panel_range(panel)
    scales = colour_scales(classroom)
    bar = colour_bar(lo, hi, panel.kind == "signed", font)
    xa = fig.get_subplot(1, col).xaxis
    x0, x1 = xa.domain
    room = bar_room(bar, font) / plot_px[0]
    xa.domain = (x0, max(x1 - room, x0 + (x1 - x0) / 2))
    h, w = np.asarray(panel.image).shape[:2]
    # about as tall as the picture drawn at that width (an estimate: the row is
    # width-bound on the narrowest screen)
    tall = (xa.domain[1] - x0) * plot_px[0] * h / max(w, 1) / plot_px[1]
    bar.update(x=xa.domain[1] + 0.002, len=float(np.clip(tall, 0.3, 0.9)))
    fig.add_trace(
        go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
                   marker={"colorscale": scales["signed" if panel.kind == "signed" else "input"],
                           "cmin": lo, "cmax": hi, "color": [lo], "showscale": True,
                           "colorbar": bar}),
        row=1, col=col,
    )


def image_row_figure(
    panels: Sequence[Panel], *, classroom: bool = False, height: int | None = None
) -> go.Figure:
    """Pictures side by side (input and results), each with a colour bar when it has one.

    Titles wrap to their panel's width on the narrowest projected screen (``style``).
    """
    n = len(panels)
    font = 24 if classroom else 18
    fig = make_subplots(
        rows=1, cols=n, subplot_titles=[p.title for p in panels], horizontal_spacing=0.04
    )
    plot_px = (NARROWEST_PX - 10, (height or (520 if classroom else 420)) - 65)
    for i, panel in enumerate(panels, start=1):
        fig.add_trace(
            go.Image(source=panel_data_uri(panel, classroom), hoverinfo="skip"), row=1, col=i
        )
        if panel.kind in ("input", "signed"):  # gray pictures need no colour bar
            _with_bar(fig, i, panel, classroom, font, plot_px)
    titles, top = fit_column_titles(fig, font, NARROWEST_PX)
    fig.layout.annotations = titles
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, visible=False)
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, visible=False)
    fig.update_layout(
        height=(height or (520 if classroom else 420)) + top - 60,
        margin={"l": 5, "r": 5, "t": top, "b": 5},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


@dataclass(frozen=True)
class GridPanel:
    """A small numeric grid: values written in cells, optional padding ring and marks.

    ``pad`` = (left, right, top, bottom) outlines the original area inside a padded grid;
    ``marks`` (n, 2) cells get a highlight outline; ``signed`` picks the diverging map.
    """

    title: str
    values: np.ndarray
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)
    signed: bool = False
    marks: np.ndarray | None = None
    vmin: float | None = None
    vmax: float | None = None


def number_grid_figure(
    grids: Sequence[GridPanel],
    *,
    classroom: bool = False,
    height: int | None = None,
    width_hint: int = 1200,
) -> go.Figure:
    """Small grids side by side with their numbers (padding modes, coverage counts ...)."""
    n = len(grids)
    base = 24 if classroom else 18
    widths = [max(np.asarray(g.values).shape[1], 2) for g in grids]
    fig = grid_columns([g.title for g in grids], widths, spacing=0.04)
    titles, top = fit_column_titles(fig, base, width_hint)
    fig.layout.annotations = titles
    fig_height = (height or (460 if classroom else 360)) + top - 60
    rows = max(np.asarray(g.values).shape[0] for g in grids)
    # square cells: a tall grid (24 channels) is bound by the height, not the width
    cell_px = min(width_hint * (1 - 0.04 * (n - 1)) / sum(widths),
                  (fig_height - top - 5) / rows)
    shapes: list[dict[str, object]] = []
    for i, g in enumerate(grids, start=1):
        v = np.asarray(g.values, dtype=np.float64)
        if g.signed:
            amax = g.vmax if g.vmax is not None else max(float(np.nanmax(np.abs(v))), 1e-4)
            colours = signed_colours(amax, classroom)
        else:
            lo = float(np.nanmin(v)) if g.vmin is None else g.vmin
            hi = float(np.nanmax(v)) if g.vmax is None else g.vmax
            colours = input_colours(lo, hi if hi > lo else lo + 1, classroom)
        text = text_grid(v, auto_decimals(v))
        # as tall as the cell allows too; numbers too small to read (from the back of a
        # room, in classroom mode) are left to the colours
        font = min(fit_font(cell_px, max_chars(text), base), int(cell_px * 0.7))
        if font < (16 if classroom else 9):
            text = [["" for _ in row] for row in text]
        trace = numbered_heatmap(v, text, max(font, 9),
                                 "row %{y}, col %{x}: %{z}<extra></extra>", **colours)
        fig.add_trace(go.Heatmap(trace), row=1, col=i)
        axes = "" if i == 1 else str(i)
        if any(g.pad):
            shapes.append(pad_outline(v.shape, g.pad, axes))  # type: ignore[arg-type]
        if g.marks is not None:
            shapes += cell_marks(g.marks, axes)
    square_cells(fig, n)
    fig.update_layout(
        height=fig_height, shapes=shapes,
        margin={"l": 5, "r": 5, "t": top, "b": 5}, plot_bgcolor=GRID_BACKGROUND,
        paper_bgcolor="white", showlegend=False,
    )
    return fig


def read_counts(window_map: np.ndarray, padded_shape: tuple[int, int]) -> np.ndarray:
    """How many windows read each padded-input cell (0 = skipped), from the engine's map."""
    counts = np.zeros(padded_shape, dtype=np.int64)
    cells = np.asarray(window_map).reshape(-1, 2)
    np.add.at(counts, (cells[:, 0], cells[:, 1]), 1)
    return counts
