"""Lesson 15: batch, iteration, epoch - the counts, mini-batch gradient noise, measured speed."""

import math

import streamlit as st

from cnnviz import ui
from cnnviz.lessons import batches as bat
from cnnviz.viz.batches import epoch_figure, speed_figure, spread_figure

K = "bat"
SLUG = ui.page_title(__file__).slug
TIMES = f"{K}_times"  # this session's timings, {batch size: seconds per iteration}

gradient_spread = ui.memo(bat.gradient_spread)

left, right = ui.lesson_columns()
with left:
    n = ui.slider(ui.t("Training images N", "训练图像数 N"), 100, 60000, 60000, step=100,
                  key=f"{K}_n")
    b = ui.slider(ui.t("Batch size B", "批大小 B"), 1, 1024, 128, key=f"{K}_b")
    epochs = ui.slider(ui.t("Epochs E", "轮数 E"), 1, 20, 5, key=f"{K}_e")

spread = gradient_spread()
with right:
    ui.plot(spread_figure, spread, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_spread")
    st.caption(ui.prose(SLUG, "spread_caption", pool=spread.pool, params=spread.params,
                        repeats=bat.REPEATS))

st.subheader(ui.t("Batch, iteration, epoch", "批、迭代、轮次"))
c = bat.counts(n, b, epochs)
ui.plot(epoch_figure, c, lang=ui.lang(), classroom=ui.classroom(), key=f"{K}_epoch")
ui.formula(rf"I = \left\lceil \frac{{N}}{{B}} \right\rceil = "
           rf"\left\lceil \frac{{{n}}}{{{b}}} \right\rceil = {c.per_epoch}")
ui.formula(rf"b_I = N - (I - 1)\,B = {n} - {c.per_epoch - 1} \times {b} = {c.last}")
ui.formula(rf"E \times I = {epochs} \times {c.per_epoch} = {c.total}")
key = "counts" if c.last < b else "counts_even"
st.markdown(ui.prose(SLUG, key, n=n, b=b, e=epochs, i=c.per_epoch, full=c.full,
                     last=c.last, total=c.total))

st.subheader(ui.t("Bigger batches, steadier gradients", "批越大，梯度越稳"))
rows = [f"| B | {ui.t('measured', '测得')} | {ui.t('1/√B from B = 1', '从 B = 1 按 1/√B')} | "
        f"{ui.t('mean cosine with g', '与 g 的平均余弦')} |", "|---:|---:|---:|---:|"]
s1 = spread.relative[spread.sizes[0]]
for size in spread.sizes:
    rows.append(f"| {size} | {spread.relative[size]:.3g} | "
                f"{s1:.3g} / √{size} = {s1 / math.sqrt(size):.3g} | {spread.cosine[size]:.2f} |")
st.markdown("\n".join(rows))
st.markdown(ui.prose(SLUG, "spread_explain"))

st.subheader(ui.t("Speed on this machine", "在这台机器上的速度"))
sizes = tuple(sorted({*bat.SIZES, b}))
times = st.session_state.get(TIMES) or {}
# timed only on request: a class opening the page at once would time each other's load
label = ui.t("Measure again", "重新测量") if times else ui.t("Time it on this machine",
                                                             "在这台机器上计时")
if ui.button(label, key=f"{K}_measure", icon=":material/timer:"):
    times = {}
    missing = sizes
else:
    missing = tuple(size for size in sizes if size not in times) if times else ()
if missing:
    with st.spinner(ui.t("Timing training steps…", "正在计时训练步…")):
        times = {**times, **bat.time_iterations(missing)}
    st.session_state[TIMES] = times
if not times:
    st.info(ui.prose(SLUG, "speed_prompt"))
else:
    shown = {size: times[size] for size in sizes}
    ui.plot(speed_figure, shown, n, b, lang=ui.lang(), classroom=ui.classroom(),
            key=f"{K}_speed")
    ms = shown[b] * 1000
    ui.formula(rf"I \times t = {c.per_epoch} \times {ms:.3g}\,\mathrm{{ms}} "
               rf"\approx {c.per_epoch * ms / 1000:.3g}\,\mathrm{{s}}")
    st.caption(ui.prose(SLUG, "speed_caption", b=b, ms=f"{ms:.3g}", ips=f"{b / shown[b]:,.0f}"))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(bat.iterations_question(c), key=f"{K}_q1_{n}_{b}")
ui.quiz(bat.last_batch_question(c), key=f"{K}_q2_{n}_{b}")
ui.quiz(bat.spread_question(spread), key=f"{K}_q3")
