"""Lesson 13's race: optimisers' paths on a loss surface beside their losses, animated.

Left, the surface's contours with each optimiser's path growing step by step (a marker at
its head) over its whole run drawn faintly; right, each loss above the surface's minimum on
a log scale. The paths are the
engine's (``lessons.optimisers.race``); this module only draws them. Colours are the
Okabe-Ito palette (apart for every common colour-vision deficiency), and each optimiser also
has its own marker shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.lessons.optimisers import SHORT_NAMES, SURFACES, Run
from cnnviz.viz.controls import play_buttons, step_slider
from cnnviz.viz.frames import set_frames

COLOURS = {"sgd": "#000000", "momentum": "#E69F00", "nesterov": "#56B4E9",
           "adagrad": "#009E73", "rmsprop": "#0072B2", "adadelta": "#D55E00",
           "adam": "#CC79A7"}
SYMBOLS = {"sgd": "circle", "momentum": "square", "nesterov": "diamond",
           "adagrad": "triangle-up", "rmsprop": "triangle-down", "adadelta": "x",
           "adam": "star"}
CONTOUR_SCALE = [[0.0, "#ffffff"], [1.0, "#dde3ea"]]
FLOOR = 1e-8  # a loss at the minimum still has a place on the log axis

TITLES = (Text("Paths", "路径"),
          Text("Loss − minimum (log)", "损失 − 最小值（对数）"))


def frame_steps(steps: int, max_frames: int = 40) -> list[int]:
    """The step each frame shows: 0 .. steps, at most ``max_frames`` + 1 frames."""
    n = min(steps, max_frames)
    return sorted({round(j * steps / n) for j in range(n + 1)})


def _lengths(run: Run, step: int) -> int:
    """How many points of the run exist at ``step`` (a diverged run stops early)."""
    return min(step + 1, len(run.path))


def _dynamic(runs: dict[str, Run], step: int, floor: float) -> list[dict[str, Any]]:
    """The moving traces at one step: each path, its head, its loss curve."""
    data: list[dict[str, Any]] = []
    for r in runs.values():
        n = _lengths(r, step)
        data.append({"type": "scatter", "x": r.path[:n, 0], "y": r.path[:n, 1]})
        data.append({"type": "scatter", "x": r.path[n - 1:n, 0], "y": r.path[n - 1:n, 1]})
        m = min(step + 1, len(r.loss))
        data.append({"type": "scatter", "x": np.arange(m),
                     "y": np.maximum(r.loss[:m] - floor, FLOOR)})
    return data


def _static_traces(surface: str, grid: tuple[np.ndarray, np.ndarray, np.ndarray],
                   runs: dict[str, Run], highlight: str, lang: str, font: int,
                   names: dict[str, Text], colours: dict[str, str]) -> list[dict[str, Any]]:
    s = SURFACES[surface]
    xs, ys, z = grid
    traces: list[dict[str, Any]] = [{
        "type": "contour", "x": xs, "y": ys, "z": np.log10(z - s.minimum + 1e-2),
        "colorscale": CONTOUR_SCALE, "showscale": False, "ncontours": 18,
        "contours": {"coloring": "fill", "showlines": True}, "line": {"color": "#9aa5b5"},
        "hoverinfo": "skip"}]
    for i, (key, r) in enumerate(runs.items()):  # the whole run, faint: where Play will go
        colour = colours.get(key, list(COLOURS.values())[i % len(COLOURS)])
        faint = {"type": "scatter", "mode": "lines", "showlegend": False, "hoverinfo": "skip",
                 "opacity": 0.3, "line": {"color": colour, "width": 1.5}}
        traces.append({**faint, "x": r.path[:, 0], "y": r.path[:, 1]})
        traces.append({**faint, "x": np.arange(len(r.loss)),
                       "y": np.maximum(r.loss - s.minimum, FLOOR), "xaxis": "x2", "yaxis": "y2"})
    for i, key in enumerate(runs):
        name = names[key].get(lang)
        width = 5 if key == highlight else 2.5
        colour = colours.get(key, list(COLOURS.values())[i % len(COLOURS)])
        symbol = SYMBOLS.get(key, list(SYMBOLS.values())[i % len(SYMBOLS)])
        common = {"legendgroup": key, "hoverinfo": "skip"}
        traces.append({"type": "scatter", "mode": "lines", "name": name, "showlegend": True,
                       "line": {"color": colour, "width": width}, **common})
        traces.append({"type": "scatter", "mode": "markers", "showlegend": False,
                       "marker": {"color": colour, "symbol": symbol,
                                  "size": font, "line": {"color": "white", "width": 1}},
                       **common})
        traces.append({"type": "scatter", "mode": "lines", "showlegend": False,
                       "xaxis": "x2", "yaxis": "y2",
                       "line": {"color": colour, "width": width}, **common})
    start = s.start
    traces.append({"type": "scatter", "mode": "markers", "x": [start[0]], "y": [start[1]],
                   "marker": {"color": "#444", "size": font * 0.6}, "showlegend": False,
                   "hoverinfo": "skip"})
    return traces


def _loss_range(runs: dict[str, Run], floor: float) -> list[float]:
    vals = np.concatenate([np.maximum(r.loss - floor, FLOOR) for r in runs.values()])
    vals = vals[np.isfinite(vals)]
    lo, hi = float(vals.min()), float(vals.max())
    return [np.log10(lo) - 0.3, np.log10(hi) + 0.3]


def race_figure(surface: str, grid: tuple[np.ndarray, np.ndarray, np.ndarray],
                runs: dict[str, Run], steps: int, highlight: str = "", *, lang: str = "en",
                classroom: bool = False, frame_ms: int = 250, height: int | None = None,
                width_hint: int = 800, names: dict[str, Text] | None = None,
                colours: dict[str, str] | None = None) -> go.Figure:
    """Paths and losses of every run, growing step by step (▶ Play / the step slider).

    ``runs`` are keyed by optimiser (their names and colours by default) or by anything
    else with ``names`` (and ``colours``) for those keys (lesson 14's three rates)."""
    s = SURFACES[surface]
    font = 22 if classroom else 16
    height = height or (660 if classroom else 560)
    shown = frame_steps(steps)
    traces = _static_traces(surface, grid, runs, highlight, lang, font,
                            names or SHORT_NAMES, colours or COLOURS)
    first = 1 + 2 * len(runs)  # after the contour and the faint whole runs
    dyn = list(range(first, first + 3 * len(runs)))
    for i, d in zip(dyn, _dynamic(runs, shown[0], s.minimum)):
        traces[i].update({k: v for k, v in d.items() if k != "type"})
    legend_px = 150 if classroom else 130
    right = min(0.8, 1 - legend_px / max(width_hint, 400))
    split = right * 0.55
    grey = "#e5e5e5"
    layout: dict[str, Any] = {
        "xaxis": {"domain": [0, split], "range": list(s.x_range), "title": {"text": "x"},
                  "gridcolor": grey, "zeroline": False},
        "yaxis": {"domain": [0, 1], "range": list(s.y_range), "title": {"text": "y"},
                  "gridcolor": grey, "zeroline": False},
        "xaxis2": {"domain": [split + 0.1, right], "anchor": "y2", "range": [0, steps],
                   "title": {"text": Text("step", "步数").get(lang)}, "gridcolor": grey},
        "yaxis2": {"domain": [0, 1], "anchor": "x2", "type": "log", "gridcolor": grey,
                   "range": _loss_range(runs, s.minimum), "exponentformat": "power",
                   "nticks": 6},
        "legend": {"x": 1.0, "xanchor": "right", "y": 1, "yanchor": "top",
                   "font": {"size": font - 2}},
        "annotations": [
            {"text": TITLES[0].get(lang), "x": split / 2, "xref": "paper", "y": 1.0,
             "yref": "paper", "yanchor": "bottom", "showarrow": False, "yshift": 12,
             "font": {"size": font}},
            {"text": TITLES[1].get(lang), "x": (split + 0.1 + right) / 2, "xref": "paper",
             "y": 1.0, "yref": "paper", "yanchor": "bottom", "showarrow": False, "yshift": 12,
             "font": {"size": font - 2 if classroom else font}}],
        "height": height, "margin": {"l": 60, "r": 10, "t": 60, "b": 215},
        "font": {"size": font - 4}, "paper_bgcolor": "white", "plot_bgcolor": "white",
        "showlegend": True,
        "meta": {"written_sums": False},  # nothing here is a sum to check (tests)
    }
    plot_h = max(height - 60 - 215, 1)
    controls_y = -95 / plot_h
    # the step slider gets a row of its own under the buttons: beside them, its labels ran
    # into "Pause" on narrow stages
    slider = step_slider(lang, len(shown), font - 2, controls_y - 50 / plot_h, 0.0, 1.0)
    slider["currentvalue"]["xanchor"] = "right"
    for j, st in enumerate(slider["steps"]):
        st["label"] = str(shown[j])
    layout["updatemenus"] = [play_buttons(lang, frame_ms, font - 2, controls_y)]
    layout["sliders"] = [slider]
    fig = go.Figure({"data": traces, "layout": layout})
    frames = [{"name": str(j), "data": _dynamic(runs, step, s.minimum), "traces": dyn}
              for j, step in enumerate(shown)]
    return set_frames(fig, frames)
