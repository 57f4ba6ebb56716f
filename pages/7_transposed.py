"""Lesson 7: transposed convolution - stretched and scatter views, upsampling, checkerboard."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import PRESETS, presets_for
from cnnviz.lessons.transposed import (
    checkerboard_question,
    max_padding,
    overlap_counts,
    scatter_steps,
    transposed_full,
    transposed_size_question,
    uneven_overlap,
    upsample_then_conv,
    zero_insertion_spec,
)
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.transposed import scatter_animation_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "tconv"
ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    i = st.slider(ui.t("Input crop size i", "输入裁剪尺寸 i"), 2, min(4, h, w), min(3, h, w),
                  key=f"{K}_i") if min(h, w) > 2 else min(h, w)
    k = st.slider(ui.tc("kernel_size") + " k", 2, 4, 3, key=f"{K}_k")
    kernels = ["ones", *presets_for(k, ("box", "gaussian", "sobel_x", "laplacian"))]
    kname = ui.selectbox(
        ui.tc("kernel"), kernels,
        format_func=lambda n: ui.t("All ones", "全 1") if n == "ones"
        else ui.t(PRESETS[n].name_en, PRESETS[n].name_zh),
        key=f"{K}_kernel_{k}",
    )
    kernel = np.ones((k, k), np.float32) if kname == "ones" else PRESETS[kname].kernel(k)
    s = st.slider(ui.tc("stride") + " s", 1, 3, 2, key=f"{K}_s")
    d = st.slider(ui.tc("dilation") + " d", 1, 2, 1, key=f"{K}_d")
    p_max = max_padding(i, k, s, d)
    p = st.slider(ui.tc("padding") + " p", 0, p_max, 0, key=f"{K}_p") if p_max else 0
    a_max = max(s, d) - 1  # PyTorch: output_padding < max(stride, dilation)
    a = st.slider(ui.t("Output padding a", "输出填充 a"), 0, a_max, 0, key=f"{K}_a") if a_max else 0
    crop = ui.crop_picker(x, i, K)
    xc = crop.array

with right:
    st.subheader(ui.tc("animation"))
    tab_z, tab_s = st.tabs([ui.t("Stretched input (zero insertion)", "拉伸输入（插零）"),
                            ui.t("Scatter (stamp by stamp)", "散射（逐个盖章）")])
    with tab_z:
        spec = zero_insertion_spec(xc, kernel, s, p, a, d)
        ui.plot(
            window_animation_figure,
            spec, lang=ui.lang(), classroom=ui.classroom(),
            input_title=ui.t("Stretched, padded input", "拉伸并填充后的输入"),
            kernel_title=ui.t("Kernel turned 180°", "旋转 180° 的卷积核"),
            key=f"{K}_anim_z",
        )
        e = d * (k - 1) - p
        st.caption(
            ui.t(
                f"{s - 1} zero(s) between input pixels (F.zero_insert), then {e} = "
                f"d(k−1) − p = {d}·({k}−1) − {p} rows of zeros on every side"
                + (f" plus a = {a} at the bottom/right" if a else "")
                + ", then an ordinary stride-1 convolution with the kernel turned 180°.",
                f"输入像素之间插入 {s - 1} 个零（F.zero_insert），四周再补 {e} = d(k−1) − p = "
                f"{d}·({k}−1) − {p} 圈零" + (f"，右侧和下方再加 a = {a}" if a else "")
                + "，然后用旋转 180° 的卷积核做普通的步幅为 1 的卷积。",
            )
        )
    with tab_s:
        sc = scatter_steps(xc, kernel, s, p, a, d)
        ui.plot(
            scatter_animation_figure, xc, kernel, sc.partial, sc.stamps, sc.anchors, sc.keep,
                                     stride=s, dilation=d, lang=ui.lang(),
                                     classroom=ui.classroom(),
            key=f"{K}_anim_s",
        )
        st.caption(
            ui.t(
                "Green dashed box: the output that is kept; the padding p crops the faded "
                "border. Both views end with the same numbers (F.conv_transpose2d).",
                "绿色虚线框：保留下来的输出；填充 p 会裁掉淡色的边框。两种视角最终得到相同的"
                "数值（F.conv_transpose2d）。",
            )
        )

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_transpose_output_size_latex(i, k, s, p, a, d))
out = spec.output
st.markdown(
    ui.t(
        f"Crop **{i}×{i}** → output **{out.shape[0]}×{out.shape[1]}**: "
        "o = s(i − 1) + a + d(k − 1) + 1 − 2p; with d = 1 this is o = s(i − 1) + a + k − 2p.",
        f"裁剪 **{i}×{i}** → 输出 **{out.shape[0]}×{out.shape[1]}**："
        "o = s(i − 1) + a + d(k − 1) + 1 − 2p；d = 1 时即 o = s(i − 1) + a + k − 2p。",
    )
)

st.subheader(ui.t("Against upsampling followed by a convolution", "与“先上采样再卷积”比较"))
full_t = transposed_full(x, kernel, s, p, a, d)
near = upsample_then_conv(x, kernel, s, "nearest")
bil = upsample_then_conv(x, kernel, s, "bilinear")
signed = bool(min(full_t.min(), near.min(), bil.min()) < 0)
kind = "signed" if signed else "input"
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.tc('input')} {h}×{w}", x, "gray" if not img.is_grid else "input"),
        Panel(ui.t(f"Transposed conv → {full_t.shape[0]}×{full_t.shape[1]}",
                   f"转置卷积 → {full_t.shape[0]}×{full_t.shape[1]}"), full_t, kind),
        Panel(ui.t(f"Nearest ×{s} + conv → {near.shape[0]}×{near.shape[1]}",
                   f"最近邻 ×{s} + 卷积 → {near.shape[0]}×{near.shape[1]}"), near, kind),
        Panel(ui.t(f"Bilinear ×{s} + conv → {bil.shape[0]}×{bil.shape[1]}",
                   f"双线性 ×{s} + 卷积 → {bil.shape[0]}×{bil.shape[1]}"), bil, kind),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)

st.subheader(ui.t("The checkerboard: uneven overlap", "棋盘格：不均匀的重叠"))
counts = overlap_counts(4, k, s, p, a, d)
uneven = uneven_overlap(k, s, d)
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("Stamps on each output pixel (4×4 input of ones, kernel of ones)",
                    "每个输出像素上的印章数（4×4 全 1 输入，全 1 卷积核）"), counts, vmin=0)],
    classroom=ui.classroom(), height=460 if ui.classroom() else 400,
    key=f"{K}_counts",
)
st.markdown(
    ui.t(
        (f"**k = {k} is not a multiple of s = {s}:** inside, some pixels get more stamps than "
         "their neighbours, so even a flat image comes out as a grid of bright and dark dots.")
        if uneven else
        (f"**k = {k}, s = {s}:** every inside pixel gets the same number of stamps - no "
         "checkerboard (only the border is thinner)."),
        (f"**k = {k} 不是 s = {s} 的整数倍：** 内部有些像素比邻居得到更多印章，"
         "所以即使平坦的图像也会变成明暗相间的点阵。")
        if uneven else
        (f"**k = {k}，s = {s}：** 内部每个像素得到的印章数相同——没有棋盘格（只有边缘较淡）。"),
    )
)
ui.explain(
    "Transposed convolution is the gradient of a strided convolution with respect to its input, "
    "which is why it is used to upsample in decoders and GANs. It is not the inverse of a "
    "convolution: it restores the size, not the values. When the kernel size is not divisible "
    "by the stride, stamps overlap unevenly and checkerboard artefacts appear (Odena et al., "
    "2016). Upsampling with nearest-neighbour or bilinear interpolation first and then "
    "convolving avoids them, at the cost of a larger convolution.",
    "转置卷积是带步幅的卷积对其输入的梯度，因此常用于解码器和 GAN 中的上采样。它不是卷积的"
    "逆运算：它恢复的是尺寸，而不是数值。当卷积核尺寸不能被步幅整除时，印章的重叠不均匀，"
    "会出现棋盘格伪影（Odena 等，2016）。先用最近邻或双线性插值上采样再卷积可以避免这种伪影，"
    "代价是卷积的计算量更大。",
)

st.subheader(ui.tc("check"))
q1 = transposed_size_question(ui.lang(), i, k, s, p, a, d)
ui.quiz(q1.question, q1.options, q1.correct, key=f"{K}_q1_{i}_{k}_{s}_{p}_{a}_{d}",
        explanation=q1.explanation)
q2 = checkerboard_question(ui.lang(), k, s, d)
ui.quiz(q2.question, q2.options, q2.correct, key=f"{K}_q2_{k}_{s}_{d}",
        explanation=q2.explanation)
