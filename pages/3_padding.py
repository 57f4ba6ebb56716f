"""Lesson 3: padding - zero, replicate, reflect, circular; output size and the border."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import PRESETS
from cnnviz.lessons.conv import conv_full, conv_spec, padded
from cnnviz.lessons.quizzes import output_size_question
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "pad"
MODES = {
    "zeros": ("Zero", "零填充"),
    "replicate": ("Replicate (nearest)", "复制（最近邻）"),
    "reflect": ("Reflect", "反射"),
    "circular": ("Circular (wrap)", "循环（环绕）"),
}

ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, allow_color=False)
    x = img.gray
    h, w = img.shape
    mode = ui.radio(
        ui.t("Padding mode (animation)", "填充方式（动画）"),
        list(MODES),
        format_func=lambda m: ui.t(*MODES[m]),
        key=f"{K}_mode",
    )
    keys = ["box", "gaussian", "sobel_x", "laplacian", "identity", "sharpen"]
    pk = ui.selectbox(
        ui.tc("kernel"),
        keys,
        format_func=lambda p: ui.t(PRESETS[p].name_en, PRESETS[p].name_zh),
        key=f"{K}_preset",
    )
    k = 3
    kernel = PRESETS[pk].kernel(k)
    crop = ui.crop_picker(x, min(6, h, w), K)
    # reflect needs p < size; keep every mode valid for the crop (and a kernel that fits)
    p_max = max(0, min(3, crop.array.shape[0] - 1, crop.array.shape[1] - 1))
    p = st.slider(ui.tc("padding") + " p", 0, p_max, min(1, p_max), key=f"{K}_p")

with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(crop.array, kernel, padding=p, padding_mode=mode)
    ui.plot(
        window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim"
    )

st.markdown(
    ui.t(
        "**The four modes on the crop** (from `F.pad`; dashed: the original)",
        "**四种方式作用于裁剪区域**（来自 `F.pad`；虚线：原始区域）",
    )
)
ui.plot(
    number_grid_figure,
    [GridPanel(ui.t(*MODES[m]), padded(crop.array, p, m), pad=(p, p, p, p)) for m in MODES],
    classroom=ui.classroom(),
    key=f"{K}_grids",
)

st.subheader(ui.t("On the whole image", "作用于整幅图像"))
big_max = max(1, min(48, h - 1, w - 1))
pb = st.slider(
    ui.t("Border to show (pixels)", "显示的边框宽度（像素）"),
    1,
    big_max,
    min(16, big_max),
    key=f"{K}_pb",
)
ui.plot(
    image_row_figure,
    [
        Panel(ui.t(*MODES[m]), padded(x, pb, m), "gray" if not img.is_grid else "input")
        for m in MODES
    ],
    classroom=ui.classroom(),
    height=360,
    key=f"{K}_images",
)
st.markdown(
    ui.t(
        f"**{ui.tc('full_result')}** — {PRESETS[pk].name_en}, padding {p}, each mode",
        f"**{ui.tc('full_result')}** — {PRESETS[pk].name_zh}，填充 {p}，每种方式",
    )
)
results = {m: conv_full(x, kernel, padding=p, padding_mode=m) for m in MODES}
signed = any(r.min() < 0 for r in results.values())
vmax = float(max(np.abs(r).max() for r in results.values())) or 1.0
ui.plot(
    image_row_figure,
    [
        Panel(
            ui.t(*MODES[m]),
            r,
            "signed" if signed else "input",
            vmin=0.0 if not signed else None,
            vmax=vmax,
        )
        for m, r in results.items()
    ],
    classroom=ui.classroom(),
    height=360,
    key=f"{K}_results",
)

st.subheader(ui.tc("output_size"))
out = results[mode]
ui.formula(formulas.conv_output_size_latex(h, k, 1, p, 1))
st.markdown(
    ui.t(
        f"Input **{h}×{w}**, kernel **{k}×{k}**, padding **{p}** → output "
        f"**{out.shape[0]}×{out.shape[1]}**"
        + (" — the same size as the input ('same')." if out.shape == x.shape else "."),
        f"输入 **{h}×{w}**，卷积核 **{k}×{k}**，填充 **{p}** → 输出 "
        f"**{out.shape[0]}×{out.shape[1]}**"
        + ("——与输入同样大（same）。" if out.shape == x.shape else "。"),
    )
)
ui.explain(
    "- **Zero** (PyTorch's default) pads with 0: a blur darkens the border, an edge filter "
    "sees a false edge all around the image.\n"
    "- **Replicate** repeats the edge pixel; **reflect** mirrors the pixels next to the edge "
    "(without repeating the edge itself); **circular** wraps around, so the left border "
    "shows the right side of the image.\n"
    "- With a k×k kernel, stride 1, padding p = (k − 1)/2 keeps the output the size of the "
    "input.",
    "- **零填充**（PyTorch 默认）用 0 填充：模糊会让边缘变暗，边缘检测会在图像四周看到虚假的边。\n"
    "- **复制**重复最边上的像素；**反射**镜像边缘旁边的像素（不重复边缘像素本身）；"
    "**循环**从另一侧绕回来，所以左边框显示的是图像右侧的内容。\n"
    "- 对 k×k 卷积核、步幅 1，填充 p = (k − 1)/2 能让输出与输入同样大。",
)

st.subheader(ui.tc("check"))
q = output_size_question(ui.lang(), w, k, 1, p)
ui.quiz(q.question, q.options, q.correct, key=f"{K}_q1_{w}_{p}", explanation=q.explanation)
corner = {m: float(padded(crop.array, p, m)[0, 0]) for m in MODES} if p > 0 else {}
unique = [m for m in corner if sum(np.isclose(corner[m], v) for v in corner.values()) == 1]
if unique:
    target = "circular" if "circular" in unique else unique[0]
    opts = list(MODES)
    ui.quiz(
        ui.t(
            f"On the crop, which mode puts {corner[target]:.2f} in the top-left padded cell?",
            f"在裁剪区域上，哪种方式会在左上角的填充格放入 {corner[target]:.2f}？",
        ),
        [ui.t(*MODES[m]) for m in opts],
        opts.index(target),
        key=f"{K}_q2_{p}_{crop.top}_{crop.left}",
        explanation=", ".join(f"{ui.t(*MODES[m])}: {v:.2f}" for m, v in corner.items()),
    )
