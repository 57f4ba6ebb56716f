"""Three students on one server: each uploads a different image and sees only their own.

A small, suite-sized version of ``benchmarks/load_test.py``: three browser contexts (three
Streamlit sessions) on the shared server upload barcoded PNGs on the convolution page, then
each reads the pixels its page actually shows back through a canvas and decodes whose image
it is, after the others have uploaded too and after an in-app page switch. Navigation is by
the sidebar link: a reload would open a fresh session and prove nothing.
"""

from __future__ import annotations

import base64
import time

import pytest

from benchmarks.load_test import IDLE_JS, PIXELS_JS, TITLE_JS, marker_png, read_marker
from tests.browser.conftest import assert_no_exception, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

SESSIONS = 3


def _idle(pg, timeout_s: float = 60.0, changed_from: str | None = None) -> None:  # noqa: ANN001
    """Script finished (``data-test-script-state``) on two polls in a row."""
    deadline = time.monotonic() + timeout_s
    idle = 0
    while idle < 2:
        assert time.monotonic() < deadline, "page did not settle"
        pg.wait_for_timeout(200)
        if changed_from is not None and pg.evaluate(TITLE_JS) == changed_from:
            idle = 0
            continue
        idle = idle + 1 if pg.evaluate(IDLE_JS) else 0


def _markers(pg) -> list[int]:  # noqa: ANN001
    """Session numbers decoded from the pictures the page shows."""
    found = []
    for url in pg.evaluate(PIXELS_JS):
        n = read_marker(base64.b64decode(url.split(",", 1)[1]))
        if n is not None:
            found.append(n)
    return found


def _wait_for_marker(pg, number: int, timeout_s: float = 60.0) -> list[int]:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    seen: list[int] = []
    while time.monotonic() < deadline:
        pg.wait_for_timeout(400)
        if pg.evaluate(IDLE_JS):
            seen = _markers(pg)
            if number in seen:
                return seen
    raise AssertionError(f"session {number} never saw its own upload; saw {seen}")


def _upload(pg, number: int) -> None:  # noqa: ANN001
    """Upload session ``number``'s barcode and wait until its page shows it.

    One session at a time: on a loaded 2-core CI machine three uploads fired at once have
    been lost before the uploader finished (the picture never arrived, in any session). The
    check that matters — no session ever shows another's picture — runs after all three.
    A user whose upload did not arrive picks the file again; so does this, once.
    """
    for attempt in range(2):
        file_input = pg.locator('[data-testid="stFileUploader"] input[type="file"]').first
        file_input.wait_for(state="attached")
        _idle(pg)
        file_input.set_input_files(files=[{
            "name": f"session-{number}.png", "mimeType": "image/png",
            "buffer": marker_png(number)}])
        try:
            _wait_for_marker(pg, number, timeout_s=45.0)
            return
        except AssertionError:
            if attempt:
                raise


def _navigate(pg, path: str) -> None:  # noqa: ANN001
    before = pg.evaluate(TITLE_JS)
    pg.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
    _idle(pg, changed_from=before or None)


def test_marker_round_trip() -> None:
    for n in (1, 2, 3, 42):
        assert read_marker(marker_png(n)) == n
    assert read_marker(b"not an image") is None


def test_sessions_do_not_see_each_others_uploads(browser, streamlit_url) -> None:  # noqa: ANN001
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900})
                for _ in range(SESSIONS)]
    try:
        pages = []
        for ctx in contexts:
            pg = ctx.new_page()
            pg.set_default_timeout(60_000)
            pg.goto(f"{streamlit_url}/convolution")
            wait_for_app(pg)
            pages.append(pg)
        for pg in pages:  # all three open before anyone uploads
            _idle(pg)
            pg.locator('[data-testid="stRadio"] label').filter(has_text="Upload").first.click()
        for number, pg in enumerate(pages, start=1):
            _upload(pg, number)
        for number, pg in enumerate(pages, start=1):  # after everyone has uploaded
            seen = _wait_for_marker(pg, number)
            assert set(seen) == {number}, f"session {number} saw {seen}"
            assert_no_exception(pg)
        # a page switch keeps each session's own picture, and only its own
        for number, pg in enumerate(pages, start=1):
            _navigate(pg, "padding")
            _navigate(pg, "convolution")
            seen = _wait_for_marker(pg, number)
            assert set(seen) == {number}, f"session {number} saw {seen} after a page switch"
            assert_no_exception(pg)
    finally:
        for ctx in contexts:
            ctx.close()
