"""Lesson 5: pooling - max and average, window, stride, padding; what max pooling keeps."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.lessons.pooling import (
    first_window_question,
    max_positions,
    pool_full,
    pool_size_question,
    pool_spec,
    shift_demo,
)
from cnnviz.viz.heatmaps import Panel, image_row_figure
from cnnviz.viz.pooling import pool_animation_figure

K = "pool"
ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    kind = ui.radio(
        ui.t("Pooling", "池化方式"),
        ["max", "avg"],
        format_func=lambda v: ui.t("Max", "最大") if v == "max" else ui.t("Average", "平均"),
        horizontal=True,
        key=f"{K}_kind",
    )
    side = min(8, h, w)
    k_max = max(2, min(4, side))
    k = st.slider(ui.t("Window k", "窗口 k"), 2, k_max, 2, key=f"{K}_k") if k_max > 2 else 2
    s = st.slider(ui.tc("stride") + " s", 1, k + 1, k, key=f"{K}_s")
    # PyTorch: pooling padding is at most half the window (p <= k/2)
    p = st.slider(ui.tc("padding") + " p", 0, k // 2, 0, key=f"{K}_p")
    crop = ui.crop_picker(x, side, K)
    ok, why_en, why_zh = formulas.valid_pool_settings(min(crop.array.shape), k, s, p)

if not ok:
    st.error(ui.t(why_en, why_zh))
    st.stop()

spec = pool_spec(crop.array, kind, k, s, p)
with right:
    st.subheader(ui.tc("animation"))
    argmax = max_positions(crop.array, k, s, p) if kind == "max" else None
    ui.plot(
        pool_animation_figure, spec, argmax, lang=ui.lang(), classroom=ui.classroom(),
        key=f"{K}_anim",
    )
    if kind == "max":
        st.caption(
            ui.t(
                "Orange: the window. Magenta square: where its maximum is (the engine's "
                "max_pool2d_with_indices) - the only pixel the gradient flows back to. "
                "Max pooling pads with −∞, so padding never wins.",
                "橙色：窗口。洋红色方框：窗口最大值所在位置（引擎的 max_pool2d_with_indices）"
                "——反向传播时梯度只流回这个像素。最大池化用 −∞ 填充，所以填充永远不会被选中。",
            )
        )
    else:
        st.caption(
            ui.t(
                "Average pooling pads with 0 and, as PyTorch by default, divides by the whole "
                f"window ({k}×{k} = {k * k}), padding included.",
                f"平均池化用 0 填充，并且与 PyTorch 默认一致，除以整个窗口的大小（{k}×{k} = "
                f"{k * k}），包括填充。",
            )
        )

st.subheader(ui.tc("full_result"))
mx = pool_full(x, "max", k, s, p)
av = pool_full(x, "avg", k, s, p)
in_kind = "gray" if not img.is_grid else "input"
lo, hi = float(x.min()), float(x.max())
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.tc('input')} {h}×{w}", x, in_kind),
        Panel(f"{ui.t('Max', '最大')} → {mx.shape[0]}×{mx.shape[1]}", mx, in_kind, lo, hi),
        Panel(f"{ui.t('Average', '平均')} → {av.shape[0]}×{av.shape[1]}", av, in_kind, lo, hi),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)

st.subheader(ui.tc("output_size"))
ui.formula(formulas.pool_output_size_latex(h, k, s, p))
if w != h:
    ui.formula(formulas.pool_output_size_latex(w, k, s, p))
st.markdown(
    ui.t(
        f"Input **{h}×{w}**, window **{k}×{k}**, stride **{s}**, padding **{p}** → output "
        f"**{mx.shape[0]}×{mx.shape[1]}** (the same formula as a convolution; PyTorch's stride "
        "defaults to the window).",
        f"输入 **{h}×{w}**，窗口 **{k}×{k}**，步幅 **{s}**，填充 **{p}** → 输出 "
        f"**{mx.shape[0]}×{mx.shape[1]}**（与卷积的公式相同；PyTorch 中步幅默认等于窗口大小）。",
    )
)

st.subheader(ui.t("Shift the image by one pixel", "把图像平移一个像素"))
shift_max = shift_demo(x, "max", k, s, p)
shift_avg = shift_demo(x, "avg", k, s, p)
shown = shift_max if kind == "max" else shift_avg
ui.plot(
    image_row_figure,
    [
        Panel(ui.t("Pooled", "池化结果"), shown.pooled, in_kind, lo, hi),
        Panel(ui.t("Pooled, image shifted 1 px", "图像平移 1 像素后池化"),
              shown.pooled_shifted, in_kind, lo, hi),
        Panel(ui.t("Unchanged cells (white)", "未变化的格子（白色）"),
              shown.equal.astype(np.float32), "gray"),
    ],
    classroom=ui.classroom(),
    key=f"{K}_shift",
)
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("Pixels unchanged", "像素未变"), f"{shift_max.pixel_fraction:.0%}")
c2.metric(ui.t("Max-pooled cells unchanged", "最大池化格子未变"), f"{shift_max.fraction:.0%}")
c3.metric(ui.t("Average-pooled cells unchanged", "平均池化格子未变"), f"{shift_avg.fraction:.0%}")
ui.explain(
    "Moving the image one pixel changes every pixel along an edge or a texture, but a "
    "window's **maximum** often stays the same: the brightest pixel is still inside the "
    "window. That is the small **translation invariance** max pooling buys. The mean moves "
    "with every pixel, so average pooling keeps fewer cells exactly equal. On flat areas "
    "both stay put; on fine texture neither does - the invariance is only for small shifts.",
    "把图像移动一个像素，边缘和纹理上的每个像素都会改变，但窗口的**最大值**常常不变："
    "最亮的像素仍在窗口里。"
    "这就是最大池化带来的少量**平移不变性**。平均值会随每个像素变化，所以平均池化完全不变的格子"
    "更少。平坦区域两者都不变；细密纹理上两者都会变——这种不变性只对小的平移成立。",
)

st.subheader(ui.tc("check"))
q1 = pool_size_question(ui.lang(), w, k, s, p)
ui.quiz(q1.question, q1.options, q1.correct, key=f"{K}_q1_{w}_{k}_{s}_{p}",
        explanation=q1.explanation)
q2 = first_window_question(ui.lang(), spec)
ui.quiz(q2.question, q2.options, q2.correct,
        key=f"{K}_q2_{kind}_{k}_{s}_{p}_{crop.top}_{crop.left}", explanation=q2.explanation)
