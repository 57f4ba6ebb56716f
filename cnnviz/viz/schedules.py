"""Lesson 14's schedules: the learning rate over the steps, every kind on the same axes.

The curves are the engine's schedulers' own rates (``lessons.schedules.schedule_lrs``); the
chosen kind is drawn thick, the others thin, and a marker shows the step whose formula the
page writes out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.lessons.schedules import KIND_NAMES

COLOURS = {"fixed": "#000000", "step": "#E69F00", "exponential": "#56B4E9",
           "polynomial": "#009E73", "cosine": "#CC79A7"}
DASHES = {"fixed": "solid", "step": "dash", "exponential": "dot", "polynomial": "dashdot",
          "cosine": "longdash"}


def schedules_figure(curves: dict[str, np.ndarray], selected: str, t: int, warmup: int = 0, *,
                     lang: str = "en", classroom: bool = False,
                     width_hint: int = 800) -> go.Figure:
    """Every schedule's rate against the step; ``selected`` thick, a marker at step ``t``."""
    font = 22 if classroom else 16
    traces: list[dict[str, Any]] = []
    for kind, lrs in curves.items():
        chosen = kind == selected
        traces.append({
            "type": "scatter", "mode": "lines", "x": np.arange(len(lrs)), "y": lrs,
            "name": KIND_NAMES[kind].get(lang), "hoverinfo": "x+y",
            "line": {"color": COLOURS[kind], "width": 5 if chosen else 2,
                     "dash": "solid" if chosen else DASHES[kind]},
            "opacity": 1.0 if chosen else 0.7})
    lrs = curves[selected]
    traces.append({"type": "scatter", "mode": "markers", "x": [t], "y": [lrs[t]],
                   "showlegend": False, "hoverinfo": "x+y",
                   "marker": {"size": font, "color": COLOURS[selected],
                              "line": {"color": "white", "width": 2}}})
    top = max(float(np.max(c)) for c in curves.values())
    shapes = []
    if warmup:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": 0, "x1": warmup,
                       "y0": 0, "y1": 1, "fillcolor": "rgba(0,0,0,0.06)", "line": {"width": 0},
                       "layer": "below"})
    legend_px = 170 if classroom else 140
    layout = {
        "xaxis": {"title": {"text": Text("step t", "步数 t").get(lang)},
                  "range": [0, len(lrs) - 1], "gridcolor": "#e5e5e5",
                  "domain": [0, 1 - legend_px / max(width_hint, 400)]},
        "yaxis": {"title": {"text": Text("learning rate η", "学习率 η").get(lang)},
                  "range": [0, top * 1.08], "gridcolor": "#e5e5e5", "rangemode": "tozero"},
        "legend": {"x": 1.0, "xanchor": "right", "y": 1, "font": {"size": font - 2}},
        "shapes": shapes, "height": 420 if classroom else 360,
        "margin": {"l": 80, "r": 10, "t": 20, "b": 60}, "font": {"size": font - 4},
        "paper_bgcolor": "white", "plot_bgcolor": "white",
    }
    return go.Figure({"data": traces, "layout": layout})
