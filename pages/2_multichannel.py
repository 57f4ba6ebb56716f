"""Lesson 2: multi-channel convolution - one kernel per input channel, partial sums + bias."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import presets_for
from cnnviz.lessons.conv import conv_spec
from cnnviz.lessons.multichannel import (
    DEFAULT_FILTERS,
    RGB,
    filters_from_kernels,
    multichannel_conv,
    out_channels_question,
    params_question,
)
from cnnviz.lessons.scale import shared_scale
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "mc"

SLUG = ui.page_title(__file__).slug

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, force_color=True)
    x = img.channels()  # (3, H, W)
    h, w = img.shape
    n_filters = ui.slider(ui.t("Number of filters", "滤波器个数"), 1, 3, 2, key=f"{K}_nf")
    k = ui.slider(ui.tc("kernel_size"), 3, min(5, h, w), 3, key=f"{K}_k") if min(h, w) > 3 else 3
    kernels, channel_weights, biases = [], [], []
    for f in range(n_filters):
        preset_key, default_w, default_b = DEFAULT_FILTERS[f]
        with st.expander(f"{ui.tc('filter')} {f + 1}", expanded=f == 0):
            preset = ui.kernel_picker(
                ui.t("Kernel shape", "卷积核形状"), presets_for(k), key=f"{K}_preset{f}",
                default=preset_key,
            )
            cols = st.columns(3)
            weights_f = []
            for c, name in enumerate(RGB):
                with cols[c]:
                    weights_f.append(ui.number_input(
                        "× " + ui.t(name), -2.0, 2.0, default_w[c], 0.5, key=f"{K}_w{f}{c}"))
            channel_weights.append(weights_f)
            biases.append(ui.slider(ui.tc("bias"), -1.0, 1.0, default_b, 0.1, key=f"{K}_b{f}"))
        kernels.append(preset.kernel(k))
    weight = filters_from_kernels(kernels, channel_weights)  # (F, 3, k, k)
    bias = np.asarray(biases, np.float32)
    fsel = ui.radio(
        ui.t("Animate filter", "动画显示滤波器"),
        list(range(n_filters)),
        format_func=lambda f: f"{ui.tc('filter')} {f + 1}",
        horizontal=True,
        key=f"{K}_fsel",
    )
    csel = ui.radio(
        ui.t("…on channel", "……的通道"),
        [0, 1, 2],
        format_func=lambda c: ui.t(RGB[c]),
        horizontal=True,
        key=f"{K}_csel",
    )
    crop = ui.crop_picker(x.transpose(1, 2, 0), min(6, h, w), K)
    xc = crop.array.transpose(2, 0, 1)

res_crop = multichannel_conv(xc, weight, bias)
with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(xc[csel], weight[fsel, csel])
    ui.plot(
        window_animation_figure,
        spec,
        lang=ui.lang(),
        classroom=ui.classroom(),
        input_title=f"{ui.tc('input')} · {ui.t(RGB[csel])}",
        output_title=ui.t("Partial sum (", "部分和（") + ui.t(RGB[csel]) + ui.t(")", "）"),
        key=f"{K}_anim",
    )
    st.markdown(ui.prose(SLUG, "partials", n=fsel + 1))
    ho, wo = res_crop.output.shape[1:]
    grids = [GridPanel(ui.t(RGB[c]), res_crop.partials[fsel, c], signed=True) for c in range(3)] + [
        GridPanel(ui.tc("bias"), np.full((ho, wo), bias[fsel], np.float32), signed=True),
        GridPanel(ui.tc("output"), res_crop.output[fsel], signed=True),
    ]
    ui.plot(
        number_grid_figure, grids, classroom=ui.classroom(), width_hint=800, key=f"{K}_sum"
    )

st.subheader(ui.tc("full_result"))
res = multichannel_conv(x, weight, bias)
scale = shared_scale(res.output, signed=True)
panels = [Panel(ui.tc("input"), img.rgb, "rgb")] + [
    Panel(f"{ui.tc('filter')} {f + 1}", res.output[f], *scale) for f in range(n_filters)
]
ui.plot(image_row_figure, panels, classroom=ui.classroom(), key=f"{K}_full")
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.t(RGB[c])} · {ui.t('partial', '部分和')}", res.partials[fsel, c], *scale)
        for c in range(3)
    ],
    classroom=ui.classroom(),
    height=320,
    key=f"{K}_partials",
)

st.subheader(ui.t("Shapes and parameters", "形状与参数量"))
ui.formula(formulas.conv_shapes_latex(3, n_filters, k, ui.lang()))
ui.formula(formulas.conv_output_size_latex(h, k, 1, 0, 1))
f_out, ho, wo = res.output.shape
st.markdown(ui.prose(SLUG, "sizes", h=h, w=w, f=f_out, ho=ho, wo=wo))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(params_question(n_filters, k), key=f"{K}_q1_{n_filters}_{k}")
ui.quiz(out_channels_question(f_out), key=f"{K}_q2_{n_filters}")
