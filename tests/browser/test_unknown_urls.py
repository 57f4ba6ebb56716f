"""Any URL a visitor types reaches the app (issue 13, defect 5): deep or unknown paths are
sent home with a "page not found" in the learner's language, never a blank white page.
"""

from __future__ import annotations

import pytest

from .conftest import assert_no_exception, wait_for_app

pytestmark = pytest.mark.browser

PATHS = [
    "/convolution/extra/deeper",
    "/pages/1_convolution.py",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/no-such-lesson",
    "/padding/",  # a lesson with a trailing slash still opens the lesson
]
EXPECTED = {"en": ("There is no page at", "What is a convolutional neural network?"),
            "zh": ("没有", "什么是卷积神经网络？")}


# each path in one language, the languages taking turns (and the plain unknown path in both):
# the notice's language is the same code for every path, the path handling the same for both
CASES = [(path, "zh-CN" if i % 2 else "en-US") for i, path in enumerate(PATHS)]
CASES.append(("/no-such-lesson", "en-US" if CASES[3][1] == "zh-CN" else "zh-CN"))


@pytest.mark.parametrize(("path", "locale"), CASES)
def test_unknown_path_reaches_the_app_with_a_notice(browser, streamlit_url, path: str,
                                                   locale: str) -> None:  # noqa: ANN001
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 720})
    try:
        pg = context.new_page()
        pg.goto(f"{streamlit_url}{path}")
        wait_for_app(pg)
        pg.locator('[data-testid="stSidebarNav"]').wait_for(timeout=30_000)
        assert_no_exception(pg)
        main = pg.locator('[data-testid="stMain"]').inner_text()
        lang = "zh" if locale.startswith("zh") else "en"
        if path == "/padding/":
            assert ("填充" if lang == "zh" else "Padding") in pg.locator("h1").first.inner_text()
            return
        notice, home_title = EXPECTED[lang]
        assert notice in main and home_title in main, main[:500]
        assert "?missing" not in pg.url, "the notice is shown once; the URL is clean again"
    finally:
        context.close()
