"""Lesson 4 (stride): several strides, counts from the window map, numbers = engine, zh."""

from __future__ import annotations

import pytest

from cnnviz import formulas
from cnnviz.kernels import PRESETS
from cnnviz.lessons.conv import conv_full
from tests.pages.apptest_helpers import (
    annotation_texts,
    assert_ok,
    has_cjk,
    jpeg_bytes,
    plotly_figures,
    png_bytes,
    run_page,
    upload,
)

PAGE = "4_stride.py"


@pytest.mark.parametrize("s", [1, 2, 3, 4])
def test_strides(s):
    at = run_page(PAGE)
    at.slider(key="stride_s").set_value(s).run()
    assert_ok(at)
    k, p = at.slider(key="stride_k").value, at.slider(key="stride_p").value
    assert f"= {formulas.conv_output_size(160, k, s, p)}" in at.latex[0].value
    anim = plotly_figures(at)[0]
    assert len(anim["frames"]) == formulas.conv_output_size(9, k, s, p) ** 2


def test_equation_equals_engine_on_grid():
    at = run_page(PAGE, state={"img_source": "grid"})
    at.slider(key="stride_s").set_value(2).run()
    assert_ok(at)
    import numpy as np

    grid = np.array(at.session_state["img_grid"], np.float32)
    out = conv_full(grid, PRESETS["sobel_x"].kernel(3), stride=2)
    anim = plotly_figures(at)[0]
    eq = annotation_texts(anim["frames"][-1])[-1]
    assert float(eq.split("=")[-1].strip().replace("−", "-")) == pytest.approx(out[-1, -1])


def test_kernel_sizes_and_padding():
    at = run_page(PAGE)
    for k in (1, 2, 5):
        at.slider(key="stride_k").set_value(k).run()
        assert_ok(at)
    at.slider(key="stride_p").set_value(2).run()
    assert_ok(at)


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_upload(kind):
    at = run_page(PAGE)
    upload(at, png_bytes() if kind == "png" else jpeg_bytes(), f"a.{kind}", f"image/{kind}")
    assert_ok(at)


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value)


def test_default_stride_skips_pixels():
    """Issue 9: the lesson about skipped pixels opens on a stride that skips some."""
    at = run_page(PAGE)
    assert_ok(at)
    assert at.slider(key="stride_s").value > at.slider(key="stride_k").value
    text = " ".join(str(m.value) for m in at.markdown)
    skipped = int(text.split(" of 81 input pixels are never read")[0].split()[-1])
    assert skipped > 0
