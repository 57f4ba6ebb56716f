"""Lesson 11: receptive field - which input pixels one unit of a stack depends on."""

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.lessons.receptive_field import (
    CHOICES,
    DEFAULT_STACK,
    MIN_SIDE,
    enlarge,
    fitting,
    jump_question,
    receptive_field,
    recursion_latex,
    row_boxes,
    size_question,
    spread,
)
from cnnviz.ui.linked_downloads import linked_downloads
from cnnviz.viz.heatmaps import Panel, image_row_figure
from cnnviz.viz.receptive_field import receptive_field_figure, receptive_field_linked

K = "rf"
SLUG = ui.page_title(__file__).slug
SIDE = 48  # the crop the stack runs on

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    gray = img.gray
    if min(gray.shape) < MIN_SIDE:
        st.info(ui.t(f"The image is smaller than {MIN_SIDE}×{MIN_SIDE}: each pixel is repeated "
                     "to make it larger.",
                     f"图像小于 {MIN_SIDE}×{MIN_SIDE}：把每个像素重复，使它变大。"))
        gray = enlarge(gray)
    n = ui.slider(ui.t("Layers", "层数"), 1, 4, 3, key=f"{K}_n")
    keys = list(CHOICES)
    chosen = [ui.selectbox(ui.t(f"Layer {i + 1}", f"第 {i + 1} 层"), keys,
                           index=keys.index(DEFAULT_STACK[i]),
                           format_func=lambda c: ui.t(CHOICES[c].name), key=f"{K}_layer{i}")
              for i in range(n)]
    crop = ui.crop_picker(gray, SIDE, K)
    x = crop.array
    layers = fitting([CHOICES[c] for c in chosen], x.shape)
    if len(layers) < n:
        st.info(ui.t(f"Only the first {len(layers)} layers fit this {x.shape[0]}×{x.shape[1]} "
                     "input: the rest would leave no output.",
                     f"这个 {x.shape[0]}×{x.shape[1]} 的输入只放得下前 {len(layers)} 层："
                     "再加层就没有输出了。"))
    probe = receptive_field(layers, x, (0, 0))
    ho, wo = probe.output.shape
    i = ui.slider(ui.t("Output unit: row", "输出单元：行"), 0, ho - 1, ho // 2,
                  key=f"{K}_r{ho}") if ho > 1 else 0
    j = ui.slider(ui.t("Output unit: column", "输出单元：列"), 0, wo - 1, wo // 2,
                  key=f"{K}_c{wo}") if wo > 1 else 0

f = receptive_field(layers, x, (i, j))
r, jump = f.recursion[-1]
top, bottom, left_, right_ = f.box
with right:
    st.subheader(ui.tc("animation"))
    boxes = row_boxes(layers, x, i)
    titles = (ui.t(f"input {x.shape[0]}×{x.shape[1]}", f"输入 {x.shape[0]}×{x.shape[1]}"),
              ui.t(f"output {ho}×{wo}", f"输出 {ho}×{wo}"))
    ui.plot(receptive_field_figure, x, f.output, i, boxes, jump, titles, lang=ui.lang(),
            classroom=ui.classroom(), key=f"{K}_anim")
    linked_downloads(*receptive_field_linked(x, f.output, i, boxes, jump, titles, ui.lang()),
                     key=f"{K}_anim", frame_ms=700)
    st.caption(ui.prose(SLUG, "anim_caption"))

st.subheader(ui.t("The recursion, with your stack", "递推公式，代入你的层"))
r_latex, j_latex = recursion_latex(layers)
ui.formula(r_latex)
ui.formula(j_latex)
c1, c2, c3 = st.columns(3)
c1.metric(ui.t("Formula: r", "公式：r"), f"{r} × {r}")
c2.metric(ui.t("Measured by backprop", "反向传播测得"), f"{f.measured} × {f.measured}")
c3.metric(ui.t("Jump j", "跳距 j"), jump)
st.markdown(ui.prose(SLUG, "measured", m=f.measured, r=r, i=i, j=j, top=top, bottom=bottom,
                     left=left_, right=right_))
reached, total = int(f.mask[top:bottom + 1, left_:right_ + 1].sum()), f.measured ** 2
if reached < total:
    st.markdown(ui.prose(SLUG, "holes", n=reached, total=total))

st.subheader(ui.t("Back through the stack", "沿着层反向传回"))
names = [ui.tc("input")] + [ui.t(lr.name) for lr in layers]
ui.plot(image_row_figure,
        [Panel(f"{name}: {side}×{side}", view, "input", 0.0, None)
         for name, (view, side) in zip(names, spread(f))],
        classroom=ui.classroom(), key=f"{K}_spread")
st.caption(ui.prose(SLUG, "spread"))

st.subheader(ui.t("On your image", "在你的图像上"))
box = (slice(top, bottom + 1), slice(left_, right_ + 1))
seen = np.where(f.mask, x, x * 0.25)
flows = int((f.grad[box] != 0).sum())
ui.plot(image_row_figure, [
    Panel(ui.t(f"what unit ({i}, {j}) sees", f"单元 ({i}, {j}) 看到的"), seen, "gray"),
    Panel(ui.t("gradient through max pools", "经过最大池化的梯度"),
          np.abs(f.grad[box]), "input", 0.0, None),
], classroom=ui.classroom(), key=f"{K}_image")
st.markdown(ui.prose(SLUG, "effective", n=flows, total=reached,
                     share=f"{flows / max(reached, 1):.0%}"))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
stack = "_".join(chosen[:len(layers)])
ui.quiz(size_question(layers), key=f"{K}_q1_{stack}")
ui.quiz(jump_question(layers), key=f"{K}_q2_{stack}")
