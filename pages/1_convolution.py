"""Lesson 1: convolution - a kernel slides, multiplies and adds; correlation vs convolution."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import PRESETS
from cnnviz.lessons.conv import conv_full, conv_spec
from cnnviz.lessons.quizzes import output_size_question
from cnnviz.viz.heatmaps import Panel, image_row_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "conv"
ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    keys = list(PRESETS)
    preset = PRESETS[
        ui.selectbox(
            ui.t("Kernel preset", "预设卷积核"),
            keys,
            index=keys.index("sobel_x"),
            format_func=lambda k: ui.t(PRESETS[k].name_en, PRESETS[k].name_zh),
            key=f"{K}_preset",
        )
    ]
    st.caption(ui.t(preset.does_en, preset.does_zh))
    k_max = min(preset.max_size, h, w)
    k_min = min(preset.min_size, k_max)
    k = (
        st.slider(ui.tc("kernel_size"), k_min, k_max, min(max(3, k_min), k_max), key=f"{K}_k")
        if k_max > k_min
        else k_min
    )
    kernel = preset.kernel(k)
    if st.toggle(ui.t("Edit the kernel", "编辑卷积核"), key=f"{K}_edit"):
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
        st.slider(
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
corr = conv_full(x, kernel)
conv = conv_full(x, kernel, true_conv=True)
vmax = float(max(np.abs(corr).max(), np.abs(conv).max())) or 1.0
ui.plot(
    image_row_figure,
    [
        Panel(ui.tc("input"), x, "gray" if not img.is_grid else "input"),
        Panel(ui.t("Cross-correlation", "互相关"), corr, "signed", vmax=vmax),
        Panel(ui.t("True convolution", "真正的卷积"), conv, "signed", vmax=vmax),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)
same = bool(np.allclose(corr, conv, atol=1e-6))
st.caption(
    ui.t(
        "Blue = negative, white = 0, red = positive. "
        + (
            "Here both are identical: this kernel looks the same turned 180°."
            if same
            else "They differ: this kernel is not symmetric under a 180° turn."
        ),
        "蓝色 = 负数，白色 = 0，红色 = 正数。"
        + (
            "这里两者完全相同：这个卷积核旋转 180° 后不变。"
            if same
            else "两者不同：这个卷积核旋转 180° 后会改变。"
        ),
    )
)

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_output_size_latex(h, k, 1, 0, 1))
if w != h:
    ui.formula(formulas.conv_output_size_latex(w, k, 1, 0, 1))
st.markdown(
    ui.t(
        f"Input **{h}×{w}**, kernel **{k}×{k}** → output **{corr.shape[0]}×{corr.shape[1]}**.",
        f"输入 **{h}×{w}**，卷积核 **{k}×{k}** → 输出 **{corr.shape[0]}×{corr.shape[1]}**。",
    )
)
ui.explain(
    "Deep-learning libraries call **cross-correlation** “convolution”: the kernel is used as "
    "written. The mathematicians' **true convolution** first turns the kernel by 180°. For "
    "symmetric kernels (blur, Laplacian) the two agree; for Sobel or emboss they give opposite "
    "signs or mirrored responses. A network learns its kernels, so the flip does not matter "
    "for learning — only for reading a kernel by hand. Without padding, a k×k kernel fits "
    "i − k + 1 times across, so the output shrinks by k − 1.",
    "深度学习库所说的“卷积”其实是**互相关**：直接使用写出的卷积核。数学上的**真正卷积**要先把"
    "卷积核旋转 180°。对称的卷积核（模糊、拉普拉斯）两者结果相同；Sobel、浮雕等则会得到相反的"
    "符号或镜像的响应。网络的卷积核是学出来的，所以翻转与否不影响学习，只影响手工解读卷积核。"
    "不填充时，k×k 的卷积核横向能放 i − k + 1 次，所以输出缩小 k − 1。",
)

st.subheader(ui.tc("check"))
q = output_size_question(ui.lang(), w, k)
ui.quiz(q.question, q.options, q.correct, key=f"{K}_q1_{w}_{k}", explanation=q.explanation)
ui.quiz(
    ui.t(
        "For the current kernel, do cross-correlation and true convolution give the same image?",
        "对当前的卷积核，互相关与真正的卷积得到的图像相同吗？",
    ),
    [ui.t("Yes", "相同"), ui.t("No", "不同")],
    0 if same else 1,
    key=f"{K}_q2_{preset.key}_{k}",
    explanation=ui.t(
        "They agree exactly when the kernel equals itself turned 180°.",
        "当且仅当卷积核旋转 180° 后与自身相同时，两者一致。",
    ),
)
