"""Lesson 13: optimisers racing on 2-D loss surfaces; each update rule with this step's numbers."""

import streamlit as st

from cnnviz import ui
from cnnviz.lessons import optimisers as opt
from cnnviz.lessons.optimiser_rules import general_rule, num, rule_lines
from cnnviz.optim import OPTIMIZER_NAMES
from cnnviz.viz.optimisers import race_figure

K = "opt"
SLUG = ui.page_title(__file__).slug

race = ui.memo(opt.race)
step_record = ui.memo(opt.step_record)
surface_grid = ui.memo(opt.surface_grid)

left, right = ui.lesson_columns()
with left:
    surface = ui.radio(ui.t("Loss surface", "损失曲面"), list(opt.SURFACES),
                       format_func=lambda k: ui.t(opt.SURFACES[k].name), key=f"{K}_surface")
    steps = ui.slider(ui.t("Steps", "步数"), 10, 150, 40, key=f"{K}_steps")
    scale = ui.select_slider(ui.t("Every learning rate ×", "所有学习率 ×"),
                             [0.25, 0.5, 1.0, 2.0, 4.0], 1.0, key=f"{K}_scale")
    focus = ui.selectbox(ui.t("Update rule to write out", "写出哪个更新规则"),
                         list(OPTIMIZER_NAMES), index=list(OPTIMIZER_NAMES).index("adam"),
                         format_func=lambda k: ui.t(opt.OPTIMISER_NAMES[k]), key=f"{K}_focus")

surf = opt.SURFACES[surface]
runs = race(surface, steps, scale)
with right:
    ui.plot(race_figure, surface, surface_grid(surface), runs, steps, focus, lang=ui.lang(),
            classroom=ui.classroom(), key=f"{K}_race")
    st.caption(ui.prose(SLUG, "caption", start=f"({surf.start[0]:g}, {surf.start[1]:g})"))

ui.formula(surf.latex)
for key, r in runs.items():
    if r.diverged_at is not None:
        st.warning(ui.prose(SLUG, "diverged", name=ui.t(opt.OPTIMISER_NAMES[key]),
                            step=r.diverged_at))
order = opt.ranking(runs, surface)
after = ui.t(f"loss after {steps} steps", f"{steps} 步后的损失")
rows = [f"| {ui.t('Optimiser', '优化器')} | η | {after} |", "|---|---:|---:|"]
for key in order:
    r = runs[key]
    final = "—" if r.diverged_at is not None else f"{r.loss[-1]:.4g}"
    rows.append(f"| {ui.t(opt.OPTIMISER_NAMES[key])} | {r.lr:g} | {final} |")
st.markdown("\n".join(rows))
st.caption(ui.prose(SLUG, "rates_note"))

st.subheader(ui.t("One step, written out", "写出一步"))
t = ui.slider(ui.t("Step t", "第 t 步"), 1, steps, 1, key=f"{K}_t")
coord = ui.radio(ui.t("Coordinate", "坐标"), [0, 1], format_func=lambda i: "xy"[i],
                 horizontal=True, key=f"{K}_coord")
rec = step_record(surface, focus, t, scale)
ui.formula(general_rule(focus))
if rec is None:
    st.info(ui.prose(SLUG, "no_step", name=ui.t(opt.OPTIMISER_NAMES[focus]), step=t))
else:
    for line in rule_lines(rec, coord):
        ui.formula(line)
    st.caption(ui.prose(SLUG, "rule_numbers", lr=num(rec.lr)))
st.markdown(ui.prose(SLUG, f"rule_{focus}"))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(opt.winner_question(runs, surface, steps), key=f"{K}_q1_{surface}_{steps}_{scale}")
ui.quiz(opt.sgd_step_question(surface, scale), key=f"{K}_q2_{surface}_{scale}")
