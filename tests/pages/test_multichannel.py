"""Lesson 2 (multi-channel convolution): partial sums + bias equal the full conv2d."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.lessons.multichannel import multichannel_conv
from tests.pages.apptest_helpers import (
    assert_ok,
    decode_array,
    has_cjk,
    jpeg_bytes,
    plotly_figures,
    png_bytes,
    run_page,
    upload,
)

PAGE = "2_multichannel.py"


def test_partials_plus_bias_equal_full_conv(rng):
    x = rng.random((3, 9, 7)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3)).astype(np.float32)
    b = np.array([0.5, -0.25], np.float32)
    res = multichannel_conv(x, w, b)
    np.testing.assert_allclose(
        res.partials.sum(1) + b[:, None, None], res.output, atol=1e-5
    )
    np.testing.assert_allclose(res.output, F.conv2d(x[None], w, b)[0], atol=1e-6)


def test_defaults_and_settings():
    at = run_page(PAGE)
    assert_ok(at)
    at.slider(key="mc_nf").set_value(3).run()
    assert_ok(at)
    at.slider(key="mc_b0").set_value(0.5).run()
    at.radio(key="mc_fsel").set_value(2).run()
    at.radio(key="mc_csel").set_value(1).run()
    assert_ok(at)
    assert "= 84" in at.latex[0].value  # 3 filters * 3 * 3 * 3 + 3


def test_shown_sum_grids_match_engine():
    at = run_page(PAGE, state={"img_source": "grid"})
    assert_ok(at)
    sums = plotly_figures(at)[1]  # partials R, G, B, bias, output
    z = [decode_array(d["z"]) for d in sums["data"]]
    np.testing.assert_allclose(z[0] + z[1] + z[2] + z[3], z[4], atol=1e-4)


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_upload(kind):
    at = run_page(PAGE)
    upload(at, png_bytes() if kind == "png" else jpeg_bytes(), f"a.{kind}", f"image/{kind}")
    assert_ok(at)


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value)


def test_default_partial_sums_are_all_nonzero():
    """Issue 9: on the default image and crop, "three partial sums + bias" shows numbers."""
    at = run_page(PAGE)
    assert_ok(at)
    grids = [decode_array(t["z"]) for t in plotly_figures(at)[1]["data"]]
    red, green, blue, bias, out = grids
    assert all(np.abs(g).max() > 0.05 for g in (red, green, blue))
    assert np.all(bias == bias[0, 0]) and bias[0, 0] != 0
    np.testing.assert_allclose(red + green + blue + bias, out, atol=1e-4)


def test_shape_formula_words_in_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    formula = next(str(x.value) for x in at.latex if "cdot" in str(x.value) and "(" in str(x.value)
                   and "权重" in str(x.value))
    for word in ("weight", "bias", "params"):
        assert word not in formula
