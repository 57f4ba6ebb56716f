"""Lesson 3 (padding): every mode, pad sizes, grids drawn from F.pad, uploads, zh."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz import formulas
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

PAGE = "3_padding.py"
GRID = {"img_source": "grid"}
MODES = {"zeros": "constant", "replicate": "replicate", "reflect": "reflect",
         "circular": "circular"}


@pytest.mark.parametrize("mode", list(MODES))
def test_every_mode_and_pad(mode):
    at = run_page(PAGE, state=GRID)
    at.radio(key="pad_mode").set_value(mode).run()
    for p in (0, 2, 3):
        at.slider(key="pad_p").set_value(p).run()
        assert_ok(at)
        assert f"= {formulas.conv_output_size(6, 3, 1, p)}" in at.latex[0].value


def test_grids_are_engine_padding():
    at = run_page(PAGE, state=GRID)
    at.slider(key="pad_p").set_value(2).run()
    grid = np.array(at.session_state["img_grid"], np.float32)
    figs = plotly_figures(at)
    grids = figs[1]["data"] + figs[2]["data"]  # two modes a row
    for trace, mode in zip(grids, MODES.values(), strict=True):
        expected = F.pad(grid[None, None], (2, 2, 2, 2), mode=mode)[0, 0]
        np.testing.assert_allclose(decode_array(trace["z"]), expected)


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_upload(kind):
    at = run_page(PAGE)
    upload(at, png_bytes() if kind == "png" else jpeg_bytes(), f"a.{kind}", f"image/{kind}")
    assert_ok(at)
    at.radio(key="pad_mode").set_value("reflect").run()
    assert_ok(at)


def test_chinese():
    at = run_page(PAGE, lang="zh", classroom=True)
    assert_ok(at)
    assert has_cjk(at.title[0].value)


def test_default_results_show_where_the_modes_differ():
    """Issue 9: the four modes' results must differ visibly where the page shows them."""
    at = run_page(PAGE)
    assert_ok(at)
    figs = plotly_figures(at)
    shown = figs[3]["data"] + figs[4]["data"]  # the result on the crop, two modes a row
    assert len(shown) == 4
    results = [decode_array(t["z"]) for t in shown]
    for i in range(4):
        for j in range(i + 1, 4):
            assert np.abs(results[i] - results[j]).mean() > 0.05, (i, j)
