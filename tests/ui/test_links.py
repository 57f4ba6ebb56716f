""""Link to this view": settings, language and classroom mode survive a round trip through the
address; unknown or impossible values fall back to the defaults with a notice (both
languages), never an error."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.apptest_helpers import (
    PAGES,
    TIMEOUT,
    assert_ok,
    png_bytes,
    run_page,
    widget_key,
)


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


# ---------------------------------------------------------------- what the link carries


def test_the_image_choice_travels_in_the_link() -> None:
    """Source, sample and crop position (lesson 4), or the typed grid itself (lesson 1)."""
    at = _open("4_stride.py", {"stride_source": "sample", "stride_sample": "scene",
                               "stride_crop_r9": "3"})
    assert_ok(at)
    assert not at.warning
    assert at.session_state["img_sample"] == "scene"
    assert at.slider(key="stride_crop_r9").value == 3
    query = _link(at)
    assert query["stride_source"] == "sample" and query["stride_sample"] == "scene"
    assert query["stride_crop_r9"] == "3"

    grid = "1,2,3,0;4,5,6,1;7,8,9,2"
    at = _open("1_convolution.py", {"conv_source": "grid", "conv_grid": grid})
    assert_ok(at)
    assert not at.warning
    assert at.session_state["img_grid"] == [[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2]]
    assert _link(at)["conv_grid"] == grid


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_upload_or_a_bad_image_choice_is_not_in_the_link(lang: str) -> None:
    """An uploaded picture cannot travel in an address: the link leaves the image out and
    the page says so beside it; a link asking for an upload or a broken grid falls back."""
    at = run_page("4_stride.py", lang=lang, state={"img_source": "upload",
                                                    "img_bytes": png_bytes(size=(40, 32)),
                                                    "img_name": "mine.png"})
    assert_ok(at)
    query = _link(at)
    assert not any(k.endswith(("_source", "_sample", "_grid")) for k in query)
    note = " ".join(str(i.value) for i in at.info)
    assert ("link" in note) if lang == "en" else ("链接" in note)

    at = _open("1_convolution.py", {"conv_source": "upload", "conv_grid": "1,2;3"}, lang=lang)
    assert_ok(at)
    notes = " ".join(str(w.value) for w in at.warning)
    for bad in ("upload", "1,2;3"):
        assert bad in notes
    assert at.session_state["img_grid"] != [[1, 2], [3]]
    at = _open("5_pooling.py", {"pool_source": "sample", "pool_sample": "no-such-picture"},
               lang=lang)
    assert_ok(at)
    assert "no-such-picture" in " ".join(str(w.value) for w in at.warning)


def test_lesson_2_weights_and_lesson_8_costs_travel_in_the_link() -> None:
    at = _open("2_multichannel.py", {"mc_w01": "1.5", "mc_w02": "7"})
    assert_ok(at)
    assert at.number_input(key="mc_w01").value == 1.5
    default = run_page("2_multichannel.py").number_input(key="mc_w02").value
    assert at.number_input(key="mc_w02").value == default
    assert "7" in " ".join(str(w.value) for w in at.warning)
    assert _link(at)["mc_w01"] == "1.5"

    at = _open("8_separable.py", {"sep_tin": "128", "sep_tout": "100"})
    assert_ok(at)
    assert at.select_slider(key="sep_tin").value == 128
    assert at.select_slider(key="sep_tout").value == 128  # its default: 100 is no option
    assert "100" in " ".join(str(w.value) for w in at.warning)
    assert _link(at)["sep_tin"] == "128"


def test_the_training_settings_travel_in_the_link() -> None:
    query = {"train_opt": "sgd", "train_batch": "32", "train_epochs": "3",
             "train_seed": "7", "train_lr_sgd_scratch": "0.03", "train_subset": "999"}
    at = _open("10_training.py", query)
    assert_ok(at)
    assert at.selectbox(key="train_opt").value == "sgd"
    assert at.select_slider(key="train_batch").value == 32
    assert at.slider(key="train_epochs").value == 3
    assert at.number_input(key="train_seed").value == 7
    assert at.select_slider(key="train_lr_sgd_scratch").value == 0.03
    assert at.select_slider(key="train_subset").value == 60000  # 999 is no option
    assert "999" in " ".join(str(w.value) for w in at.warning)
    link = _link(at)
    assert {k: link[k] for k in query if k != "train_subset"} == {
        k: v for k, v in query.items() if k != "train_subset"}


def test_a_widget_inside_a_fragment_is_in_the_link() -> None:
    """The live training panel is a fragment: its Greyscale toggle registers without drawing
    the link (drawn outside the fragment, writing it from inside blanked the page), and
    ``app.py`` draws the link once more after the page, with the toggle in it."""
    from pathlib import Path

    from cnnviz.concurrency import TRAINING_SLOTS

    app = Path(__file__).resolve().parents[2] / "app.py"
    at = AppTest.from_file(str(app), default_timeout=60).run()
    at.switch_page("pages/10_training.py").run()
    try:
        at.button(key="train_start").click().run()
    finally:
        TRAINING_SLOTS.reset()  # the run holds a training slot of this test process
    assert not at.exception
    links = [str(c.value) for c in at.code if "train_model=" in str(c.value)]
    assert links and "train_grey=0" in links[-1], links
