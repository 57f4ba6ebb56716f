"""Lesson 3: padding - zero, replicate, reflect, circular; output size and the border."""

import streamlit as st

from cnnviz import formulas, ui
from cnnviz.i18n import COMMON
from cnnviz.lessons.conv import (
    PAD_MODE_NAMES,
    conv_spec,
    corner_question,
    differing_cells,
    mode_list,
    mode_results,
    padded,
    same_result_groups,
)
from cnnviz.lessons.quizzes import output_size_question
from cnnviz.lessons.scale import shared_scale
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "pad"
MODES = PAD_MODE_NAMES

SLUG = ui.page_title(__file__).slug

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    mode = ui.radio(
        ui.t("Padding mode (animation)", "填充方式（动画）"),
        list(MODES),
        format_func=lambda m: ui.t(MODES[m]),
        key=f"{K}_mode",
    )
    preset = ui.kernel_picker(
        ui.tc("kernel"),
        ["sobel_x", "box", "gaussian", "laplacian", "identity", "sharpen"],
        key=f"{K}_preset",
    )
    k = 3
    kernel = preset.kernel(k)
    crop = ui.crop_picker(x, min(6, h, w), K)
    # reflect needs p < size; keep every mode valid for the crop (and a kernel that fits)
    p_max = max(0, min(3, crop.array.shape[0] - 1, crop.array.shape[1] - 1))
    p = ui.slider(ui.tc("padding") + " p", 0, p_max, min(1, p_max), key=f"{K}_p")

with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, padding=p, padding_mode=mode)
    ui.plot(
        window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim"
    )

PAIRS = (list(MODES)[:2], list(MODES)[2:])  # two grids a row: four leave digits unreadable
st.markdown(ui.prose(SLUG, "modes_on_crop"))
for pair in PAIRS:
    ui.plot(
        number_grid_figure,
        [GridPanel(ui.t(MODES[m]), padded(crop.array, p, m), pad=(p, p, p, p)) for m in pair],
        classroom=ui.classroom(),
        width_hint=700,
        key=f"{K}_grids_{pair[0]}",
    )

# the modes only differ where a window reads padding: compare them on the crop, where they do
crop_results = mode_results(crop.array, kernel, p)
st.markdown(ui.prose(SLUG, "crop_results", kernel=preset.name, p=p))
lo = min(float(r.min()) for r in crop_results.values())
hi = max(float(r.max()) for r in crop_results.values())
differ = differing_cells(crop_results)
for pair in PAIRS:
    ui.plot(
        number_grid_figure,
        [GridPanel(ui.t(MODES[m]), crop_results[m], signed=lo < 0, marks=differ, vmin=lo,
                   vmax=hi) for m in pair],
        classroom=ui.classroom(),
        width_hint=700,
        key=f"{K}_crop_results_{pair[0]}",
    )

st.subheader(ui.t("On the whole image", "作用于整幅图像"))
big_max = max(1, min(48, h - 1, w - 1))
pb = ui.slider(
    ui.t("Border to show (pixels)", "显示的边框宽度（像素）"),
    1,
    big_max,
    min(16, big_max),
    key=f"{K}_pb",
)
ui.plot(
    image_row_figure,
    [
        Panel(ui.t(MODES[m]), padded(x, pb, m), "gray" if not img.is_grid else "input")
        for m in MODES
    ],
    classroom=ui.classroom(),
    height=360,
    key=f"{K}_images",
)
st.markdown(
    ui.prose(SLUG, "full_heading", full_result=COMMON["full_result"], kernel=preset.name, p=p)
)
results = mode_results(x, kernel, p)
scale = shared_scale(*results.values())
ui.plot(
    image_row_figure,
    [Panel(ui.t(MODES[m]), r, *scale) for m, r in results.items()],
    classroom=ui.classroom(),
    height=360,
    key=f"{K}_results",
)
for group in same_result_groups(results):
    st.caption(ui.prose(SLUG, "whole_same", modes=mode_list(group)))
if p:
    st.caption(ui.prose(SLUG, "whole_thin", p=p))

st.subheader(ui.tc("output_size"))
out = results[mode]
ui.formula(formulas.conv_output_size_latex(h, k, 1, p, 1))
ho, wo = out.shape
st.markdown(
    ui.prose(
        SLUG, "sizes_same" if out.shape == x.shape else "sizes", h=h, w=w, k=k, p=p, ho=ho, wo=wo
    )
)
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(output_size_question(w, k, 1, p), key=f"{K}_q1_{w}_{p}")
corner = corner_question(crop.array, p)
if corner is not None:
    ui.quiz(corner, key=f"{K}_q2_{p}_{crop.top}_{crop.left}")
