"""The scatter view of a transposed convolution, animated (plotly frames; no Streamlit).

Step t highlights input pixel t, writes out its stamp (value × each kernel row) and shows
the output buffer after adding stamps 0..t - the partial sums come from the lesson's
``scatter_steps`` (engine results), never recomputed here. The part of the buffer that the
padding crops away is faded; the kept output is outlined in green, like padding elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text, common
from cnnviz.viz.controls import Stage, animate, frame
from cnnviz.viz.equation import equation_annotation, equation_height, stamp_lines
from cnnviz.viz.grid import (
    column_titles,
    grid_columns,
    max_chars,
    numbered_heatmap,
    outline_trace,
    padding_ring,
    square_cells,
    text_grid,
)
from cnnviz.viz.style import (
    AnimationStyle,
    auto_decimals,
    fit_font,
    input_colours,
    kernel_decimals,
    signed_colours,
)

OUTPUT_TITLE = Text("Output: stamps added so far", "输出：目前已叠加的印章")
ADDED_AT = Text("added at rows {r0}–{r1}, columns {c0}–{c1} (= {r}·{s}, {c}·{s})",
                "加到第 {r0}–{r1} 行、第 {c0}–{c1} 列（= {r}·{s}，{c}·{s}）")


def _font(a: np.ndarray, decimals: int, panel_px: float, base: int) -> int:
    """Numbers sized to fit their cells (``panel_px`` across for the widest axis)."""
    return fit_font(panel_px / max(a.shape), max_chars(text_grid(a, decimals)), base)


@dataclass(frozen=True)
class ScatterStamps:
    """The scatter of one input: what frame ``t`` shows (arrays from ``scatter_steps``); the
    figure and the GIF export (``export.scatter_gif``) both draw from it."""

    x: np.ndarray
    kernel: np.ndarray
    partial: np.ndarray
    stamps: np.ndarray
    anchors: np.ndarray
    dilation: int
    decimals: tuple[int, int, int]  # input, kernel, output

    def cells(self, t: int) -> np.ndarray:
        """The output cells stamp ``t`` adds to (a dilated kernel's footprint)."""
        r0, c0 = (int(v) for v in self.anchors[t])
        kh, kw = self.kernel.shape
        return np.array([(r0 + i * self.dilation, c0 + j * self.dilation)
                         for i in range(kh) for j in range(kw)])

    def reached(self, t: int) -> np.ndarray:
        """Buffer cells some stamp 0..t has written to (the others are still blank)."""
        return (np.abs(self.stamps[: t + 1]) > 0).any(axis=0) | (self.partial[t] != 0)

    def buffer(self, t: int, font: int, colours: dict[str, object]) -> dict[str, object]:
        """The output buffer after stamps 0..t; cells no stamp has reached yet stay blank."""
        z = np.where(self.reached(t), self.partial[t], np.nan)
        return numbered_heatmap(z.tolist(), text_grid(z, self.decimals[2]), font,
                                xaxis="x3", yaxis="y3", **colours)

    def lines(self, t: int, stride: int, lang: str) -> list[str]:
        """Stamp ``t`` written out row by row, and where it lands."""
        r, c = divmod(t, self.x.shape[1])
        cells = self.cells(t)
        (r0, c0), (r1, c1) = cells[0], cells[-1]
        rows = [self.stamps[t][row[:, 0], row[:, 1]]
                for row in cells.reshape(*self.kernel.shape, 2)]
        head = f"x[{r},{c}]·K: "
        lines = stamp_lines(float(self.x[r, c]), self.kernel, rows, self.decimals, head)
        where = ADDED_AT.format(r0=r0, r1=r1, c0=c0, c1=c1, r=r, c=c, s=stride)
        return [*lines, where.get(lang)]


def scatter_stamps(x: np.ndarray, kernel: np.ndarray, partial: np.ndarray, stamps: np.ndarray,
                   anchors: np.ndarray, dilation: int = 1) -> ScatterStamps:
    """``ScatterStamps`` of ``scatter_steps``' arrays, with the decimals each grid prints."""
    x, kernel = np.asarray(x, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    partial = np.asarray(partial, dtype=np.float64)
    return ScatterStamps(x, kernel, partial, np.asarray(stamps), np.asarray(anchors), dilation,
                         (auto_decimals(x), kernel_decimals(kernel), auto_decimals(partial)))


def _colours(a: np.ndarray, classroom: bool, lo: float | None = None) -> dict[str, object]:
    """Signed values on the diverging map; others on the input map from ``lo`` (or their
    minimum) to their maximum."""
    amax = float(np.abs(a).max()) or 1.0
    if a.min() < 0:
        return signed_colours(amax, classroom)
    if lo is not None:
        return input_colours(lo, amax, classroom)
    hi = float(a.max()) if a.max() > a.min() else float(a.min()) + 1
    return input_colours(float(a.min()), hi, classroom)


def scatter_animation_figure(
    x: np.ndarray,
    kernel: np.ndarray,
    partial: np.ndarray,
    stamps: np.ndarray,
    anchors: np.ndarray,
    keep: tuple[int, int, int, int],
    *,
    stride: int = 1,
    dilation: int = 1,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 900,
) -> go.Figure:
    """Input (pixel t) | kernel | output buffer after t+1 stamps, with play/pause/slider.

    ``keep`` = (top, left, height, width) of the output inside the buffer (what the
    padding leaves); the rest of the buffer is faded.
    """
    style = AnimationStyle.of(classroom)
    sc = scatter_stamps(x, kernel, partial, stamps, anchors, dilation)
    x, kernel, partial = sc.x, sc.kernel, sc.partial
    hb, wb = partial.shape[1:]
    fig = grid_columns([common(lang, "input"), common(lang, "kernel"), OUTPUT_TITLE.get(lang)],
                       [max(x.shape[1], 2), max(kernel.shape[1], 2), wb])
    (dx, dk, dout), kmax = sc.decimals, float(np.abs(kernel).max()) or 1.0
    for col, a, d, px, colours in ((1, x, dx, 260, _colours(x, classroom)),
                                   (2, kernel, dk, 200, signed_colours(kmax, classroom))):
        fig.add_trace(go.Heatmap(numbered_heatmap(a, text_grid(a, d), _font(a, d, px, style.font),
                                                  **colours)), row=1, col=col)
    out_font = _font(partial[-1], dout, 560, style.font)
    out_colours = _colours(partial, classroom, lo=0.0)
    titled, top = column_titles(fig, style.font + 2)
    moving = [len(fig.data), len(fig.data) + 1, len(fig.data) + 2]
    frames = [frame(t, [sc.buffer(t, out_font, out_colours),
                        outline_trace(np.array([divmod(t, x.shape[1])]), style.line,
                                      filled=True, axes=""),
                        outline_trace(sc.cells(t), style.line, axes="3")], moving,
                    [*titled, equation_annotation(sc.lines(t, stride, lang), style.equation)])
              for t in range(partial.shape[0])]
    for trace in frames[0]["data"]:
        fig.add_trace(go.Heatmap(trace) if trace["type"] == "heatmap" else go.Scatter(trace))
    top, left, ho, wo = keep
    shapes = padding_ring((hb, wb), (left, wb - left - wo, top, hb - top - ho), "3", fade=0.55)
    stage = Stage((430 if classroom else 360) - (top - 50),  # wrapped titles: same height
                  equation_height(kernel.shape[0] + 1, style.equation), style.font, frame_ms,
                  slider=(0.42, 0.58), top=top)
    animate(fig, frames, stage, lang, frames[0]["layout"]["annotations"], shapes)
    square_cells(fig, 3, clear_ticks=False)
    return fig
