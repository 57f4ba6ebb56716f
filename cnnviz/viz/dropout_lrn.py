"""Figures of lesson 17 (plotly, no Streamlit): dropout masks step by step, LRN across channels.

The dropout animation shows one patch of a real layer three ways: the values, this training
step's output (dropped cells grey, survivors scaled by 1/(1 − p)), and the mean of the outputs
so far, which settles on the values - the expectation inverted dropout preserves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.viz.frames import set_frames
from cnnviz.viz.grid import fit_column_titles, grid_columns, text_grid
from cnnviz.viz.learning import NARROW_PX, STACKED_PX, TRAIN_STEP, arm_colour, play_controls
from cnnviz.viz.style import GRID_BACKGROUND, HIGHLIGHT, fit_font

CELL_SCALE = [[0.0, "#ffffff"], [1.0, "#f4a261"]]  # light: black digits read on every cell


def _cells(values: np.ndarray, decimals: int, zmax: float) -> dict[str, Any]:
    """A heatmap trace's changing part: dropped cells (exact zeros) are NaN, grey behind."""
    z = np.where(values == 0, np.nan, values).astype(np.float64)
    text = text_grid(np.where(values == 0, 0.0, values), decimals)
    return {"type": "heatmap", "z": z, "text": text, "zmin": 0.0, "zmax": zmax}


def dropout_figure(x: np.ndarray, outputs: np.ndarray, means: np.ndarray,
                   titles: Sequence[str], *, lang: str = "en", classroom: bool = False,
                   width_hint: int = 800, height: int | None = None,
                   frame_ms: int = 900) -> go.Figure:
    """Three grids: ``x``; output of training step t; mean of steps 1..t (t = frame)."""
    side = x.shape[1]
    fig = grid_columns(titles, [side] * 3, spacing=0.04)
    base = 24 if classroom else 20
    ann, top = fit_column_titles(fig, base - 2, width_hint)
    zmax = float(max(np.max(outputs), 1e-6))
    decimals = 1 if zmax >= 10 else 2
    cell_px = width_hint * 0.92 / (3 * side)
    font = fit_font(cell_px, 5, base, least=16)
    steady = {"colorscale": CELL_SCALE, "showscale": False, "xgap": 2, "ygap": 2,
              "texttemplate": "%{text}", "textfont": {"size": font, "color": "#111"},
              "hoverinfo": "skip"}
    first = [_cells(x, decimals, zmax), _cells(outputs[0], decimals, zmax),
             _cells(means[0], decimals, zmax)]
    for i, tr in enumerate(first, start=1):
        fig.add_trace(go.Heatmap(**{k: v for k, v in tr.items() if k != "type"}, **steady),
                      row=1, col=i)
    fig.update_xaxes(visible=False, constrain="domain")
    fig.update_yaxes(visible=False, autorange="reversed", scaleanchor="x", constrain="domain")
    for i in (2, 3):
        fig.update_yaxes(scaleanchor=f"x{i}", row=1, col=i)
    frames = [{"name": str(t), "traces": [1, 2],
               "data": [_cells(outputs[t], decimals, zmax), _cells(means[t], decimals, zmax)]}
              for t in range(len(outputs))]
    grid_h = int(min(cell_px * side, 330 if classroom else 300))
    fig.layout.annotations = ann
    narrow = width_hint < NARROW_PX
    want = grid_h + top + 150 + (STACKED_PX if narrow else 0)
    fig.update_layout(height=min(height, want) if height else want,
                      margin={"l": 5, "r": 5, "t": top, "b": 120},
                      paper_bgcolor="white", plot_bgcolor=GRID_BACKGROUND,
                      font={"size": base - 6})
    play_controls(fig, lang, base, frame_ms, [str(t + 1) for t in range(len(outputs))],
                  TRAIN_STEP.get(lang), pad=30, narrow=narrow)
    return set_frames(fig, frames)


def lrn_figure(before: np.ndarray, after: np.ndarray, window: Sequence[int], channel: int,
               names: tuple[str, str], channel_title: str, *, classroom: bool = False,
               height: int = 360) -> go.Figure:
    """Every channel at one position before and after LRN; the unit's window shaded."""
    font = 20 if classroom else 16
    x = np.arange(len(before))
    fig = go.Figure([
        go.Bar(x=x, y=before, name=names[0], marker={"color": "#9a9a9a"}),
        go.Bar(x=x, y=after, name=names[1], marker={"color": arm_colour(1)}),
    ])
    lo, hi = min(window) - 0.5, max(window) + 0.5
    fig.add_vrect(x0=lo, x1=hi, fillcolor=HIGHLIGHT, opacity=0.15, line_width=0)
    fig.add_vline(x=channel, line={"color": HIGHLIGHT, "width": 3, "dash": "dot"})
    fig.update_layout(
        barmode="group", height=height, paper_bgcolor="white", plot_bgcolor="#f4f4f4",
        xaxis={"title": {"text": channel_title}, "tickmode": "array", "tickvals": x[::1],
               "tickfont": {"size": font - 4}},
        yaxis={"tickfont": {"size": font - 4}},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                "font": {"size": font - 2}},
        margin={"l": 60, "r": 10, "t": 50, "b": 60}, font={"size": font - 4})
    return fig
