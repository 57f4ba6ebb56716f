"""Lesson 15's figures: mini-batch gradients shrinking around the full gradient (animated over
the batch size), one epoch cut into batches, and the speed measured at each batch size.

Every number is the lesson module's measurement (``lessons.batches``); nothing is modelled.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.lessons.batches import SIZES, Counts, Spread
from cnnviz.viz.controls import play_buttons, step_slider
from cnnviz.viz.frames import set_frames

CLOUD = "#0072B2"
FULL = "#D55E00"
REF = "#777777"
BATCH_A, BATCH_B, LAST = "#56B4E9", "#0072B2", "#E69F00"


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 tick values from ``lo`` to ``hi`` (plotly's own log ticks label every digit, and
    those labels run into each other)."""
    out = []
    for e in range(math.floor(math.log10(lo)) - 1, math.ceil(math.log10(hi)) + 1):
        out += [m * 10.0 ** e for m in (1, 2, 5) if lo <= m * 10.0 ** e <= hi]
    return out if len(out) >= 2 else [lo, hi]


def _title(text: str, x: float, font: int) -> dict[str, Any]:
    return {"text": text, "x": x, "xref": "paper", "y": 1.0, "yref": "paper",
            "yanchor": "bottom", "yshift": 10, "showarrow": False, "font": {"size": font}}


def _circle(r: float) -> dict[str, Any]:
    t = np.linspace(0, 2 * np.pi, 73)
    return {"x": 1 + r * np.cos(t), "y": r * np.sin(t)}


def spread_figure(s: Spread, *, lang: str = "en", classroom: bool = False,
                  frame_ms: int = 900, height: int | None = None,
                  width_hint: int = 800) -> go.Figure:
    """Left: each mini-batch gradient as a point (the full gradient at (1, 0), a circle of the
    measured spread); right: the spread against B with 1/√B. One frame per batch size."""
    font = 22 if classroom else 16
    height = height or (640 if classroom else 540)
    lim = float(np.max(np.abs(np.concatenate(list(s.points.values()))))) * 1.05
    split = 0.5
    b0 = s.sizes[0]
    ref = [s.relative[b0] * math.sqrt(b0 / b) for b in s.sizes]
    rel = [s.relative[b] for b in s.sizes]
    pts = s.points[b0]
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "line": {"color": REF, "width": 1},
         "hoverinfo": "skip", "showlegend": False, **_circle(s.relative[b0])},
        {"type": "scatter", "mode": "markers", "x": pts[:, 0], "y": pts[:, 1],
         "marker": {"color": CLOUD, "size": font * 0.6, "opacity": 0.75},
         "name": Text("mini-batch gradients", "小批量梯度").get(lang)},
        {"type": "scatter", "mode": "markers", "x": [1.0], "y": [0.0],
         "marker": {"color": FULL, "size": font * 1.1, "symbol": "star",
                    "line": {"color": "white", "width": 1}},
         "name": Text("full-batch gradient", "全量梯度").get(lang)},
        {"type": "scatter", "mode": "lines+markers", "x": list(s.sizes), "y": rel,
         "xaxis": "x2", "yaxis": "y2", "line": {"color": CLOUD, "width": 3},
         "marker": {"size": font * 0.5}, "showlegend": False, "hoverinfo": "x+y"},
        {"type": "scatter", "mode": "lines", "x": list(s.sizes), "y": ref, "xaxis": "x2",
         "yaxis": "y2", "line": {"color": REF, "dash": "dash", "width": 2},
         "name": Text("1/√B from B = 1", "从 B = 1 按 1/√B").get(lang)},
        {"type": "scatter", "mode": "markers", "x": [b0], "y": [rel[0]], "xaxis": "x2",
         "yaxis": "y2", "showlegend": False, "hoverinfo": "skip",
         "marker": {"color": FULL, "size": font * 1.1, "line": {"color": "white", "width": 2}}},
    ]
    frames = []
    for j, b in enumerate(s.sizes):
        p = s.points[b]
        frames.append({"name": str(j), "traces": [0, 1, 5], "data": [
            {"type": "scatter", **_circle(s.relative[b])},
            {"type": "scatter", "x": p[:, 0], "y": p[:, 1]},
            {"type": "scatter", "x": [b], "y": [s.relative[b]]}]})
    lo, hi = min(rel + ref), max(rel + ref)
    layout: dict[str, Any] = {
        "xaxis": {"domain": [0, split - 0.04], "range": [1 - lim, 1 + lim], "zeroline": False,
                  "title": {"text": Text("along g (units of |g|)",
                                         "沿 g 方向（单位 |g|）").get(lang)},
                  "gridcolor": "#e5e5e5"},
        "yaxis": {"domain": [0, 1], "range": [-lim, lim], "zeroline": False,
                  "gridcolor": "#e5e5e5", "scaleanchor": "x"},
        "xaxis2": {"domain": [split + 0.08, 1], "anchor": "y2", "type": "log",
                   "title": {"text": Text("batch size B", "批大小 B").get(lang)},
                   "tickvals": list(s.sizes), "gridcolor": "#e5e5e5"},
        "yaxis2": {"domain": [0, 1], "anchor": "x2", "type": "log", "gridcolor": "#e5e5e5",
                   "range": [math.log10(lo) - 0.15, math.log10(hi) + 0.15],
                   "tickvals": log_ticks(lo / 1.4, hi * 1.4)},
        "annotations": [
            _title(Text("Gradients of random batches", "随机批次的梯度").get(lang),
                   (split - 0.04) / 2, font - 2),
            _title(Text("|g_B − g| / |g|", "|g_B − g| / |g|").get(lang), (split + 1.08) / 2,
                   font - 2)],
        "legend": {"orientation": "h", "x": 0, "yanchor": "top", "font": {"size": font - 4}},
        "height": height, "margin": {"l": 60, "r": 10, "t": 50, "b": 230},
        "font": {"size": font - 4}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "meta": {"written_sums": False},  # nothing here is a sum to check (tests)
    }
    plot_h = max(height - 50 - 230, 1)
    # in px under the plot, whatever its height: axis title, legend, buttons, slider
    layout["legend"]["y"] = -86 / plot_h
    y_ctrl = -120 / plot_h
    slider = step_slider(lang, len(s.sizes), font - 2, y_ctrl - 50 / plot_h, 0.0, 1.0)
    slider["currentvalue"].update({"prefix": "B = ", "xanchor": "right"})
    for j, b in enumerate(s.sizes):
        slider["steps"][j]["label"] = str(b)
    layout["updatemenus"] = [play_buttons(lang, frame_ms, font - 2, y_ctrl)]
    layout["sliders"] = [slider]
    return set_frames(go.Figure({"data": traces, "layout": layout}), frames)


def epoch_figure(c: Counts, *, lang: str = "en", classroom: bool = False,
                 width_hint: int = 800, max_cells: int = 36) -> go.Figure:
    """One epoch as a strip of its batches (the last, smaller one in orange); a long epoch
    shows its first batches, a gap, and its last ones."""
    font = 22 if classroom else 16
    n = c.per_epoch
    shown = list(range(n)) if n <= max_cells else [*range(max_cells - 6), -1, *range(n - 5, n)]
    shapes, x = [], 0.0
    for i in shown:
        if i < 0:
            x += 1.5
            continue
        w = c.last / c.batch if i == n - 1 else 1.0
        colour = LAST if (i == n - 1 and c.last < c.batch) else (BATCH_A if i % 2 else BATCH_B)
        shapes.append({"type": "rect", "x0": x, "x1": x + w * 0.95, "y0": 0, "y1": 1,
                       "fillcolor": colour, "line": {"width": 0}})
        x += w
    ann = [{"x": 0.0, "y": 1.05, "yanchor": "bottom", "showarrow": False,
            "text": Text(f"batch 1: {min(c.batch, c.n)}", f"第 1 批：{min(c.batch, c.n)} 张")
            .get(lang), "xanchor": "left", "font": {"size": font - 4}},
           {"x": x, "y": 1.05, "yanchor": "bottom", "xanchor": "right",
            "showarrow": False, "font": {"size": font - 4},
            "text": Text(f"batch {n}: {c.last}", f"第 {n} 批：{c.last} 张").get(lang)}]
    if n > max_cells:
        gap = max_cells - 6 + 0.75
        ann.append({"x": gap, "y": 0.5, "showarrow": False, "text": "…",
                    "font": {"size": font}})
    if n < 8:  # too few cells for two labels side by side
        ann = ann[1:]
    layout = {"shapes": shapes, "annotations": ann, "height": 130 if classroom else 110,
              "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
              "xaxis": {"visible": False, "range": [-0.2, x + 0.2]},
              "yaxis": {"visible": False, "range": [0, 1.6]},
              "paper_bgcolor": "white", "plot_bgcolor": "white", "font": {"size": font - 4}}
    return go.Figure({"data": [], "layout": layout})


def speed_figure(seconds: dict[int, float], n: int, current: int, *, lang: str = "en",
                 classroom: bool = False, width_hint: int = 800) -> go.Figure:
    """Measured: images per second, and the time one epoch of ``n`` images would take."""
    font = 22 if classroom else 16
    bs = sorted(seconds)
    ips = [b / seconds[b] for b in bs]
    epoch = [math.ceil(n / b) * seconds[b] for b in bs]
    mark = {"color": [FULL if b == current else CLOUD for b in bs], "size": font * 0.7}
    traces = [
        {"type": "scatter", "mode": "lines+markers", "x": bs, "y": ips, "marker": mark,
         "line": {"color": CLOUD, "width": 3}, "hoverinfo": "x+y"},
        {"type": "scatter", "mode": "lines+markers", "x": bs, "y": epoch, "marker": mark,
         "xaxis": "x2", "yaxis": "y2", "line": {"color": CLOUD, "width": 3}, "hoverinfo": "x+y"},
    ]
    axis = {"type": "log", "tickvals": [b for b in bs if b in SIZES] or bs,
            "gridcolor": "#e5e5e5",
            "title": {"text": Text("batch size B", "批大小 B").get(lang)}}
    layout = {
        "xaxis": {**axis, "domain": [0, 0.44]},
        "yaxis": {"type": "log", "gridcolor": "#e5e5e5",
                  "tickvals": log_ticks(min(ips) / 1.5, max(ips) * 1.5)},
        "xaxis2": {**axis, "domain": [0.56, 1], "anchor": "y2"},
        "yaxis2": {"type": "log", "gridcolor": "#e5e5e5", "anchor": "x2",
                   "tickvals": log_ticks(min(epoch) / 1.5, max(epoch) * 1.5)},
        "annotations": [
            _title(Text("images / s", "图像数 / 秒").get(lang), 0.22, font - 2),
            _title(Text(f"s / epoch (N = {n})", f"秒 / 轮（N = {n}）").get(lang),
                   0.78, font - 2)],
        "showlegend": False, "height": 380 if classroom else 330,
        "margin": {"l": 70, "r": 10, "t": 50, "b": 70}, "font": {"size": font - 4},
        "paper_bgcolor": "white", "plot_bgcolor": "white",
    }
    return go.Figure({"data": traces, "layout": layout})
