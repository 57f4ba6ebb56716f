""""Link to this view": settings, language and classroom mode survive a round trip through the
address; unknown or impossible values fall back to the defaults with a notice (both
languages), never an error."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.apptest_helpers import PAGES, TIMEOUT, assert_ok, run_page, widget_key


def _open(page: str, query: dict[str, str], lang: str = "en") -> AppTest:
    """Run ``page`` as a browser opening a link with ``query``."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    return at


def _link(at: AppTest) -> dict[str, str]:
    """The query of the page's "Link to this view" (the address in its code box)."""
    urls = [c.value for c in at.code if "?" in str(c.value)]
    assert urls, "no link on the page"
    return dict(parse_qsl(urlsplit(urls[-1]).query))


def test_round_trip_restores_settings_language_and_mode() -> None:
    # the learner's settings (set as their widgets would; AppTest's set_value re-formats
    # every widget outside the run, which the language-following labels do not survive)
    # (lesson 1 opens on the notes' 4×4 grid, so a 4×4 kernel is the largest)
    at = run_page("1_convolution.py", lang="zh", classroom=True,
                  state={"conv_k": 4, "conv_op": "conv", "conv_preset": "laplacian"})
    assert_ok(at)
    query = _link(at)
    assert query["conv_k"] == "4" and query["conv_op"] == "conv"
    assert query["lang"] == "zh" and query["classroom"] == "1"
    assert not any(k.startswith("img_") for k in query), "never the learner's image"

    again = _open("1_convolution.py", query)
    assert_ok(again)
    assert again.slider(key="conv_k").value == 4
    assert again.radio(key="conv_op").value == "conv"
    assert again.selectbox(key="conv_preset").value == "laplacian"
    assert again.session_state["lang"] == "zh" and again.session_state["classroom"] is True
    assert not again.warning
    assert _link(again) == query


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bad_values_fall_back_to_defaults_with_a_notice(lang: str) -> None:
    query = {"lang": lang, "stride_s": "99", "stride_k": "two", "stride_p": "0.5",
             "nonsense": "1", "classroom": "maybe"}
    at = _open("4_stride.py", query)
    assert_ok(at)
    default = run_page("4_stride.py", lang=lang)
    assert at.slider(key="stride_s").value == default.slider(key="stride_s").value
    assert at.slider(key="stride_k").value == default.slider(key="stride_k").value
    notes = " ".join(str(w.value) for w in at.warning)
    for bad in ("99", "two", "nonsense", "maybe"):
        assert bad in notes
    chinese = any("\u4e00" <= ch <= "\u9fff" for ch in notes)
    assert chinese == (lang == "zh")


def test_a_link_is_applied_once_then_the_learner_moves_on() -> None:
    at = _open("4_stride.py", {"stride_k": "2"})
    assert at.slider(key="stride_k").value == 2
    at.slider(key="stride_k").set_value(4).run()
    assert at.slider(key="stride_k").value == 4  # the address still says 2


def test_every_lesson_page_offers_its_link() -> None:
    at = run_page("6_dilation.py")
    query = _link(at)
    assert {widget_key(at, "slider", "_d"), "lang", "classroom"} <= set(query)
