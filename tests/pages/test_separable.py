"""Page 8 (separable / grouped / factorised) under AppTest: stages, groups, counts, uploads."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz import formulas
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

PAGE = "8_separable.py"


def _anim(at):
    return animations(at)[0]


def test_stages_and_groups_match_engine():
    at = run_page(PAGE)
    assert_ok(at)
    # the pointwise animation: its output row is the engine's 1x1 conv of the depthwise maps
    at.radio(key="sep_stage").set_value("pw").run()
    assert_ok(at)
    fig = _anim(at)
    grid = arr(fig["data"][0]["z"])  # (3, pixels): depthwise maps of the crop
    w = np.array([1.0, -1.0, 0.0], np.float32)  # default pointwise weights of output 2?
    out = arr(fig["data"][2]["z"])
    first = np.array([1.0, 1.0, 1.0], np.float32)
    np.testing.assert_allclose(out[0], first @ grid, rtol=1e-5, atol=1e-5)
    at.radio(key="sep_out").set_value(1).run()
    fig = _anim(at)
    np.testing.assert_allclose(arr(fig["data"][2]["z"])[0], w @ arr(fig["data"][0]["z"]),
                               rtol=1e-5, atol=1e-5)
    # groups: only common divisors are offered; the connectivity map is block-diagonal
    gkey = next(s.key for s in at.select_slider if s.key.startswith("sep_groups"))
    assert list(at.select_slider(key=gkey).options) == ["1", "2", "3", "4", "6", "12"]
    for g in (1, 4, 12):
        at.select_slider(key=gkey).set_value(g).run()
        assert_ok(at)
        conn = next(f for f in plotly_figures(at)
                    if any("groups = " + str(g) in a for a in annotation_texts(f)))
        z = arr(conn["data"][0]["z"])
        assert z.shape == (24, 12) and z.sum() == 24 * 12 // g
    at.select_slider(key="sep_cin").set_value(8).run()
    gkey = next(s.key for s in at.select_slider if s.key.startswith("sep_groups"))
    assert list(at.select_slider(key=gkey).options) == ["1", "2", "4", "8"]
    # the cost table comes from formulas
    table = at.dataframe[-1].value  # (the pointwise data editor comes first)
    sep = formulas.depthwise_separable_counts(64, 128, 3, (56, 56))
    assert table.iloc[0, 1] == f"{sep.standard.params:,}"
    assert table.iloc[1, 1] == f"{sep.params:,}"
    fac = formulas.factorised_counts(64, 128, 3, (56, 56), 64)  # 64 channels between
    assert table.iloc[3, 1] == f"{fac.params:,}" and table.iloc[3, 2] == f"{fac.multiply_adds:,}"
    assert table.iloc[3, 3] == "50.0%"  # saves, as the text's "2k instead of k²" says
    assert formulas.factorised_params_latex(64, 64, 128, 3) in all_text(at)


def test_depthwise_animation_and_factorised():
    grid = [[float((r * 7 + c * 3) % 5) for c in range(6)] for r in range(6)]
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": grid})
    assert_ok(at)
    fig = _anim(at)
    x = np.asarray(grid, np.float32)
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
    want = F.conv2d(x[None, None], sobel_x[None, None])[0, 0]
    np.testing.assert_allclose(arr(fig["data"][2]["z"]), want, atol=1e-5)
    assert "rank 1" in all_text(at)


@pytest.mark.parametrize("data,name,mime", [(png_bytes(), "a.png", "image/png"),
                                            (jpeg_bytes(), "a.jpg", "image/jpeg")],
                         ids=["png", "jpeg"])
def test_upload(data, name, mime):
    at = upload(run_page(PAGE), data, name, mime)
    assert_ok(at)
    titles = " ".join(a for f in plotly_figures(at) for a in annotation_texts(f))
    assert "32×40" in titles


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "分组卷积" in all_text(at)
