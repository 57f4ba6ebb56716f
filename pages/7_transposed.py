"""Lesson 7: transposed convolution - stretched and scatter views, upsampling, checkerboard."""

import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import presets_for
from cnnviz.lessons.scale import shared_scale
from cnnviz.lessons.transposed import (
    checkerboard_question,
    checkerboard_text,
    max_padding,
    overlap_counts,
    scatter_steps,
    transposed_full,
    transposed_size_question,
    upsample_then_conv,
    zero_insertion_spec,
)
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.transposed import scatter_animation_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "tconv"
SLUG = ui.page_title(__file__).slug

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    i = ui.slider(ui.t("Input crop size i", "输入裁剪尺寸 i"), 2, min(4, h, w), min(3, h, w),
                  key=f"{K}_i") if min(h, w) > 2 else min(h, w)
    k = ui.slider(ui.tc("kernel_size") + " k", 2, 4, 3, key=f"{K}_k")
    preset = ui.kernel_picker(
        ui.tc("kernel"), ["ones", *presets_for(k, ("box", "gaussian", "sobel_x", "laplacian"))],
        key=f"{K}_kernel_{k}",
    )
    kernel = preset.kernel(k)
    s = ui.slider(ui.tc("stride") + " s", 1, 3, 2, key=f"{K}_s")
    d = ui.slider(ui.tc("dilation") + " d", 1, 2, 1, key=f"{K}_d")
    p_max = max_padding(i, k, s, d)
    p = ui.slider(ui.tc("padding") + " p", 0, p_max, 0, key=f"{K}_p") if p_max else 0
    a_max = max(s, d) - 1  # PyTorch: output_padding < max(stride, dilation)
    a = ui.slider(ui.t("Output padding a", "输出填充 a"), 0, a_max, 0, key=f"{K}_a") if a_max else 0
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
        st.caption(ui.prose(SLUG, "stretched_a" if a else "stretched", gaps=s - 1,
                            e=spec.pad[0], d=d, k=k, p=p, a=a))
    with tab_s:
        sc = scatter_steps(xc, kernel, s, p, a, d)
        ui.plot(
            scatter_animation_figure, xc, kernel, sc.partial, sc.stamps, sc.anchors, sc.keep,
                                     stride=s, dilation=d, lang=ui.lang(),
                                     classroom=ui.classroom(),
            key=f"{K}_anim_s",
        )
        st.caption(ui.prose(SLUG, "scatter_caption"))

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_transpose_output_size_latex(i, k, s, p, a, d))
out = spec.output
st.markdown(ui.prose(SLUG, "sizes", i=i, ho=out.shape[0], wo=out.shape[1]))

st.subheader(ui.t("Against upsampling followed by a convolution", "与“先上采样再卷积”比较"))
full_t = transposed_full(x, kernel, s, p, a, d)
near = upsample_then_conv(x, kernel, s, "nearest")
bil = upsample_then_conv(x, kernel, s, "bilinear")
kind = shared_scale(full_t, near, bil).kind  # each panel keeps its own range
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
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("Stamps on each output pixel (4×4 input of ones, kernel of ones)",
                    "每个输出像素上的印章数（4×4 全 1 输入，全 1 卷积核）"), counts, vmin=0)],
    classroom=ui.classroom(), height=460 if ui.classroom() else 400,
    key=f"{K}_counts",
)
st.markdown(ui.t(checkerboard_text(k, s, d)))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(transposed_size_question(i, k, s, p, a, d), key=f"{K}_q1_{i}_{k}_{s}_{p}_{a}_{d}")
ui.quiz(checkerboard_question(k, s, d), key=f"{K}_q2_{k}_{s}_{d}")
