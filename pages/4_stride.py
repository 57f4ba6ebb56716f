"""Lesson 4: stride - positions visited and skipped, output size, what a large stride loses."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import PRESETS, presets_for
from cnnviz.lessons.conv import conv_full, conv_spec
from cnnviz.lessons.quizzes import Question, output_size_question
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure, read_counts
from cnnviz.viz.window_animation import window_animation_figure

K = "stride"
ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    side = min(9, h, w)
    k_max = min(5, side)
    k = st.slider(ui.tc("kernel_size"), 1, k_max, min(3, k_max), key=f"{K}_k")
    keys = presets_for(k, ("sobel_x", "sobel_y", "box", "gaussian", "laplacian", "identity"))
    pk = ui.selectbox(
        ui.tc("kernel"),
        keys,
        format_func=lambda key: ui.t(PRESETS[key].name_en, PRESETS[key].name_zh),
        key=f"{K}_preset_{k >= 3}",
    )
    kernel = PRESETS[pk].kernel(k)
    crop = ui.crop_picker(x, side, K)
    ch, cw = crop.array.shape
    p = (
        st.slider(ui.tc("padding") + " p", 0, min(2, k - 1) if k > 1 else 0, 0, key=f"{K}_p")
        if k > 1
        else 0
    )
    # any stride >= 1 is valid once the kernel fits; cap at the padded crop so >= 1 output
    s_max = max(1, min(4, min(ch, cw) + 2 * p - k + 1))
    s = st.slider(ui.tc("stride") + " s", 1, s_max, min(2, s_max), key=f"{K}_s") if s_max > 1 else 1

with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, stride=s, padding=p)
    ui.plot(
        window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim"
    )
    counts = read_counts(spec.window_map, spec.padded.shape)
    anchors = spec.window_map[:, :, 0, 0].reshape(-1, 2)
    inner = counts[p : p + ch, p : p + cw]
    skipped = int((inner == 0).sum())
    st.markdown(
        ui.t(
            f"**How often each cell is read** (orange: where a window starts; 0 = never read). "
            f"{skipped} of {inner.size} input pixels are never read.",
            f"**每个格子被读取的次数**（橙色：窗口的起点；0 = 从未读取）。"
            f"{inner.size} 个输入像素中有 {skipped} 个从未被读取。",
        )
    )
    ui.plot(
        number_grid_figure,
        [
            GridPanel(
                ui.t("Reads per cell", "每格读取次数"),
                counts,
                pad=(p, p, p, p),
                marks=anchors,
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
signed = bool(min(r1.min(), rs.min()) < 0)
vmax = float(max(np.abs(r1).max(), np.abs(rs).max())) or 1.0
kind = "signed" if signed else "input"
ui.plot(
    image_row_figure,
    [
        Panel(f"{ui.tc('input')} {h}×{w}", x, "gray" if not img.is_grid else "input"),
        Panel(f"{ui.tc('stride')} 1 → {r1.shape[0]}×{r1.shape[1]}", r1, kind, vmax=vmax),
        Panel(f"{ui.tc('stride')} {s} → {rs.shape[0]}×{rs.shape[1]}", rs, kind, vmax=vmax),
    ],
    classroom=ui.classroom(),
    key=f"{K}_full",
)

st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_output_size_latex(h, k, s, p, 1))
if w != h:
    ui.formula(formulas.conv_output_size_latex(w, k, s, p, 1))
ui.explain(
    "Stride s computes the output only every s positions, in both directions, so the output "
    "has about 1/s² as many values and costs about 1/s² as much — a cheap way to downsample. "
    "The price: when the stride is larger than the kernel, pixels between windows are never "
    "read (the zeros above), and thin details can vanish or alias. The floor ⌊·⌋ in the "
    "formula means a last partial window is dropped.",
    "步幅 s 表示在两个方向上每隔 s 个位置才计算一次输出，所以输出值的个数和计算量约为原来的 "
    "1/s²——一种廉价的下采样方法。代价是：当步幅大于卷积核时，窗口之间的像素从未被读取"
    "（上图中的 0），细小的细节可能消失或产生混叠。公式中的向下取整 ⌊·⌋ 表示最后不完整的窗口"
    "会被舍弃。",
)

st.subheader(ui.tc("check"))
q = output_size_question(ui.lang(), cw, k, s, p)
ui.quiz(q.question, q.options, q.correct, key=f"{K}_q1_{cw}_{k}_{s}_{p}", explanation=q.explanation)
opts = sorted({skipped, skipped + 1, max(0, skipped - 1), skipped + cw})
q2 = Question(
    ui.t(
        f"In the {ch}×{cw} crop with kernel {k}, stride {s}, padding {p}: how many input "
        "pixels are never read?",
        f"在 {ch}×{cw} 的裁剪区域上，卷积核 {k}，步幅 {s}，填充 {p}：有多少个输入像素从未被读取？",
    ),
    [str(v) for v in opts],
    opts.index(skipped),
    ui.t("Count the zeros inside the dashed outline.", "数一数虚线框内的 0。"),
)
ui.quiz(q2.question, q2.options, q2.correct, key=f"{K}_q2_{k}_{s}_{p}", explanation=q2.explanation)
