"""Lesson 1 (convolution) under AppTest: defaults, presets, both operations, uploads, numbers."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import formulas
from cnnviz.kernels import PRESETS
from cnnviz.lessons.conv import NOTES_INPUT, conv_full
from tests.pages.apptest_helpers import (
    all_text,
    annotation_texts,
    assert_ok,
    has_cjk,
    jpeg_bytes,
    plotly_figures,
    png_bytes,
    run_page,
    upload,
)

PAGE = "1_convolution.py"
GRID = {"img_source": "grid"}  # the 6x6 typed grid: integers, easy to check by hand


def test_defaults_are_the_notes_example():
    at = run_page(PAGE)
    assert_ok(at)
    assert at.session_state["img_source"] == "grid"
    np.testing.assert_array_equal(at.session_state["img_grid"], NOTES_INPUT)
    assert at.selectbox(key="conv_preset").value == "notes"
    assert "= 2" in at.latex[0].value
    anim = plotly_figures(at)[0]
    sums = [annotation_texts(f)[-1].split("=")[-1].strip() for f in anim["frames"]]
    assert sums == ["15", "16", "6", "15"]  # the notes' [[15, 16], [6, 15]]


def test_a_picked_photo_is_kept():
    at = run_page(PAGE, state={"img_source": "sample"})
    assert_ok(at)
    k = at.slider(key="conv_k").value
    size = at.slider(key="conv_crop").value
    assert f"= {formulas.conv_output_size(160, k)}" in at.latex[0].value  # shapes sample 160
    anim = plotly_figures(at)[0]
    assert len(anim["frames"]) == (size - k + 1) ** 2
    assert at.selectbox(key="conv_preset").value == "sobel_x"


@pytest.mark.parametrize("classroom,colours", [(False, "Blue = negative"),
                                               (True, "Purple = negative")])
def test_caption_names_the_colours_shown(classroom, colours):
    at = run_page(PAGE, classroom=classroom)
    assert_ok(at)
    captions = " ".join(str(c.value) for c in at.caption)
    assert colours in captions
    assert ("Blue" in captions) == (not classroom)


def test_every_preset_and_both_operations():
    at = run_page(PAGE, state=GRID)
    for key in PRESETS:
        at.selectbox(key="conv_preset").set_value(key).run()
        assert_ok(at)
    at.radio(key="conv_op").set_value("conv").run()
    assert_ok(at)
    assert "180" in all_text(at)


def test_multiply_add_matches_engine_on_grid():
    at = run_page(PAGE, state=GRID)
    at.selectbox(key="conv_preset").set_value("sobel_x").run()
    grid = np.array(at.session_state["img_grid"], np.float32)
    out = conv_full(grid, PRESETS["sobel_x"].kernel(3))
    anim = plotly_figures(at)[0]
    for step in (0, 5, len(anim["frames"]) - 1):
        eq = annotation_texts(anim["frames"][step])[-1]
        r, c = divmod(step, out.shape[1])
        value = eq.split("=")[-1].strip().replace("−", "-")
        assert float(value) == pytest.approx(float(out[r, c]))
        assert eq.startswith(f"s[{r},{c}] = ")


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_upload(kind):
    at = run_page(PAGE)
    data = png_bytes() if kind == "png" else jpeg_bytes()
    upload(at, data, f"mine.{kind}", f"image/{kind}")
    assert_ok(at)
    assert at.session_state["img_bytes"] == data
    assert "= 30" in at.latex[0].value  # 40x32 upload, 3x3 kernel: 32 - 3 + 1


def test_bad_upload_shows_error_and_keeps_previous():
    at = run_page(PAGE)
    upload(at, png_bytes(), "good.png", "image/png")
    at.file_uploader[0].upload("bad.png", b"not an image", "image/png")
    at.run()
    assert not at.exception
    assert at.error  # the loader's message, in the learner's language
    assert at.session_state["img_bytes"] == png_bytes()


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value) and has_cjk(all_text(at))
    anim = plotly_figures(at)[0]
    assert "播放" in str(anim["layout"]["updatemenus"])
