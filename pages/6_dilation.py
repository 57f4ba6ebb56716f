"""Lesson 6: dilation - kernels with gaps, effective size, receptive field and cost."""

import pandas as pd
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import presets_for
from cnnviz.lessons.conv import conv_full, conv_spec
from cnnviz.lessons.dilation import (
    cost_rows,
    effective_size_question,
    footprint,
    receptive_field_question,
    stack_rows,
)
from cnnviz.lessons.scale import shared_scale
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "dil"
CHANNELS = 64  # channels in and out of the layer whose cost is counted

SLUG = ui.page_title(__file__).slug

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    side = min(12, h, w)
    k = ui.slider(ui.tc("kernel_size") + " k", 2, min(3, side), min(3, side), key=f"{K}_k")
    preset = ui.kernel_picker(
        ui.tc("kernel"), presets_for(k, ("sobel_x", "laplacian", "box", "gaussian", "sharpen")),
        key=f"{K}_preset_{k}",
    )
    kernel = preset.kernel(k)
    d = ui.slider(ui.tc("dilation") + " d", 1, 4, 2, key=f"{K}_d")
    p = ui.slider(ui.tc("padding") + " p", 0, 4, 0, key=f"{K}_p")
    layers = ui.slider(ui.t("Layers in the stack", "堆叠层数"), 1, 5, 3, key=f"{K}_layers")
    crop = ui.crop_picker(x, side, K)
    ch, cw = crop.array.shape
    ok, why = formulas.valid_conv_settings(min(ch, cw), k, 1, p, d)

span = int(formulas.effective_kernel_size(k, d))
if not ok:
    st.error(ui.t(why))
    st.stop()

with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, padding=p, dilation=d)
    ui.plot(
        window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim"
    )
    dense, taps = footprint(kernel, d)
    st.markdown(ui.prose(SLUG, "footprint", k=k, span=span))
    ui.formula(formulas.effective_kernel_size_latex(k, d))
    ui.plot(
        number_grid_figure,
        [
            GridPanel(ui.t(f"{k}×{k} kernel", f"{k}×{k} 卷积核"), kernel, signed=True),
            GridPanel(ui.t(f"dilation {d} → {span}×{span}", f"膨胀率 {d} → {span}×{span}"),
                      dense, signed=True, marks=taps),
        ],
        classroom=ui.classroom(),
        height=420 if ui.classroom() else 340,
        key=f"{K}_footprint",
    )

st.subheader(ui.tc("full_result"))
ok_full = formulas.valid_conv_settings(min(h, w), k, 1, p, d)[0]
r1 = conv_full(x, kernel, padding=p)
rd = conv_full(x, kernel, padding=p, dilation=d) if ok_full else r1
scale = shared_scale(r1, rd)
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.tc('input')} {h}×{w}", x, "gray" if not img.is_grid else "input"),
        Panel(f"d = 1 → {r1.shape[0]}×{r1.shape[1]}", r1, *scale),
        Panel(f"d = {d} → {rd.shape[0]}×{rd.shape[1]}", rd, *scale),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)
st.caption(ui.prose(SLUG, "full_caption"))

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_output_size_latex(h, k, 1, p, d))
if w != h:
    ui.formula(formulas.conv_output_size_latex(w, k, 1, p, d))

st.subheader(ui.t("Receptive field of a stack", "堆叠后的感受野"))
rows = stack_rows(k, d, layers)
table = pd.DataFrame(
    {
        ui.t("After layer", "第几层之后"): [r.layer for r in rows],
        ui.t(f"Receptive field, d = {d}", f"感受野，d = {d}"): [r.rf_dilated for r in rows],
        ui.t("Receptive field, d = 1", "感受野，d = 1"): [r.rf_dense for r in rows],
        ui.t("Rates 1, 2, 4, … (that layer's d)", "膨胀率 1, 2, 4, …（该层的 d）"): [
            f"{r.rf_doubling}  (d = {r.doubling_rate})" for r in rows
        ],
    }
)
st.dataframe(table, hide_index=True, width="stretch")
last = rows[-1]
st.markdown(ui.prose(SLUG, "stack", layers=layers, k=k, d=d, rf=last.rf_dilated,
                     rf_dense=last.rf_dense, rf_doubling=last.rf_doubling))

st.subheader(ui.t("Cost against a dense kernel of the same reach",
                  "与覆盖范围相同的稠密卷积核比较代价"))
costs = cost_rows(k, d, CHANNELS, (h, w), p)
names = {"dilated": ui.t(f"{k}×{k}, dilation {d}", f"{k}×{k}，膨胀率 {d}"),
         "dense": ui.t(f"dense {span}×{span}", f"稠密 {span}×{span}")}
st.dataframe(
    pd.DataFrame(
        {
            ui.t("Layer", "层"): [names[c.name] for c in costs],
            ui.t("Output", "输出"): [f"{c.out_hw[0]}×{c.out_hw[1]}" for c in costs],
            ui.t("Weights", "权重数"): [f"{c.params:,}" for c in costs],
            ui.t("Multiply-adds", "乘加次数"): [f"{c.multiply_adds:,}" for c in costs],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption(ui.prose(SLUG, "cost_caption", channels=CHANNELS, h=h, w=w, p=p,
                    ratio=costs[0].params / costs[1].params))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(effective_size_question(k, d), key=f"{K}_q1_{k}_{d}")
ui.quiz(receptive_field_question(k, d, layers), key=f"{K}_q2_{k}_{d}_{layers}")
