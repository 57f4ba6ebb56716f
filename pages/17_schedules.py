"""Lesson 14: a too small, an about right and a too large learning rate; the schedules."""

import streamlit as st

from cnnviz import ui
from cnnviz.lessons import schedules as sch
from cnnviz.lessons.optimisers import SURFACES, surface_grid
from cnnviz.viz.optimisers import race_figure
from cnnviz.viz.schedules import schedules_figure

K = "sch"
SLUG = ui.page_title(__file__).slug
RATES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2, 1.5, 2.0, 3.0]

rate_runs = ui.memo(sch.rate_runs)
grid = ui.memo(surface_grid)
all_schedules = ui.memo(sch.all_schedules)

left, right = ui.lesson_columns()
with left:
    rates = {
        "small": ui.select_slider(ui.t("Too small η", "太小的 η"), RATES, 0.1, key=f"{K}_small"),
        "right": ui.select_slider(ui.t("About right η", "合适的 η"), RATES, 0.9,
                                  key=f"{K}_right"),
        "large": ui.select_slider(ui.t("Too large η", "太大的 η"), RATES, 1.05, key=f"{K}_large"),
    }
    steps = ui.slider(ui.t("Steps", "步数"), 10, 100, 40, key=f"{K}_steps")

runs = rate_runs(rates, steps)
with right:
    ui.plot(race_figure, sch.SURFACE, grid(sch.SURFACE), runs, steps, "right",
            names=sch.rate_names(rates), colours=sch.RATE_COLOURS, lang=ui.lang(),
            classroom=ui.classroom(), key=f"{K}_race")
    st.caption(ui.prose(SLUG, "caption"))

for r in runs.values():
    if r.diverged_at is not None:
        st.warning(ui.prose(SLUG, "diverged", rate=f"{r.lr:g}", step=r.diverged_at))
lam = sch.curvatures()
limit = sch.stability_limit()
ui.formula(SURFACES[sch.SURFACE].latex + r", \quad \eta < \frac{2}{\lambda_{\max}} = "
           rf"\frac{{2}}{{{lam[-1]:g}}} = {limit:g}")
st.markdown(ui.prose(SLUG, "limit", lmin=f"{lam[0]:g}", lmax=f"{lam[-1]:g}", limit=f"{limit:g}"))

st.subheader(ui.t("Schedules: the rate over the steps", "学习率调度：学习率随步数的变化"))
c1, c2 = st.columns(2)
with c1:
    kind = ui.radio(ui.t("Schedule", "学习率调度"), list(sch.KINDS),
                    index=1, format_func=lambda k: ui.t(sch.KIND_NAMES[k]), key=f"{K}_kind")
    base = ui.select_slider(ui.t("Initial rate η₀", "初始学习率 η₀"), [0.01, 0.05, 0.1, 0.5, 1.0],
                            0.1, key=f"{K}_base")
    total = ui.slider(ui.t("Steps T", "总步数 T"), 20, 200, 100, step=10, key=f"{K}_total")
with c2:
    size = ui.slider(ui.t("Step: every s steps", "阶梯：每 s 步"), 5, 100, 30, step=5,
                     key=f"{K}_size")
    step_gamma = ui.select_slider(ui.t("Step: factor γ", "阶梯：因子 γ"), [0.1, 0.2, 0.5, 0.8],
                                  0.5, key=f"{K}_sgamma")
    exp_gamma = ui.select_slider(ui.t("Exponential: γ", "指数：γ"),
                                 [0.9, 0.95, 0.97, 0.98, 0.99], 0.97, key=f"{K}_egamma")
    power = ui.select_slider(ui.t("Polynomial: power p", "多项式：幂 p"), [0.5, 1.0, 2.0, 3.0],
                             2.0, key=f"{K}_power")
    warm = ui.toggle(ui.t("Warm-up", "预热"), False, key=f"{K}_warm")
    warmup = ui.slider(ui.t("Warm-up steps w", "预热步数 w"), 1, total // 2, min(10, total // 2),
                       key=f"{K}_w") if warm else 0

s = sch.Schedule(kind, base, total, size, step_gamma, exp_gamma, power, warmup)
curves = all_schedules(s)
t = ui.slider(ui.t("Step t", "第 t 步"), 0, total, min(37, total), key=f"{K}_t")
ui.plot(schedules_figure, curves, kind, t, warmup, lang=ui.lang(), classroom=ui.classroom(),
        key=f"{K}_curves")
ui.formula(sch.GENERAL[kind])
if warmup:
    ui.formula(sch.WARMUP_GENERAL)
for line in sch.filled_formula(s, t, float(curves[kind][t])):
    ui.formula(line)
st.caption(ui.prose(SLUG, "schedule_numbers", f=f"{sch.WARMUP_START:g}"))
st.markdown(ui.prose(SLUG, f"kind_{kind}"))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(sch.rate_question(s, t, curves[kind]), key=f"{K}_q1_{s}_{t}")
ui.quiz(sch.growth_question(runs, rates["large"]), key=f"{K}_q2_{rates['large']}_{steps}")
