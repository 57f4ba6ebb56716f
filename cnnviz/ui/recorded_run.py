"""A lesson's recorded training run, and the button that runs it again here.

The "how a CNN learns" pages open on a recording (``assets/runs/<slug>.npz``, made by
``scripts/record_lesson_runs.py``), so their first screen draws at once. "Run it again" trains
the same arms with the same seed and settings in this session (single-threaded BLAS, as the
training page), shows its progress, and from then on the page draws the new run and says how
far its loss curves are from the recording's.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from cnnviz.concurrency import training_threads
from cnnviz.i18n import Text
from cnnviz.lessons.learning import recorded
from cnnviz.training.sidebyside import Arm, Recording, train_side_by_side
from cnnviz.ui.buttons import button
from cnnviz.ui.common import t

RECORDED = Text(
    "**Recorded run** (made by `scripts/record_lesson_runs.py`): {steps} steps of SGD, "
    "learning rate {lr:g}, momentum {momentum:g}, batches of {batch} MNIST digits, seed "
    "{seed}, the same batches for every net; test accuracy on {test} test digits.",
    "**录制的训练**（由 `scripts/record_lesson_runs.py` 生成）：SGD 训练 {steps} 步，"
    "学习率 {lr:g}，动量 {momentum:g}，每批 {batch} 个 MNIST 数字，随机种子 {seed}，"
    "每个网络看到的批次完全相同；测试准确率在 {test} 个测试数字上计算。",
)
AGAIN = Text("Run it again here", "在这里重新训练一次")
RUNNING = Text("Training the nets one after the other…", "正在依次训练这些网络……")
REDONE = Text(
    "Showing the run just made here. Its loss curves differ from the recording's by at most "
    "{diff:.2g}.",
    "下面显示的是刚才在这里完成的训练。它的损失曲线与录制结果最多相差 {diff:.2g}。",
)


def recorded_run(slug: str, arms: Callable[[], list[Arm]], key: str) -> Recording:
    """The recording of lesson ``slug``, or this session's rerun of it once made."""
    rec = recorded(slug)
    s = rec.settings
    st.markdown(t(RECORDED.format(steps=s.steps, lr=s.lr, momentum=s.momentum,
                                  batch=s.batch_size, seed=s.seed, test=s.test_size)))
    store = f"{key}__rerun"
    if button(t(AGAIN), key=f"{key}__again", icon=":material/replay:"):
        bar = st.progress(0.0, text=t(RUNNING))
        with training_threads():
            again = train_side_by_side(arms(), s, progress=lambda f: bar.progress(
                min(1.0, f), text=t(RUNNING)))
        bar.empty()
        st.session_state[store] = again
        st.rerun()  # the figures above were drawn from the recording: redraw them all
    again = st.session_state.get(store)
    if isinstance(again, Recording):
        st.caption(t(REDONE.format(diff=rec.max_difference(again))))
        return again
    return rec
