"""Lesson 12: backpropagation through max pooling, a strided convolution, channels and ReLU."""

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.lessons.backprop_channels import (
    CH_W,
    CH_X,
    CONV_W,
    CONV_X,
    POOL_NAMES,
    POOL_X,
    POOLS,
    RELU_X,
    as_digits,
    channels_backward,
    pool_backward,
    pool_question,
    relu_backward,
    stretched_question,
    stride_backward,
)
from cnnviz.ui.linked_downloads import linked_downloads
from cnnviz.viz.backprop_channels import pool_backward_figure, pool_backward_linked
from cnnviz.viz.heatmaps import GridPanel, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "bc"
SLUG = ui.page_title(__file__).slug
SIDE = 6

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    own = img.source in ("upload", "camera")
    use_example = ui.toggle(ui.t("Use the lesson's example", "使用本课的例子"),
                            value=not own, key=f"{K}_example_{own}")
    pool = ui.radio(ui.t("Max pooling", "最大池化"), list(POOLS),
                    format_func=lambda v: ui.t(POOL_NAMES[v]), key=f"{K}_pool")
    s = ui.radio(ui.t("Convolution stride s", "卷积步幅 s"), [1, 2], index=1, horizontal=True,
                 key=f"{K}_s")
    x = POOL_X
    if not use_example:
        if min(img.gray.shape) < SIDE:
            st.info(ui.t(f"The image is smaller than {SIDE}×{SIDE}: using the lesson's example.",
                         f"图像小于 {SIDE}×{SIDE}：改用本课的例子。"))
        else:
            x = as_digits(ui.crop_picker(img.gray, SIDE, K).array)
            st.caption(ui.t("The crop as whole numbers 0–9 (brightness × 9, rounded).",
                            "裁剪区域显示为 0–9 的整数（亮度 × 9 后取整）。"))

k, ps = POOLS[pool]
pb = pool_backward(x, k, ps)
with right:
    st.subheader(ui.t("Max pooling, backwards", "最大池化的反向传播"))
    ui.plot(pool_backward_figure, pb, ("X", "dL/dY", "dL/dX"), lang=ui.lang(),
            classroom=ui.classroom(), key=f"{K}_anim_pool")
    linked_downloads(*pool_backward_linked(pb, ("X", "dL/dY", "dL/dX"), ui.lang()),
                     key=f"{K}_anim_pool")
    st.caption(ui.prose(SLUG, "pool_caption"))

st.subheader(ui.t(f"A stride-{s} convolution, backwards", f"步幅为 {s} 的卷积的反向传播"))
sb = stride_backward(CONV_X, CONV_W, s)
(ho, wo), (sh, sw) = sb.dy.shape, sb.stretched.shape
st.markdown(ui.prose(SLUG, "stride_intro", s=s, z=s - 1, ho=ho, wo=wo, sh=sh, sw=sw, p=2))
if sb.pad[1] > sb.pad[0]:
    st.markdown(ui.prose(SLUG, "stride_extra", e=sb.pad[1] - sb.pad[0]))
ui.plot(
    number_grid_figure,
    [GridPanel("X", sb.x), GridPanel("W", sb.w, signed=True),
     GridPanel("dL/dY", sb.dy, signed=True),
     GridPanel(ui.t("zero insertion", "插零"), sb.stretched, signed=True)],
    classroom=ui.classroom(), height=240 if not ui.classroom() else 280, key=f"{K}_stride_setup",
)
ui.plot(
    window_animation_figure, sb.spec(), lang=ui.lang(), classroom=ui.classroom(),
    input_title=ui.t("dL/dY stretched and padded", "展开并填充后的 dL/dY"),
    kernel_title=ui.t("W turned 180°", "旋转 180° 的 W"), output_title="dL/dX",
    key=f"{K}_anim_stride",
)
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("dL/dX: conv2d backward", "dL/dX：conv2d 反向传播"), sb.dx, signed=True),
     GridPanel(ui.t("full conv of the stretched dL/dY", "展开后 dL/dY 的完全卷积"),
               sb.dx_full_conv, signed=True),
     GridPanel(ui.t("transposed conv", "转置卷积"), sb.dx_transposed, signed=True)],
    classroom=ui.classroom(), height=260 if not ui.classroom() else 300, key=f"{K}_stride_check",
)
st.caption(ui.prose(SLUG, "stride_check"))

st.subheader(ui.t("Several channels", "多个通道"))
cb = channels_backward(CH_X, CH_W)
st.markdown(ui.prose(SLUG, "channels"))
ui.plot(
    number_grid_figure,
    [*(GridPanel(f"X[{c + 1}]", cb.x[c]) for c in range(cb.x.shape[0])),
     *(GridPanel(f"dL/dY[{o + 1}]", cb.dy[o], signed=True) for o in range(cb.dy.shape[0]))],
    classroom=ui.classroom(), height=200 if not ui.classroom() else 240,
    key=f"{K}_channels_setup",
)
ui.plot(
    number_grid_figure,
    [GridPanel(f"W[{o + 1},{c + 1}]", cb.w[o, c], signed=True)
     for o in range(cb.w.shape[0]) for c in range(cb.w.shape[1])],
    classroom=ui.classroom(), height=160 if not ui.classroom() else 200,
    key=f"{K}_channels_w",
)
amax = float(np.abs(cb.parts).max())
for c in range(cb.x.shape[0]):
    ui.plot(
        number_grid_figure,
        [*(GridPanel(ui.t(f"from output {o + 1}", f"来自输出 {o + 1}"), cb.parts[c, o],
                     signed=True, vmax=amax) for o in range(cb.w.shape[0])),
         GridPanel(ui.t("sum", "和"), cb.parts[c].sum(0), signed=True, vmax=amax),
         GridPanel(ui.t(f"engine: dL/dX[{c + 1}]", f"引擎：dL/dX[{c + 1}]"), cb.dx[c],
                   signed=True, vmax=amax)],
        classroom=ui.classroom(), height=220 if not ui.classroom() else 260,
        key=f"{K}_channels_{c}",
    )

st.subheader(ui.t("Through ReLU", "穿过 ReLU"))
rb = relu_backward(RELU_X)
ui.plot(
    number_grid_figure,
    [GridPanel("X", rb.x, signed=True), GridPanel("[X > 0]", rb.mask),
     GridPanel("dL/dY", rb.dy, signed=True), GridPanel("dL/dX", rb.dx, signed=True)],
    classroom=ui.classroom(), height=220 if not ui.classroom() else 260, key=f"{K}_relu",
)
stopped = int(((rb.mask == 0) & (rb.dy != 0)).sum())
st.markdown(ui.prose(SLUG, "relu", n=stopped, total=rb.dy.size))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(pool_question(pb), key=f"{K}_q1_{pool}_{use_example}")
ui.quiz(stretched_question(sb), key=f"{K}_q2_{s}")
