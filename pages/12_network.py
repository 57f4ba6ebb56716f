"""The whole network at a glance: every layer for one digit, any unit's computation with its
numbers, the architecture, what deeper channels look for, and why the network said what it did."""

import numpy as np
import streamlit as st

from cnnviz import nn, ui
from cnnviz.data.mnist import mnist_arrays
from cnnviz.lessons.network_insight import diagram, saliency, top_patches
from cnnviz.lessons.network_view import (
    LayerTrace,
    compute_unit,
    equation_lines,
    trace_network,
)
from cnnviz.models import model_description
from cnnviz.ui.digit_input import digit_input
from cnnviz.ui.model_choice import choose_model
from cnnviz.viz.heatmaps import GridPanel, number_grid_figure
from cnnviz.viz.network_view import (
    SHORT,
    architecture_figure,
    layers_figure,
    patches_figure,
    saliency_figure,
    shape_text,
)

K = "network"
SLUG = "network"
PATCH_DIGITS = 2000


def _test_images() -> tuple[np.ndarray, np.ndarray]:
    return mnist_arrays("test")


@st.cache_resource(show_spinner=False, max_entries=6)
def _patches(token: str, _model: nn.Module) -> dict:
    """Favourite patches over the first test digits: once per model and weights (``token``)."""
    return top_patches(_model, _test_images()[0][:PATCH_DIGITS])


def _default_unit(t: LayerTrace) -> tuple[int, ...]:
    """The strongest unit of a layer: where the lesson's first screen points."""
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(t.output)), t.output.shape))


def _unit_picker(traces: list[LayerTrace]) -> tuple[int, tuple[int, ...]]:
    """Layer, then channel / row / column (maps) or unit (vectors)."""
    first_conv = next((i for i, t in enumerate(traces) if t.kind == "Conv2d"), 0)
    names = {i: f"{i + 1} · {SHORT.get(t.kind, t.kind)} {shape_text(t.output.shape)}"
             for i, t in enumerate(traces)}
    i = st.selectbox(ui.t("Layer", "层"), list(names), index=first_conv,
                     format_func=names.__getitem__, key=f"{K}_layer")
    t = traces[i]
    best = _default_unit(t)
    if not t.spatial:
        j = st.number_input(ui.t("Unit", "单元"), 0, t.output.size - 1, best[0],
                            key=f"{K}_unit_{i}")
        return i, (int(j),)
    c, h, w = t.output.shape
    cols = st.columns(3)
    ch = cols[0].number_input(ui.t("Channel", "通道"), 0, c - 1, best[0], key=f"{K}_ch_{i}")
    r = cols[1].number_input(ui.t("Row", "行"), 0, h - 1, best[1], key=f"{K}_row_{i}")
    col = cols[2].number_input(ui.t("Column", "列"), 0, w - 1, best[2], key=f"{K}_col_{i}")
    return i, (int(ch), int(r), int(col))


def _show_unit(t: LayerTrace, unit: tuple[int, ...]) -> None:
    """The chosen unit's computation: grids of the window (and kernel) and the written sum."""
    u = compute_unit(t, unit)
    values = {"n": t.input.size, "hidden": u.hidden}
    st.markdown(ui.prose(SLUG, f"unit_{u.kind}", **values))
    grid_col, sum_col = st.columns(2, gap="large")
    with sum_col:
        st.code("\n".join(equation_lines(u)), language=None)
    if u.kind == "conv" and u.window is not None and u.kernel is not None:
        grids = [GridPanel(ui.t(f"window of channel {u.shown_channel}",
                                f"通道 {u.shown_channel} 的窗口"), np.round(u.window, 2)),
                 GridPanel(ui.t("kernel", "卷积核"), np.round(u.kernel, 2), signed=True)]
        with grid_col:
            ui.show_plotly(number_grid_figure(grids, classroom=ui.classroom(), height=300,
                                              width_hint=ui.stage_width() // 3),
                           key=f"{K}_grids")
    elif u.kind in ("max", "mean") and u.window is not None and u.window.size <= 49:
        with grid_col:
            ui.show_plotly(number_grid_figure([GridPanel(ui.t("window", "窗口"),
                                                         np.round(u.window, 2))],
                                              classroom=ui.classroom(), height=260,
                                              width_hint=ui.stage_width() // 3),
                           key=f"{K}_grids")


ui.page_title(__file__)
left, right = st.columns([1, 2.2], gap="large")
with left:
    chosen = choose_model(K)
    st.markdown(model_description(chosen.name, ui.lang()))
    digit = digit_input(K, _test_images, default="mnist")
if digit is None:
    st.info(ui.t("Draw a digit to see it go through the network.",
                 "写一个数字，看它如何穿过网络。"))
    st.stop()
x28 = digit.image
with chosen.reading():
    traces = trace_network(chosen.model, x28)
    why = saliency(chosen.model, x28, traces[-1].input)
    boxes = diagram(chosen.model, per_row=6 if ui.classroom() else 8)
probs = traces[-1].output

with right:
    st.subheader(ui.t("Why did it say that?", "它为什么这么说？"))
    a, b = why.classes
    ui.show_plotly(saliency_figure(why, probs, lang=ui.lang(), classroom=ui.classroom()),
                   key=f"{K}_saliency")
    st.markdown(ui.prose(SLUG, "saliency", a=a, b=b))

st.subheader(ui.t("Every layer at a glance", "一眼看遍每一层"))
unit_col, fig_col = st.columns([1, 2.2], gap="large")
with unit_col:
    layer, unit = _unit_picker(traces)
t = traces[layer]
with fig_col:
    ui.show_plotly(layers_figure(traces, selected=(layer, unit[0]), lang=ui.lang(),
                                 classroom=ui.classroom()), key=f"{K}_layers")
    st.markdown(ui.prose(SLUG, "columns"))
_show_unit(t, unit)

st.subheader(ui.t("The architecture", "网络结构"))
ui.show_plotly(architecture_figure(boxes, lang=ui.lang(), classroom=ui.classroom()),
               key=f"{K}_arch")
st.markdown(ui.prose(SLUG, "architecture"))

st.subheader(ui.t("What do deeper layers look for?", "更深的层在找什么？"))
with chosen.reading():
    found = _patches(chosen.token, chosen.model)
if found:
    layers = list(found)
    p_col, f_col = st.columns([1, 2.2], gap="large")
    with p_col:
        which = st.selectbox(ui.t("Conv layer", "卷积层"), layers, index=len(layers) - 1,
                             key=f"{K}_patch_layer")
        p = found[which]
        n_ch = p.crops.shape[0]
        start = st.number_input(ui.t("First channel", "起始通道"), 0, max(n_ch - 1, 0), 0,
                                key=f"{K}_patch_start_{which}")
        st.markdown(ui.prose(SLUG, "patches", n=PATCH_DIGITS, size=p.field.size))
    with f_col:
        channels = list(range(int(start), min(n_ch, int(start) + 6)))
        ui.show_plotly(patches_figure(p, channels, lang=ui.lang(), classroom=ui.classroom()),
                       key=f"{K}_patches")
