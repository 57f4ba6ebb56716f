"""Lesson 1: convolution - a kernel slides, multiplies and adds; correlation vs convolution."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import NOTES, PRESETS
from cnnviz.lessons.conv import (
    NOTES_INPUT,
    conv_spec,
    correlation_and_convolution,
    flip_question,
)
from cnnviz.lessons.quizzes import output_size_question
from cnnviz.lessons.scale import shared_scale
from cnnviz.ui.image_picker import GRID_KEY
from cnnviz.viz.heatmaps import Panel, image_row_figure
from cnnviz.viz.style import signed_colour_names
from cnnviz.viz.window_animation import window_animation_figure

K = "conv"
SLUG = ui.page_title(__file__).slug

if ui.opens_on_page_default():  # nothing picked yet: the notes' 4×4 example
    st.session_state.setdefault(GRID_KEY, NOTES_INPUT.tolist())

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False, default_source="grid")
    x = img.gray
    h, w = img.shape
    preset = ui.kernel_picker(
        ui.t("Kernel preset", "预设卷积核"), [NOTES.key, *PRESETS], key=f"{K}_preset",
        default=NOTES.key if img.is_grid else "sobel_x",
    )
    st.caption(ui.t(preset.does))
    k_max = min(preset.max_size, h, w)
    k_min = min(preset.min_size, k_max)
    k = (
        ui.slider(ui.tc("kernel_size"), k_min, k_max, min(max(3, k_min), k_max), key=f"{K}_k")
        if k_max > k_min
        else k_min
    )
    kernel = preset.kernel(k)
    if ui.toggle(ui.t("Edit the kernel", "编辑卷积核"), key=f"{K}_edit"):
        edited = st.data_editor(
            kernel.astype(np.float64), key=f"{K}_kernel_{preset.key}_{k}", width="stretch"
        )
        kernel, changed = ui.clean_grid(edited)
        if changed:
            st.warning(ui.t("Non-numbers were set to 0.", "非数字已改为 0。"))
    op = ui.radio(
        ui.t("Operation", "运算"),
        ["corr", "conv"],
        format_func=lambda o: (
            ui.t("Cross-correlation (PyTorch's conv2d)", "互相关（PyTorch 的 conv2d）")
            if o == "corr"
            else ui.t("True convolution (kernel flipped 180°)", "真正的卷积（卷积核旋转 180°）")
        ),
        key=f"{K}_op",
    )
    size_max = min(10, h, w)
    crop_size = (
        ui.slider(
            ui.t("Animation crop size", "动画裁剪尺寸"),
            k,
            size_max,
            min(8, size_max),
            key=f"{K}_crop",
        )
        if size_max > k
        else size_max
    )
    crop = ui.crop_picker(x, crop_size, K)

true_conv = op == "conv"
with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, true_conv=true_conv)
    ui.plot(
        window_animation_figure,
        spec,
        lang=ui.lang(),
        classroom=ui.classroom(),
        kernel_title=ui.t("Kernel flipped 180°", "旋转 180° 的卷积核") if true_conv else None,
        key=f"{K}_anim",
    )

st.subheader(ui.tc("full_result"))
both = correlation_and_convolution(x, kernel)
scale = shared_scale(both.correlation, both.convolution, signed=True)
ui.plot(
    image_row_figure,
    [
        Panel(ui.tc("input"), x, "gray" if not img.is_grid else "input"),
        Panel(ui.t("Cross-correlation", "互相关"), both.correlation, *scale),
        Panel(ui.t("True convolution", "真正的卷积"), both.convolution, *scale),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)
st.caption(ui.prose(SLUG, "full_same" if both.same else "full_negated" if both.negated
                    else "full_differ", colours=signed_colour_names(ui.classroom())))

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_output_size_latex(h, k, 1, 0, 1))
if w != h:
    ui.formula(formulas.conv_output_size_latex(w, k, 1, 0, 1))
ho, wo = both.correlation.shape
st.markdown(ui.prose(SLUG, "sizes", h=h, w=w, k=k, ho=ho, wo=wo))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(output_size_question(w, k), key=f"{K}_q1_{w}_{k}")
ui.quiz(flip_question(both.relation), key=f"{K}_q2_{preset.key}_{k}")
