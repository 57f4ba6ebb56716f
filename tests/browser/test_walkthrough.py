"""A student's whole lesson in a real browser, in English and in 简体中文 classroom mode.

home → pick a sample image → every other operation page (the two walks share them out)
with one setting changed (the figures or the formula must change) and its animation played
(plotly's frame index must advance) → live training started, running until the step
counter moves, paused → a digit drawn on the canvas with the mouse and its prediction
shown → the explorer's feature maps.

Navigation is by the sidebar links (client-side), so one Streamlit session carries the
language, classroom mode, the chosen sample and the trained network from page to page.
Every page is screenshotted to ``tests/_screenshots/walk_<lang>_<page>.png``.
"""

from __future__ import annotations

import re
import time

import pytest

from cnnviz.i18n import common
from cnnviz.lessons.registry import LESSONS
from tests.app_server import ACTIVE_FRAME_JS, IDLE_JS

from .conftest import (
    assert_no_exception,
    choose_option,
    open_page,
    pause_training,
    screenshot,
    start_training,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

CJK = re.compile(r"[\u4e00-\u9fff]")
SAMPLE = ("Landscape with a house", "房屋风景")  # cnnviz.data.samples: "scene"


# What a learner sees change: the formulas (KaTeX source) and the text drawn in the figures.
SIGNATURE_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return '';
  const tex = Array.from(main.querySelectorAll('.katex-mathml annotation'))
    .map(e => e.textContent).join('|');
  const figs = Array.from(main.querySelectorAll('.js-plotly-plot'))
    .map(e => e.textContent).join('|');
  return tex + '##' + figs;
}"""



# the setting each lesson's tour changes comes from the lesson registry
CHANGES = [lesson for lesson in LESSONS if lesson.demo is not None]


def tour(lang: str) -> list:
    """The lessons this walk changes and plays: every other one, the English walk taking the
    first, third, ... and the Chinese classroom walk the rest, so the two walks together
    cover every lesson once (test_lessons_browser.py also plays every page) and the suite
    stays inside CI's time as lessons are added."""
    return CHANGES[0::2] if lang == "en" else CHANGES[1::2]


class Walk:
    """The student's browser tab and the language/mode of this walk."""

    def __init__(self, pg, lang: str, classroom: bool) -> None:  # noqa: ANN001
        self.pg, self.lang, self.classroom = pg, lang, classroom
        self.main = pg.locator('[data-testid="stMain"]')

    def t(self, pair: tuple[str, str]) -> str:
        return pair[1] if self.lang == "zh" else pair[0]

    # ------------------------------------------------------------------ waiting

    def settle(self, timeout_s: float = 90.0) -> None:
        """Idle on three polls in a row (a rerun can start a moment after a click)."""
        deadline = time.monotonic() + timeout_s
        idle = 0
        while idle < 3:
            assert time.monotonic() < deadline, "the page did not settle"
            self.pg.wait_for_timeout(250)
            idle = idle + 1 if self.pg.evaluate(IDLE_JS) else 0

    def signature(self) -> str:
        return self.pg.evaluate(SIGNATURE_JS)

    def go(self, url_path: str, *, figure: bool = True) -> None:
        """Click the page's sidebar link (keeps the session) and wait for it to draw."""
        self.pg.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first.click()
        self.pg.wait_for_url(f"**/{url_path}", timeout=60_000)
        self.settle()
        if figure:
            self.main.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
        self.check_page()

    def check_page(self) -> None:
        """No traceback; in Chinese a Chinese title; in classroom mode its large type."""
        assert_no_exception(self.pg)
        title = self.main.locator("h1").first.inner_text()
        if self.lang == "zh":
            assert CJK.search(title), f"no Chinese in the title {title!r}"
        if self.classroom:
            size = self.pg.evaluate("getComputedStyle(document.documentElement).fontSize")
            assert size == "22px", f"classroom type not applied (html font-size {size})"
            assert self.pg.locator(".st-key-classroom input").first.is_checked()

    def shot(self, name: str) -> None:
        screenshot(self.pg, f"walk_{self.lang}_{name}")

    # ------------------------------------------------------------------ widgets

    def open_settings(self) -> None:
        """Classroom mode folds a lesson's settings into a closed expander: open it."""
        if not self.classroom:
            return
        exp = self.main.locator('[data-testid="stExpander"] details').filter(
            has=self.pg.locator("summary", has_text=self.t(("Settings", "设置")))).first
        if exp.count() and exp.get_attribute("open") is None:
            exp.locator("summary").first.click()
            self.pg.wait_for_function("el => el.open", arg=exp.element_handle())

    def widget(self, testid: str, label: str):  # noqa: ANN201
        return self.main.locator(f'[data-testid="{testid}"]').filter(
            has=self.pg.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
        ).first

    def nudge_slider(self, label: str) -> None:
        """Focus the slider's thumb and press an arrow key (right, or left at the maximum)."""
        thumb = self.widget("stSlider", label).get_by_role("slider").first
        thumb.scroll_into_view_if_needed()
        at_max = float(thumb.input_value()) >= float(thumb.get_attribute("max") or "inf")
        thumb.focus()
        thumb.press("ArrowLeft" if at_max else "ArrowRight")

    def pick_radio(self, label: str, option: str) -> None:
        self.widget("stRadio", label).locator('[data-testid="stRadioOption"]').filter(
            has_text=option).first.click()

    def pick_select(self, label: str, option: str) -> None:
        self.widget("stSelectbox", label).get_by_role("combobox").first.click()
        self.pg.get_by_role("option", name=option).first.click()

    def changed(self, act, what: str) -> None:  # noqa: ANN001
        """Do ``act`` and require the formulas or figures to change once the rerun is over."""
        before = self.signature()
        act()
        self.pg.wait_for_function(f"b => ({SIGNATURE_JS})() !== b", arg=before,
                                  timeout=90_000)
        self.settle()
        self.main.locator(".js-plotly-plot").first.wait_for(timeout=90_000)
        assert self.signature() != before, f"{what}: nothing on the page changed"
        assert_no_exception(self.pg)

    def play(self, page: str) -> None:
        """Press ▶ on the page's first animation; its step slider must move on."""
        plot = self.main.locator(".js-plotly-plot").filter(
            has=self.pg.locator(".updatemenu-button")).first
        plot.wait_for(timeout=90_000)
        plot.scroll_into_view_if_needed()
        handle = plot.element_handle()
        before = handle.evaluate(ACTIVE_FRAME_JS)
        assert before is not None, f"{page}: the animation has no step slider"
        plot.locator(".updatemenu-button").filter(
            has_text=common(self.lang, "play")).first.click()
        self.pg.wait_for_function(
            f"([el, b]) => {{ const a = ({ACTIVE_FRAME_JS})(el); return a !== null && a > b; }}",
            arg=[handle, before], timeout=90_000)  # a loaded CI machine is slow


# ---------------------------------------------------------------------- training helpers


def _metric(walk: Walk, label: tuple[str, str]) -> str:
    m = walk.main.locator('[data-testid="stMetric"]').filter(
        has=walk.pg.get_by_text(walk.t(label), exact=True)).first
    return m.inner_text() if m.count() else ""


def _step(walk: Walk) -> int:
    """The number in the "Step" metric ("12 / 600" → 12), or -1 while it is not drawn."""
    m = re.search(r"([\d,]+)\s*/", _metric(walk, ("Step", "步数")))
    return int(m.group(1).replace(",", "")) if m else -1


def _draw_seven(walk: Walk) -> None:
    """Drag a "7" across the drawing canvas (fabric.js' upper canvas takes the mouse).

    streamlit-drawable-canvas ≥0.10 renders in the page (a v2 component); older releases
    render in an iframe: either way Playwright's box is in page coordinates.
    """
    canvas = walk.main.locator("canvas.upper-canvas").first
    if canvas.count() == 0:
        canvas = walk.pg.frame_locator("iframe").locator("canvas.upper-canvas").first
    canvas.wait_for(timeout=90_000)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x0, y0, w, h = box["x"], box["y"], box["width"], box["height"]
    mouse = walk.pg.mouse
    mouse.move(x0 + 0.28 * w, y0 + 0.22 * h)
    mouse.down()
    for k in range(1, 11):
        mouse.move(x0 + (0.28 + 0.44 * k / 10) * w, y0 + 0.22 * h)
    for k in range(1, 16):
        mouse.move(x0 + (0.72 - 0.27 * k / 15) * w, y0 + (0.22 + 0.62 * k / 15) * h)
    mouse.up()


# ---------------------------------------------------------------------- the walk


@pytest.mark.parametrize(
    ("lang", "classroom"), [("en", False), ("zh", True)],
    ids=["english", "chinese-classroom"]
)
def test_student_walkthrough(page, lang: str, classroom: bool) -> None:  # noqa: ANN001
    walk = Walk(page, lang, classroom)
    t0 = time.monotonic()

    # ---- home, then the language and classroom mode from the sidebar
    open_page(page, "")
    walk.settle()
    if lang == "zh":
        choose_option(page, page.locator(".st-key-lang").get_by_role("combobox").first,
                      "简体中文")
        page.wait_for_function("() => /[\\u4e00-\\u9fff]/.test("
                               "document.querySelector('[data-testid=\"stMain\"] h1')"
                               "?.innerText || '')", timeout=60_000)
        walk.settle()
    if classroom:
        page.locator(".st-key-classroom label").first.click()
        page.wait_for_function(
            "() => getComputedStyle(document.documentElement).fontSize === '22px'",
            timeout=60_000)
        walk.settle()
    walk.check_page()
    assert walk.main.get_by_text(walk.t(("Map of the lessons", "课程地图"))).count() == 1
    walk.shot("home")

    # ---- lesson 1 opens on the notes' number grid; the student switches to the sample
    # pictures, picks one, then works through every lesson
    walk.go("convolution")
    walk.open_settings()
    walk.changed(lambda: walk.pick_radio(walk.t(("Image", "图像")), walk.t(("Sample", "示例"))),
                 "sample pictures")
    walk.changed(lambda: walk.pick_select(walk.t(("Sample image", "示例图像")), walk.t(SAMPLE)),
                 "sample image")

    for lesson in tour(lang):
        change = lesson.demo
        if lesson.slug != "convolution":
            walk.go(lesson.slug)
            walk.open_settings()
        # the sample chosen on lesson 1 is still the picture in use
        sample_box = walk.widget("stSelectbox", walk.t(("Sample image", "示例图像")))
        if sample_box.count():
            assert sample_box.get_by_role("combobox").input_value() == walk.t(SAMPLE), lesson.slug
        label = change.label.get(walk.lang)
        if change.kind == "slider":
            walk.changed(lambda label=label: walk.nudge_slider(label), f"{lesson.slug}: {label}")
        else:
            option = change.value_label.get(walk.lang)  # type: ignore[union-attr]
            walk.changed(lambda label=label, option=option: walk.pick_radio(label, option),
                         f"{lesson.slug}: {label} → {option}")
        walk.play(lesson.slug)
        walk.check_page()
        walk.shot(lesson.slug)

    # ---- live training: start, watch the step counter move and the filters drawn, pause
    walk.go("training", figure=False)
    start_training(page, walk.lang)
    deadline = time.monotonic() + 90
    first = _step(walk)
    while _step(walk) <= max(first, 0) and time.monotonic() < deadline:
        page.wait_for_timeout(500)
    assert _step(walk) > max(first, 0), "the step counter did not advance"
    page.locator(".st-key-train_filters .js-plotly-plot").first.wait_for(timeout=60_000)
    assert walk.main.get_by_text(walk.t(("First-layer filters", "第一层滤波器"))).count() >= 1
    assert_no_exception(page)
    walk.shot("training_running")
    pause_training(page, walk.lang)
    walk.settle()
    stopped = _step(walk)
    page.wait_for_timeout(1500)
    assert _step(walk) == stopped, "training went on after Pause"
    walk.check_page()

    # ---- draw a digit, see the network's prediction
    walk.main.get_by_text(walk.t(("Try your own digit", "试试你自己的数字"))).first.wait_for()
    _draw_seven(walk)
    probs = page.locator(".st-key-train_own_probs .js-plotly-plot").first
    probs.wait_for(timeout=90_000)
    page.wait_for_function(
        "el => /(Prediction|预测)/.test(el.textContent)", arg=probs.element_handle(),
        timeout=60_000)
    walk.settle()
    walk.check_page()
    probs.scroll_into_view_if_needed()
    walk.shot("training_digit")

    # ---- the explorer: feature maps of the network, layer by layer
    walk.go("explorer")
    fmaps = page.locator(".st-key-explorer_fmaps .js-plotly-plot").first
    fmaps.wait_for(timeout=90_000)
    page.wait_for_function(
        "el => /(maps of|特征图)/.test(el.textContent)", arg=fmaps.element_handle(),
        timeout=60_000)
    walk.check_page()
    walk.shot("explorer")
    print(f"walkthrough {lang}: {time.monotonic() - t0:.0f} s")
