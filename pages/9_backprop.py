"""Lesson 9: backpropagation through a convolution - dL/dW, dL/dX, and a numerical check."""

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.lessons.backprop import (
    EXAMPLE_X,
    KERNELS,
    UPSTREAM,
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
ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    own = img.source in ("upload", "camera")
    use_example = st.toggle(ui.t("Use the lecture's 4×4 example", "使用讲义中的 4×4 例子"),
                            value=not own, key=f"{K}_example_{own}")  # own image: its crop
    k = ui.radio(ui.tc("kernel_size"), [2, 3], format_func=lambda v: f"{v}×{v}",
                 horizontal=True, key=f"{K}_k")
    up = ui.radio(
        ui.t("Upstream gradient dL/dY", "上游梯度 dL/dY"), list(UPSTREAM),
        format_func=lambda v: {
            "ones": ui.t("All ones (L = sum of Y)", "全 1（L = Y 之和）"),
            "corner": ui.t("Only Y[0,0] (L = Y[0,0])", "只有 Y[0,0]（L = Y[0,0]）"),
            "random": ui.t("Small random integers", "小的随机整数"),
        }[v],
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
        st.caption(ui.t(
            "Each weight W[i,j] touched every output, each time multiplied by a different input "
            "pixel: its gradient adds up input × dL/dY over all those outputs - the correlation "
            "of X with dL/dY, which has the kernel's shape.",
            "每个权重 W[i,j] 参与了每一个输出，每次乘以不同的输入像素：它的梯度是所有这些输出上"
            "“输入 × dL/dY”之和——即 X 与 dL/dY 的互相关，形状与卷积核相同。",
        ))
    with tab_x:
        ui.plot(
            window_animation_figure,
            dx_spec(r), lang=ui.lang(), classroom=ui.classroom(),
            input_title=ui.t(f"dL/dY padded by k − 1 = {k - 1}",
                             f"用 k − 1 = {k - 1} 填充的 dL/dY"),
            kernel_title=ui.t("W turned 180°", "旋转 180° 的 W"), output_title="dL/dX",
            key=f"{K}_anim_x",
        )
        st.caption(ui.t(
            "Each input pixel fed the outputs whose windows covered it, through a different "
            "weight each time: a full convolution of dL/dY with the kernel turned 180° - "
            "exactly the transposed convolution of lesson 7.",
            "每个输入像素通过不同的权重影响覆盖它的那些输出：这就是 dL/dY 与旋转 180° 的卷积核"
            "做完全卷积——正是第 7 课的转置卷积。",
        ))

st.subheader(ui.t("Numerical gradient check", "数值梯度检验"))
st.markdown(ui.t(
    "Nudge one weight (or pixel) by ±h, run the forward pass twice, and divide the change in "
    "L by 2h (central differences, h = 0.5; L is linear in each single value, so this is "
    "exact up to rounding). Every route must agree with the engine's backward.",
    "把一个权重（或像素）分别加减 h，做两次前向计算，用 L 的变化除以 2h（中心差分，h = 0.5；"
    "L 对每个单独的数值是线性的，所以只差舍入误差）。每种算法都必须与引擎的反向传播一致。",
))
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
     GridPanel(ui.t("conv_transpose2d(dL/dY, W)", "conv_transpose2d(dL/dY, W)"),
               r.dx_transposed, signed=True),
     GridPanel(ui.t("numerical", "数值梯度"), r.dx_numerical, signed=True)],
    classroom=ui.classroom(), height=320 if not ui.classroom() else 400,
    key=f"{K}_check_x",
)
err_w = float(max(np.abs(r.dw - r.dw_numerical).max(), np.abs(r.dw - r.dw_correlation).max()))
err_x = float(max(np.abs(r.dx - r.dx_numerical).max(), np.abs(r.dx - r.dx_full_conv).max(),
                  np.abs(r.dx - r.dx_transposed).max()))
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("Largest difference, dL/dW", "dL/dW 最大差异"), f"{err_w:.1e}")
c2.metric(ui.t("Largest difference, dL/dX", "dL/dX 最大差异"), f"{err_x:.1e}")
c3.metric("dL/db = Σ dL/dY", f"{r.db:g}")
ui.explain(
    "A convolution is many multiply-adds that share weights. The chain rule sends each "
    "output's gradient back along the same connections: to a weight, multiplied by the input "
    "it met; to an input, multiplied by the weight it met. Collecting those sums gives two "
    "convolutions - which is why a deep-learning library needs no new machinery for the "
    "backward pass, and why checking against a numerical gradient is the standard test of "
    "a hand-written layer (as in the lecture notes' code).",
    "卷积是许多共享权重的乘加运算。链式法则把每个输出的梯度沿着相同的连接送回：送到权重时乘以"
    "它遇到的输入，送到输入时乘以它遇到的权重。把这些和收集起来就是两个卷积——所以深度学习库"
    "做反向传播不需要新的机制；而与数值梯度比较，是检验手写层的标准方法（如讲义中的代码）。",
)

st.subheader(ui.tc("check"))
q1 = bias_question(ui.lang(), r)
ui.quiz(q1.question, q1.options, q1.correct, key=f"{K}_q1_{k}_{up}_{use_example}",
        explanation=q1.explanation)
q2 = dx_corner_question(ui.lang(), r)
ui.quiz(q2.question, q2.options, q2.correct, key=f"{K}_q2_{k}_{up}_{use_example}",
        explanation=q2.explanation)
