"""Training you can steer and compare (issue 10) under AppTest: a learning-rate change during a
run is applied and marked, a kept run is overlaid on the next run's curves, and the filters
show now / at the start / what changed with a greyscale option and the start's feature maps."""

from __future__ import annotations

import pytest

from cnnviz.concurrency import TRAINING_SLOTS
from tests.pages.apptest_helpers import all_text, assert_ok, plotly_figures, run_page
from tests.pages.test_training import _run_until, _sess, _start

PAGE = "10_training.py"


@pytest.fixture(autouse=True)
def _free_training_slots():
    TRAINING_SLOTS.reset()
    yield
    TRAINING_SLOTS.reset()


def _figure(at, predicate):
    for fig in plotly_figures(at):
        if predicate(fig):
            return fig
    raise AssertionError("figure not found")


def _curves(at) -> dict:
    return _figure(at, lambda f: "yaxis3" in f.get("layout", {})
                   and f["layout"]["yaxis3"].get("type") == "log")


def test_steer_keep_and_compare_runs():
    at = _start(run_page(PAGE), subset=500, batch=16, epochs=2)
    sess = _sess(at)
    _run_until(at, lambda: sess.trainer.step >= 3)
    tr = sess.trainer
    assert tr.steerable() == ("lr", "momentum", "weight_decay")  # Adam: β₁ as momentum
    key = f"train_steer_lr_{id(tr)}"
    at.select_slider(key=key).set_value(0.0003).run()
    assert_ok(at)
    assert [(c.name, c.new) for c in tr.changes] == [("lr", 0.0003)]
    at.select_slider(key=f"train_steer_weight_decay_{id(tr)}").set_value(1e-4).run()
    assert tr.optimizer.param_groups[0]["weight_decay"] == 1e-4
    _run_until(at, lambda: tr.step > tr.changes[0].step + 1)
    assert tr.history[-1].lr == pytest.approx(3e-4)  # the next steps used the new rate
    curves = _curves(at)
    marks = [s["x0"] for s in curves["layout"]["shapes"]]
    assert tr.changes[0].step in marks and len(marks) == 3 * len(tr.changes)
    assert any(a.get("text") == "lr 0.0003" for a in curves["layout"]["annotations"])

    at.button(key="train_pause").click().run()
    at.button(key="train_keep").click().run()
    assert len(sess.kept) == 1 and sess.kept[0].steered == 2
    assert "1 of 4 runs kept" in all_text(at)
    at.button(key="train_reset").click().run()
    assert sess.kept and sess.trainer is None  # kept runs survive a reset
    at.select_slider(key="train_batch").set_value(32)
    at.run()
    at.button(key="train_start").click().run()
    assert_ok(at)
    names = [d.get("name") for d in _curves(at)["data"]]
    assert "Adam, lr 0.003, batch 16 (steered)" in names
    at.button(key="train_forget").click().run()
    assert sess.kept == []


def test_filters_now_start_change_grey_and_start_maps_zh():
    at = _start(run_page(PAGE, lang="zh", classroom=True), subset=500, batch=16, epochs=1)
    assert_ok(at)

    def filters(at):
        return _figure(at, lambda f: "grey" in f.get("layout", {}).get("meta", {}))

    fig = filters(at)
    titles = [a["text"] for a in fig["layout"]["annotations"]]
    assert titles[1:] == ["训练开始时", "变化<br>（现在 − 开始）"]
    assert fig["data"][-1]["marker"]["showscale"]  # the colour legend
    at.toggle(key="train_grey").set_value(True).run()
    assert filters(at)["layout"]["meta"]["grey"]
    maps = [f for f in plotly_figures(at) if any("特征图" in a.get("text", "")
                                                 for a in f["layout"].get("annotations", []))]
    assert len(maps) == 2  # at the start and now, side by side
    assert maps[0]["data"][0]["source"] != maps[1]["data"][0]["source"]
    assert "调整训练 · 比较多次训练" in str([e.label for e in at.expander])
