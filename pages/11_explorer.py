"""Network explorer: any image through a trained CNN, layer by layer; CNN vs fully connected."""

import contextlib

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.data.digits import BlankDigitError, preprocess_digit
from cnnviz.data.mnist import MnistError, mnist_arrays
from cnnviz.data.resize import plain_resize, stretch01
from cnnviz.lessons.architectures import STORIES, arch_numbers, story_rows
from cnnviz.lessons.explorer import explorer_text
from cnnviz.models import MODEL_NAMES, model_description
from cnnviz.summary import count_parameters, summarize, total_multiply_adds
from cnnviz.training import conv_weights, feature_maps, probabilities
from cnnviz.ui.model_choice import pretrained_model, untrained_model
from cnnviz.ui.training_session import STATE_KEY
from cnnviz.viz.network import fc_comparison_figure, kernel_grid_figure, layer_table
from cnnviz.viz.style import signed_colour_names
from cnnviz.viz.training import digit_figure, feature_maps_figure, probability_figure
from cnnviz.weights import WeightsError, plain_text, pretrained_path

K = "explorer"


ui.page_title(__file__)

# ----------------------------------------------------------------------------- the network
sess = st.session_state.get(STATE_KEY)
trained_here = getattr(sess, "trainer", None)
choices: list[str] = []
if trained_here is not None and trained_here.step > 0:
    choices.append("session")
# the lecture notes' net first, then the modern LeNet-5: the clearest feature maps
order = sorted(MODEL_NAMES, key=lambda m: {"simple_convnet": 0, "lenet5": 1}.get(m, 2))
choices += [f"pretrained:{m}" for m in order if pretrained_path(m).is_file()]
choices += [f"random:{m}" for m in MODEL_NAMES]


def _label(c: str) -> str:
    if c == "session":
        return ui.t(f"Trained on the training page ({trained_here.config.model}, "
                    f"{trained_here.step} steps)",
                    f"在训练页面训练的网络（{trained_here.config.model}，{trained_here.step} 步）")
    kind, name = c.split(":")
    return (ui.t(f"{name} — pretrained", f"{name} — 预训练") if kind == "pretrained"
            else ui.t(f"{name} — untrained (random weights)", f"{name} — 未训练（随机权重）"))


left, right = ui.lesson_columns()
with left:
    # labels fixed now, in this run's language (AppTest calls format_func outside the run)
    net_labels = {c: _label(c) for c in choices}
    choice = ui.selectbox(ui.t("Network", "网络"), choices, format_func=net_labels.__getitem__,
                          key=f"{K}_net")
    trained = choice == "session" or choice.startswith("pretrained:")
    if choice == "session":
        model, name = trained_here.model, trained_here.config.model
    else:
        kind, name = choice.split(":")
        try:
            model = (pretrained_model(name, pretrained_path(name).stat().st_mtime)
                     if kind == "pretrained" else untrained_model(name))
        except WeightsError as err:
            st.error(plain_text(err.message(ui.lang())))
            model, trained = untrained_model(name), False
    st.caption(model_description(name, ui.lang()))
    if not any(c.startswith("pretrained:") for c in choices) and choice != "session":
        st.info(ui.t("No trained weights are bundled yet: train a network on the training "
                     "page and it appears here; random weights show what training starts from.",
                     "还没有内置的训练好的权重：在训练页面训练一个网络，它就会出现在这里；"
                     "随机权重展示的是训练开始时的样子。"))

    # ------------------------------------------------------------------------- the input
    src_labels = {"mnist": ui.t("MNIST test digit", "MNIST 测试数字"),
                  "image": ui.t("Any image", "任意图片")}
    src = ui.radio(ui.t("Input", "输入"), list(src_labels), horizontal=True,
                   format_func=src_labels.__getitem__, key=f"{K}_src")
    x28: np.ndarray | None = None
    label: int | None = None
    if src == "mnist":
        try:
            xt, yt = mnist_arrays("test")
            i = int(ui.number_input(ui.t("Test digit number", "测试数字编号"), 0, len(yt) - 1,
                                    0, key=f"{K}_index"))
            x28, label = np.asarray(xt[i]).reshape(28, 28), int(yt[i])
        except MnistError as err:
            ui.show_error(err)
    if src == "image" or x28 is None:
        img = ui.image_picker(K, allow_color=False)
        how_labels = {"digit": ui.t("like MNIST (ink bright, centred, 20×20 box)",
                                    "像 MNIST 那样（白字、居中、20×20 框）"),
                      "resize": ui.t("plain resize", "直接缩放")}
        how = ui.radio(ui.t("To 28×28 grayscale", "转成 28×28 灰度"), list(how_labels),
                       format_func=how_labels.__getitem__, key=f"{K}_how")
        gray = stretch01(img.gray) if img.is_grid else np.asarray(img.gray, dtype=np.float32)
        if how == "digit":
            try:
                x28 = preprocess_digit(gray)
            except BlankDigitError as err:
                st.warning(err.message(ui.lang()))
                x28 = plain_resize(gray)
        else:
            x28 = plain_resize(gray)

# ----------------------------------------------------------------------------- forward pass
assert x28 is not None
# the session's model may be mid-chunk on the training page's timer: use it under its lock
lock = getattr(sess, "lock", None) if choice == "session" else None
with lock or contextlib.nullcontext():
    probs = probabilities(model, x28)[0]
    stages = feature_maps(model, x28)
    rows = summarize(model)
    n_params = count_parameters(model)
    all_convs = conv_weights(model)
convs = all_convs[:2]
words = explorer_text(len(stages), [(n, wt.shape) for n, wt in convs], len(all_convs),
                      trained=trained,
                      colours=signed_colour_names(ui.classroom()))
with right:
    c1, c2 = st.columns([0.8, 1.3])
    with c1:
        title = ui.t("Input 28×28", "输入 28×28") + (
            ui.t(f" (label {label})", f"（标签 {label}）") if label is not None else "")
        ui.show_plotly(digit_figure(x28, title=title, classroom=ui.classroom(), height=300),
                       key=f"{K}_input")
    with c2:
        ui.show_plotly(probability_figure(probs, lang=ui.lang(), classroom=ui.classroom()),
                       key=f"{K}_probs")
    st.subheader(ui.t(words.maps_heading))
    ui.show_plotly(feature_maps_figure(stages, lang=ui.lang(), classroom=ui.classroom(),
                                       max_maps=32), key=f"{K}_fmaps")
    st.caption(ui.t(words.maps_caption))

# ----------------------------------------------------------------------------- layers
st.subheader(ui.t("Layers: shapes, parameters, multiply-adds", "各层：形状、参数、乘加次数"))
st.dataframe(layer_table(rows, ui.lang()), hide_index=True, width="stretch")
st.markdown(ui.t(
    f"**{n_params:,}** parameters, **{total_multiply_adds(rows):,}** "
    "multiply-adds for one 28×28 image.",
    f"共 **{n_params:,}** 个参数，处理一张 28×28 图像需要 "
    f"**{total_multiply_adds(rows):,}** 次乘加。"))

if convs:
    st.subheader(ui.t(words.filters_heading))
    cols = st.columns([1, 1.4][:len(convs)], gap="large")
    for col, (n, weight) in zip(cols, convs, strict=False):
        with col:
            ui.show_plotly(kernel_grid_figure(
                weight, title=ui.t(f"Layer {n}", f"第 {n} 层"), lang=ui.lang(),
                classroom=ui.classroom()), key=f"{K}_kernels_{n}")
    st.caption(ui.t(words.filters_caption))

# ----------------------------------------------------------------------------- the story
st.divider()
st.subheader(ui.t("From LeNet-5 to ResNet", "从 LeNet-5 到 ResNet"))
st.table(story_rows(ui.lang()))
nums = [arch_numbers(s.model) for s in STORIES]
ui.show_plotly(fc_comparison_figure(nums, [s.model for s in STORIES], lang=ui.lang(),
                                    classroom=ui.classroom()), key=f"{K}_fc")
first = arch_numbers("simple_convnet").conv_layers[0]
ui.explain(
    f"The *fully connected twin* keeps every layer's size but connects each output to every "
    f"input. The notes' first conv layer maps 1×28×28 to 30×24×24 with **{first.conv_params:,}"
    f"** weights; a fully connected layer doing the same would need **{first.dense_params:,}** "
    f"({first.ratio:,.0f}× more). Two ideas make the difference: *local connectivity* (each "
    "output looks at a 5×5 patch, not the whole image) and *weight sharing* (the same 5×5 "
    "filter is used at every position).",
    f"*全连接对应网络*保持每层的大小不变，但每个输出都连接到所有输入。讲义中的第一个卷积层把 "
    f"1×28×28 映射为 30×24×24，只用 **{first.conv_params:,}** 个权重；做同样事情的全连接层需要 "
    f"**{first.dense_params:,}** 个（多 {first.ratio:,.0f} 倍）。差别来自两个思想：*局部连接*"
    "（每个输出只看一个 5×5 小块，而不是整幅图像）和*权值共享*（同一个 5×5 滤波器在每个位置"
    "重复使用）。",
)
for s in STORIES:
    n = arch_numbers(s.model)
    with st.expander(f"{s.year} · {s.title(ui.lang())}", expanded=not ui.classroom()):
        st.markdown(s.text(ui.lang()))
        st.markdown(ui.t(
            f"`{s.model}`: **{n.params:,}** parameters, **{n.multiply_adds:,}** multiply-adds "
            f"per image; its fully connected twin: **{n.dense_twin_params:,}** parameters "
            f"({n.ratio:,.0f}×).",
            f"`{s.model}`：**{n.params:,}** 个参数，每张图 **{n.multiply_adds:,}** 次乘加；"
            f"全连接对应网络：**{n.dense_twin_params:,}** 个参数（{n.ratio:,.0f} 倍）。"))
