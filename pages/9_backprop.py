"""Lesson 9: backpropagation through a convolution - dL/dW, dL/dX, and a numerical check."""

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.lessons.backprop import (
    EXAMPLE_X,
    KERNELS,
    UPSTREAM_NAMES,
    backprop,
    bias_question,
    dw_spec,
    dx_corner_question,
    dx_spec,
    upstream_gradient,
)
from cnnviz.viz.heatmaps import GridPanel, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "bp"
SLUG = ui.page_title(__file__).slug

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    own = img.source in ("upload", "camera")
    use_example = ui.toggle(ui.t("Use the lecture's 4×4 example", "使用讲义中的 4×4 例子"),
                            value=not own, key=f"{K}_example_{own}")  # own image: its crop
    k = ui.radio(ui.tc("kernel_size"), [2, 3], format_func=lambda v: f"{v}×{v}",
                 horizontal=True, key=f"{K}_k")
    up = ui.radio(
        ui.t("Upstream gradient dL/dY", "上游梯度 dL/dY"), list(UPSTREAM_NAMES),
        format_func=lambda v: ui.t(UPSTREAM_NAMES[v]),
        key=f"{K}_up",
    )
    x = EXAMPLE_X if use_example else np.round(ui.crop_picker(img.gray, 4, K).array, 2)
    if min(x.shape) < 4:
        st.info(ui.t("The image is smaller than 4×4: using the lecture's example.",
                     "图像小于 4×4：改用讲义中的例子。"))
        x = EXAMPLE_X
    w = KERNELS[k]
    dy = upstream_gradient(up, (x.shape[0] - k + 1, x.shape[1] - k + 1))
    r = backprop(x, w, dy)
with right:
    st.subheader(ui.t("The example", "例子"))
    ui.plot(
        number_grid_figure,
        [GridPanel("X", r.x), GridPanel("W", r.w, signed=True),
         GridPanel("Y = X ⋆ W", r.y, signed=bool(r.y.min() < 0)),
         GridPanel("dL/dY", r.dy, signed=True)],
        classroom=ui.classroom(), height=320 if not ui.classroom() else 380,
        key=f"{K}_setup",
    )
    st.subheader(ui.tc("animation"))
    tab_w, tab_x = st.tabs(["dL/dW = X ⋆ dL/dY", "dL/dX = pad(dL/dY) ⋆ rot180(W)"])
    with tab_w:
        ui.plot(
            window_animation_figure,
            dw_spec(r), lang=ui.lang(), classroom=ui.classroom(), input_title="X",
            kernel_title=ui.t("dL/dY (slides like a kernel)", "dL/dY（像卷积核一样滑动）"),
            output_title="dL/dW",
            key=f"{K}_anim_w",
        )
        st.caption(ui.prose(SLUG, "dw_caption"))
    with tab_x:
        ui.plot(
            window_animation_figure,
            dx_spec(r), lang=ui.lang(), classroom=ui.classroom(),
            input_title=ui.t(f"dL/dY padded by k − 1 = {k - 1}",
                             f"用 k − 1 = {k - 1} 填充的 dL/dY"),
            kernel_title=ui.t("W turned 180°", "旋转 180° 的 W"), output_title="dL/dX",
            key=f"{K}_anim_x",
        )
        st.caption(ui.prose(SLUG, "dx_caption"))

st.subheader(ui.t("Numerical gradient check", "数值梯度检验"))
st.markdown(ui.prose(SLUG, "numerical"))
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("dL/dW: backward", "dL/dW：反向传播"), r.dw, signed=True),
     GridPanel(ui.t("X ⋆ dL/dY", "X ⋆ dL/dY"), r.dw_correlation, signed=True),
     GridPanel(ui.t("numerical", "数值梯度"), r.dw_numerical, signed=True)],
    classroom=ui.classroom(), height=300 if not ui.classroom() else 380,
    key=f"{K}_check_w",
)
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("dL/dX: backward", "dL/dX：反向传播"), r.dx, signed=True),
     GridPanel(ui.t("full conv, W turned 180°", "完全卷积，W 旋转 180°"), r.dx_full_conv,
               signed=True),
     GridPanel(ui.t("transposed conv of dL/dY with W", "dL/dY 与 W 的转置卷积"),
               r.dx_transposed, signed=True),
     GridPanel(ui.t("numerical", "数值梯度"), r.dx_numerical, signed=True)],
    classroom=ui.classroom(), height=320 if not ui.classroom() else 400,
    key=f"{K}_check_x",
)
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("Largest difference, dL/dW", "dL/dW 最大差异"), f"{r.dw_error:.1e}")
c2.metric(ui.t("Largest difference, dL/dX", "dL/dX 最大差异"), f"{r.dx_error:.1e}")
c3.metric("dL/db = Σ dL/dY", f"{r.db:g}")
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(bias_question(r), key=f"{K}_q1_{k}_{up}_{use_example}")
ui.quiz(dx_corner_question(r), key=f"{K}_q2_{k}_{up}_{use_example}")
