"""Page 18 (lesson 15, batch, iteration, epoch) under AppTest: defaults, a changed batch size."""

from __future__ import annotations

from cnnviz.lessons import batches as bat
from tests.pages.apptest_helpers import all_text, animations, assert_ok, plotly_figures, run_page

PAGE = "18_batches.py"


def test_defaults_and_changed_batch() -> None:
    at = run_page(PAGE)
    assert_ok(at)
    assert len(animations(at)[0]["frames"]) == len(bat.SIZES)
    text = all_text(at)
    assert r"\left\lceil \frac{60000}{128} \right\rceil = 469" in text
    assert "60000 - 468 \\times 128 = 96" in text and "5 \\times 469 = 2345" in text
    at.slider(key="bat_b").set_value(100).run()
    assert_ok(at)
    text = all_text(at)
    assert r"\left\lceil \frac{60000}{100} \right\rceil = 600" in text
    assert "every batch full" in text  # 100 divides 60000


def test_speed_is_timed_on_request() -> None:
    at = run_page(PAGE)
    assert len(plotly_figures(at)) == 2  # the spread and the epoch: nothing timed yet
    at.button(key="bat_measure").click().run()
    assert_ok(at)
    assert len(plotly_figures(at)) == 3
    times = at.session_state["bat_times"]
    assert set(times) == {*bat.SIZES, 128} and all(v > 0 for v in times.values())
    assert r"I \times t = 469 \times" in all_text(at)
