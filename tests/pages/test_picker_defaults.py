"""A page's opening image is its own until the learner picks one: lesson 1 opens on the notes'
integer grid, and lesson 2 does not inherit that grid (its three channels would be copies)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from cnnviz.ui.image_picker import SOURCE_KEY
from tests.pages.apptest_helpers import PAGES, TIMEOUT, widget_key


def _visit(at: AppTest, page: str) -> AppTest:
    """Run another page in the same session (as a sidebar click does)."""
    nxt = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    for k in ("img_source", "img_source_default_of", "img_grid", "img_sample", "lang",
              "classroom"):
        if k in at.session_state:
            nxt.session_state[k] = at.session_state[k]
    return nxt.run()


def test_lesson_one_default_grid_is_not_passed_on() -> None:
    at = AppTest.from_file(str(PAGES / "1_convolution.py"), default_timeout=TIMEOUT).run()
    assert at.session_state[SOURCE_KEY] == "grid"
    two = _visit(at, "2_multichannel.py")
    assert not two.exception
    assert two.session_state[SOURCE_KEY] == "sample"
    back = _visit(two, "1_convolution.py")
    assert back.session_state[SOURCE_KEY] == "grid", "lesson 1 still opens on its own default"


def test_a_learners_choice_is_shared() -> None:
    at = AppTest.from_file(str(PAGES / "1_convolution.py"), default_timeout=TIMEOUT).run()
    at.radio(key=widget_key(at, "radio", "_source")).set_value("sample").run()
    assert at.session_state[SOURCE_KEY] == "sample"
    two = _visit(at, "2_multichannel.py")
    assert two.session_state[SOURCE_KEY] == "sample"
    at2 = AppTest.from_file(str(PAGES / "2_multichannel.py"), default_timeout=TIMEOUT).run()
    at2.radio(key=widget_key(at2, "radio", "_source")).set_value("grid").run()
    back = _visit(at2, "1_convolution.py")
    assert back.session_state[SOURCE_KEY] == "grid"
