"""Lesson 18: residual versus plain - the same deep CNN with and without skip connections."""

import streamlit as st

from cnnviz import ui
from cnnviz.lessons import residual as rs
from cnnviz.ui.recorded_run import recorded_run
from cnnviz.viz.learning import curves_figure, layer_bars_figure

K = "res"
SLUG = ui.page_title(__file__).slug
rec = st.session_state.get(f"{K}__rerun") or rs.recording()
names = [ui.t(rs.ARM_TITLES[a]) for a in rs.ARM_NAMES]


@st.cache_data(show_spinner=False, max_entries=48)
def _trace(token: str, name: str, block: int, _rec: object) -> rs.BlockTrace:
    """One block of a trained net taken apart (once per run, net and block)."""
    return rs.trace_block(rs.trained(_rec, name), name == "residual", block)


left, right = ui.lesson_columns()
with left:
    block = ui.slider(ui.t("Block", "残差块"), 1, rs.DEPTH, 1, key=f"{K}_block")
    which = ui.radio(ui.t("Written out for", "写出哪个网络"), list(rs.ARM_NAMES), 1,
                     format_func=lambda a: ui.t(rs.ARM_TITLES[a]), key=f"{K}_net")
with right:
    st.subheader(ui.t("Gradient reaching each block, as training goes on",
                      "每个块收到的梯度，随训练变化"))
    ui.plot(layer_bars_figure, [rec.runs[a].grad_norm for a in rs.ARM_NAMES], names,
            ui.t("block (1 = next to the input)", "块（1 = 紧挨输入）"),
            ui.t("gradient norm ‖∂L/∂W‖", "梯度范数 ‖∂L/∂W‖"), rec.checkpoints,
            selected=block - 1, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_grads")
    plain, res = (rec.runs[a].grad_norm for a in rs.ARM_NAMES)
    st.caption(ui.prose(SLUG, "caption_grads", plain=f"{plain[0, 0]:.1e}",
                        res=f"{res[0, 0]:.1e}", block=block,
                        plain_b=f"{plain[-1, block - 1]:.1e}", res_b=f"{res[-1, block - 1]:.1e}",
                        steps=rec.settings.steps))

st.subheader(ui.t("Loss curves, side by side", "损失曲线对比"))
ui.plot(curves_figure, [rec.runs[a].loss for a in rs.ARM_NAMES],
        [rec.runs[a].test_acc for a in rs.ARM_NAMES], rec.checkpoints, names,
        (ui.t("training loss", "训练损失"), ui.t("test accuracy (%)", "测试准确率（%）")),
        ui.t("training step", "训练步数"), lang=ui.lang(), classroom=ui.classroom(),
        key=f"{K}_curves")
st.markdown(ui.prose(SLUG, "outcome", plain=f"{rec.runs['plain'].test_acc[-1]:.1%}",
                     res=f"{rec.runs['residual'].test_acc[-1]:.1%}",
                     plain_loss=f"{rec.runs['plain'].loss[-1]:.3f}",
                     res_loss=f"{rec.runs['residual'].loss[-1]:.3f}"))
recorded_run(SLUG, rs.arms, K)
ui.explain_entry(SLUG, "explain_stall")

st.subheader(ui.t("One block, forward and backward, with its numbers",
                  "一个残差块的前向与反向计算及其数字"))
token = "recorded" if rec is rs.recording() else f"rerun{id(rec)}"
t = _trace(token, which, block, rec)
st.markdown(ui.prose(SLUG, "block_unit", block=block, channel=t.unit[0], row=t.unit[1],
                     col=t.unit[2], net=ui.t(rs.ARM_TITLES[which])))
ui.formula(rs.forward_latex(t))
for line in rs.backward_lines(t, ui.t("shortcut", "捷径")):
    ui.formula(line)
st.markdown(ui.prose(SLUG, "norms", out=f"{t.grad_norm_out:.2e}", inn=f"{t.grad_norm_in:.2e}"))
ui.explain_entry(SLUG, "explain_block")

st.subheader(ui.tc("check"))
ui.quiz(rs.sum_question(_trace(token, "residual", block, rec)), key=f"{K}_q1_{block}")
ui.quiz(rs.ratio_question(rec, 0), key=f"{K}_q2")
