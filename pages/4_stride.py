"""Lesson 4: stride - positions visited and skipped, output size, what a large stride loses."""

import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import presets_for
from cnnviz.lessons.conv import conv_full, conv_spec
from cnnviz.lessons.quizzes import output_size_question
from cnnviz.lessons.scale import shared_scale
from cnnviz.lessons.stride import DEFAULT_KERNEL, DEFAULT_STRIDE, coverage, never_read_question
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "stride"
SLUG = ui.page_title(__file__).slug

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    side = min(9, h, w)
    k_max = min(5, side)
    k = ui.slider(ui.tc("kernel_size"), 1, k_max, min(DEFAULT_KERNEL, k_max), key=f"{K}_k")
    preset = ui.kernel_picker(
        ui.tc("kernel"),
        presets_for(k, ("sobel_x", "sobel_y", "box", "gaussian", "laplacian", "identity")),
        key=f"{K}_preset_{k >= 3}",
    )
    kernel = preset.kernel(k)
    crop = ui.crop_picker(x, side, K)
    ch, cw = crop.array.shape
    p = (
        ui.slider(ui.tc("padding") + " p", 0, min(2, k - 1) if k > 1 else 0, 0, key=f"{K}_p")
        if k > 1
        else 0
    )
    # any stride >= 1 is valid once the kernel fits; cap at the padded crop so >= 1 output
    s_max = max(1, min(4, min(ch, cw) + 2 * p - k + 1))
    s = (ui.slider(ui.tc("stride") + " s", 1, s_max, min(DEFAULT_STRIDE, s_max), key=f"{K}_s")
         if s_max > 1 else 1)

with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, stride=s, padding=p)
    ui.plot(
        window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim"
    )
    cov = coverage(spec, p, (ch, cw))
    st.markdown(ui.prose(SLUG, "reads", skipped=cov.skipped, total=cov.total))
    ui.plot(
        number_grid_figure,
        [
            GridPanel(
                ui.t("Reads per cell", "每格读取次数"),
                cov.counts,
                pad=(p, p, p, p),
                marks=cov.anchors,
                vmin=0,
            )
        ],
        classroom=ui.classroom(),
        height=380 if not ui.classroom() else 460,
        width_hint=500,
        key=f"{K}_counts",
    )

st.subheader(ui.tc("full_result"))
r1 = conv_full(x, kernel, stride=1, padding=p)
rs = conv_full(x, kernel, stride=s, padding=p)
scale = shared_scale(r1, rs)
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.tc('input')} {h}×{w}", x, "gray" if not img.is_grid else "input"),
        Panel(f"{ui.tc('stride')} 1 → {r1.shape[0]}×{r1.shape[1]}", r1, *scale),
        Panel(f"{ui.tc('stride')} {s} → {rs.shape[0]}×{rs.shape[1]}", rs, *scale),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_output_size_latex(h, k, s, p, 1))
if w != h:
    ui.formula(formulas.conv_output_size_latex(w, k, s, p, 1))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(output_size_question(cw, k, s, p), key=f"{K}_q1_{cw}_{k}_{s}_{p}")
ui.quiz(never_read_question((ch, cw), k, s, p, cov.skipped), key=f"{K}_q2_{k}_{s}_{p}")
