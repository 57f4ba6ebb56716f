"""Figures of nets compared as they learn (plotly, no Streamlit): per-layer histograms and
bars animated over the training steps, loss and accuracy curves side by side, plain bars.

The "how a CNN learns" lessons hand these a ``sidebyside.Recording`` (or plain arrays made
from one) and the arms' names and titles; every number drawn is a measurement of the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.i18n import Text
from cnnviz.viz.controls import play_buttons
from cnnviz.viz.frames import set_frames
from cnnviz.viz.style import HIGHLIGHT

# two arms, told apart in colour-blind-safe orange and purple (the same on a projector)
ARM_COLOURS = ("#e66100", "#5d3a9b", "#1a85ff", "#40b0a6")
MUTED = "#9a9a9a"
TRAIN_STEP = Text("Training step ", "训练步数 ")
STACKED_PX = 50  # extra room when the step slider goes under the play buttons
NARROW_PX = 820  # figures narrower than this stack their controls


def _font(classroom: bool) -> int:
    return 20 if classroom else 16


def arm_colour(i: int) -> str:
    return ARM_COLOURS[i % len(ARM_COLOURS)]


def _slider(lang: str, labels: Sequence[str], font: int, prefix: str, pad: int,
            narrow: bool = False) -> dict[str, Any]:
    """Step slider whose stops are the training steps; only a few stops are labelled so
    their numbers never run together."""
    n = len(labels)
    every = max(1, int(np.ceil(n / 5)))
    return {
        "active": 0, "x": 0.0 if narrow else 0.42, "len": 1.0 if narrow else 0.58, "y": 0,
        "yanchor": "top", "pad": {"t": pad + (STACKED_PX if narrow else 0)},
        "font": {"size": font - 4},
        "currentvalue": {"prefix": prefix, "font": {"size": font - 2}},
        "steps": [{"label": lab if i == n - 1 or (i % every == 0 and n - 1 - i >= every)
                   else "",
                   "method": "animate", "value": lab,
                   "args": [[str(i)], {"frame": {"duration": 0, "redraw": True},
                                       "mode": "immediate", "transition": {"duration": 0}}]}
                  for i, lab in enumerate(labels)],
    }


def play_controls(fig: go.Figure, lang: str, font: int, frame_ms: int,
                  labels: Sequence[str], prefix: str, pad: int = 70,
                  narrow: bool = False) -> None:
    """Play / fast / pause and the step slider under the plot, ``pad`` px below its axes;
    ``narrow``: the slider on its own line under the buttons (its label would meet them)."""
    buttons = play_buttons(lang, frame_ms, font - 2, 0)
    buttons["pad"] = {"t": pad, "r": 10}
    fig.update_layout(updatemenus=[buttons],
                      sliders=[_slider(lang, labels, font, prefix, pad, narrow)])
    if narrow:
        fig.update_layout(margin={"b": fig.layout.margin.b + STACKED_PX})


def histograms_figure(hist: Sequence[np.ndarray], std: Sequence[np.ndarray], edges: np.ndarray,
                      row_titles: Sequence[str], layer_title: str, steps: Sequence[int], *,
                      selected: int | None = None, lang: str = "en", classroom: bool = False,
                      width_hint: int = 800, height: int | None = None,
                      frame_ms: int = 600) -> go.Figure:
    """Rows = arms, columns = layers: each layer's histogram of values at each checkpoint.

    ``hist[a]`` is (K, L, bins) fractions and ``std[a]`` (K, L) for arm ``a``; frames step
    through the K checkpoints. Each row has its own y scale (a collapsed layer is one tall
    bar); σ of each layer is printed in its panel. ``selected`` (0-based) is highlighted.
    """
    font = _font(classroom)
    n_rows, (K, L, _) = len(hist), hist[0].shape
    centres = (edges[:-1] + edges[1:]) / 2
    width = float(edges[1] - edges[0])
    fig = make_subplots(rows=n_rows, cols=L, shared_xaxes=True, horizontal_spacing=0.02,
                        vertical_spacing=0.12)
    tops = [float(np.max(h)) * 1.15 or 1.0 for h in hist]

    def traces(k: int) -> list[dict[str, Any]]:
        out = []
        for a in range(n_rows):
            for j in range(L):
                colour = HIGHLIGHT if j == selected else arm_colour(a)
                out.append({"type": "bar", "x": centres, "y": hist[a][k, j], "width": width,
                            "marker": {"color": colour}, "hoverinfo": "skip"})
        return out

    for i, tr in enumerate(traces(0)):
        fig.add_trace(go.Bar(**{k: v for k, v in tr.items() if k != "type"}),
                      row=i // L + 1, col=i % L + 1)

    def notes(k: int) -> list[dict[str, Any]]:
        out = []
        for a in range(n_rows):
            for j in range(L):
                ax = "" if a * L + j == 0 else str(a * L + j + 1)
                out.append({"text": f"σ={std[a][k, j]:.2f}", "x": 0.98, "y": 0.97,
                            "xref": f"x{ax} domain", "yref": f"y{ax} domain",
                            "xanchor": "right", "yanchor": "top", "showarrow": False,
                            "font": {"size": font - 4}})
        return out

    titles = []
    for a, t in enumerate(row_titles):
        top = fig.layout[f"yaxis{'' if a == 0 else a * L + 1}"].domain[1]
        titles.append({"text": t, "x": 0.0, "y": top, "xref": "paper", "yref": "paper",
                       "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                       "font": {"size": font - 2, "color": arm_colour(a)}})
    for j in range(L):
        fig.update_xaxes(title={"text": f"{layer_title} {j + 1}", "standoff": 4,
                                "font": {"size": font - 4,
                                         "color": HIGHLIGHT if j == selected else "#222"}},
                         row=n_rows, col=j + 1)
    for a in range(n_rows):
        fig.update_yaxes(range=[0, tops[a]], showticklabels=False, row=a + 1)
    fig.update_xaxes(range=[float(edges[0]), float(edges[-1])], tickvals=[-2, 0, 2],
                     tickfont={"size": font - 6}, showgrid=False)
    fig.update_yaxes(showgrid=False)
    frames = [{"name": str(k), "data": traces(k), "traces": list(range(n_rows * L)),
               "layout": {"annotations": titles + notes(k)}} for k in range(K)]
    fig.layout.annotations = titles + notes(0)
    fig.update_layout(height=height or (230 * n_rows + 150), showlegend=False,
                      margin={"l": 10, "r": 10, "t": 40, "b": 150}, bargap=0,
                      paper_bgcolor="white", plot_bgcolor="#f4f4f4",
                      font={"size": font - 4})
    play_controls(fig, lang, font, frame_ms, [str(s) for s in steps],
                  TRAIN_STEP.get(lang), narrow=width_hint < NARROW_PX)
    return set_frames(fig, frames)


def layer_bars_figure(values: Sequence[np.ndarray], names: Sequence[str], layer_title: str,
                      value_title: str, steps: Sequence[int], *, log: bool = True,
                      selected: int | None = None, lang: str = "en", classroom: bool = False,
                      width_hint: int = 800, height: int | None = None,
                      frame_ms: int = 600) -> go.Figure:
    """One bar per layer per arm (grouped), animated over the checkpoints: ``values[a]`` is
    (K, L). A log axis, as gradient norms differ by orders of magnitude between layers;
    layer ``selected`` (0-based) is shaded."""
    font = _font(classroom)
    K, L = values[0].shape
    x = np.arange(1, L + 1)
    floor = 1e-12

    def traces(k: int) -> list[dict[str, Any]]:
        return [{"type": "bar", "x": x, "y": np.maximum(v[k], floor) if log else v[k],
                 "name": n, "marker": {"color": arm_colour(a)}}
                for a, (v, n) in enumerate(zip(values, names))]

    fig = go.Figure([go.Bar(**{k: v for k, v in tr.items() if k != "type"})
                     for tr in traces(0)])
    if selected is not None:
        fig.add_vrect(x0=selected + 0.5, x1=selected + 1.5, fillcolor=HIGHLIGHT, opacity=0.18,
                      line_width=0)
    every = np.concatenate([np.asarray(v, float).ravel() for v in values])
    every = every[np.isfinite(every) & (every > floor)]
    lo, hi = (float(every.min()), float(every.max())) if every.size else (1e-3, 1.0)
    yaxis: dict[str, Any] = {"title": {"text": value_title}, "tickfont": {"size": font - 4}}
    if log:
        yaxis.update(type="log", range=[np.log10(lo) - 0.3, np.log10(hi) + 0.3],
                     dtick=1, exponentformat="power")
    fig.update_layout(
        barmode="group", height=height or 460, yaxis=yaxis,
        xaxis={"title": {"text": layer_title}, "tickfont": {"size": font - 4},
               "tickvals": list(x), "range": [0.5, L + 0.5]},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom",
                "font": {"size": font - 2}},
        margin={"l": 80, "r": 10, "t": 50, "b": 170}, paper_bgcolor="white",
        plot_bgcolor="#f4f4f4", font={"size": font - 4})
    frames = [{"name": str(k), "data": traces(k), "traces": list(range(len(values)))}
              for k in range(K)]
    play_controls(fig, lang, font, frame_ms, [str(s) for s in steps],
                  TRAIN_STEP.get(lang), pad=90, narrow=width_hint < NARROW_PX)
    return set_frames(fig, frames)


def _smooth(y: np.ndarray, window: int) -> np.ndarray:
    """Moving average over ``window`` steps (shorter at the start); NaN after a stop."""
    y = np.asarray(y, dtype=np.float64)
    out = np.full_like(y, np.nan)
    good = np.isfinite(y)
    c = np.cumsum(np.where(good, y, 0.0))
    for i in np.flatnonzero(good):
        lo = max(0, i - window + 1)
        out[i] = (c[i] - (c[lo - 1] if lo else 0.0)) / (i - lo + 1)
    return out


def curves_figure(losses: Sequence[np.ndarray], accs: Sequence[np.ndarray],
                  steps: Sequence[int], names: Sequence[str], titles: tuple[str, str],
                  step_title: str, *, acc_title: str | None = None, percent: bool = True,
                  lang: str = "en",
                  classroom: bool = False, height: int = 380, smooth: int = 10) -> go.Figure:
    """Left: training loss per step (faint) and its moving average, one colour per arm.
    Right: test accuracy (%) at the checkpoints (or any second measurement, ``acc_title``)."""
    font = _font(classroom)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14)
    for a, (loss, acc, name) in enumerate(zip(losses, accs, names)):
        colour = arm_colour(a)
        x = np.arange(1, len(loss) + 1)
        fig.add_trace(go.Scatter(x=x, y=loss, mode="lines", line={"color": colour, "width": 1},
                                 opacity=0.3, showlegend=False, hoverinfo="skip"), 1, 1)
        fig.add_trace(go.Scatter(x=x, y=_smooth(loss, smooth), mode="lines", name=name,
                                 line={"color": colour, "width": 3}), 1, 1)
        fig.add_trace(go.Scatter(x=list(steps), y=np.asarray(acc) * (100 if percent else 1),
                                 mode="lines+markers",
                                 name=name, showlegend=False,
                                 line={"color": colour, "width": 3}), 1, 2)
    fig.update_xaxes(title={"text": step_title}, tickfont={"size": font - 4})
    fig.update_yaxes(tickfont={"size": font - 4})
    fig.update_yaxes(title={"text": titles[0]}, row=1, col=1)
    fig.update_yaxes(title={"text": acc_title or titles[1]}, row=1, col=2)
    if percent:
        fig.update_yaxes(range=[0, 100], row=1, col=2)
    fig.update_layout(height=height, legend={"orientation": "h", "x": 0, "y": 1.02,
                                             "yanchor": "bottom", "font": {"size": font - 2}},
                      margin={"l": 70, "r": 10, "t": 50, "b": 60}, paper_bgcolor="white",
                      plot_bgcolor="#f4f4f4", font={"size": font - 4})
    return fig


def bars_figure(labels: Sequence[str], values: Sequence[float], value_title: str, *,
                colours: Sequence[str] | None = None, percent: bool = True,
                classroom: bool = False, height: int = 320) -> go.Figure:
    """Horizontal bars with their values printed (e.g. accuracy of four ways to evaluate)."""
    font = _font(classroom)
    v = np.asarray(values, dtype=np.float64) * (100 if percent else 1)
    text = [f"{x:.1f} %" if percent else f"{x:.3g}" for x in v]
    fig = go.Figure(go.Bar(y=list(labels), x=v, orientation="h", text=text,
                           textposition="outside", cliponaxis=False,
                           marker={"color": list(colours) if colours else arm_colour(0)},
                           textfont={"size": font - 2}))
    top = 100 if percent else float(np.nanmax(v)) * 1.1
    fig.update_layout(height=height, xaxis={"title": {"text": value_title},
                                            "range": [0, top * 1.18]},
                      yaxis={"autorange": "reversed", "tickfont": {"size": font - 2},
                             "automargin": True},
                      margin={"l": 10, "r": 20, "t": 10, "b": 60}, paper_bgcolor="white",
                      plot_bgcolor="#f4f4f4", font={"size": font - 4})
    return fig
