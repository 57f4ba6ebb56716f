"""Lesson 2: multi-channel convolution - one kernel per input channel, partial sums + bias."""

import numpy as np
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.kernels import PRESETS, presets_for
from cnnviz.lessons.conv import conv_spec
from cnnviz.lessons.multichannel import multichannel_conv
from cnnviz.lessons.quizzes import Question
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "mc"
CH = [("Red", "红"), ("Green", "绿"), ("Blue", "蓝")]
# (preset, channel weights) per filter: what each filter looks for, as a starting point
DEFAULTS = [("sobel_x", (1.0, 0.0, -1.0)), ("laplacian", (0.0, 1.0, 0.0)), ("box", (1.0, 1.0, 1.0))]

ui.page_title(__file__)

left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, force_color=True)
    x = img.channels()  # (3, H, W)
    h, w = img.shape
    n_filters = st.slider(ui.t("Number of filters", "滤波器个数"), 1, 3, 2, key=f"{K}_nf")
    k = st.slider(ui.tc("kernel_size"), 3, min(5, h, w), 3, key=f"{K}_k") if min(h, w) > 3 else 3
    weights, biases = [], []
    for f in range(n_filters):
        preset_key, default_w = DEFAULTS[f]
        with st.expander(f"{ui.tc('filter')} {f + 1}", expanded=f == 0):
            keys = presets_for(k)
            pk = ui.selectbox(
                ui.t("Kernel shape", "卷积核形状"),
                keys,
                index=keys.index(preset_key),
                format_func=lambda p: ui.t(PRESETS[p].name_en, PRESETS[p].name_zh),
                key=f"{K}_preset{f}",
            )
            cols = st.columns(3)
            cw = [
                cols[c].number_input(
                    ui.t(f"× {en}", f"× {zh}"), -2.0, 2.0, default_w[c], 0.5, key=f"{K}_w{f}{c}"
                )
                for c, (en, zh) in enumerate(CH)
            ]
            b = st.slider(ui.tc("bias"), -1.0, 1.0, 0.0, 0.1, key=f"{K}_b{f}")
        base = PRESETS[pk].kernel(k)
        weights.append(np.stack([base * cw[c] for c in range(3)]))
        biases.append(b)
    weight = np.asarray(weights, np.float32)  # (F, 3, k, k)
    bias = np.asarray(biases, np.float32)
    fsel = ui.radio(
        ui.t("Animate filter", "动画显示滤波器"),
        list(range(n_filters)),
        format_func=lambda f: f"{ui.tc('filter')} {f + 1}",
        horizontal=True,
        key=f"{K}_fsel",
    )
    csel = ui.radio(
        ui.t("…on channel", "……的通道"),
        [0, 1, 2],
        format_func=lambda c: ui.t(*CH[c]),
        horizontal=True,
        key=f"{K}_csel",
    )
    crop = ui.crop_picker(x.transpose(1, 2, 0), min(6, h, w), K)
    xc = crop.array.transpose(2, 0, 1)

res_crop = multichannel_conv(xc, weight, bias)
with right:
    st.subheader(ui.tc("animation"))
    spec = conv_spec(xc[csel], weight[fsel, csel])
    ui.plot(
        window_animation_figure,
        spec,
        lang=ui.lang(),
        classroom=ui.classroom(),
        input_title=f"{ui.tc('input')} · {ui.t(*CH[csel])}",
        output_title=ui.t(f"Partial sum ({CH[csel][0]})", f"部分和（{CH[csel][1]}）"),
        key=f"{K}_anim",
    )
    st.markdown(
        ui.t(
            f"**Filter {fsel + 1}: the three partial sums + bias = the output map** "
            "(each grid from the engine; the last one is the full `conv2d`).",
            f"**滤波器 {fsel + 1}：三个部分和 + 偏置 = 输出特征图**（每个网格都来自引擎；"
            "最后一个是完整的 `conv2d`）。",
        )
    )
    ho, wo = res_crop.output.shape[1:]
    grids = [GridPanel(ui.t(*CH[c]), res_crop.partials[fsel, c], signed=True) for c in range(3)] + [
        GridPanel(ui.tc("bias"), np.full((ho, wo), bias[fsel], np.float32), signed=True),
        GridPanel(ui.tc("output"), res_crop.output[fsel], signed=True),
    ]
    ui.plot(
        number_grid_figure, grids, classroom=ui.classroom(), width_hint=800, key=f"{K}_sum"
    )

st.subheader(ui.tc("full_result"))
res = multichannel_conv(x, weight, bias)
vmax = float(np.abs(res.output).max()) or 1.0
panels = [Panel(ui.tc("input"), img.rgb, "rgb")] + [
    Panel(f"{ui.tc('filter')} {f + 1}", res.output[f], "signed", vmax=vmax)
    for f in range(n_filters)
]
ui.plot(image_row_figure, panels, classroom=ui.classroom(), key=f"{K}_full")
ui.plot(
    image_row_figure,
    [
        Panel(
            f"{ui.t(*CH[c])} · {ui.t('partial', '部分和')}",
            res.partials[fsel, c],
            "signed",
            vmax=vmax,
        )
        for c in range(3)
    ],
    classroom=ui.classroom(),
    height=320,
    key=f"{K}_partials",
)

st.subheader(ui.t("Shapes and parameters", "形状与参数量"))
n_params = formulas.conv_params(3, n_filters, k)
ui.formula(
    rf"\text{{weight}}: ({n_filters}, 3, {k}, {k}),\quad \text{{bias}}: ({n_filters},)"
    rf"\quad \text{{params}} = {n_filters}\cdot 3\cdot {k}\cdot {k} + {n_filters} = {n_params}"
)
ui.formula(formulas.conv_output_size_latex(h, k, 1, 0, 1))
st.markdown(
    ui.t(
        f"Input **3×{h}×{w}** → output **{n_filters}×{res.output.shape[1]}×{res.output.shape[2]}**"
        " (one map per filter).",
        f"输入 **3×{h}×{w}** → 输出 **{n_filters}×{res.output.shape[1]}×{res.output.shape[2]}**"
        "（每个滤波器一张特征图）。",
    )
)
ui.explain(
    "The weight tensor of `nn.Conv2d(3, F, k)` has shape (F, 3, k, k): for each of the F "
    "filters, one k×k kernel per input channel. The output has F channels, however many "
    "channels came in: the channels are summed inside each filter. The bias is one number "
    "per filter, added once after the sum — not once per channel.",
    "`nn.Conv2d(3, F, k)` 的权重形状是 (F, 3, k, k)：F 个滤波器，每个滤波器对每个输入通道"
    "各有一个 k×k 卷积核。无论输入有多少通道，输出都有 F 个通道：通道在每个滤波器内部被求和。"
    "偏置是每个滤波器一个数，在求和之后只加一次，而不是每个通道加一次。",
)

st.subheader(ui.tc("check"))
right_n = n_params
opts = sorted(
    {right_n, n_filters * 3 * k * k, n_filters * k * k + n_filters, n_params + 2 * n_filters}
)
q = Question(
    ui.t(
        f"How many parameters (weights and biases) does Conv2d(3, {n_filters}, {k}) have?",
        f"Conv2d(3, {n_filters}, {k}) 有多少个参数（权重加偏置）？",
    ),
    [str(v) for v in opts],
    opts.index(right_n),
    ui.t(
        f"{n_filters}·3·{k}·{k} weights + {n_filters} biases.",
        f"{n_filters}·3·{k}·{k} 个权重 + {n_filters} 个偏置。",
    ),
)
ui.quiz(q.question, q.options, q.correct, key=f"{K}_q1_{n_filters}_{k}", explanation=q.explanation)
ui.quiz(
    ui.t(
        "How many output channels does this layer produce for a 3-channel input?",
        "对 3 通道的输入，这一层输出多少个通道？",
    ),
    ["1", "3", str(n_filters), str(3 * n_filters)]
    if n_filters not in (1, 3)
    else ["1", "3", "6", "9"],
    (
        ["1", "3", str(n_filters), str(3 * n_filters)]
        if n_filters not in (1, 3)
        else ["1", "3", "6", "9"]
    ).index(str(res.output.shape[0])),
    key=f"{K}_q2_{n_filters}",
    explanation=ui.t("One output channel per filter.", "每个滤波器一个输出通道。"),
)
