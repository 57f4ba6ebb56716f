"""Page 21 (lesson 18, residual versus plain) under AppTest: the recorded gradient norms drawn,
the written-out block the engine's, a changed block redrawn."""

from __future__ import annotations

import numpy as np

from cnnviz.lessons import residual as rs
from tests.pages.apptest_helpers import all_text, animations, arr, assert_ok, run_page

PAGE = "21_residual.py"


def test_defaults_draw_the_recorded_gradients_and_the_block():
    at = run_page(PAGE)
    assert_ok(at)
    rec = rs.recording()
    bars = animations(at)[0]
    assert len(bars["frames"]) == len(rec.checkpoints)
    np.testing.assert_allclose(arr(bars["data"][1]["y"]), rec.runs["residual"].grad_norm[0],
                               rtol=1e-6)
    t = rs.trace_block(rs.trained(rec, "residual"), True, 1)
    assert f"= {round(t.fx, 3) + round(t.x, 3):.3f}" in all_text(at)


def test_changing_block_and_net():
    # English: AppTest formats a radio's options outside the page run (in the default language)
    at = run_page(PAGE, classroom=True)
    at.slider(key="res_block").set_value(5).run()
    at.radio(key="res_net").set_value("plain").run()
    assert_ok(at)
    t = rs.trace_block(rs.trained(rs.recording(), "plain"), False, 5)
    assert f"F(x) = {t.fx:.3f}" in all_text(at)
