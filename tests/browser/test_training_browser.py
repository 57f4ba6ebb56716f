"""Real browser: start live training, see the step counter and the filters redraw, pause,
keep the run for comparison.

Only a few steps are needed (the default settings are fine); screenshots land in
tests/_screenshots for a human to look at.
"""

from __future__ import annotations

import re
import time

from tests.browser.conftest import (
    assert_no_exception,
    open_page,
    pause_training,
    screenshot,
    start_training,
    wait_for_app,
)


def _step(pg) -> int:  # noqa: ANN001
    """The number in the "Step" metric ("12 / 600" → 12), or -1 while it is not drawn."""
    metric = pg.locator('[data-testid="stMetric"]').filter(has_text="Step").first
    if metric.count() == 0:
        return -1
    m = re.search(r"([\d,]+)\s*/", metric.inner_text())
    return int(m.group(1).replace(",", "")) if m else -1


def _filters_src(pg) -> str:  # noqa: ANN001
    """The PNG behind the filters figure's first image (changes whenever it is redrawn)."""
    imgs = pg.locator(".js-plotly-plot image")
    return imgs.first.get_attribute("href") or "" if imgs.count() else ""


def test_live_training_redraws_and_pauses(page):  # noqa: ANN001
    open_page(page, "training")
    page.get_by_text("Live MNIST training").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "training_idle")
    start_training(page)
    deadline = time.monotonic() + 60
    first_step, first_src = _step(page), _filters_src(page)
    advanced = redrawn = False
    while time.monotonic() < deadline and not (advanced and redrawn):
        time.sleep(1.0)
        # read once per poll and remember: a chart caught mid-redraw has no image for a moment
        advanced = advanced or _step(page) >= first_step + 2
        redrawn = redrawn or _filters_src(page) not in ("", first_src)
    assert advanced, "the step counter did not advance"
    assert redrawn, "the filters figure was not redrawn"
    # curves, filters, feature maps (waited for: a chart being redrawn is briefly absent)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3",
                           timeout=30_000)
    assert_no_exception(page)
    screenshot(page, "training_running")

    pause_training(page)
    wait_for_app(page)
    stopped = _step(page)
    time.sleep(2.0)
    assert _step(page) == stopped, "training went on after Pause"
    page.get_by_text("How good is it?").first.wait_for(timeout=60_000)
    assert_no_exception(page)
    # issue 10: filters now / at the start / what changed, the digit's maps at the start and
    # now (five pictures), and a kept run listed for the next run's curves
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot image').length >= 5", timeout=30_000)
    page.get_by_role("button", name="Keep this run to compare").click()
    page.get_by_text("1 of 4 runs kept").first.wait_for(timeout=30_000)
    assert_no_exception(page)
    screenshot(page, "training_paused")
