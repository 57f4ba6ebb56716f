"""Page 17 (lesson 14, learning rate and schedules) under AppTest: defaults, a changed schedule."""

from __future__ import annotations

import numpy as np

from cnnviz.lessons import schedules as sch
from tests.pages.apptest_helpers import (
    all_text,
    animations,
    arr,
    assert_ok,
    plotly_figures,
    run_page,
)

PAGE = "17_schedules.py"


def _curve(at, kind: str) -> np.ndarray:  # noqa: ANN001
    fig = next(f for f in plotly_figures(at) if not f.get("frames"))
    name = sch.KIND_NAMES[kind].en
    return arr(next(t for t in fig["data"] if t.get("name") == name)["y"])


def test_defaults_show_the_engines_runs_and_rates() -> None:
    at = run_page(PAGE)
    assert_ok(at)
    runs = sch.rate_runs({"small": 0.1, "right": 0.9, "large": 1.05}, 40)
    last = animations(at)[0]["frames"][-1]["data"]
    np.testing.assert_allclose(arr(last[3 * 2 + 2]["y"]), runs["large"].loss - 0.0)
    np.testing.assert_allclose(_curve(at, "step"), sch.schedule_lrs(sch.Schedule("step")))
    assert r"0.5^{1}" in all_text(at)  # step 37 of "×0.5 every 30"


def test_cosine_with_warmup() -> None:
    at = run_page(PAGE)
    at.radio(key="sch_kind").set_value("cosine").run()
    at.toggle(key="sch_warm").set_value(True).run()
    assert_ok(at)
    want = sch.schedule_lrs(sch.Schedule("cosine", warmup=10))
    np.testing.assert_allclose(_curve(at, "cosine"), want)
    assert r"\tau = t - w" in all_text(at)
