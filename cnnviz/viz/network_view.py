"""Figures of the whole-network lesson (plotly, no Streamlit): every layer as a column of its
maps or units, the architecture drawn from the model's boxes, a channel's favourite patches
and the saliency of the two likeliest classes.

Pictures are PNG mosaics (one light image per figure, as the training figures) with their
titles as annotations, so a 22-layer column view stays one image for the browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from cnnviz.i18n import Text
from cnnviz.lessons.network_insight import Diagram, Patches, Saliency
from cnnviz.lessons.network_view import SOFTMAX, LayerTrace
from cnnviz.viz.heatmaps import Panel, png_data_uri, to_rgb
from cnnviz.viz.style import HIGHLIGHT, NARROWEST_PX
from cnnviz.viz.training import activation_tiles, mosaic

SHORT = {"Conv2d": "Conv", "ReLU": "ReLU", "MaxPool2d": "MaxPool", "AvgPool2d": "AvgPool",
         "BatchNorm2d": "BN", "Flatten": "Flatten", "Linear": "FC", SOFTMAX: "Softmax",
         "LocalResponseNorm": "LRN", "Sigmoid": "Sigmoid", "GlobalAvgPool2d": "GAP",
         "Add": "+", "Tanh": "Tanh"}
KIND_COLOUR = {"Conv2d": "#cfe2f3", "Linear": "#d9ead3", "MaxPool2d": "#fff2cc",
               "AvgPool2d": "#fff2cc", "GlobalAvgPool2d": "#fff2cc", "BatchNorm2d": "#ead1dc",
               "Add": "#fce5cd"}
TILE = 44  # px of one map or unit in the column view
GAP = 40


def _font(classroom: bool) -> int:
    return 16 if classroom else 13


def shape_text(shape: tuple[int, ...]) -> str:
    """(30, 24, 24) → "30×24×24"."""
    return "×".join(str(d) for d in shape)


def _unit_tiles(v: np.ndarray, shown: np.ndarray, classroom: bool) -> list[np.ndarray]:
    vmax = float(np.abs(v).max() or 1.0)
    rgb = to_rgb(Panel("", v[shown][:, None], "signed", vmax=vmax), classroom)
    return [np.repeat(np.repeat(c[:, None], TILE, 0), TILE, 1)[:TILE, :TILE] for c in rgb]


def column_units(t: LayerTrace, most: int) -> np.ndarray:
    """The units a column shows: all of a ≤ 10-unit layer in order, else the ``most`` largest."""
    v = t.output.ravel() if not t.spatial else np.arange(len(t.output))
    if t.spatial:
        return v[:most]
    if v.size <= 10:
        return np.arange(v.size)
    return np.argsort(-v, kind="stable")[:most]


def _column(t: LayerTrace, most: int, classroom: bool) -> tuple[np.ndarray, np.ndarray]:
    shown = column_units(t, most)
    if t.spatial:
        tiles = activation_tiles(t.output[shown], classroom=classroom, max_maps=most)
        side = t.output.shape[-1]
        scale = max(1, int(np.ceil(TILE / side)))
        tiles = [np.repeat(np.repeat(x, scale, 0), scale, 1) for x in tiles]
        tiles = [np.asarray(Image.fromarray(x).resize((TILE, TILE), Image.NEAREST))
                 for x in tiles]
    else:
        tiles = _unit_tiles(t.output.ravel(), shown, classroom)
    return mosaic(tiles, cols=1, gap=2), shown


def layers_figure(traces: Sequence[LayerTrace], *, selected: tuple[int, int] | None = None,
                  lang: str = "en", classroom: bool = False, most: int = 8,
                  per_row: int | None = None) -> go.Figure:
    """Every layer a column: its first ``most`` maps (each on its own min..max) or its
    largest units (signed colours; a ≤ 10-unit layer in full), titled with kind, shape and
    how many are hidden. ``selected`` = (column, map/unit) is outlined in the highlight."""
    per_row = per_row or (6 if classroom else 8)
    font = _font(classroom)
    cols = [_column(t, most, classroom) for t in traces]
    band = int(font * 1.3 * 3 + 10)
    rows = [list(range(i, min(i + per_row, len(traces)))) for i in range(0, len(traces), per_row)]
    col_h = max(c[0].shape[0] for c in cols)
    width = per_row * (TILE + 4 + GAP)
    img = np.full((len(rows) * (band + col_h), width, 3), 255, np.uint8)
    notes, shapes = [], []
    for r, idx in enumerate(rows):
        y0 = r * (band + col_h) + band
        for k, i in enumerate(idx):
            pic, shown = cols[i]
            x0 = k * (TILE + 4 + GAP) + GAP // 2
            img[y0:y0 + pic.shape[0], x0:x0 + pic.shape[1]] = pic
            t = traces[i]
            total = len(t.output) if t.spatial else t.output.size
            hidden = total - len(shown)
            title = f"<b>{SHORT.get(t.kind, t.kind)}</b><br>{shape_text(t.output.shape)}"
            if hidden:
                title += f"<br>+{hidden}"
            notes.append({"text": title, "x": x0 + pic.shape[1] / 2, "y": y0 - 4,
                          "xref": "x", "yref": "y", "showarrow": False, "yanchor": "bottom",
                          "font": {"size": font}})
            if selected is not None and selected[0] == i:
                hit = np.flatnonzero(shown == selected[1])
                shapes.append(_outline(x0, y0, pic.shape[1], pic.shape[0], 2))
                if hit.size:
                    ty = y0 + 2 + int(hit[0]) * (TILE + 2)
                    shapes.append(_outline(x0 + 2, ty, TILE, TILE, 4))
    fig = go.Figure(go.Image(source=png_data_uri(img), hoverinfo="skip"))
    fig.update_xaxes(visible=False, range=[0, width])
    fig.update_yaxes(visible=False, scaleanchor="x", range=[img.shape[0], 0])
    fig.update_layout(annotations=notes, shapes=shapes, height=int(img.shape[0] *
                      min(1.0, NARROWEST_PX / width)) + 20,
                      margin={"l": 0, "r": 0, "t": 10, "b": 10}, paper_bgcolor="white")
    return fig


def _outline(x: float, y: float, w: float, h: float, width: int) -> dict[str, object]:
    return {"type": "rect", "x0": x - 1, "y0": y - 1, "x1": x + w + 1, "y1": y + h + 1,
            "xref": "x", "yref": "y", "line": {"color": HIGHLIGHT, "width": width}}


# ----------------------------------------------------------------------------- diagram
def architecture_figure(d: Diagram, *, lang: str = "en", classroom: bool = False
                        ) -> go.Figure:
    """The model's boxes row by row with arrows; a residual block's shortcut arcs over its
    row into the "+" box, labelled with what it does."""
    font = _font(classroom)
    per_row = max(sum(b.row == r for b in d.boxes) for r in {b.row for b in d.boxes})
    pos: list[tuple[float, float]] = []
    count: dict[int, int] = {}
    for b in d.boxes:
        k = count.get(b.row, 0)
        count[b.row] = k + 1
        pos.append((k + 0.5, -b.row * 1.6))
    shapes, notes = [], []
    for i, (b, (x, y)) in enumerate(zip(d.boxes, pos)):
        shapes.append({"type": "rect", "x0": x - 0.45, "x1": x + 0.45, "y0": y - 0.4,
                       "y1": y + 0.4, "fillcolor": KIND_COLOUR.get(b.kind, "#eeeeee"),
                       "line": {"color": "#555555", "width": 1}})
        name = SHORT.get(b.kind, b.kind)
        text = f"<b>{name}</b><br>{b.detail}<br>" if b.detail else f"<b>{name}</b><br>"
        notes.append({"x": x, "y": y, "text": text + shape_text(b.out_shape),
                      "showarrow": False, "font": {"size": font - 2}})
        if i and d.boxes[i - 1].row == b.row:
            px, py = pos[i - 1]
            notes.append(_arrow(px + 0.45, py, x - 0.45, y))
        elif i:
            px, py = pos[i - 1]
            shapes.append({"type": "path", "line": {"color": "#888888", "width": 1.5},
                           "path": f"M {px + 0.45},{py} L {px + 0.5},{py} L {px + 0.5},"
                                   f"{py - 0.8} L 0.02,{py - 0.8} L 0.02,{y} L {x - 0.45},{y}"})
    for a, b, label in d.skips:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        x1 = x1 if y1 == y2 else 0.05
        top = y2 + 0.62
        shapes.append({"type": "path", "line": {"color": HIGHLIGHT, "width": 3},
                       "path": f"M {x1},{y2 + 0.4} L {x1},{top} L {x2},{top} L {x2},{y2 + 0.4}"})
        skip = Text("skip", "捷径").get(lang)
        notes.append({"x": (x1 + x2) / 2, "y": top, "text": f"{skip}: {label}",
                      "showarrow": False, "yanchor": "bottom", "bgcolor": "white",
                      "font": {"size": font - 2, "color": "#b35900"}})
    n_rows = len({b.row for b in d.boxes})
    fig = go.Figure()
    fig.update_xaxes(visible=False, range=[-0.05, per_row + 0.05])
    fig.update_yaxes(visible=False, range=[-(n_rows - 1) * 1.6 - 0.6, 1.1 if d.skips else 0.6])
    fig.update_layout(shapes=shapes, annotations=notes, height=int(110 * n_rows + 40),
                      margin={"l": 0, "r": 0, "t": 5, "b": 5}, paper_bgcolor="white",
                      plot_bgcolor="white")
    return fig


def _arrow(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
            "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2, "arrowwidth": 1.5,
            "arrowcolor": "#555555"}


# ----------------------------------------------------------------------------- patches
def patches_figure(p: Patches, channels: Sequence[int], *, lang: str = "en",
                   classroom: bool = False) -> go.Figure:
    """One row per channel: its favourite test crops (bright = ink), strongest first."""
    size = p.crops.shape[-1]
    scale = max(1, round(48 / size))
    tiles = [to_rgb(Panel("", c, "gray"), classroom) for ch in channels for c in p.crops[ch]]
    img = mosaic(tiles, cols=p.crops.shape[1], scale=scale, gap=4)
    font = _font(classroom)
    row_h = (img.shape[0] - 4) / max(len(channels), 1)
    notes = [{"text": Text(f"channel {ch}", f"通道 {ch}").get(lang), "x": -6,
              "y": 4 + (k + 0.5) * row_h, "xref": "x", "yref": "y", "xanchor": "right",
              "showarrow": False, "font": {"size": font}} for k, ch in enumerate(channels)]
    fig = go.Figure(go.Image(source=png_data_uri(img), hoverinfo="skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    title = Text(f"Layer {p.layer}: each channel's {p.crops.shape[1]} favourite "
                 f"{size}×{size} input patches", f"第 {p.layer} 层：每个通道最喜欢的 "
                 f"{p.crops.shape[1]} 个 {size}×{size} 输入小块").get(lang)
    fig.update_layout(title={"text": title, "font": {"size": font + 2}}, annotations=notes,
                      height=int(min(700, img.shape[0] * min(1.0, 520 / img.shape[1]) + 90)),
                      margin={"l": 110, "r": 5, "t": 60, "b": 5}, paper_bgcolor="white")
    return fig


# ----------------------------------------------------------------------------- saliency
def saliency_figure(s: Saliency, probs: np.ndarray, *, lang: str = "en",
                    classroom: bool = False) -> go.Figure:
    """The input, |gradient| of the top class, and gradient × input for the two likeliest
    classes side by side (red: this ink pushes the class up; blue: it speaks against it)."""
    a, b = s.classes
    panels = [
        (Text("input", "输入").get(lang), to_rgb(Panel("", s.image, "gray"), classroom)),
        (Text(f"|gradient|<br>for {a}", f"{a} 的<br>|梯度|").get(lang),
         to_rgb(Panel("", np.abs(s.gradients[0]), "gray", 0.0,
                      float(np.abs(s.gradients[0]).max() or 1)), classroom)),
    ]
    vmax = float(max(np.abs(s.evidence(0)).max(), np.abs(s.evidence(1)).max()) or 1.0)
    for i, c in enumerate((a, b)):
        panels.append((Text(f"evidence for {c}<br>({probs[c]:.0%})",
                            f"支持 {c} 的证据<br>（{probs[c]:.0%}）").get(lang),
                       to_rgb(Panel("", s.evidence(i), "signed", vmax=vmax), classroom)))
    tiles = [np.repeat(np.repeat(rgb, 6, 0), 6, 1) for _, rgb in panels]
    img = mosaic(tiles, cols=len(tiles), gap=12, gap_rgb=(255, 255, 255))
    font = _font(classroom)
    notes = [{"text": title, "x": 12 + (k + 0.5) * (168 + 12) - 6, "y": -4, "xref": "x",
              "yref": "y", "yanchor": "bottom", "showarrow": False, "font": {"size": font}}
             for k, (title, _) in enumerate(panels)]
    fig = go.Figure(go.Image(source=png_data_uri(img), hoverinfo="skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", range=[img.shape[0], -2.6 * font * 1.3])
    fig.update_layout(annotations=notes, height=300 if classroom else 260,
                      margin={"l": 0, "r": 0, "t": 10, "b": 0}, paper_bgcolor="white")
    return fig
