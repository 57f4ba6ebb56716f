"""Lesson 5: pooling - max and average, window, stride, padding; what max pooling keeps."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.lessons.pooling import (
    CROP_SIDE,
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
SLUG = ui.page_title(__file__).slug

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
    side = min(CROP_SIDE, h, w)
    k_max = max(2, min(4, side))
    k = ui.slider(ui.t("Window k", "窗口 k"), 2, k_max, 2, key=f"{K}_k") if k_max > 2 else 2
    s = ui.slider(ui.tc("stride") + " s", 1, k + 1, k, key=f"{K}_s")
    # PyTorch: pooling padding is at most half the window (p <= k/2)
    p = ui.slider(ui.tc("padding") + " p", 0, k // 2, 0, key=f"{K}_p")
    crop = ui.crop_picker(x, side, K)
    ok, why = formulas.valid_pool_settings(min(crop.array.shape), k, s, p)

if not ok:
    st.error(ui.t(why))
    st.stop()

spec = pool_spec(crop.array, kind, k, s, p)
with right:
    st.subheader(ui.tc("animation"))
    argmax = max_positions(crop.array, k, s, p) if kind == "max" else None
    ui.plot(
        pool_animation_figure, spec, argmax, lang=ui.lang(), classroom=ui.classroom(),
        key=f"{K}_anim",
    )
    st.caption(ui.prose(SLUG, "caption_max") if kind == "max"
               else ui.prose(SLUG, "caption_avg", k=k, kk=k * k))

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
st.markdown(ui.prose(SLUG, "sizes", h=h, w=w, k=k, s=s, p=p, ho=mx.shape[0], wo=mx.shape[1]))

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
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(pool_size_question(w, k, s, p), key=f"{K}_q1_{w}_{k}_{s}_{p}")
ui.quiz(first_window_question(spec), key=f"{K}_q2_{kind}_{k}_{s}_{p}_{crop.top}_{crop.left}")
