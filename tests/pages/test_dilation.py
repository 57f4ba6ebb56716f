"""Page 6 (dilation) under AppTest: every rate 1-4, refusal, uploads, Chinese, engine numbers."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.kernels import PRESETS
from tests.pages.apptest_helpers import (
    all_text,
    animations,
    annotation_texts,
    arr,
    assert_ok,
    has_cjk,
    jpeg_bytes,
    plotly_figures,
    png_bytes,
    run_page,
    upload,
)

PAGE = "6_dilation.py"


def _anim(at):
    return animations(at)[0]


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_each_rate_matches_engine(d):
    at = run_page(PAGE)
    at.slider(key="dil_d").set_value(d).run()
    assert_ok(at)
    fig = _anim(at)
    x_crop = arr(fig["data"][0]["z"])
    kernel = PRESETS["sobel_x"].kernel(3)
    want = F.conv2d(x_crop[None, None].astype(np.float32), kernel[None, None], dilation=d)[0, 0]
    out = arr(fig["data"][2]["z"])  # input, kernel, output
    np.testing.assert_allclose(out, want, atol=1e-5)
    o = formulas.conv_output_size(12, 3, 1, 0, d)
    assert out.shape == (o, o)
    text = all_text(at)
    assert formulas.effective_kernel_size_latex(3, d) in text
    # the stack table's receptive fields come from formulas.receptive_field
    table = at.dataframe[0].value
    rf = formulas.receptive_field([(3, 1, d)] * 3)
    assert list(table.iloc[:, 1]) == [r.size for r in rf]
    # the cost table: k*k*C*C against k'*k'*C*C weights
    costs = at.dataframe[1].value
    span = formulas.effective_kernel_size(3, d)
    assert costs.iloc[0, 2] == f"{formulas.conv_params(64, 64, 3, bias=False):,}"
    assert costs.iloc[1, 2] == f"{formulas.conv_params(64, 64, span, bias=False):,}"
    # each row's output on the 160×160 sample, and its multiply-adds on that output
    o_dil, o_dense = (formulas.conv_output_size(160, 3, 1, 0, d),
                      formulas.conv_output_size(160, span, 1, 0, 1))
    assert list(costs.iloc[:, 1]) == [f"{o_dil}×{o_dil}", f"{o_dense}×{o_dense}"]
    assert costs.iloc[0, 3] == f"{formulas.conv_multiply_adds(64, 64, 3, o_dil):,}"
    assert "158" not in " ".join(str(c.value) for c in at.caption) or d == 1


def test_footprint_is_dilated_kernel():
    at = run_page(PAGE)
    at.slider(key="dil_d").set_value(3).run()
    fp = next(f for f in plotly_figures(at) if not f.get("frames") and len(f["data"]) == 2)
    dense = arr(fp["data"][1]["z"]).astype(np.float32)
    assert dense.shape == (7, 7)
    x = np.random.default_rng(0).random((1, 1, 12, 12)).astype(np.float32)
    k = PRESETS["sobel_x"].kernel(3)
    # a dilated conv is a dense conv with the zero-filled footprint
    np.testing.assert_allclose(
        F.conv2d(x, dense[None, None]), F.conv2d(x, k[None, None], dilation=3), atol=1e-5
    )


def test_grid_too_small_refuses_with_reason():
    grid = [[float(r + c) for c in range(6)] for r in range(6)]
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": grid})
    at.slider(key="dil_d").set_value(4).run()
    assert at.error and "9" in at.error[0].value  # spans d(k-1)+1 = 9 > 6
    at.slider(key="dil_p").set_value(2).run()
    assert_ok(at)


@pytest.mark.parametrize("data,name,mime", [(png_bytes(), "a.png", "image/png"),
                                            (jpeg_bytes(), "a.jpg", "image/jpeg")],
                         ids=["png", "jpeg"])
def test_upload(data, name, mime):
    at = upload(run_page(PAGE), data, name, mime)
    assert_ok(at)
    titles = " ".join(a for f in plotly_figures(at) for a in annotation_texts(f))
    assert "32×40" in titles  # the whole-image panel shows the uploaded picture's size


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "膨胀" in all_text(at)
