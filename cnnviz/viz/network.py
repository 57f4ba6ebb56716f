"""Figures and tables of the trained-network explorer (plotly, no Streamlit).

Conv weights of deeper layers have many input channels: ``kernel_grid_figure`` draws them
as an out × in grid of kernels (one row per filter), one PNG mosaic like the training
figures, so a 32×16 grid of 3×3 kernels stays a single light image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from cnnviz.i18n import Text
from cnnviz.lessons.architectures import ArchNumbers
from cnnviz.summary import LayerRow
from cnnviz.viz.heatmaps import Panel, png_data_uri, to_rgb
from cnnviz.viz.training import (
    FILTER_GAP_RGB,
    TEST_ACC,
    TRAIN_ACC,
    auto_scale,
    filter_tiles,
    mosaic,
)


def kernel_grid_figure(weight: np.ndarray, *, title: str, lang: str = "en",
                       classroom: bool = False, max_out: int = 32,
                       max_in: int = 16) -> go.Figure:
    """A conv weight (C_out, C_in, kh, kw) as rows of filters × columns of input channels.

    Each filter (a row) is scaled by its own largest |w|: white = 0, red +, blue −.
    """
    w = np.nan_to_num(np.asarray(weight, dtype=np.float64))
    c_out, c_in, kh, kw = w.shape
    font = 22 if classroom else 16
    if c_in == 1:  # a first layer: one kernel per filter, laid out as a grid
        shown_n = min(c_out, max_out * 2)
        rgb = mosaic(filter_tiles(w[:shown_n], "per_filter", classroom=classroom),
                     scale=auto_scale(kh, 40), gap=4, gap_rgb=FILTER_GAP_RGB)
        fig = go.Figure(go.Image(source=png_data_uri(rgb), hoverinfo="skip"))
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False, scaleanchor="x")
        sub = Text(f"{shown_n} of {c_out} filters, {kh}×{kw} each, on 1 input channel",
                   f"{c_out} 个滤波器中的 {shown_n} 个，每个 {kh}×{kw}，1 个输入通道").get(lang)
        fig.update_layout(title={"text": f"{title}<br><sup>{sub}</sup>",
                                 "font": {"size": font + 2}},
                          height=int(min(560, max(220, 420 * rgb.shape[0] / rgb.shape[1] + 90))),
                          margin={"l": 5, "r": 5, "t": 80, "b": 5}, paper_bgcolor="white",
                          plot_bgcolor="white")
        return fig
    w = w[:max_out, :max_in]
    scale = auto_scale(max(kh, kw), 30 if kh <= 3 else 40)
    gap = 2
    th, tw = kh * scale, kw * scale
    rows, cols = w.shape[:2]
    row_gap = 3 * gap if cols > 1 else gap
    out = np.empty((rows * th + (rows + 1) * row_gap, cols * tw + (cols + 1) * gap, 3), np.uint8)
    out[:] = FILTER_GAP_RGB
    for r in range(rows):
        v = float(np.abs(w[r]).max() or 1.0)
        for c in range(cols):
            rgb = to_rgb(Panel("", w[r, c], "signed", vmax=v), classroom)
            big = np.repeat(np.repeat(rgb, scale, 0), scale, 1)
            y0, x0 = row_gap + r * (th + row_gap), gap + c * (tw + gap)
            out[y0:y0 + th, x0:x0 + tw] = big
    fig = go.Figure(go.Image(source=png_data_uri(out), hoverinfo="skip"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    shown = Text(f"{rows} of {c_out} filters × {cols} of {c_in} input channels, "
                       f"{kh}×{kw} each",
                 f"{c_out} 个滤波器中的 {rows} 个 × {c_in} 个输入通道中的 {cols} 个，"
                 f"每个 {kh}×{kw}").get(lang)
    fig.update_layout(
        title={"text": f"{title}<br><sup>{shown}</sup>", "font": {"size": font + 2}},
        height=int(min(700, max(200, out.shape[0] * min(1.0, 700 / max(out.shape[1], 1)) + 90))),
        margin={"l": 5, "r": 5, "t": 80, "b": 5}, paper_bgcolor="white", plot_bgcolor="white")
    return fig


def layer_table(rows: Sequence[LayerRow], lang: str = "en") -> list[dict[str, object]]:
    """Rows for a table of layers: name, type, output shape, parameters, multiply-adds."""
    return [{
        Text("Layer", "层").get(lang): r.name,
        Text("Type", "类型").get(lang): r.kind,
        Text("Output shape", "输出形状").get(lang): "×".join(str(d) for d in r.output_shape),
        Text("Parameters", "参数").get(lang): r.params,
        Text("Multiply-adds", "乘加次数").get(lang): r.multiply_adds,
    } for r in rows]


def fc_comparison_figure(numbers: Sequence[ArchNumbers], labels: Sequence[str], *,
                         lang: str = "en", classroom: bool = False) -> go.Figure:
    """Parameters of each CNN beside its fully connected twin (log scale: they differ 30-600×).

    Horizontal bars: every count gets its own row, so the labels never run into each other
    on a narrow projected stage.
    """
    font = 22 if classroom else 16
    names = list(labels)[::-1]  # plotly draws the first category at the bottom
    rows = list(numbers)[::-1]
    fig = go.Figure([
        go.Bar(name=Text("fully connected, same layer sizes", "全连接（层大小相同）").get(lang),
               y=names, x=[n.dense_twin_params for n in rows], orientation="h",
               marker_color=TEST_ACC, text=[f"{n.dense_twin_params:,}" for n in rows],
               textposition="outside", cliponaxis=False),
        go.Bar(name=Text("CNN", "卷积网络").get(lang), y=names, x=[n.params for n in rows],
               orientation="h", marker_color=TRAIN_ACC, text=[f"{n.params:,}" for n in rows],
               textposition="outside", cliponaxis=False),
    ])
    top = max(max(n.dense_twin_params, n.params) for n in numbers) if numbers else 10
    low = min(n.params for n in numbers) if numbers else 1
    # room to the right of the longest bar for its label (about one decade on this scale)
    fig.update_xaxes(type="log", title_text=Text("parameters (log scale)",
                                                 "参数（对数刻度）").get(lang), gridcolor="#e5e5e5",
                     range=[np.log10(low) - 0.5, np.log10(top) + 1.2])
    fig.update_yaxes(automargin=True)
    fig.update_layout(barmode="group", height=140 + (110 if classroom else 90) * len(names),
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      font={"size": font}, bargap=0.25,
                      margin={"l": 10, "r": 20, "t": 70, "b": 60}, paper_bgcolor="white",
                      plot_bgcolor="white", uniformtext={"minsize": font - 6, "mode": "show"})
    return fig
