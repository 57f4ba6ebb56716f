"""Page 19 (lesson 16, batch normalisation) under AppTest: the recorded run drawn, the numbers
of the written-out formulas the engine's, a changed layer redrawn."""

from __future__ import annotations

import numpy as np

from cnnviz.lessons import batchnorm as bn
from tests.pages.apptest_helpers import all_text, animations, arr, assert_ok, run_page

PAGE = "19_batchnorm.py"


def test_defaults_draw_the_recording_and_the_engines_numbers():
    at = run_page(PAGE)
    assert_ok(at)
    rec = bn.recording()
    hist = animations(at)[0]
    assert len(hist["frames"]) == len(rec.checkpoints)
    first_bar = arr(hist["data"][0]["y"])
    np.testing.assert_allclose(first_bar, rec.runs["plain"].act_hist[0, 0], atol=1e-6)
    text = all_text(at)
    u = bn.unit_stats(rec, bn.DEPTH, 32)
    assert f"= {u.y_eval:.3f}" in text and f"= {u.new_running_mean:.4f}" in text
    assert at.button(key="bn__again") is not None


def test_changing_the_layer_changes_the_unit_and_highlight():
    at = run_page(PAGE, lang="zh", classroom=True)
    at.slider(key="bn_layer").set_value(2).run()
    assert_ok(at)
    u = bn.unit_stats(bn.recording(), 2, 32)
    assert f"= {u.y_train:.3f}" in all_text(at)


def test_run_it_again_trains_with_the_recordings_settings(monkeypatch):
    """The button reruns the recording's settings here (a 3-step recording stands in)."""
    from cnnviz.training.sidebyside import RunSettings, train_side_by_side
    from cnnviz.ui import recorded_run

    tiny = train_side_by_side(bn.arms(), RunSettings(**{**bn.SETTINGS.__dict__, "steps": 3,
                                                        "every": 1, "test_size": 30}))
    monkeypatch.setattr(recorded_run, "recorded", lambda slug: tiny)
    monkeypatch.setattr(bn, "single_digit_accuracy", lambda rec, n=200: 0.5)  # slow, tested
    at = run_page(PAGE)
    at.button(key="bn__again").click().run()
    assert_ok(at)
    again = at.session_state["bn__rerun"]
    assert again.settings == tiny.settings and tiny.max_difference(again) < 1e-4
    assert any("Showing the run just made here" in c.value for c in at.caption)
