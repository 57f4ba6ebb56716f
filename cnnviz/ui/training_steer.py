"""The training page's steering row and "keep this run": change a run while it trains, and
compare runs on the same axes (the logic is in ``cnnviz.training.steering`` / ``.runs``).

The steering widgets belong to one run (their keys carry the run's id): a new run starts them
at its own settings, and a change is applied in the widget's callback, before the page
redraws, so the mark on the curves and the next step agree. They are not carried by "Link to
this view": a link cannot hold a run.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from cnnviz.i18n import Text
from cnnviz.training.runs import MAX_KEPT
from cnnviz.ui.buttons import button
from cnnviz.ui.common import prose, t
from cnnviz.ui.training_session import TrainingSession

MOMENTA = [0.0, 0.5, 0.8, 0.9, 0.95, 0.99]
DECAYS = [0.0, 1e-5, 1e-4, 1e-3, 1e-2]
LABELS = {
    "lr": Text("Learning rate", "学习率"),
    "momentum": Text("Momentum", "动量"),
    "beta1": Text("Momentum (Adam's β₁)", "动量（Adam 的 β₁）"),
    "weight_decay": Text("Weight decay (L2)", "权重衰减（L2）"),
}


def _nearest(options: Sequence[float], value: float) -> float:
    return min(options, key=lambda v: abs(v - value))


def _options(options: Sequence[float], current: float) -> list[float]:
    """The choices with the run's current value among them (a setting made elsewhere)."""
    return sorted({*options, current}) if current not in options else list(options)


def steer_and_compare(sess: TrainingSession, lrs: Sequence[float], key: str,
                      classroom: bool = False) -> None:
    """Steering and kept runs in one expander (folded in classroom mode, where the live
    pictures need the screen); nothing before the first run unless runs are kept."""
    if sess.trainer is None and not sess.kept:
        return
    title = t("Steer this run · compare runs", "调整训练 · 比较多次训练")
    with st.expander(title, expanded=not classroom):
        steer_controls(sess, lrs, key)
        keep_controls(sess, key)


def steer_controls(sess: TrainingSession, lrs: Sequence[float], key: str) -> None:
    """Learning rate, momentum and weight decay of the current run, changeable while it runs
    or is paused; every change is marked on the curves."""
    tr = sess.trainer
    if tr is None or sess.status not in ("running", "paused"):
        return
    run = id(tr)
    names = tr.steerable()
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        current = tr.setting(name)
        options = _options({"lr": lrs, "momentum": MOMENTA, "weight_decay": DECAYS}[name],
                           current)
        label = LABELS["beta1" if name == "momentum" and tr.config.optimizer == "adam"
                       else name]
        k = f"{key}_steer_{name}_{run}"

        def changed(name: str = name, k: str = k) -> None:
            sess.steer(name, st.session_state[k])

        col.select_slider(t(label), options, value=_nearest(options, current),
                          format_func=lambda v: f"{v:g}", key=k, on_change=changed)
    st.caption(prose("training", "steer_caption"))


def keep_controls(sess: TrainingSession, key: str) -> None:
    """"Keep this run" (its curves stay on the axes of the next runs) and "forget them"."""
    tr = sess.trainer
    c1, c2, c3 = st.columns([1.2, 1, 1.6])
    with c1:
        if button(t("Keep this run to compare", "保留这次训练用于比较"), key=f"{key}_keep",
                  icon=":material/bookmark_add:", width="stretch",
                  disabled=tr is None or tr.step == 0):
            sess.keep()
    with c2:
        if button(t("Forget kept runs", "清除保留的训练"), key=f"{key}_forget",
                  icon=":material/bookmark_remove:", width="stretch", disabled=not sess.kept):
            sess.forget_kept()
    c3.caption(prose("training", "kept_caption", n=len(sess.kept), most=MAX_KEPT))
