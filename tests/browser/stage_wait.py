"""Waiting for the width probe (``cnnviz.ui.stage``): figures are sized to the real width
only after the browser has reported it and the rerun that report causes has finished."""

from __future__ import annotations

from tests.browser.conftest import wait_for_app


def wait_for_width(pg, timeout_ms: int = 90_000) -> None:  # noqa: ANN001 - a Playwright page
    """Until the probe has measured the main column (and the server has it), then idle."""
    pg.wait_for_function("() => !!document.documentElement.dataset.cnnvizWidth",
                         timeout=timeout_ms)
    pg.wait_for_timeout(800)
    wait_for_app(pg, timeout_ms)
