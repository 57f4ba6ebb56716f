"""Figures of a network learning MNIST (plotly, no Streamlit).

The live page redraws these twice a second, so every grid of small pictures (filters,
feature maps, mistakes) is ONE PNG mosaic in one ``go.Image`` trace with its labels as
annotations, not dozens of subplots: a 30-filter grid is a few kB and redraws at once.
Pixels are upscaled with nearest-neighbour in NumPy, so a 5×5 filter stays 25 crisp squares
on a projector instead of a browser-smoothed blur.

Colours: weights are signed (diverging map, white = 0); "per filter" scales each filter by
its own largest |w| (shows each one's pattern, as ConvNetJS does), "shared" uses one scale
for all (shows which filters are strong). Activations use the input colour map scaled per
map. Loss and accuracy curves only ever receive finite numbers (the Trainer drops a diverged
step), and the figures also drop non-finite points defensively.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.viz.heatmaps import Panel, png_data_uri, to_rgb
from cnnviz.viz.style import HIGHLIGHT, NARROWEST_PX, colour_scales, fit_font

Normalise = Literal["per_filter", "shared"]
GAP_RGB = (235, 235, 235)
FILTER_GAP_RGB = (70, 70, 70)  # dark: white already means 0 in a weight
LOSS_RAW = "#b0b0b0"
LOSS_AVG = "#d62728"
TRAIN_ACC = "#1f77b4"
TEST_ACC = "#2ca02c"


def _font(classroom: bool) -> int:
    return 22 if classroom else 16


def _layout(fig: go.Figure, classroom: bool, height: int, top: int = 50,
            axes: bool = False) -> go.Figure:
    """Shared look; ``axes`` leaves room for tick labels and axis titles (not clipped)."""
    fig.update_layout(
        height=height, margin={"l": 70 if axes else 10, "r": 10, "t": top,
                               "b": 60 if axes else 10},
        paper_bgcolor="white", plot_bgcolor="white", font={"size": _font(classroom)},
    )
    return fig


def _side_by_side(titles: Sequence[str], font: int, gap: float = 0.12) -> dict[str, Any]:
    """Layout of 1×n panels with titles, built directly: ``make_subplots`` costs ~100 ms per
    call, a fifth of the redraw budget of the live page."""
    n = len(titles)
    width = (1 - gap * (n - 1)) / n
    layout: dict[str, Any] = {"annotations": []}
    for i, title in enumerate(titles):
        x0 = i * (width + gap)
        sfx = "" if i == 0 else str(i + 1)
        layout[f"xaxis{sfx}"] = {"domain": [x0, x0 + width], "anchor": f"y{sfx}"}
        layout[f"yaxis{sfx}"] = {"domain": [0, 1], "anchor": f"x{sfx}"}
        layout["annotations"].append({
            "text": title, "x": x0 + width / 2, "y": 1.0, "xref": "paper", "yref": "paper",
            "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": font}})
    return layout


def _hide_axes(fig: go.Figure) -> None:
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False)


# ----------------------------------------------------------------------------- curves


def _finite(xs: Sequence[float], ys: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """Only the finite points, as arrays (plotly validates arrays far faster than lists)."""
    x = np.asarray(xs, dtype=np.float64)
    y = np.array([np.nan if v is None else v for v in ys], dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y)
    return x[keep], y[keep]


def _thin(n: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread items, the last one always kept."""
    if n <= max_points:
        return np.arange(n)
    idx = np.linspace(0, n - 1, max_points).round().astype(int)
    return np.unique(idx)


LR_COLOUR = "#444444"
KEPT_COLOURS = ("#9467bd", "#8c564b", "#e377c2", "#17becf")  # up to four kept runs, dashed
SCHEDULE_NAMES = {"step": Text("step", "阶梯"), "exponential": Text("exponential", "指数"),
                  "polynomial": Text("polynomial", "多项式"), "cosine": Text("cosine", "余弦")}
SETTING_NAMES = {"lr": Text("lr", "学习率"), "momentum": Text("momentum", "动量"),
                 "weight_decay": Text("weight decay", "权重衰减")}


def _smoothed_accuracy(history: Sequence[Any]) -> np.ndarray:
    """Batch accuracy is noisy: the same bias-corrected moving average as the loss."""
    acc = np.array([e.batch_accuracy for e in history], dtype=np.float64)
    sm = np.empty_like(acc)
    run = 0.0
    for i, a in enumerate(acc):
        run = 0.95 * run + 0.05 * a
        sm[i] = run / (1 - 0.95 ** (i + 1))
    return sm


def kept_label(run: Any, lang: str) -> str:
    """A kept run's legend label: its optimiser, starting rate, batch size (and schedule)."""
    from cnnviz.lessons.optimisers import OPTIMISER_NAMES

    name = OPTIMISER_NAMES.get(run.optimizer, Text(run.optimizer, run.optimizer)).get(lang)
    label = Text(f"{name}, lr {run.lr:g}, batch {run.batch_size}",
                 f"{name}，学习率 {run.lr:g}，批 {run.batch_size}").get(lang)
    if run.schedule in SCHEDULE_NAMES:
        label += Text(", ", "，").get(lang) + SCHEDULE_NAMES[run.schedule].get(lang)
    if run.steered:
        label += Text(" (steered)", "（调整过）").get(lang)
    return label


def _current_traces(history: Sequence[Any], test_history: Sequence[Any], lang: str,
                    max_points: int) -> tuple[list[dict[str, Any]], list[float]]:
    """This run's loss, accuracy and learning-rate traces, and the accuracies shown."""
    idx = _thin(len(history), max_points)
    ev = [history[i] for i in idx]
    steps = [float(e.step) for e in ev]
    traces: list[dict[str, Any]] = []
    x, y = _finite(steps, [e.loss for e in ev])
    traces.append({"x": x, "y": y, "line": {"color": LOSS_RAW, "width": 1},
                   "name": Text("loss per batch", "每批损失").get(lang)})
    x, y = _finite(steps, [e.loss_avg for e in ev])
    traces.append({"x": x, "y": y, "line": {"color": LOSS_AVG, "width": 3},
                   "name": Text("moving average", "滑动平均").get(lang)})
    sm = _smoothed_accuracy(history) if history else np.zeros(0)
    x, y = _finite(steps, [float(sm[i]) * 100 for i in idx])
    shown = list(y)
    traces.append({"x": x, "y": y, "line": {"color": TRAIN_ACC, "width": 3}, "xaxis": "x2",
                   "yaxis": "y2", "name": Text("train (batches, averaged)",
                                               "训练（批次平均）").get(lang)})
    x, y = _finite([float(p.step) for p in test_history],
                   [p.accuracy * 100 for p in test_history])
    shown += list(y)
    traces.append({"x": x, "y": y, "mode": "lines+markers", "marker": {"size": 9},
                   "line": {"color": TEST_ACC, "width": 3}, "xaxis": "x2", "yaxis": "y2",
                   "name": Text("test digits", "测试集").get(lang)})
    x, y = _finite(steps, [e.lr for e in ev])
    keep = y > 0  # a log axis: a schedule's final 0 is not drawn
    traces.append({"x": x[keep], "y": y[keep], "line": {"color": LR_COLOUR, "width": 2},
                   "xaxis": "x3", "yaxis": "y3",
                   "name": Text("learning rate", "学习率").get(lang)})
    return traces, shown


def _kept_traces(kept: Sequence[Any], lang: str) -> tuple[list[dict[str, Any]], list[float]]:
    """Each kept run dashed in its own colour: loss average, test accuracy, learning rate."""
    traces: list[dict[str, Any]] = []
    shown: list[float] = []
    for k, run in enumerate(kept):
        line = {"color": KEPT_COLOURS[k % len(KEPT_COLOURS)], "width": 2, "dash": "dash"}
        common = {"line": line, "legendgroup": f"kept{k}"}
        x, y = _finite(run.steps, run.loss_avg)
        traces.append({"x": x, "y": y, **common, "name": kept_label(run, lang)})
        x, y = _finite(run.test_steps, [a * 100 for a in run.test_accuracy])
        shown += list(y)
        traces.append({"x": x, "y": y, **common, "xaxis": "x2", "yaxis": "y2",
                       "showlegend": False})
        x, y = _finite(run.steps, run.lrs)
        traces.append({"x": x[y > 0], "y": y[y > 0], **common, "xaxis": "x3", "yaxis": "y3",
                       "showlegend": False})
    return traces, shown


def _change_marks(changes: Sequence[Any], lang: str, font: int
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A dotted vertical line on every panel where a setting was changed, labelled on the
    loss panel ("lr 0.01"); labels step down so neighbouring changes do not overlap."""
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    for i, c in enumerate(changes):
        for ax in ("x", "x2", "x3"):
            y = ax.replace("x", "y")
            shapes.append({"type": "line", "xref": ax, "yref": f"{y} domain", "x0": c.step,
                           "x1": c.step, "y0": 0, "y1": 1,
                           "line": {"color": "#555555", "width": 1.5, "dash": "dot"}})
        notes.append({"x": c.step, "xref": "x", "y": 0.97 - 0.14 * (i % 4), "yref": "y domain",
                      "text": f"{SETTING_NAMES[c.name].get(lang)} {c.new:g}",
                      "showarrow": False, "xanchor": "left", "yanchor": "top",
                      "bgcolor": "rgba(255,255,255,0.8)", "font": {"size": font - 4}})
    return shapes, notes


def _log_range(traces: Sequence[dict[str, Any]]) -> list[float]:
    """The learning-rate axis: whole powers of ten around every rate drawn (log10 units), so
    its ticks are 10⁻³, 10⁻², ... and a constant rate still sits between two of them."""
    rates = np.concatenate([np.asarray(t["y"], dtype=np.float64) for t in traces
                            if t.get("yaxis") == "y3"] or [np.zeros(0)])
    rates = rates[rates > 0]
    if rates.size == 0:
        return [-4.1, -1.9]
    lo, hi = math.floor(math.log10(rates.min())), math.ceil(math.log10(rates.max()))
    return [lo - 0.1, max(hi, lo + 1) + 0.1]


def _curves_layout(lang: str, classroom: bool, shown: list[float], n_kept: int
                   ) -> dict[str, Any]:
    """Loss (top left) over the learning rate (bottom left, log scale); accuracy on the
    right, full height; all against the training step."""
    font = _font(classroom)
    # the gap holds the accuracy axis's tick labels ("100%")
    layout = _side_by_side([Text("Loss (cross-entropy)", "损失（交叉熵）").get(lang),
                            Text("Accuracy", "准确率").get(lang)], font + 2,
                           gap=0.17 if classroom else 0.12)
    layout["yaxis"]["domain"] = [0.42, 1.0]
    layout["xaxis3"] = {"domain": layout["xaxis"]["domain"], "anchor": "y3", "matches": "x"}
    layout["yaxis3"] = {"domain": [0.0, 0.26], "anchor": "x3", "type": "log",
                        "gridcolor": "#e5e5e5", "exponentformat": "power"}
    layout["annotations"].append({
        "text": Text("Learning rate (log scale)", "学习率（对数坐标）").get(lang),
        "x": layout["annotations"][0]["x"], "y": 0.27, "xref": "paper", "yref": "paper",
        "xanchor": "center", "yanchor": "bottom", "showarrow": False,
        "font": {"size": font}})
    step_label = Text("training step", "训练步数").get(lang)
    for ax in ("xaxis2", "xaxis3"):
        layout[ax].update(title={"text": step_label, "standoff": 4}, rangemode="tozero",
                          gridcolor="#e5e5e5")
    layout["xaxis"].update(rangemode="tozero", gridcolor="#e5e5e5", showticklabels=False)
    # zoom on the interesting top of the scale once everything shown is above 80 %
    lo = min([*shown, 80.0])
    layout["yaxis"].update(rangemode="tozero", gridcolor="#e5e5e5")
    layout["yaxis2"].update(ticksuffix="%", range=[max(0.0, lo - 2), 100.5],
                            gridcolor="#e5e5e5")
    layout.update(
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
        height=(560 if classroom else 500) + 34 * n_kept,
        margin={"l": 70, "r": 10, "t": 50, "b": 120 + 30 * n_kept},
        paper_bgcolor="white", plot_bgcolor="white", font={"size": font})
    return layout


def curves_figure(history: Sequence[Any], test_history: Sequence[Any], *, lang: str = "en",
                  classroom: bool = False, max_points: int = 800,
                  changes: Sequence[Any] = (), kept: Sequence[Any] = ()) -> go.Figure:
    """Loss (raw and moving average) over the learning rate, and train / test accuracy,
    against the training step; steered settings marked, kept runs overlaid dashed.

    ``history`` items need ``step, loss, loss_avg, batch_accuracy, lr`` (``ProgressEvent``);
    ``test_history`` items ``step, accuracy`` (``TestPoint``); ``changes`` items ``step,
    name, new`` (``training.steering.Change``); ``kept`` are ``training.runs.KeptRun``.
    """
    traces, shown = _current_traces(history, test_history, lang, max_points)
    more, kept_shown = _kept_traces(kept, lang)
    layout = _curves_layout(lang, classroom, shown + kept_shown, len(kept))
    layout["yaxis3"].update(range=_log_range(traces + more), dtick=1)
    shapes, notes = _change_marks(changes, lang, _font(classroom))
    layout["shapes"] = shapes
    layout["annotations"] += notes
    # one constructor call with plain dicts: a third of the cost of add_trace/update_*
    return go.Figure({"data": [{"type": "scatter", "mode": "lines", **t}
                               for t in traces + more], "layout": layout})


# ----------------------------------------------------------------------------- mosaics


def grid_shape(n: int, cols: int | None = None) -> tuple[int, int]:
    """(rows, cols) of a near-square grid for ``n`` tiles (wider than tall)."""
    c = cols or max(1, math.ceil(math.sqrt(n * 1.6)))
    c = min(c, max(n, 1))
    return max(1, math.ceil(n / c)), c


def mosaic(tiles: Sequence[np.ndarray], *, cols: int | None = None, scale: int = 1,
           gap: int = 1, gap_rgb: tuple[int, int, int] = GAP_RGB) -> np.ndarray:
    """(H, W, 3) uint8 of RGB tiles (each (h, w, 3), same size) on a light grid.

    Each pixel is repeated ``scale`` times (nearest neighbour); ``gap`` is in output pixels.
    """
    n = len(tiles)
    if n == 0:
        return np.full((1, 1, 3), 255, np.uint8)
    h, w = tiles[0].shape[:2]
    rows, c = grid_shape(n, cols)
    th, tw = h * scale, w * scale
    out = np.empty((rows * th + (rows + 1) * gap, c * tw + (c + 1) * gap, 3), np.uint8)
    out[:] = gap_rgb
    for i, t in enumerate(tiles):
        r, k = divmod(i, c)
        big = np.repeat(np.repeat(t, scale, axis=0), scale, axis=1)
        y0, x0 = gap + r * (th + gap), gap + k * (tw + gap)
        out[y0:y0 + th, x0:x0 + tw] = big
    return out


def auto_scale(h: int, target: int = 56) -> int:
    """An integer upscaling that makes an ``h``-pixel tile about ``target`` pixels tall."""
    return max(1, round(target / max(h, 1)))


def filter_tiles(weights: np.ndarray, normalise: Normalise = "per_filter", *,
                 classroom: bool = False, vmax: float | None = None,
                 grey: bool = False) -> list[np.ndarray]:
    """RGB tiles of conv filters (C_out, C_in, kh, kw); input channels are averaged.

    ``grey``: black = most negative, mid grey = 0, white = most positive (ConvNetJS's way,
    and what a printed handout keeps); otherwise the diverging map, white = 0.
    """
    w = np.nan_to_num(np.asarray(weights, dtype=np.float64))
    if w.ndim == 4:
        w = w.mean(axis=1)
    if normalise == "shared":
        scale = np.full((len(w), 1, 1), vmax if vmax is not None else float(np.abs(w).max() or 1))
    else:
        scale = np.abs(w).max(axis=(1, 2), keepdims=True)
        scale[scale == 0] = 1.0
    flat = (w / scale).reshape(-1, w.shape[-1])
    # one colour-map call for all tiles (not one per tile): this runs twice a second
    panel = (Panel("", (flat + 1) / 2, "gray", vmin=0.0, vmax=1.0) if grey
             else Panel("", flat, "signed", vmax=1.0))
    rgb = to_rgb(panel, classroom)
    return list(rgb.reshape(len(w), w.shape[1], w.shape[2], 3))


def _image_trace_figure(rgb: np.ndarray, *, title: str, classroom: bool,
                        height: int | None = None) -> go.Figure:
    fig = go.Figure(go.Image(source=png_data_uri(rgb), hoverinfo="skip"))
    _hide_axes(fig)
    fig.update_layout(title={"text": title, "font": {"size": _font(classroom) + 2}})
    fig.update_yaxes(scaleanchor="x")
    h = height or int(min(620, max(160, rgb.shape[0] * 1.0 + 70)))
    return _layout(fig, classroom, h)


GREY_SCALE = [[0.0, "black"], [1.0, "white"]]


def _filter_legend(vmax: float, normalise: Normalise, grey: bool, lang: str,
                   classroom: bool) -> dict[str, Any]:
    """An invisible trace whose colour bar is the filters' colour legend (right edge)."""
    if normalise == "shared":
        top = float(f"{vmax:.2g}")
        ticks = [-top, 0.0, top]
        text = [f"{-top:g}", "0", f"{top:g}"]
        cmax = vmax
    else:  # each filter on its own scale: the ends are each filter's largest |weight|
        ticks, cmax = [-1.0, 0.0, 1.0], 1.0
        text = [Text("−its max", "−最大值").get(lang), "0", Text("+its max", "+最大值").get(lang)]
    scale = GREY_SCALE if grey else colour_scales(classroom)["signed"]
    bar = {"x": 1.0, "xanchor": "left", "thickness": 12, "outlinewidth": 0, "len": 0.8,
           "tickvals": ticks, "ticktext": text, "tickfont": {"size": _font(classroom) - 2}}
    return {"type": "scatter", "x": [None], "y": [None], "mode": "markers",
            "hoverinfo": "skip", "showlegend": False,
            "marker": {"colorscale": scale, "cmin": -cmax, "cmax": cmax, "color": [0.0],
                       "showscale": True, "colorbar": bar}}


def filters_figure(current: np.ndarray, initial: np.ndarray | None = None, *,
                   normalise: Normalise = "per_filter", lang: str = "en",
                   classroom: bool = False, step: int | None = None,
                   grey: bool = False) -> go.Figure:
    """The first-layer filters now, at the start of training, and what changed (now − start).

    With "shared" normalisation every panel uses one scale (the largest |w| of the three), so
    growth from the small random start is visible; "per filter" shows each one's pattern.
    A colour bar on the right says what the colours mean.
    """
    cur = np.asarray(current, dtype=np.float64)
    panels = [cur]
    if initial is not None:
        start = np.asarray(initial, dtype=np.float64)
        panels += [start, cur - start]
    vmax = max(float(np.abs(np.nan_to_num(p)).max() or 1.0) for p in panels)
    scale = auto_scale(cur.shape[-2], 44 if not classroom else 56)
    cols = math.ceil(math.sqrt(cur.shape[0]))  # square-ish: three panels share one row
    rgbs = [mosaic(filter_tiles(p, normalise, classroom=classroom, vmax=vmax, grey=grey),
                   cols=cols, scale=scale, gap=max(3, scale // 3), gap_rgb=FILTER_GAP_RGB)
            for p in panels]
    # two short lines per title: three panels share a column as narrow as ~590 px (classroom)
    now = Text("now", "现在").get(lang)
    if step is not None:
        now += Text(f"<br>(step {step})", f"<br>（第 {step} 步）").get(lang)
    titles = [now, Text("at the start", "训练开始时").get(lang),
              Text("what changed<br>(now − start)", "变化<br>（现在 − 开始）").get(lang)
              ][:len(panels)]
    layout = _side_by_side(titles, _font(classroom) - (2 if len(panels) > 1 else -2), gap=0.03)
    room = 0.9  # the colour bar and its words take the last tenth
    for k in list(layout):
        if k.startswith(("xaxis", "yaxis")):
            layout[k].update({"visible": False, "showgrid": False, "zeroline": False})
        if k.startswith("xaxis"):
            layout[k]["domain"] = [d * room for d in layout[k]["domain"]]
    for a in layout["annotations"]:
        a["x"] *= room
    # each panel gets about a third of the ~740 px main column (1600 px screen, sidebar and
    # settings open): size the figure to the mosaic's aspect, no band of white above or below
    aspect = rgbs[0].shape[0] / rgbs[0].shape[1]
    panel_px = 760 * room / len(panels)
    layout.update(meta={"step": step, "normalise": normalise, "grey": grey},
                  height=int(min(560, max(200, panel_px * aspect + 110))),
                  margin={"l": 10, "r": 10, "t": 70, "b": 10}, paper_bgcolor="white",
                  plot_bgcolor="white", font={"size": _font(classroom)})
    data: list[dict[str, Any]] = [
        {"type": "image", "source": png_data_uri(rgb), "hoverinfo": "skip",
         "xaxis": "x" if i == 0 else f"x{i + 1}", "yaxis": "y" if i == 0 else f"y{i + 1}"}
        for i, rgb in enumerate(rgbs)]
    data.append(_filter_legend(vmax, normalise, grey, lang, classroom))
    # one constructor call with plain dicts: this figure is rebuilt twice a second
    return go.Figure({"data": data, "layout": layout})


def activation_tiles(maps: np.ndarray, *, classroom: bool = False,
                     max_maps: int = 32) -> list[np.ndarray]:
    """RGB tiles of one image's feature maps (C, H, W), each scaled by its own min..max."""
    a = np.nan_to_num(np.asarray(maps, dtype=np.float64))
    if a.ndim == 4:
        a = a[0]
    a = a[:max_maps]
    if len(a) == 0:
        return []
    lo = a.min(axis=(1, 2), keepdims=True)
    span = a.max(axis=(1, 2), keepdims=True) - lo
    span[span == 0] = 1.0
    norm = (a - lo) / span
    rgb = to_rgb(Panel("", norm.reshape(-1, a.shape[-1]), "input", vmin=0.0, vmax=1.0),
                 classroom)
    return list(rgb.reshape(len(a), a.shape[1], a.shape[2], 3))


def feature_maps_figure(stages: Sequence[tuple[str, np.ndarray]], *, lang: str = "en",
                        classroom: bool = False, max_maps: int = 32,
                        cols: int = 10, shown_px: int = 800) -> go.Figure:
    """Every conv stage's feature maps for one image, one row per stage.

    ``stages`` is ``[(layer name, activations (1, C, H, W) or (C, H, W))]`` as returned by
    ``Trainer.feature_maps``. At most ``max_maps`` channels per stage are drawn.
    """
    titles = []
    rgbs = []
    for name, arr in stages:
        a = np.asarray(arr)
        a = a[0] if a.ndim == 4 else a
        c, h, w = a.shape
        shown = min(c, max_maps)
        more = Text(f", first {shown} shown", f"，显示前 {shown} 个").get(lang) if shown < c else ""
        titles.append(Text(f"{name} → {c} maps of {h}×{w}{more}",
                           f"{name} → {c} 个 {h}×{w} 特征图{more}").get(lang))
        rgbs.append(mosaic(activation_tiles(a, classroom=classroom, max_maps=max_maps),
                           cols=min(shown, cols), scale=auto_scale(h, 48), gap=3))
    # every stage stacked into ONE picture under a white title band (one trace, no subplots:
    # this figure is rebuilt twice a second while training)
    band = 44 if classroom else 36
    width = max((r.shape[1] for r in rgbs), default=1)
    height = sum(band + r.shape[0] for r in rgbs) or 1
    canvas = np.full((height, width, 3), 255, np.uint8)
    fig = go.Figure()
    y = 0
    for title, rgb in zip(titles, rgbs, strict=True):
        fig.add_annotation(x=0, y=y + band / 2, text=title, showarrow=False, xanchor="left",
                           yanchor="middle", xref="x", yref="y",
                           font={"size": _font(classroom)})
        y += band
        canvas[y:y + rgb.shape[0], :rgb.shape[1]] = rgb
        y += rgb.shape[0]
    fig.add_trace(go.Image(source=png_data_uri(canvas), hoverinfo="skip"))
    _hide_axes(fig)
    fig.update_yaxes(scaleanchor="x")
    # shown about ``shown_px`` wide: as tall as the picture's aspect asks
    return _layout(fig, classroom, int(max(160, min(1400, shown_px * height / width + 20))),
                   top=10)


# ----------------------------------------------------------------------------- evaluation


def confusion_figure(confusion: np.ndarray, *, lang: str = "en",
                     classroom: bool = False) -> go.Figure:
    """10×10 counts, rows = true digit, columns = predicted; the diagonal is right."""
    cm = np.asarray(confusion, dtype=np.int64)
    # colour by row share (log-ish), so the few mistakes stand out beside the big diagonal
    row = cm.sum(axis=1, keepdims=True)
    share = np.where(row > 0, cm / np.maximum(row, 1), 0.0)
    z = np.sqrt(share)
    digits = [str(d) for d in range(cm.shape[0])]
    # the page shows it in half the main column: counts sized to fit a cell there
    cell_px = (NARROWEST_PX / 2 - 80) / max(cm.shape[1], 1)
    count_font = fit_font(cell_px, len(str(int(cm.max(initial=0)))), _font(classroom) - 2,
                          least=11)
    fig = go.Figure(go.Heatmap(
        z=z, x=digits, y=digits, text=cm, texttemplate="%{text}", colorscale="Blues",
        showscale=False, textfont={"size": count_font},
        hovertemplate=Text("true %{y}, predicted %{x}: %{text}<extra></extra>",
                           "真实 %{y}，预测 %{x}：%{text}<extra></extra>").get(lang)))
    # every digit labelled; the axis title has its own band under the figure's title
    fig.update_xaxes(title={"text": Text("predicted", "预测").get(lang), "standoff": 6},
                     side="top", type="category", tickvals=digits)
    fig.update_yaxes(title_text=Text("true digit", "真实数字").get(lang), autorange="reversed",
                     type="category", scaleanchor="x", tickvals=digits)
    title = _font(classroom) + 4
    fig.update_layout(title={"text": Text("Confusion matrix", "混淆矩阵").get(lang),
                             "y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 8},
                             "font": {"size": title}})
    # title band + axis title + tick labels above the cells
    top = 8 + int(title * 1.3) + 2 * int(_font(classroom) * 1.4) + 14
    return _layout(fig, classroom, (560 if classroom else 500) + top - 110, top=top, axes=True)


def per_class_figure(per_class: np.ndarray, *, lang: str = "en",
                     classroom: bool = False) -> go.Figure:
    """Accuracy for each digit (NaN where a digit did not occur)."""
    acc = np.asarray(per_class, dtype=np.float64) * 100
    y = [None if not math.isfinite(v) else float(v) for v in acc]
    worst = int(np.nanargmin(acc)) if np.isfinite(acc).any() else -1
    colours = [HIGHLIGHT if i == worst else TRAIN_ACC for i in range(len(y))]
    fig = go.Figure(go.Bar(x=[str(d) for d in range(len(y))], y=y, marker_color=colours,
                           text=[f"{v:.1f}" if v is not None else "" for v in y],
                           textposition="outside"))
    finite = [v for v in y if v is not None]
    lo = max(0.0, min(finite) - 5) if finite else 0.0
    fig.update_yaxes(range=[lo, 101.5], title_text="%", gridcolor="#e5e5e5")
    fig.update_xaxes(title_text=Text("digit", "数字").get(lang), type="category")
    fig.update_layout(title={"text": Text("Accuracy per digit", "各数字的准确率").get(lang)})
    return _layout(fig, classroom, 420, top=60, axes=True)


def mistakes_figure(images: np.ndarray, predicted: Sequence[int], true: Sequence[int], *,
                    lang: str = "en", classroom: bool = False, cols: int = 8) -> go.Figure:
    """Misclassified digits, each labelled "predicted (true)" above it in a mosaic."""
    imgs = np.asarray(images, dtype=np.float64).reshape(-1, 28, 28)
    n = len(imgs)
    if n == 0:
        fig = go.Figure()
        none = Text("No mistakes on these digits.", "这些数字全部正确。")
        fig.add_annotation(text=none.get(lang),
                           showarrow=False, font={"size": _font(classroom) + 4})
        _hide_axes(fig)
        return _layout(fig, classroom, 160)
    scale = 3
    label_h = 22 if not classroom else 28  # blank band above each digit for its label
    tiles = []
    for im in imgs:
        g = (np.clip(im, 0, 1) * 255).astype(np.uint8)
        tile = np.full((28 * scale + label_h, 28 * scale, 3), 255, np.uint8)
        tile[label_h:] = np.repeat(np.repeat(g, scale, 0), scale, 1)[..., None]
        tiles.append(tile)
    gap = 6
    c = min(cols, n)
    rgb = mosaic(tiles, cols=c, scale=1, gap=gap)
    rgb[np.all(rgb == GAP_RGB, axis=-1)] = 255
    fig = go.Figure(go.Image(source=png_data_uri(rgb), hoverinfo="skip"))
    th, tw = tiles[0].shape[:2]
    for i, (p, t) in enumerate(zip(predicted, true, strict=False)):
        r, k = divmod(i, c)
        fig.add_annotation(
            x=gap + k * (tw + gap) + tw / 2, y=gap + r * (th + gap) + label_h / 2,
            text=f"<b style='color:{LOSS_AVG}'>{int(p)}</b> ({int(t)})", showarrow=False,
            font={"size": _font(classroom)}, xref="x", yref="y")
    _hide_axes(fig)
    fig.update_yaxes(scaleanchor="x")
    title = Text("Mistakes: <b>predicted</b> (true)", "错误样例：<b>预测</b>（真实）")
    fig.update_layout(title={"text": title.get(lang)})
    return _layout(fig, classroom, int(min(900, rgb.shape[0] * 1.15 + 70)), top=50)


# ----------------------------------------------------------------------------- one digit


def probability_figure(probs: np.ndarray, *, lang: str = "en",
                       classroom: bool = False) -> go.Figure:
    """Softmax probabilities of the ten digits as bars; the winner highlighted."""
    p = np.nan_to_num(np.asarray(probs, dtype=np.float64).reshape(-1)) * 100
    best = int(np.argmax(p))
    fig = go.Figure(go.Bar(
        x=[str(d) for d in range(len(p))], y=p, text=[f"{v:.1f}%" for v in p],
        textposition="outside", marker_color=[HIGHLIGHT if i == best else TRAIN_ACC
                                              for i in range(len(p))],
        textfont={"size": _font(classroom) - 2}))
    fig.update_yaxes(range=[0, 115], title_text="%", gridcolor="#e5e5e5")
    fig.update_xaxes(title_text=Text("digit", "数字").get(lang), type="category",
                     tickfont={"size": _font(classroom) + 4})
    fig.update_layout(title={"text": Text(f"Prediction: {best} ({p[best]:.1f}%)",
                                          f"预测：{best}（{p[best]:.1f}%）").get(lang)})
    return _layout(fig, classroom, 360 if not classroom else 420, top=60, axes=True)


def digit_figure(image: np.ndarray, *, title: str = "", classroom: bool = False,
                 height: int = 260) -> go.Figure:
    """A 28×28 input as the network sees it (gray, 0 = black), pixels kept square."""
    g = (np.clip(np.nan_to_num(np.asarray(image, dtype=np.float64)), 0, 1) * 255).astype(
        np.uint8)
    g = np.repeat(np.repeat(g, 8, 0), 8, 1)
    rgb = np.repeat(g[..., None], 3, axis=-1)
    return _image_trace_figure(rgb, title=title, classroom=classroom, height=height)
