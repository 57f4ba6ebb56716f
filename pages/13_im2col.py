"""Lesson 10: im2col - windows unrolled into columns, kernels as rows, one matrix product."""

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.lessons.conv import NOTES_INPUT
from cnnviz.lessons.im2col import (
    col2im_lesson,
    columns_question,
    im2col_lesson,
    kernels,
    memory_question,
    speed,
    teaching_input,
)
from cnnviz.ui.image_picker import GRID_KEY
from cnnviz.ui.linked_downloads import linked_downloads
from cnnviz.viz.heatmaps import GridPanel, number_grid_figure
from cnnviz.viz.im2col import im2col_figure, im2col_linked

K = "im"
SLUG = ui.page_title(__file__).slug

if ui.opens_on_page_default():  # nothing picked yet: the notes' 4×4 example, as lesson 1
    st.session_state.setdefault(GRID_KEY, NOTES_INPUT.tolist())

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False, default_source="grid")
    gray, is_grid = img.gray, img.is_grid
    if min(gray.shape) < 2:
        st.info(ui.t("This image is too small for a 2×2 window: using the lecture's example.",
                     "图像太小，放不下 2×2 的窗口：改用讲义中的例子。"))
        gray, is_grid = NOTES_INPUT, True
    h, w = gray.shape
    k = ui.radio(ui.tc("kernel_size"), [2, 3], index=1, format_func=lambda v: f"{v}×{v}",
                 horizontal=True, key=f"{K}_k")
    k = min(k, h, w)
    s = ui.radio(ui.tc("stride") + " s", [1, 2], horizontal=True, key=f"{K}_s")
    n = ui.slider(ui.t("Number of kernels", "卷积核个数"), 1, 3, 2, key=f"{K}_n")
    # at stride 1 a (k + 2)-wide input already makes 9 windows: the columns stay readable
    most = min(k + 2 if s == 1 else 6, h, w)
    size = (ui.slider(ui.t("Input size", "输入尺寸"), k, most, min(4, most), key=f"{K}_size")
            if most > k else most)
    crop = ui.crop_picker(gray, size, K)
    x, note = teaching_input(crop.array, is_grid)
    if note:
        st.caption(ui.prose(SLUG, note))

r = im2col_lesson(x, kernels(k, n), s)
ho, wo = r.out_shape
kk, n_cols = r.cols.shape
with right:
    st.subheader(ui.tc("animation"))
    titles = (ui.tc("input"), ui.t(f"columns ({kk} × {n_cols})", f"列矩阵（{kk} × {n_cols}）"),
              ui.t("kernel rows × columns", "卷积核行 × 列"))
    ui.plot(im2col_figure, r, titles, lang=ui.lang(), classroom=ui.classroom(),
            key=f"{K}_anim")
    linked_downloads(*im2col_linked(r, titles, ui.lang()), key=f"{K}_anim")
    st.caption(ui.prose(SLUG, "anim_caption"))

st.subheader(ui.t("One matrix product", "一次矩阵乘法"))
ui.formula(rf"\underbrace{{W}}_{{{n}\times{kk}}}\cdot\underbrace{{X_{{col}}}}_{{{kk}\times"
           rf"{n_cols}}} = \underbrace{{Y}}_{{{n}\times{n_cols}}}")
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("W: one kernel a row", "W：每个卷积核一行"), r.rows,
               signed=bool(r.rows.min() < 0)),
     GridPanel("W · X_col", r.product, signed=bool(r.product.min() < 0))],
    classroom=ui.classroom(), height=220 if not ui.classroom() else 260, key=f"{K}_rows",
)
panels = []
for i in range(n):
    signed = bool(r.conv[i].min() < 0)
    panels += [GridPanel(ui.t(f"row {i + 1}, folded", f"第 {i + 1} 行折回"),
                         r.product[i].reshape(ho, wo), signed=signed),
               GridPanel(ui.t(f"conv2d, kernel {i + 1}", f"conv2d，卷积核 {i + 1}"), r.conv[i],
                         signed=signed)]
ui.plot(number_grid_figure, panels, classroom=ui.classroom(),
        height=220 if not ui.classroom() else 260, key=f"{K}_equal")
diff = float(np.abs(r.product.reshape(r.conv.shape) - r.conv).max())
st.markdown(ui.prose(SLUG, "product", n=n, kk=kk, l=n_cols, ho=ho, wo=wo, diff=f"{diff:g}"))

st.subheader(ui.t("The memory it costs", "它占用的内存"))
cols, inputs = r.memory
ui.formula(rf"{kk}\cdot{ho}\cdot{wo} = {cols}\quad\text{{vs}}\quad {x.shape[0]}\cdot"
           rf"{x.shape[1]} = {inputs}".replace(r"\text{vs}", ui.t(r"\text{vs}", r"\text{对比}")))
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("Input numbers", "输入的数"), inputs)
c2.metric(ui.t("Column numbers", "列矩阵的数"), cols)
c3.metric(ui.t("Ratio", "倍数"), f"{cols / inputs:.2f}×")
st.markdown(ui.prose(SLUG, "memory", cols=cols, inputs=inputs, ratio=f"{cols / inputs:.2f}"))
st.markdown(ui.prose(SLUG, "why_fast"))
sp = ui.memo(speed)()  # measured once per server: a loop of 2,116 windows takes a moment
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("One product", "一次乘法"), f"{sp.product * 1000:.1f} ms")
c2.metric(ui.t("Window by window", "逐个窗口"), f"{sp.loop * 1000:.1f} ms")
c3.metric(ui.t("Speed-up", "加速"), f"{sp.loop / sp.product:.0f}×")
c_in, size, _, c_out = sp.shape
st.caption(ui.prose(SLUG, "speed", c_in=c_in, c_out=c_out, size=size,
                    same=ui.t("the same", "相同的") if sp.agree else ui.t("different", "不同的")))

st.subheader(ui.t("col2im: the backward pass", "col2im：反向传播"))
b = col2im_lesson(r)
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t("windows reading each pixel", "读取每个像素的窗口数"), b.counts),
     GridPanel(ui.t("dL/dX by col2im", "用 col2im 得到的 dL/dX"), b.dx,
               signed=bool(b.dx.min() < 0)),
     GridPanel(ui.t("dL/dX: conv2d backward", "dL/dX：conv2d 反向传播"), b.dx_engine,
               signed=bool(b.dx.min() < 0))],
    classroom=ui.classroom(), height=240 if not ui.classroom() else 280, key=f"{K}_col2im",
)
st.markdown(ui.prose(SLUG, "col2im"))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(columns_question(r), key=f"{K}_q1_{size}_{k}_{s}")
ui.quiz(memory_question(r), key=f"{K}_q2_{size}_{k}_{s}")
