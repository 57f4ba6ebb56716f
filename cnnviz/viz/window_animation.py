"""One reusable sliding-window animator (convolution, padding, stride, dilation, pooling).

Modelled on CNN Explainer and conv_arithmetic: the whole animation state is one integer
``step``, mapped to an output cell in raster order; a pure function (``frame_state``) turns
``(spec, step)`` into what is drawn. Everything drawn comes from the engine:

- ``padded``: the input as the window sees it (``F.pad`` of the crop, or the crop itself),
- ``window_map``: ``F.conv_window_map(...)`` - for each output cell the padded-input
  coordinates of every kernel tap, so dilated and strided windows are just lookups,
- ``output``: the engine's result (``F.conv2d`` / ``F.max_pool2d`` / ...).

The multiply-add written under the figure lists ``padded[window] * kernel`` term by term and
its total is the engine's output value, never a sum recomputed here: a test checks that the
terms add up to it. No Streamlit in this module (pages show the figure with ``ui.show_plotly``).

Typical use (a page)::

    xp = F.pad(crop[None, None], (p, p, p, p), mode="constant")[0, 0]
    wmap = F.conv_window_map(crop.shape, k, stride, p, dilation)
    out = F.conv2d(crop[None, None], kernel[None, None], stride=stride, padding=p,
                   dilation=dilation)[0, 0]
    spec = WindowSpec(padded=xp, window_map=wmap, output=out, kernel=kernel, pad=(p, p, p, p))
    fig = window_animation_figure(spec, lang="zh")
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.i18n import common, pick
from cnnviz.lessons.window import StepTerms, WindowSpec, step_terms  # noqa: F401 (re-exported)
from cnnviz.viz.frames import set_frames

MAX_STEPS = 400  # output cells; keeps the figure JSON well under 1 MB

# Colour scales, all readable with red-green colour blindness: a diverging map for signed
# values (zero = white; blue/red, in classroom mode purple/orange, which stays apart for
# every common deficiency) and perceptually uniform maps for inputs (viridis; cividis in
# classroom mode, made for colour-blind viewers, its dark blue to bright yellow
# contrasts well on a washed-out projector).
SIGNED_SCALE = "RdBu_r"
SIGNED_SCALE_CLASSROOM = "PuOr_r"
INPUT_SCALE = "Viridis"
INPUT_SCALE_CLASSROOM = "Cividis"
HIGHLIGHT = "#ff8c00"  # window and current output cell (orange reads on both maps)
PAD_OUTLINE = "#00b050"


def colour_scales(classroom: bool = False) -> dict[str, object]:
    """The input / signed colour scales the lesson figures share (plotly names or lists)."""
    if classroom:
        return {"input": INPUT_SCALE_CLASSROOM, "signed": SIGNED_SCALE_CLASSROOM}
    return {"input": INPUT_SCALE, "signed": SIGNED_SCALE}


def auto_decimals(values: np.ndarray, max_decimals: int = 2) -> int:
    """Fewest decimals (0..max) that show ``values`` exactly, so integer grids stay integers."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    for d in range(max_decimals + 1):
        if v.size == 0 or np.allclose(np.round(v, d), v, atol=1e-6, rtol=0):
            return d
    return max_decimals


def fmt(value: float, decimals: int) -> str:
    """A number with a true minus sign (reads better projected) and no ``-0``."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0.0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def _paren(value: float, decimals: int) -> str:
    text = fmt(value, decimals)
    return f"({text})" if text.startswith("−") else text


def equation_lines(spec: WindowSpec, step: int, lang: str = "en") -> list[str]:
    """The written-out operation of ``step``, one kernel row per line.

    e.g. ``["s = 3·1 + 0·0 + 1·(−1)", "  + ...", "  = 2"]``; the final value is the
    engine's output.
    """
    st = step_terms(spec, step)
    din = auto_decimals(spec.padded)
    dout = auto_decimals(spec.output)
    kh, kw = st.shape
    r, c = st.out_cell
    head = f"{spec.symbol}[{r},{c}] = "
    if spec.reducer == "multiply-add":
        assert st.weights is not None
        dk = auto_decimals(spec.kernel, 3)  # type: ignore[arg-type]
        pieces = [
            f"{_paren(x, din)}·{_paren(w, dk)}" for x, w in zip(st.inputs, st.weights)
        ]
        rows = [" + ".join(pieces[i * kw : (i + 1) * kw]) for i in range(kh)]
        lines = [head + rows[0]] + ["    + " + row for row in rows[1:]]
        if spec.bias != 0.0:
            lines.append(f"    + b ({fmt(spec.bias, auto_decimals(np.array([spec.bias]), 3))})")
    else:
        values = [fmt(x, din) for x in st.inputs]
        rows = [", ".join(values[i * kw : (i + 1) * kw]) for i in range(kh)]
        name = "max" if spec.reducer == "max" else pick(lang, "mean", "平均")
        lines = [f"{head}{name}( {rows[0]}"] + ["        " + row for row in rows[1:]]
        lines[-1] += " )"
    lines.append(f"    = {fmt(st.total, dout)}")
    return lines


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


def _cell_outlines(cells: np.ndarray) -> tuple[list[float | None], list[float | None]]:
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


def _unfilled_polygon(r: int, c: int, ho: int, wo: int) -> tuple[list[float], list[float]]:
    """Outline of the output cells after (r, c) in raster order (not yet computed)."""
    x0, x1 = -0.5, wo - 0.5
    yr, yn, yb = r - 0.5, r + 0.5, ho - 0.5
    xc = c + 0.5
    if r == ho - 1 and c == wo - 1:
        return [], []
    if c == wo - 1:  # current row done: cover the rows below
        return [x0, x1, x1, x0, x0], [yn, yn, yb, yb, yn]
    return [xc, x1, x1, x0, x0, xc, xc], [yr, yr, yb, yb, yn, yn, yr]


def _text_grid(a: np.ndarray, decimals: int, mask: np.ndarray | None = None) -> list[list[str]]:
    out = []
    for i, row in enumerate(np.asarray(a)):
        line = []
        for j, v in enumerate(row):
            show = np.isfinite(v) and (mask is None or mask[i, j])
            line.append(fmt(float(v), decimals) if show else "")
        out.append(line)
    return out


def fit_font(cell_px: float, max_chars: int, base: int, least: int = 9) -> int:
    """Largest font (<= base) whose ``max_chars`` characters fit in a ``cell_px`` cell."""
    return int(max(least, min(base, cell_px / (0.62 * max(max_chars, 1)))))


def _max_chars(texts: list[list[str]]) -> int:
    return max((len(x) for row in texts for x in row), default=1)


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
    they fit their cells and the figure.
    """
    if spec.n_steps > MAX_STEPS:
        raise ValueError(
            f"{spec.n_steps} output cells is too many to animate (max {MAX_STEPS}); use a crop"
        )
    scales = colour_scales(classroom)
    base_font = 26 if classroom else 20
    eq_font = 24 if classroom else 19
    hp, wp = spec.padded.shape
    ho, wo = spec.output.shape
    has_kernel = spec.kernel is not None
    kh, kw = spec.window_map.shape[2:4]

    titles = [
        input_title
        or (common(lang, "padded_input") if any(spec.pad) else common(lang, "input")),
    ]
    widths = [wp]
    if has_kernel:
        titles.append(kernel_title or common(lang, "kernel"))
        widths.append(max(kw, 2))
    titles.append(output_title or common(lang, "output"))
    widths.append(max(wo, 2))
    ncols = len(titles)
    fig = make_subplots(
        rows=1,
        cols=ncols,
        column_widths=[w / sum(widths) for w in widths],
        subplot_titles=titles,
        horizontal_spacing=0.06,
    )

    din = auto_decimals(spec.padded)
    dout = auto_decimals(spec.output)
    # cells are square, so the grid's fixed height can bind before its width does
    grid_px = 520 if classroom else 360  # taller on a projector: bigger numbers
    rows = max(hp, kh if has_kernel else 0, ho)
    cell_px = min(width_hint * (1 - 0.06 * (ncols - 1)) / sum(widths), (grid_px - 40) / rows)
    in_text = _text_grid(spec.padded, din)
    out_text = _text_grid(spec.output, dout)
    k_text = (
        _text_grid(spec.kernel, auto_decimals(spec.kernel, 3))  # type: ignore[arg-type]
        if has_kernel
        else [[""]]
    )
    cell_font = fit_font(
        cell_px, max(_max_chars(in_text), _max_chars(out_text), _max_chars(k_text)), base_font
    )
    eq_chars = max(
        len(line) for step in range(min(spec.n_steps, 4)) for line in equation_lines(spec, step)
    )
    eq_font = fit_font(width_hint * 0.98, eq_chars + 2, eq_font, least=11)
    vmin, vmax = float(np.nanmin(spec.padded)), float(np.nanmax(spec.padded))
    if input_range is not None:
        vmin, vmax = input_range
    elif vmin >= 0.0 and vmax <= 1.0:
        vmin, vmax = 0.0, 1.0
    if vmax <= vmin:
        vmax = vmin + 1.0
    # signed when the values are, or when the kernel can make them so (edge filters)
    signed_out = bool(np.nanmin(spec.output) < 0) or (
        spec.kernel is not None and bool(np.min(spec.kernel) < 0)
    )
    # a floor so float round-off (1e-7) on an all-zero result is not painted as signal
    amax = max(float(np.nanmax(np.abs(spec.output))), 1e-4)

    def numbered_grid(z: np.ndarray, text: list[list[str]], col: int, hover: str,
                      **colours: object) -> None:
        """A heatmap with its numbers written in the cells (input, kernel and output)."""
        fig.add_trace(
            go.Heatmap(z=z, text=text, texttemplate="%{text}", textfont={"size": cell_font},
                       showscale=False, xgap=1, ygap=1, hovertemplate=hover, **colours),
            row=1, col=col,
        )

    numbered_grid(spec.padded, in_text, 1, "row %{y}, col %{x}: %{z}<extra></extra>",
                  colorscale=scales["input"], zmin=vmin, zmax=vmax)
    col_out = ncols
    if has_kernel:
        kmax = float(np.max(np.abs(spec.kernel))) or 1.0  # type: ignore[arg-type]
        numbered_grid(spec.kernel, k_text, 2, "%{z}<extra></extra>",  # type: ignore[arg-type]
                      colorscale=scales["signed"], zmin=-kmax, zmax=kmax)
    out_trace_index = len(fig.data)
    out_kwargs = (
        {"colorscale": scales["signed"], "zmin": -amax, "zmax": amax}
        if signed_out
        else {"colorscale": scales["input"], "zmin": vmin, "zmax": vmax}
    )

    # The output heatmap is static (all values, from the engine); an opaque grey polygon
    # covers the cells not yet computed, so a frame carries a few points, not a grid.
    numbered_grid(spec.output, out_text, col_out, "%{z}<extra></extra>", **out_kwargs)

    def cover_trace(state: dict[str, object]) -> dict[str, object]:
        r, c = state["out_cell"]  # type: ignore[misc]
        xs, ys = _unfilled_polygon(r, c, ho, wo)
        return {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
                "fillcolor": "#d9d9d9", "line": {"width": 0}, "hoverinfo": "skip",
                "showlegend": False}

    line_w = 5 if classroom else 4

    def window_trace(state: dict[str, object]) -> dict[str, object]:
        xs, ys = _cell_outlines(state["window_cells"])  # type: ignore[arg-type]
        return {"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                "line": {"color": HIGHLIGHT, "width": line_w}, "fill": "toself",
                "fillcolor": "rgba(255,140,0,0.18)", "hoverinfo": "skip", "showlegend": False}

    def out_cell_trace(state: dict[str, object]) -> dict[str, object]:
        xs, ys = _cell_outlines(np.array([state["out_cell"]]))
        return {"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                "line": {"color": HIGHLIGHT, "width": line_w}, "hoverinfo": "skip",
                "showlegend": False}

    # the faded padding ring and the outline of the original input (static shapes)
    left, right, top, bottom = spec.pad
    shapes = []
    if any(spec.pad):
        for x0, x1, y0, y1 in (
            (-0.5, wp - 0.5, -0.5, top - 0.5),
            (-0.5, wp - 0.5, hp - bottom - 0.5, hp - 0.5),
            (-0.5, left - 0.5, top - 0.5, hp - bottom - 0.5),
            (wp - right - 0.5, wp - 0.5, top - 0.5, hp - bottom - 0.5),
        ):
            if x1 > x0 and y1 > y0:
                shapes.append(
                    {"type": "rect", "xref": "x", "yref": "y", "x0": x0, "x1": x1,
                     "y0": y0, "y1": y1, "fillcolor": "rgba(255,255,255,0.45)",
                     "line": {"width": 0}, "layer": "above"}
                )
        shapes.append(
            {"type": "rect", "xref": "x", "yref": "y", "x0": left - 0.5,
             "x1": wp - right - 0.5, "y0": top - 0.5, "y1": hp - bottom - 0.5,
             "line": {"color": PAD_OUTLINE, "width": 4, "dash": "dash"}, "layer": "above"}
        )

    title_annotations = [a.to_plotly_json() for a in fig.layout.annotations]
    for a in title_annotations:
        a["font"] = {"size": base_font + 2}

    def annotations(step: int) -> list[dict[str, object]]:
        text = "<br>".join(equation_lines(spec, step, lang))
        eq = {
            "text": text,
            "xref": "paper",
            "yref": "paper",
            "x": 0.0,
            "y": -0.04,
            "xanchor": "left",
            "yanchor": "top",
            "align": "left",
            "showarrow": False,
            "font": {"size": eq_font, "family": "DejaVu Sans Mono, Menlo, monospace"},
        }
        return [*title_annotations, eq]

    state0 = frame_state(spec, 0)
    fig.add_trace(go.Scatter(cover_trace(state0)), row=1, col=col_out)
    fig.add_trace(go.Scatter(window_trace(state0)), row=1, col=1)
    fig.add_trace(go.Scatter(out_cell_trace(state0)), row=1, col=col_out)
    dyn = [out_trace_index + 1, out_trace_index + 2, out_trace_index + 3]
    # frames as plain dicts: plotly's validation of hundreds of go.Frame objects is slow
    frames = []
    for step in range(spec.n_steps):
        state = frame_state(spec, step)
        frames.append(
            {
                "name": str(step),
                "data": [cover_trace(state), window_trace(state), out_cell_trace(state)],
                "traces": dyn,
                "layout": {"annotations": annotations(step)},
            }
        )

    def anim_args(duration: int) -> dict[str, object]:
        return {
            "frame": {"duration": duration, "redraw": True},
            "fromcurrent": True,
            "transition": {"duration": 0},
            "mode": "immediate",
        }

    eq_lines = kh + 2 + (1 if spec.bias else 0) if has_kernel else kh + 1
    eq_px = int(eq_lines * eq_font * 1.35) + 20
    fig_height = height or grid_px + eq_px + 150
    plot_h = max(fig_height - 50 - (eq_px + 110), 1)
    controls_y = -0.04 - (eq_px + 5) / plot_h
    step_label = common(lang, "step")
    fig.update_layout(
        height=fig_height,
        margin={"l": 10, "r": 10, "t": 50, "b": eq_px + 110},
        annotations=annotations(0),
        shapes=shapes,
        font={"size": base_font - 4},
        plot_bgcolor="#e6e6e6",
        paper_bgcolor="white",
        showlegend=False,
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "x": 0.0,
                "y": controls_y,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 10, "r": 10},
                "showactive": False,
                "font": {"size": base_font - 2},
                "buttons": [
                    {"label": common(lang, "play"), "method": "animate",
                     "args": [None, anim_args(frame_ms)]},
                    {"label": common(lang, "fast"), "method": "animate",
                     "args": [None, anim_args(max(frame_ms // 4, 60))]},
                    {"label": common(lang, "pause"), "method": "animate",
                     "args": [[None], {"frame": {"duration": 0, "redraw": False},
                                       "mode": "immediate", "transition": {"duration": 0}}]},
                ],
            }
        ],
        sliders=[
            {
                "active": 0,
                "x": 0.5,
                "len": 0.5,
                "y": controls_y,
                "yanchor": "top",
                "pad": {"t": 10},
                "font": {"size": base_font - 6},
                "currentvalue": {"prefix": f"{step_label} ", "font": {"size": base_font - 2}},
                "steps": [
                    {"label": str(s + 1), "method": "animate",
                     "args": [[str(s)], {"frame": {"duration": 0, "redraw": True},
                                         "mode": "immediate", "transition": {"duration": 0}}]}
                    for s in range(spec.n_steps)
                ],
            }
        ],
    )
    # square cells, row 0 at the top, no tick clutter
    for i in range(1, ncols + 1):
        xa = "x" if i == 1 else f"x{i}"
        fig.update_yaxes(
            autorange="reversed", scaleanchor=xa, constrain="domain",
            showticklabels=False, ticks="", showgrid=False, zeroline=False, row=1, col=i,
        )
        fig.update_xaxes(
            constrain="domain", showticklabels=False, ticks="", showgrid=False, zeroline=False,
            row=1, col=i,
        )
    set_frames(fig, frames)
    return fig
