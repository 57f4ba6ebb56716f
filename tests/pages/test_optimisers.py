"""Page 16 (lesson 13, optimisers) under AppTest: defaults, and a changed surface."""

from __future__ import annotations

import numpy as np

from cnnviz.lessons import optimisers as opt
from tests.pages.apptest_helpers import all_text, animations, arr, assert_ok, run_page

PAGE = "16_optimisers.py"


def test_defaults_show_the_engines_race_and_step() -> None:
    at = run_page(PAGE)
    assert_ok(at)
    fig = animations(at)[0]
    runs = opt.race("bowl", 40)
    last = fig["frames"][-1]["data"]
    for i, r in enumerate(runs.values()):  # path, head, loss per optimiser
        np.testing.assert_allclose(arr(last[3 * i]["x"]), r.path[:, 0])
    assert animations(at)[0]["frames"][-1]["traces"][0] == 1 + 2 * len(runs)
    text = all_text(at)
    assert opt.SURFACES["bowl"].latex in text
    assert r"\beta_1 m^x_{0}" in text and r"\hat m^x_{1}" in text  # Adam's step 1 written out


def test_changed_surface_and_step() -> None:
    at = run_page(PAGE)
    at.radio(key="opt_surface").set_value("rosenbrock").run()
    at.selectbox(key="opt_focus").set_value("momentum").run()
    at.slider(key="opt_t").set_value(3).run()
    at.radio(key="opt_coord").set_value(1).run()
    assert_ok(at)
    text = all_text(at)
    assert opt.SURFACES["rosenbrock"].latex in text and r"\mu\, b^y_{2}" in text
    assert "Rosenbrock's valley" in text
