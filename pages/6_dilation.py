"""Lesson 6: dilation - kernels with gaps, effective size, receptive field and cost."""

import pandas as pd
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import PRESETS, presets_for
from cnnviz.lessons.conv import conv_full, conv_spec
from cnnviz.lessons.dilation import (
    cost_rows,
    effective_size_question,
    footprint,
    receptive_field_question,
    stack_rows,
)
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "dil"
CHANNELS = 64  # channels in and out of the layer whose cost is counted

ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    side = min(12, h, w)
    k = st.slider(ui.tc("kernel_size") + " k", 2, min(3, side), min(3, side), key=f"{K}_k")
    keys = presets_for(k, ("sobel_x", "laplacian", "box", "gaussian", "sharpen"))
    pk = ui.selectbox(
        ui.tc("kernel"), keys,
        format_func=lambda key: ui.t(PRESETS[key].name_en, PRESETS[key].name_zh),
        key=f"{K}_preset_{k}",
    )
    kernel = PRESETS[pk].kernel(k)
    d = st.slider(ui.tc("dilation") + " d", 1, 4, 2, key=f"{K}_d")
    p = st.slider(ui.tc("padding") + " p", 0, 4, 0, key=f"{K}_p")
    layers = st.slider(ui.t("Layers in the stack", "堆叠层数"), 1, 5, 3, key=f"{K}_layers")
    crop = ui.crop_picker(x, side, K)
    ch, cw = crop.array.shape
    ok, why_en, why_zh = formulas.valid_conv_settings(min(ch, cw), k, 1, p, d)

span = int(formulas.effective_kernel_size(k, d))
if not ok:
    st.error(ui.t(why_en, why_zh))
    st.stop()

with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, padding=p, dilation=d)
    ui.plot(
        window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim"
    )
    dense, taps = footprint(kernel, d)
    st.markdown(
        ui.t(
            f"**The footprint:** {k}×{k} weights spread over {span}×{span} pixels "
            "(orange = a tap, 0 = a gap the kernel skips).",
            f"**覆盖范围：** {k}×{k} 个权重分布在 {span}×{span} 个像素上"
            "（橙色 = 权重所在位置，0 = 跳过的空隙）。",
        )
    )
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
vmax = float(max(abs(r1).max(), abs(rd).max())) or 1.0
kind = "signed" if min(r1.min(), rd.min()) < 0 else "input"
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.tc('input')} {h}×{w}", x, "gray" if not img.is_grid else "input"),
        Panel(f"d = 1 → {r1.shape[0]}×{r1.shape[1]}", r1, kind, vmax=vmax),
        Panel(f"d = {d} → {rd.shape[0]}×{rd.shape[1]}", rd, kind, vmax=vmax),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)
st.caption(
    ui.t(
        "The same weights respond to coarser structure when dilated: edges further apart, "
        "and thin lines can fall into the gaps.",
        "同样的权重膨胀后对更粗的结构做出响应：相距更远的边缘；细线可能落在空隙里。",
    )
)

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
st.markdown(
    ui.t(
        f"{layers} layers of {k}×{k}: **{last.rf_dilated}×{last.rf_dilated}** input pixels with "
        f"d = {d}, against **{last.rf_dense}×{last.rf_dense}** without dilation - for the same "
        "weights. Doubling the rate each layer grows the view exponentially "
        f"(**{last.rf_doubling}** after {layers} layers), the trick of WaveNet and DeepLab.",
        f"{layers} 层 {k}×{k} 卷积：d = {d} 时看到 **{last.rf_dilated}×{last.rf_dilated}** 个输入"
        f"像素，不膨胀时只有 **{last.rf_dense}×{last.rf_dense}**——权重一样多。"
        f"每层把膨胀率加倍，视野呈指数增长（{layers} 层后为 **{last.rf_doubling}**），"
        "这是 WaveNet 和 DeepLab 的技巧。",
    )
)

st.subheader(ui.t("Cost against a dense kernel of the same reach",
                  "与覆盖范围相同的稠密卷积核比较代价"))
out_hw = (r1.shape[0], r1.shape[1])
costs = cost_rows(k, d, CHANNELS, out_hw)
names = {"dilated": ui.t(f"{k}×{k}, dilation {d}", f"{k}×{k}，膨胀率 {d}"),
         "dense": ui.t(f"dense {span}×{span}", f"稠密 {span}×{span}")}
st.dataframe(
    pd.DataFrame(
        {
            ui.t("Layer", "层"): [names[c.name] for c in costs],
            ui.t("Weights", "权重数"): [f"{c.params:,}" for c in costs],
            ui.t("Multiply-adds", "乘加次数"): [f"{c.multiply_adds:,}" for c in costs],
        }
    ),
    hide_index=True,
    width="stretch",
)
st.caption(
    ui.t(
        f"{CHANNELS} channels in and out, on a {out_hw[0]}×{out_hw[1]} output, no bias "
        "(formulas.conv_params / conv_multiply_adds). The dilated layer costs "
        f"{costs[0].params / costs[1].params:.0%} of the dense one.",
        f"输入输出各 {CHANNELS} 个通道，输出 {out_hw[0]}×{out_hw[1]}，不含偏置"
        "（formulas.conv_params / conv_multiply_adds）。膨胀卷积的代价是稠密卷积的 "
        f"{costs[0].params / costs[1].params:.0%}。",
    )
)
ui.explain(
    "Dilation inserts d − 1 gaps between the taps, so a k×k kernel reaches k' = d(k − 1) + 1 "
    "pixels but still has k² weights and k² multiply-adds per output. Stacking dilated layers "
    "grows the receptive field fast while the map keeps its full resolution - useful for "
    "segmentation and audio. The catch: with one rate the taps form a grid with holes "
    "(“gridding”), which is why rates are usually varied from layer to layer.",
    "膨胀在权重之间插入 d − 1 个空隙，所以 k×k 的卷积核能覆盖 k' = d(k − 1) + 1 个像素，"
    "但仍然只有 k² 个权重，每个输出也只需 k² 次乘加。堆叠膨胀卷积能在保持特征图分辨率的同时"
    "迅速扩大感受野——适合图像分割和音频。缺点是：只用一种膨胀率时采样点形成带洞的网格"
    "（“网格效应”），所以各层通常使用不同的膨胀率。",
)

st.subheader(ui.tc("check"))
q1 = effective_size_question(ui.lang(), k, d)
ui.quiz(q1.question, q1.options, q1.correct, key=f"{K}_q1_{k}_{d}", explanation=q1.explanation)
q2 = receptive_field_question(ui.lang(), k, d, layers)
ui.quiz(q2.question, q2.options, q2.correct, key=f"{K}_q2_{k}_{d}_{layers}",
        explanation=q2.explanation)
