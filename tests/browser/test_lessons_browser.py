"""Lesson pages in headless Chromium: an upload used and kept across pages, a screenshot
that is not blank, a deep link on a fresh server.

Navigation goes through the sidebar (client-side), as a learner clicks, so the Streamlit
session, and with it the uploaded image, carries from page to page. Every page is opened in
tests/browser/test_classroom_layout.py and played (after a setting change) in one of the two
walks of tests/browser/test_walkthrough.py.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from .conftest import assert_no_exception, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


def _upload_png(tmp_path) -> str:  # noqa: ANN001
    """A 120×90 picture with a bright diagonal bar: edges for every kernel to find."""
    im = Image.new("RGB", (120, 90), (30, 40, 60))
    ImageDraw.Draw(im).polygon([(10, 80), (40, 80), (110, 10), (80, 10)], fill=(240, 220, 90))
    path = tmp_path / "diagonal.png"
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


def _go(pg, url_path: str) -> None:  # noqa: ANN001
    """Click the sidebar link of a page (keeps the session) and wait for it to settle."""
    pg.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first.click()
    pg.wait_for_url(f"**/{url_path}", timeout=90_000)  # a loaded CI machine is slow
    wait_for_app(pg, 90_000)




def test_upload_is_used_and_kept_across_pages(page, tmp_path) -> None:  # noqa: ANN001
    open_page(page, "convolution")
    page.locator('[data-testid="stRadio"] label').filter(has_text="Upload").first.click()
    wait_for_app(page)
    page.locator('input[type="file"]').first.set_input_files(_upload_png(tmp_path))
    page.wait_for_selector("text=diagonal.png", timeout=45_000)
    # The file name shows before the rerun that uses it; wait for the sample notice to go.
    page.wait_for_selector("text=No image yet", state="detached", timeout=45_000)
    wait_for_app(page)
    assert_no_exception(page)
    page.wait_for_selector(".js-plotly-plot")
    screenshot(page, "upload_convolution")
    _go(page, "padding")
    assert_no_exception(page)
    screenshot(page, "upload_padding")
    body = page.inner_text("body")
    assert "In use: diagonal.png" in body and "No image yet" not in body, body[:1500]


def test_screenshot_is_not_blank(page) -> None:  # noqa: ANN001
    """A page that renders white on a projector has failed, whatever the DOM says."""
    open_page(page, "convolution")
    page.wait_for_selector(".js-plotly-plot")
    path = screenshot(page, "convolution_check")
    pixels = np.asarray(Image.open(path).convert("L"), dtype=np.float32)
    assert pixels.std() > 20, "the screenshot is nearly uniform"


def test_deep_link_on_a_fresh_server_goes_through_the_app(browser, tmp_path) -> None:  # noqa: ANN001
    """A teacher shares /padding right after starting the server: the page must still get
    the app's navigation and language selector (not Streamlit's legacy pages/ mode)."""
    from .conftest import running_streamlit

    with running_streamlit(tmp_path / "server.log") as url:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        pg = context.new_page()
        pg.base_url = url
        open_page(pg, "padding")
        pg.wait_for_selector(".js-plotly-plot", timeout=45_000)
        nav = pg.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Basics" in nav and "3 · Padding" in nav, nav[:200]
        assert pg.get_by_text("Language / 语言").count() > 0
        context.close()
