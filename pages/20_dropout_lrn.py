"""Lesson 17: AlexNet's dropout and local response normalisation, and their effect on a curve."""

import numpy as np
import streamlit as st

from cnnviz import ui
from cnnviz.lessons import dropout_lrn as dl
from cnnviz.ui.recorded_run import recorded_run
from cnnviz.viz.dropout_lrn import dropout_figure, lrn_figure
from cnnviz.viz.learning import curves_figure

K = "do"
SLUG = ui.page_title(__file__).slug


@st.cache_data(show_spinner=False, max_entries=2)
def _stack() -> tuple[np.ndarray, tuple[int, int, int], tuple[int, int]]:
    """The mini AlexNet's first feature maps, the dropout patch, the strongest position."""
    s = dl.feature_stack(0)
    energy = (s.astype(np.float64) ** 2).sum(0)
    r, c = np.unravel_index(int(energy.argmax()), energy.shape)
    return s, dl.busiest_patch(s), (int(r), int(c))


stack, (pc, pr, pq), (row, col) = _stack()
left, right = ui.lesson_columns()
with left:
    p = ui.select_slider(ui.t("Dropout probability p", "丢弃概率 p"),
                         [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], 0.5, key=f"{K}_p")
    channel = ui.slider(ui.t("LRN: channel", "LRN：通道"), 0, stack.shape[0] - 1,
                        int(stack[:, row, col].argmax()), key=f"{K}_ch")
    size = ui.radio(ui.t("LRN: window n (channels)", "LRN：窗口 n（通道数）"), [3, 5, 7], 1,
                    horizontal=True, key=f"{K}_n")
    alpha = ui.select_slider("LRN: α", [0.0001, 0.01, 0.1, 1.0, 10.0], 1.0, key=f"{K}_alpha")
    k = ui.radio("LRN: k", [1.0, 2.0], 0, horizontal=True, key=f"{K}_k")

patch = stack[pc, pr:pr + dl.GRID, pq:pq + dl.GRID]
demo = dl.dropout_demo(patch, p)
with right:
    st.subheader(ui.t("Dropout: a new mask every training step", "Dropout：每一步训练一个新的掩码"))
    ui.plot(dropout_figure, demo.x, demo.outputs, demo.means,
            [ui.t("values x", "数值 x"),
             ui.t(f"this step: x·m/(1−p), p = {p:g}", f"这一步：x·m/(1−p)，p = {p:g}"),
             ui.t("mean of the steps so far", "到目前为止各步的平均")],
            lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_anim")
    st.caption(ui.prose(SLUG, "caption_dropout", n=dl.GRID * dl.GRID, channel=pc,
                        kept=demo.kept(0), expected=f"{(1 - p) * dl.GRID ** 2:g}",
                        scale=f"{demo.scale:.2f}", steps=len(demo.outputs)))

st.subheader(ui.t("Training versus evaluation", "训练时与评估时"))
i, j = np.unravel_index(int(np.argmax(demo.x)), demo.x.shape)
xv, yv = float(demo.x[i, j]), float(demo.outputs[0][i, j])
st.markdown(ui.prose(SLUG, "one_unit", row=int(i) + 1, col=int(j) + 1))
ui.formula(rf"\text{{{ui.t('training', '训练')}}}:\ y = x\cdot\frac{{m}}{{1-p}} = {xv:.2f}"
           rf"\cdot\frac{{{int(yv != 0)}}}{{{1 - p:.1f}}} = {yv:.2f}")
ui.formula(rf"\text{{{ui.t('evaluation', '评估')}}}:\ y = x = {xv:.2f}")
ui.formula(dl.expectation_latex(xv, p))
ui.explain_entry(SLUG, "explain_dropout")

st.subheader(ui.t("Local response normalisation across channels", "跨通道的局部响应归一化"))
u = dl.lrn_unit(stack, channel, row, col, size, alpha, 0.75, k)
ui.plot(lrn_figure, u.before, u.after, u.neighbours, channel,
        (ui.t("before LRN (a)", "LRN 之前（a）"), ui.t("after LRN (b)", "LRN 之后（b）")),
        ui.t(f"channel (position row {row}, column {col})",
             f"通道（位置：第 {row} 行，第 {col} 列）"),
        classroom=ui.classroom(), key=f"{K}_lrn")
st.markdown(ui.prose(SLUG, "lrn_unit", channel=channel, lo=u.neighbours[0],
                     hi=u.neighbours[-1], n=size, alpha=f"{alpha:g}", k=f"{k:g}"))
for line in dl.lrn_latex(u):
    ui.formula(line)
ui.explain_entry(SLUG, "explain_lrn")

st.subheader(ui.t("Their effect on a curve", "它们对训练曲线的影响"))
rec = st.session_state.get(f"{K}__rerun") or dl.recording()
names = [ui.t(dl.ARM_TITLES[a]) for a in dl.ARM_NAMES]
ui.plot(curves_figure, [rec.runs[a].loss for a in dl.ARM_NAMES],
        [rec.runs[a].test_loss for a in dl.ARM_NAMES], rec.checkpoints, names,
        (ui.t("training loss", "训练损失"), ""), ui.t("training step", "训练步数"),
        acc_title=ui.t("test loss", "测试损失"), percent=False, lang=ui.lang(),
        classroom=ui.classroom(), key=f"{K}_curves")
head = [ui.t("after the last step", "最后一步之后"), ui.t("training accuracy", "训练准确率"),
        ui.t("test accuracy", "测试准确率"), ui.t("gap", "差距"), ui.t("test loss", "测试损失")]
rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
for a, name in zip(dl.ARM_NAMES, names):
    run = rec.runs[a]
    gap = (run.train_acc[-1] - run.test_acc[-1]) * 100
    rows.append(f"| {name} | {run.train_acc[-1]:.1%} | {run.test_acc[-1]:.1%} | "
                f"{gap:.1f} {ui.t('points', '个百分点')} | {run.test_loss[-1]:.3f} |")
st.markdown("\n".join(rows))
recorded_run(SLUG, dl.arms, K)
ui.explain_entry(SLUG, "explain_curves", n=dl.SETTINGS.train_limit)

st.subheader(ui.tc("check"))
ui.quiz(dl.dropout_mask_question(p, dl.GRID * dl.GRID), key=f"{K}_q1_{p}")
ui.quiz(dl.lrn_question(u), key=f"{K}_q2_{channel}_{size}_{alpha}_{k}")
