"""Network explorer under AppTest: defaults, an uploaded image, the session's model, zh."""

from __future__ import annotations

from cnnviz.lessons.architectures import arch_numbers
from tests.pages.apptest_helpers import (
    all_text,
    assert_ok,
    has_cjk,
    plotly_figures,
    png_bytes,
    run_page,
    trained_session,
    upload,
)

PAGE = "11_explorer.py"


def _titles(at) -> list[str]:
    return [str(f["layout"].get("title", {}).get("text", "")) for f in plotly_figures(at)]


def test_defaults_show_maps_table_filters_and_story():
    at = run_page(PAGE)
    assert_ok(at)
    titles = _titles(at)
    assert any(t.startswith("Prediction:") for t in titles)
    assert any("Input 28×28 (label 7)" in t for t in titles)  # MNIST test digit 0 is a 7
    assert sum("input channel" in t for t in titles) >= 1  # learned filters
    assert len(at.dataframe) == 1  # the layer table
    first = arch_numbers("simple_convnet").conv_layers[0]
    assert f"{first.dense_params:,}" in all_text(at)
    story = at.table[0].value
    assert "LeNet-5" in " ".join(map(str, story.iloc[:, 0]))


def test_uploaded_image_both_conversions_and_another_model():
    at = run_page(PAGE)
    at.radio(key="explorer_src").set_value("image").run()
    upload(at, png_bytes(size=(60, 48)), "mine.png", "image/png")
    assert_ok(at)
    assert any(t.startswith("Prediction:") for t in _titles(at))
    at.radio(key="explorer_how").set_value("resize").run()
    assert_ok(at)
    at.selectbox(key="explorer_net").set_value("random:resnet_small").run()
    assert_ok(at)
    assert len(at.get("plotly_chart")) >= 5


def test_model_trained_in_this_session_is_offered():
    at = run_page(PAGE, state={"training_session": trained_session()})
    assert_ok(at)
    assert at.selectbox(key="explorer_net").value == "session"


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value)
    assert any(t.startswith("预测") for t in _titles(at))
    at.radio(key="explorer_src").set_value("image").run()
    assert_ok(at)


def test_words_match_the_one_conv_net():
    """Issue 9: the notes' net has one conv layer: no "first two", "layer by layer" or rows."""
    at = run_page(PAGE, classroom=True)
    assert_ok(at)
    assert at.selectbox(key="explorer_net").value == "pretrained:simple_convnet"
    text = _figure_words(at)
    for false in ("first two", "layer by layer", "a row is one filter", "Blue = negative"):
        assert false not in text, false
    assert "Purple = negative" in text and "its conv layer" in text
    at.selectbox(key="explorer_net").set_value("random:lenet5").run()
    assert_ok(at)
    text = _figure_words(at)
    assert "layer by layer" in text and "both conv layers" in text and "random" in text


def _figure_words(at) -> str:
    """The headings and captions of the figures (not the architecture story's prose)."""
    return " ".join(str(e.value) for kind in ("subheader", "caption") for e in getattr(at, kind))
