"""One reusable sliding-window animator (convolution, padding, stride, dilation, pooling).

Modelled on CNN Explainer and conv_arithmetic: the whole animation state is one integer
``step``, mapped to an output cell in raster order; a pure function (``frame_state``) turns
``(spec, step)`` into what is drawn. Everything drawn comes from the engine:

- ``padded``: the input as the window sees it (``F.pad`` of the crop, or the crop itself),
- ``window_map``: ``F.conv_window_map(...)`` - for each output cell the padded-input
  coordinates of every kernel tap, so dilated and strided windows are just lookups,
- ``output``: the engine's result (``F.conv2d`` / ``F.max_pool2d`` / ...).

The multiply-add written under the figure lists ``padded[window] * kernel`` term by term;
its total is what the printed (rounded) terms give, with the engine's output value beside
it where rounding changed it (``equation.py``): tests check both that the engine's terms add
up to its output and that the printed terms add up to the printed total. No Streamlit in
this module (pages show the figure with ``ui.show_plotly``).

The figure is composed from the viz pieces: ``style`` (colours, fonts), ``grid`` (numbered
grids, outlines, cover, padding ring), ``equation`` (the written-out sum) and ``controls``
(buttons, slider, frames); this module only decides what goes where.

Typical use (a page)::

    xp = F.pad(crop[None, None], (p, p, p, p), mode="constant")[0, 0]
    wmap = F.conv_window_map(crop.shape, k, stride, p, dilation)
    out = F.conv2d(crop[None, None], kernel[None, None], stride=stride, padding=p,
                   dilation=dilation)[0, 0]
    spec = WindowSpec(padded=xp, window_map=wmap, output=out, kernel=kernel, pad=(p, p, p, p))
    fig = window_animation_figure(spec, lang="zh")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import common
from cnnviz.lessons.window import StepTerms, WindowSpec, step_terms  # noqa: F401 (re-exported)
from cnnviz.viz import fit
from cnnviz.viz.controls import Stage, animate, frame
from cnnviz.viz.equation import (  # noqa: F401 (equation_lines re-exported)
    equation_annotation,
    equation_font,
    equation_height,
    equation_lines,
    equation_room,
)
from cnnviz.viz.grid import (
    column_titles,
    grid_columns,
    max_chars,
    not_yet_cover,
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

MAX_STEPS = 400  # output cells; keeps the figure JSON well under 1 MB


def frame_state(spec: WindowSpec, step: int) -> dict[str, object]:
    """Pure ``frame(step, params)``: the output filled so far and the highlighted cells."""
    st = step_terms(spec, step)
    flat = np.full(spec.n_steps, np.nan)
    k = st.out_cell[0] * spec.output.shape[1] + st.out_cell[1]
    flat[: k + 1] = spec.output.reshape(-1)[: k + 1]
    return {
        "filled": flat.reshape(spec.output.shape),
        "window_cells": st.cells,
        "out_cell": st.out_cell,
        "terms": st,
    }


@dataclass(frozen=True)
class _Grid:
    """One numbered grid of the figure: input, kernel or output."""

    title: str
    z: np.ndarray
    text: list[list[str]]
    width: int  # its share of the figure's width, in cells
    hover: str
    colours: dict[str, object]


def _input_range(spec: WindowSpec, input_range: tuple[float, float] | None) -> tuple[float, float]:
    """The input's colour range: as given, else 0..1 when the values lie there, else theirs."""
    vmin, vmax = float(np.nanmin(spec.padded)), float(np.nanmax(spec.padded))
    if input_range is not None:
        vmin, vmax = input_range
    elif vmin >= 0.0 and vmax <= 1.0:
        vmin, vmax = 0.0, 1.0
    return vmin, (vmax if vmax > vmin else vmin + 1.0)


def _grids(spec: WindowSpec, titles: tuple[str, str, str], classroom: bool,
           input_range: tuple[float, float] | None) -> list[_Grid]:
    """Input | kernel (when there is one) | output, with their numbers and colours."""
    lo, hi = _input_range(spec, input_range)
    grids = [_Grid(titles[0], spec.padded, text_grid(spec.padded, auto_decimals(spec.padded)),
                   spec.padded.shape[1], "row %{y}, col %{x}: %{z}<extra></extra>",
                   input_colours(lo, hi, classroom))]
    if spec.kernel is not None:
        kmax = float(np.max(np.abs(spec.kernel))) or 1.0
        k_text = text_grid(spec.kernel, kernel_decimals(spec.kernel))
        grids.append(_Grid(titles[1], spec.kernel, k_text, max(spec.kernel.shape[1], 2),
                           "%{z}<extra></extra>", signed_colours(kmax, classroom)))
    # signed when the values are, or when the kernel can make them so (edge filters);
    # a floor so float round-off (1e-7) on an all-zero result is not painted as signal
    signed = bool(np.nanmin(spec.output) < 0) or (
        spec.kernel is not None and bool(np.min(spec.kernel) < 0))
    amax = max(float(np.nanmax(np.abs(spec.output))), 1e-4)
    grids.append(_Grid(titles[2], spec.output, text_grid(spec.output, auto_decimals(spec.output)),
                       max(spec.output.shape[1], 2), "%{z}<extra></extra>",
                       signed_colours(amax, classroom) if signed
                       else input_colours(lo, hi, classroom)))
    return grids


def _moving(spec: WindowSpec, step: int, line: int) -> list[dict[str, object]]:
    """The traces a frame replaces: the cover over the output not computed yet, the window
    (on the input) and the current output cell."""
    state = frame_state(spec, step)
    out_cell = state["out_cell"]
    return [
        not_yet_cover(out_cell, spec.output.shape),  # type: ignore[arg-type]
        outline_trace(state["window_cells"], line, filled=True),  # type: ignore[arg-type]
        outline_trace(np.array([out_cell]), line),
    ]


def window_animation_figure(
    spec: WindowSpec,
    *,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 700,
    input_title: str | None = None,
    output_title: str | None = None,
    kernel_title: str | None = None,
    height: int | None = None,
    input_range: tuple[float, float] | None = None,
    width_hint: int = 800,
) -> go.Figure:
    """Plotly figure with frames: input (padded, window highlighted) | kernel | output.

    Play / fast / pause buttons and a step slider run in the browser; ``frame_ms`` is the
    normal speed. Signed outputs use the diverging map with zero at white. ``input_range``
    fixes the input colours (default: 0..1 when the values lie there, else their range).
    ``width_hint`` (px, the expected on-screen width) sizes the numbers and the equation so
    they fit their cells and the figure; ``height`` is a budget for the whole figure (the
    grids shrink to stay within it; ``fit.trim_to_fit`` crops when digits would be too small).
    """
    if spec.n_steps > MAX_STEPS:
        raise ValueError(
            f"{spec.n_steps} output cells is too many to animate (max {MAX_STEPS}); use a crop"
        )
    style = AnimationStyle.of(classroom)
    titles = (input_title or common(lang, "padded_input" if any(spec.pad) else "input"),
              kernel_title or common(lang, "kernel"), output_title or common(lang, "output"))
    grids = _grids(spec, titles, classroom, input_range)
    widths = [g.width for g in grids]
    fig = grid_columns([g.title for g in grids], widths)
    titled, top = column_titles(fig, style.font + 2, width_hint)
    lines = [equation_lines(spec, s, lang) for s in range(spec.n_steps)]
    eq_font = equation_font(lines, width_hint, style.equation)
    eq_px = equation_height(equation_room(spec), eq_font)
    # cells are square: the grids are as tall as the width lets the cells be, at most the
    # style's height (taller on a projector), and within the ``height`` budget; titles that
    # wrap take their room from the grids
    fitted = fit.grid_height(fit.grid_rows(spec), fit.cell_width(widths, width_hint),
                             fit.grid_most(classroom), height, eq_px)
    grid_px = fit.drawn_grid_px(fitted, top)
    font = fit_font(fit.cell_px(spec, width_hint, grid_px),
                    max(max_chars(g.text) for g in grids), style.font)
    for col, g in enumerate(grids, start=1):
        fig.add_trace(go.Heatmap(numbered_heatmap(g.z, g.text, font, g.hover, **g.colours)),
                      row=1, col=col)
    moving = list(range(len(fig.data), len(fig.data) + 3))
    frames = [frame(s, _moving(spec, s, style.line), moving,
                    [*titled, equation_annotation(lines[s], eq_font)])
              for s in range(spec.n_steps)]
    for trace, col in zip(frames[0]["data"], (len(grids), 1, len(grids))):
        fig.add_trace(go.Scatter(trace), row=1, col=col)
    stage = Stage(grid_px, eq_px, style.font, frame_ms,
                  slider=fit.slider_span(lang, style.font - 2, width_hint), top=top)
    shapes = padding_ring(spec.padded.shape, spec.pad) if any(spec.pad) else []
    animate(fig, frames, stage, lang, frames[0]["layout"]["annotations"], shapes)
    square_cells(fig, len(grids))
    return fig
