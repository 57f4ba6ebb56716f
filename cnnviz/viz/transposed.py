"""The scatter view of a transposed convolution, animated (plotly frames; no Streamlit).

Step t highlights input pixel t, writes out its stamp (value × each kernel row) and shows
the output buffer after adding stamps 0..t - the partial sums come from the lesson's
``scatter_steps`` (engine results), never recomputed here. The part of the buffer that the
padding crops away is faded; the kept output is outlined in green, like padding elsewhere.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.i18n import common, pick
from cnnviz.viz.frames import set_frames
from cnnviz.viz.window_animation import (
    HIGHLIGHT,
    PAD_OUTLINE,
    auto_decimals,
    colour_scales,
    fit_font,
    fmt,
)


def _paren(value: float, decimals: int) -> str:
    text = fmt(value, decimals)
    return f"({text})" if text.startswith("−") else text


def _text_grid(a: np.ndarray, decimals: int) -> list[list[str]]:
    return [[fmt(float(v), decimals) if np.isfinite(v) else "" for v in row] for row in a]


def _font_for(a: np.ndarray, decimals: int, panel_px: float, base: int) -> int:
    """Numbers sized to fit their cells (``panel_px`` across for the widest axis)."""
    cell = panel_px / max(a.shape)
    finite = a[np.isfinite(a)].ravel()
    chars = max((len(fmt(float(v), decimals)) for v in finite), default=1)
    return fit_font(cell, chars, base)


def _cell_outlines(cells: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """One rectangle for a contiguous block, else a square per cell (None-separated)."""
    cells = np.asarray(cells).reshape(-1, 2)
    (r0, c0), (r1, c1) = cells.min(0), cells.max(0)
    if len(cells) == (r1 - r0 + 1) * (c1 - c0 + 1):
        x0, x1, y0, y1 = c0 - 0.5, c1 + 0.5, r0 - 0.5, r1 + 0.5
        return [x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]
    xs: list[float | None] = []
    ys: list[float | None] = []
    for r, c in cells:
        xs += [c - 0.5, c + 0.5, c + 0.5, c - 0.5, c - 0.5, None]
        ys += [r - 0.5, r - 0.5, r + 0.5, r + 0.5, r - 0.5, None]
    return xs, ys


def _stamp_lines(value: float, kernel: np.ndarray, stamp_rows: list[np.ndarray],
                 dx: int, dk: int, dout: int, head: str) -> list[str]:
    lines = []
    for i, krow in enumerate(kernel):
        lhs = f"{_paren(value, dx)}·[{', '.join(fmt(float(v), dk) for v in krow)}]"
        rhs = ", ".join(fmt(float(v), dout) for v in stamp_rows[i])
        lines.append(f"{head if i == 0 else ' ' * len(head)}{lhs} = [{rhs}]")
    return lines


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
    """Input (pixel t) | kernel | output buffer after t+1 stamps, with play/pause/slider."""
    x = np.asarray(x, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    partial = np.asarray(partial, dtype=np.float64)
    n, hb, wb = partial.shape
    h, w = x.shape
    kh, kw = kernel.shape
    scales = colour_scales(classroom)
    base = 26 if classroom else 20
    eq_font = 24 if classroom else 19
    dx, dk = auto_decimals(x), auto_decimals(kernel, 3)
    dout = auto_decimals(partial)
    amax = float(np.abs(partial).max()) or 1.0
    signed = bool(partial.min() < 0)
    zk = ({"colorscale": scales["signed"], "zmin": -amax, "zmax": amax} if signed
          else {"colorscale": scales["input"], "zmin": 0.0, "zmax": amax})
    xmax = float(np.abs(x).max()) or 1.0
    xk = ({"colorscale": scales["signed"], "zmin": -xmax, "zmax": xmax} if x.min() < 0
          else {"colorscale": scales["input"], "zmin": float(x.min()), "zmax": float(x.max())
                if x.max() > x.min() else float(x.min()) + 1})
    kmax = float(np.abs(kernel).max()) or 1.0
    titles = [common(lang, "input"), common(lang, "kernel"),
              pick(lang, "Output: stamps added so far", "输出：目前已叠加的印章")]
    widths = [max(w, 2), max(kw, 2), wb]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06,
                        column_widths=[v / sum(widths) for v in widths])
    fig.add_trace(go.Heatmap(z=x, text=_text_grid(x, dx), texttemplate="%{text}",
                             textfont={"size": _font_for(x, dx, 260, base)}, showscale=False,
                             xgap=1, ygap=1, hoverinfo="skip", **xk), row=1, col=1)
    fig.add_trace(go.Heatmap(z=kernel, text=_text_grid(kernel, dk), texttemplate="%{text}",
                             textfont={"size": _font_for(kernel, dk, 200, base)}, showscale=False,
                             colorscale=scales["signed"], zmin=-kmax, zmax=kmax,
                             xgap=1, ygap=1, hoverinfo="skip"), row=1, col=2)
    out_font = _font_for(partial[-1], dout, 560, base)

    def out_trace(t: int) -> dict[str, object]:
        # cells no stamp has reached yet stay blank (NaN), like the conv animator's cover
        reached = (np.abs(stamps[: t + 1]) > 0).any(axis=0) | (partial[t] != 0)
        z = np.where(reached, partial[t], np.nan)
        return {"type": "heatmap", "z": z.tolist(), "text": _text_grid(z, dout),
                "texttemplate": "%{text}", "textfont": {"size": out_font}, "showscale": False,
                "xgap": 1, "ygap": 1, "hoverinfo": "skip", "xaxis": "x3", "yaxis": "y3", **zk}

    lw = 5 if classroom else 4

    def pix_trace(t: int) -> dict[str, object]:
        xs, ys = _cell_outlines(np.array([divmod(t, w)]))
        return {"type": "scatter", "x": xs, "y": ys, "mode": "lines", "fill": "toself",
                "fillcolor": "rgba(255,140,0,0.18)", "line": {"color": HIGHLIGHT, "width": lw},
                "hoverinfo": "skip", "showlegend": False, "xaxis": "x", "yaxis": "y"}

    def stamp_trace(t: int) -> dict[str, object]:
        r0, c0 = (int(v) for v in anchors[t])
        cells = np.array([(r0 + i * dilation, c0 + j * dilation)
                          for i in range(kh) for j in range(kw)])
        xs, ys = _cell_outlines(cells)
        return {"type": "scatter", "x": xs, "y": ys, "mode": "lines",
                "line": {"color": HIGHLIGHT, "width": lw}, "hoverinfo": "skip",
                "showlegend": False, "xaxis": "x3", "yaxis": "y3"}

    title_ann = [a.to_plotly_json() for a in fig.layout.annotations]
    for a in title_ann:
        a["font"] = {"size": base + 2}

    def annotations(t: int) -> list[dict[str, object]]:
        r, c = divmod(t, w)
        r0, c0 = (int(v) for v in anchors[t])
        rows = [stamps[t][r0 + i * dilation, c0 : c0 + (kw - 1) * dilation + 1 : dilation]
                for i in range(kh)]
        head = f"x[{r},{c}]·K: "
        lines = _stamp_lines(float(x[r, c]), kernel, rows, dx, dk, dout, head)
        r1, c1 = r0 + (kh - 1) * dilation, c0 + (kw - 1) * dilation
        lines.append(pick(lang, f"added at rows {r0}–{r1}, columns {c0}–{c1} "
                                f"(= {r}·{stride}, {c}·{stride})",
                          f"加到第 {r0}–{r1} 行、第 {c0}–{c1} 列（= {r}·{stride}，{c}·{stride}）"))
        eq = {"text": "<br>".join(lines), "xref": "paper", "yref": "paper", "x": 0.0,
              "y": -0.04, "xanchor": "left", "yanchor": "top", "align": "left",
              "showarrow": False,
              "font": {"size": eq_font, "family": "DejaVu Sans Mono, Menlo, monospace"}}
        return [*title_ann, eq]

    out_idx = len(fig.data)
    fig.add_trace(go.Heatmap(out_trace(0)))
    fig.add_trace(go.Scatter(pix_trace(0)))
    fig.add_trace(go.Scatter(stamp_trace(0)))
    dyn = [out_idx, out_idx + 1, out_idx + 2]
    frames = [{"name": str(t), "data": [out_trace(t), pix_trace(t), stamp_trace(t)],
               "traces": dyn, "layout": {"annotations": annotations(t)}} for t in range(n)]

    top, left, ho, wo = keep
    shapes = []
    for x0, x1, y0, y1 in ((-0.5, wb - 0.5, -0.5, top - 0.5),
                           (-0.5, wb - 0.5, top + ho - 0.5, hb - 0.5),
                           (-0.5, left - 0.5, top - 0.5, top + ho - 0.5),
                           (left + wo - 0.5, wb - 0.5, top - 0.5, top + ho - 0.5)):
        if x1 > x0 and y1 > y0:
            shapes.append({"type": "rect", "xref": "x3", "yref": "y3", "x0": x0, "x1": x1,
                           "y0": y0, "y1": y1, "fillcolor": "rgba(255,255,255,0.55)",
                           "line": {"width": 0}, "layer": "above"})
    shapes.append({"type": "rect", "xref": "x3", "yref": "y3", "x0": left - 0.5,
                   "x1": left + wo - 0.5, "y0": top - 0.5, "y1": top + ho - 0.5,
                   "line": {"color": PAD_OUTLINE, "width": 4, "dash": "dash"}, "layer": "above"})

    eq_px = int((kh + 1) * eq_font * 1.35) + 20
    grid_px = 430 if classroom else 360
    fig_height = grid_px + eq_px + 150
    plot_h = max(fig_height - 50 - (eq_px + 110), 1)
    controls_y = -0.04 - (eq_px + 5) / plot_h

    def anim(duration: int) -> dict[str, object]:
        return {"frame": {"duration": duration, "redraw": True}, "fromcurrent": True,
                "transition": {"duration": 0}, "mode": "immediate"}

    fig.update_layout(
        height=fig_height, margin={"l": 10, "r": 10, "t": 50, "b": eq_px + 110},
        annotations=annotations(0), shapes=shapes, font={"size": base - 4},
        plot_bgcolor="#e6e6e6", paper_bgcolor="white", showlegend=False,
        updatemenus=[{
            "type": "buttons", "direction": "right", "x": 0.0, "y": controls_y,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 10, "r": 10},
            "showactive": False, "font": {"size": base - 2},
            "buttons": [
                {"label": common(lang, "play"), "method": "animate",
                 "args": [None, anim(frame_ms)]},
                {"label": common(lang, "fast"), "method": "animate",
                 "args": [None, anim(max(frame_ms // 4, 60))]},
                {"label": common(lang, "pause"), "method": "animate",
                 "args": [[None], {"frame": {"duration": 0, "redraw": False},
                                   "mode": "immediate", "transition": {"duration": 0}}]},
            ],
        }],
        sliders=[{
            "active": 0, "x": 0.42, "len": 0.58, "y": controls_y, "yanchor": "top",
            "pad": {"t": 10}, "font": {"size": base - 6},
            "currentvalue": {"prefix": f"{common(lang, 'step')} ", "font": {"size": base - 2}},
            "steps": [{"label": str(t + 1), "method": "animate",
                       "args": [[str(t)], {"frame": {"duration": 0, "redraw": True},
                                           "mode": "immediate", "transition": {"duration": 0}}]}
                      for t in range(n)],
        }],
    )
    for i in range(1, 4):
        xa = "x" if i == 1 else f"x{i}"
        fig.update_yaxes(autorange="reversed", scaleanchor=xa, constrain="domain",
                         showticklabels=False, showgrid=False, zeroline=False, row=1, col=i)
        fig.update_xaxes(constrain="domain", showticklabels=False, showgrid=False,
                         zeroline=False, row=1, col=i)
    set_frames(fig, frames)
    return fig
