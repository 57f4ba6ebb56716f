"""The page suite: every page in the lesson registry, run the ways a learner runs it.

Defaults in both languages and in classroom mode; the lesson's demo setting changed (the
registry's ``demo``); hostile settings (tiny and strip images with every slider at its
extreme; a typed grid of non-numbers and huge values). No exception, no error box; where the
page had to change something, a message in the learner's language. A new lesson gets all of
this by its registry row. The default runs in English and in classroom 简体中文 are also
compared with the pages' golden snapshots (tests/golden).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.lessons.registry import LESSONS as REGISTERED
from tests.golden.snapshot import VIEWS
from tests.golden.test_golden import assert_matches_golden
from tests.pages.apptest_helpers import (
    all_text,
    assert_ok,
    has_cjk,
    plotly_figures,
    run_page,
    widget_key,
)

ALL_PAGES = [lesson.page for lesson in REGISTERED]
# the pages with an image picker and sliders over it (the network pages test their own inputs)
LESSONS = [lesson.page for lesson in REGISTERED if lesson.demo is not None]
DEMOS = [lesson for lesson in REGISTERED if lesson.demo is not None]


@pytest.mark.parametrize("classroom", [False, True], ids=["normal", "classroom"])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", ALL_PAGES)
def test_defaults_in_both_languages(page: str, lang: str, classroom: bool) -> None:
    at = run_page(page, lang=lang, classroom=classroom)
    assert_ok(at)
    title = at.title[0].value
    lesson = next(lesson for lesson in REGISTERED if lesson.page == page)
    assert title == lesson.heading(lang), "the page's title is its registry row's"
    assert has_cjk(all_text(at)) == (lang == "zh")
    if (lang, classroom) in VIEWS:  # the same run is checked against its golden snapshot
        assert_matches_golden(at, page, lang, classroom)


@pytest.mark.parametrize("lesson", DEMOS, ids=lambda lesson: lesson.slug)
def test_demo_setting_changes_what_is_shown(lesson) -> None:  # noqa: ANN001
    at = run_page(lesson.page)
    assert_ok(at)
    before = plotly_figures(at)
    demo = lesson.demo
    if demo.kind == "slider":
        slider = at.slider(key=widget_key(at, "slider", demo.key))
        slider.set_value(slider.value + 1 if slider.value < slider.max else slider.value - 1)
    else:
        at.radio(key=widget_key(at, "radio", demo.key)).set_value(demo.value)
    at.run()
    assert_ok(at)
    assert plotly_figures(at) != before, f"{lesson.slug}: changing {demo.key} changed nothing"


def _png(w: int, h: int) -> bytes:
    rng = np.random.default_rng(w * 7 + h)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


IMAGES = {"1x1": _png(1, 1), "2x2": _png(2, 2), "strip_4000x50": _png(4000, 50)}


def _picks_an_image(page: str) -> bool:
    """Whether the page works on the learner's picture (its source calls the image picker);
    the learning lessons (optimisers, schedules, ...) do not, and need no uploads."""
    return "image_picker" in (Path(__file__).resolve().parents[2] / "pages" / page).read_text()


IMAGE_CASES = [(page, image) for page in LESSONS
               for image in (list(IMAGES) if _picks_an_image(page) else [None])]


@pytest.mark.parametrize(("page", "image"), IMAGE_CASES,
                         ids=[f"{image or 'no_image'}-{page}" for page, image in IMAGE_CASES])
def test_tiny_and_strip_images_with_extreme_sliders(page: str, image: str | None) -> None:
    state = {} if image is None else {"img_source": "upload", "img_bytes": IMAGES[image],
                                      "img_name": f"{image}.png"}
    at = run_page(page, state=state)
    assert_ok(at)
    # every slider (crop included) to its maximum, then to its minimum: the ranges must
    # never allow an empty output (kernel 7, dilation 4 on a 1x1 image ...)
    for end in ("max", "min"):
        for s in list(at.slider):
            if s.key and not isinstance(s.value, tuple):
                at.slider(key=s.key).set_value(getattr(s, end))
        at.run()
        assert_ok(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_typed_grid_with_non_numbers_and_huge_values(lang: str) -> None:
    grid = [["abc", 1, 2, 3], [1e300, float("nan"), 4, 5], [-1e12, "", 6, 7], [1, 2, 3, "∞"]]
    at = run_page("1_convolution.py", lang=lang, state={"img_source": "grid", "img_grid": grid})
    assert not at.exception
    clean = np.array(at.session_state["img_grid"], dtype=float)
    assert np.isfinite(clean).all() and np.abs(clean).max() <= 1000
    assert clean[0, 0] == 0 and clean[1, 0] == 1000 and clean[2, 0] == -1000
    assert at.warning, "the learner is told that cells were changed"
    text = " ".join(str(w.value) for w in at.warning)
    assert has_cjk(text) == (lang == "zh")
    assert "1000" in text
    assert all_text(at)
