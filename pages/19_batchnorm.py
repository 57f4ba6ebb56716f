"""Lesson 16: batch normalisation - a deep net with and without it, and train versus eval."""

import streamlit as st

from cnnviz import ui
from cnnviz.lessons import batchnorm as bn
from cnnviz.ui.recorded_run import recorded_run
from cnnviz.viz.learning import arm_colour, bars_figure, curves_figure, histograms_figure

K = "bn"


@st.cache_data(show_spinner=False, max_entries=4)
def _single(token: str, _rec: object) -> float:
    """Batches of one digit: once per run (``token``), whatever the batch size."""
    return bn.single_digit_accuracy(_rec)


@st.cache_data(show_spinner=False, max_entries=32)
def _eval_stats(token: str, batch: int, _rec: object) -> bn.EvalStats:
    """Accuracy four ways: once per run (``token``) and batch size."""
    return bn.eval_statistics(_rec, batch, single=_single(token, _rec))



SLUG = ui.page_title(__file__).slug
rec = st.session_state.get(f"{K}__rerun") or bn.recording()  # a rerun (below) replaces it
names = [ui.t(bn.ARM_TITLES[a]) for a in bn.ARM_NAMES]

left, right = ui.lesson_columns()
with left:
    layer = ui.slider(ui.t("Hidden layer", "隐藏层"), 1, bn.DEPTH, bn.DEPTH, key=f"{K}_layer")
    batch = ui.slider(ui.t("Evaluation batch size", "评估时的批大小"), 2, 64, 32,
                      key=f"{K}_batch")
with right:
    st.subheader(ui.t("What reaches each ReLU, as training goes on",
                      "每个 ReLU 收到的输入，随训练变化"))
    ui.plot(histograms_figure, [rec.runs[a].act_hist for a in bn.ARM_NAMES],
            [rec.runs[a].act_std for a in bn.ARM_NAMES], rec.edges, names,
            ui.t("layer", "层"), rec.checkpoints, selected=layer - 1, lang=ui.lang(),
            classroom=ui.classroom(), key=f"{K}_hist")
    first, last = (rec.runs[a].act_std for a in bn.ARM_NAMES)
    st.caption(ui.prose(SLUG, "caption_hist", plain_first=f"{first[0, 0]:.2f}",
                        plain_last=f"{first[0, -1]:.2f}", bn_last=f"{last[0, -1]:.2f}"))

st.subheader(ui.t("Training curves, with and without", "训练曲线：有与没有"))
ui.plot(curves_figure, [rec.runs[a].loss for a in bn.ARM_NAMES],
        [rec.runs[a].test_acc for a in bn.ARM_NAMES], rec.checkpoints, names,
        (ui.t("training loss", "训练损失"), ui.t("test accuracy (%)", "测试准确率（%）")),
        ui.t("training step", "训练步数"), lang=ui.lang(), classroom=ui.classroom(),
        key=f"{K}_curves")
cols = st.columns(len(bn.ARM_NAMES))
for col, a, name in zip(cols, bn.ARM_NAMES, names):
    col.metric(ui.t(f"{name}: test accuracy", f"{name}：测试准确率"),
               f"{rec.runs[a].test_acc[-1]:.1%}")
recorded_run(SLUG, bn.arms, K)
ui.explain_entry(SLUG, "explain_curves")

st.subheader(ui.t("Training versus evaluation statistics", "训练时与评估时的统计量"))
u = bn.unit_stats(rec, layer, batch)
st.markdown(ui.prose(SLUG, "unit", layer=layer, channel=u.channel, batch=batch, n=u.count))
st.markdown(ui.t("**Training** - this batch's mean and variance:",
                 "**训练时**——用这一批的均值和方差："))
ui.formula(bn.normalise_latex(u, batch_stats=True))
st.markdown(ui.t("**Evaluation** - the running mean and variance:",
                 "**评估时**——用滑动均值和方差："))
ui.formula(bn.normalise_latex(u, batch_stats=False))
st.markdown(ui.t("Each training step also moves the running statistics (momentum m = 0.1):",
                 "每一步训练还会更新滑动统计量（动量 m = 0.1）："))
ui.formula(bn.running_update_latex(u))
ui.formula(bn.running_var_latex(u))

st.subheader(ui.t("What goes wrong when evaluation uses the batch's statistics",
                  "评估时用批次自身的统计量会出什么问题"))
ev = _eval_stats("recorded" if rec is bn.recording() else f"rerun{id(rec)}", batch, rec)
labels = [ui.t("running statistics (model.eval())", "滑动统计量（model.eval()）"),
          ui.t(f"batch statistics, mixed batches of {ev.batch}",
               f"批统计量，每批 {ev.batch} 个混合数字"),
          ui.t("batch statistics, a batch of one digit", "批统计量，每批只有一个数字"),
          ui.t("batch statistics, batches of one class", "批统计量，每批只含一个类别")]
ui.plot(bars_figure, labels, [ev.running, ev.mixed, ev.single, ev.one_class],
        ui.t(f"test accuracy on {ev.n} digits (%)", f"{ev.n} 个测试数字上的准确率（%）"),
        colours=[arm_colour(1)] + [arm_colour(0)] * 3, classroom=ui.classroom(),
        key=f"{K}_eval")
ui.explain_entry(SLUG, "explain_eval")

st.subheader(ui.tc("check"))
ui.quiz(bn.running_mean_question(u), key=f"{K}_q1_{layer}_{batch}")
ui.quiz(bn.eval_mode_question(ev), key=f"{K}_q2_{batch}")
