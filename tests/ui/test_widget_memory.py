"""A session's widget metadata stays bounded as it goes through the lessons
(cnnviz.ui.widget_memory): Streamlit 1.67 keeps one entry per widget id ever drawn, and
``app.py`` drops those of widgets that have no value left at the start of each run."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from cnnviz.lessons.registry import LESSONS

ROOT = Path(__file__).resolve().parents[2]
PAGES = [lesson.page for lesson in LESSONS if lesson.demo is not None][:6]


def _metadata(at: AppTest) -> dict:
    return at.session_state._state._state._new_widget_state.widget_metadata  # noqa: SLF001


def test_metadata_does_not_pile_up_across_pages() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    sizes = []
    for page in PAGES:
        at.switch_page(f"pages/{page}").run()
        assert not at.exception
        sizes.append(len(_metadata(at)))
    # without the pruning: 23, 49, 65, 81, 97, 114 (one entry per widget ever drawn)
    assert max(sizes) < 60, sizes
    states = at.session_state._state._state._new_widget_state.states  # noqa: SLF001
    assert len(_metadata(at)) <= 2 * len(states), "only widgets with a value, or just drawn"
