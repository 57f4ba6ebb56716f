"""Every lesson page in headless Chromium: opens, draws its figures, plays, takes an upload.

Navigation goes through the sidebar (client-side), as a learner clicks, so the Streamlit
session, and with it the uploaded image, carries from page to page.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cnnviz.lessons.registry import LESSONS as REGISTERED
from tests.app_server import ACTIVE_FRAME_JS

from .conftest import assert_no_exception, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser

# the operation lessons (those with a demo setting) animate a window; the network pages are
# driven by their own tests
LESSONS = [lesson for lesson in REGISTERED if lesson.demo is not None]


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




def _play_first_animation(pg) -> bool:  # noqa: ANN001
    """Press ▶ Play on the first plotly animation, let it run, return whether it moved.

    The slider's ``active`` index in plotly's own layout records which frame is shown.
    """
    plot = pg.locator(".js-plotly-plot").filter(has=pg.locator(".updatemenu-button")).first
    if plot.count() == 0:
        return False
    before = plot.evaluate(ACTIVE_FRAME_JS)
    plot.locator(".updatemenu-button").filter(has_text="Play").first.click()
    pg.wait_for_timeout(2500)
    after = plot.evaluate(ACTIVE_FRAME_JS)
    return before is not None and after is not None and after != before


def test_every_lesson_page_draws_and_plays(page, tmp_path) -> None:  # noqa: ANN001
    open_page(page, "")  # home is the default page, at /
    assert_no_exception(page)
    screenshot(page, "home")
    played = {}
    for lesson in LESSONS:
        if lesson.slug == "home":
            continue
        _go(page, lesson.slug)
        page.wait_for_selector(".js-plotly-plot", timeout=45_000)
        assert_no_exception(page)
        played[lesson.slug] = _play_first_animation(page)
        screenshot(page, f"lesson_{lesson.slug}")
    # Every lesson before backpropagation animates a window moving over an input.
    assert played and all(played.values()), played


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


def test_chinese_interface(page) -> None:  # noqa: ANN001
    open_page(page, "convolution")
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name="简体中文").click()
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot")
    assert page.get_by_text("卷积").count() > 0
    assert_no_exception(page)
    screenshot(page, "convolution_zh")


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
