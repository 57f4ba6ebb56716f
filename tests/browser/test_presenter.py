"""The presenter view and keyboard stepping, in the browser: P enters (sidebar and settings
hidden, the animation larger), ←/→ step plotly's own slider (so the step shown and the
figure agree), Esc leaves and restores the page; a link opens its settings."""

from __future__ import annotations

from tests.app_server import ACTIVE_FRAME_JS
from tests.browser.conftest import assert_no_exception, wait_for_app
from tests.browser.stage_wait import wait_for_width

ANIM = '[data-testid="stMain"] .js-plotly-plot:has(.slider-rail-touch-rect)'


def _settled(pg) -> None:  # noqa: ANN001
    """Idle, and idle again after the width probe's report (a rerun) has had time to come."""
    wait_for_app(pg, 90_000)
    wait_for_width(pg)
    pg.wait_for_timeout(1000)
    wait_for_app(pg, 90_000)


def _active(pg) -> int:  # noqa: ANN001
    return int(pg.locator(ANIM).first.evaluate(ACTIVE_FRAME_JS))


def test_presenter_view_and_arrow_keys(browser, streamlit_url) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    try:
        pg = context.new_page()
        pg.set_default_timeout(90_000)
        pg.goto(f"{streamlit_url}/convolution?classroom=1&lang=zh&conv_k=3")
        _settled(pg)
        assert_no_exception(pg)
        before = pg.locator(ANIM).first.bounding_box()
        # keyboard: focus the chart, → twice, ← once
        chart = pg.locator('[data-testid="stMain"] .stPlotlyChart[tabindex="0"]').first
        chart.focus()
        seen = []
        for key in ("ArrowRight", "ArrowRight", "ArrowLeft"):
            pg.keyboard.press(key)
            pg.wait_for_timeout(500)
            seen.append(_active(pg))
        assert seen == [1, 2, 1], seen
        # P: the presenter view
        pg.evaluate("document.activeElement && document.activeElement.blur()")
        pg.keyboard.press("p")
        _settled(pg)
        assert not pg.locator('[data-testid="stSidebar"]').first.is_visible()
        assert pg.locator(".st-key-cnnviz_presenter").count() == 1
        during = pg.locator(ANIM).first.bounding_box()
        assert during["width"] > before["width"]
        assert during["height"] <= 720
        play = pg.locator(ANIM).first.locator(".updatemenu-button").first.bounding_box()
        assert play["y"] + play["height"] <= 720, "Play is on the projected screen"
        pg.keyboard.press("ArrowRight")
        pg.wait_for_timeout(400)
        assert _active(pg) == 1  # a new figure (the new size) starts at its first step + 1
        # Esc: back to the page as it was
        pg.keyboard.press("Escape")
        _settled(pg)
        assert pg.locator('[data-testid="stSidebar"]').first.is_visible()
        assert pg.locator(".st-key-cnnviz_presenter").count() == 0
        assert_no_exception(pg)
    finally:
        context.close()
