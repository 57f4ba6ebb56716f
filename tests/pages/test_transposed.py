"""Page 7 (transposed convolution) under AppTest: both views equal F.conv_transpose2d."""

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

PAGE = "7_transposed.py"
GRID = [[1.0, 2.0, 0.0, 3.0], [0.0, 1.0, 2.0, 1.0], [3.0, 0.0, 1.0, 2.0], [1.0, 1.0, 0.0, 2.0]]


def _set(at, **values):
    for name, v in values.items():
        at.slider(key=f"tconv_{name}").set_value(v).run()
    return at


def _check_views(at, s, p, a, d):
    assert_ok(at)
    figs = animations(at)
    zero_fig, scatter_fig = figs
    x = arr(zero_fig["data"][0]["z"])  # the stretched grid
    crop = np.asarray(GRID, np.float32)[:3, :3]  # default crop size 3 at the top-left
    kernel = np.ones((3, 3), np.float32)
    want = F.conv_transpose2d(crop[None, None], kernel[None, None], stride=s, padding=p,
                              output_padding=a, dilation=d)[0, 0]
    np.testing.assert_allclose(arr(zero_fig["data"][2]["z"]), want, atol=1e-5)
    o = formulas.conv_transpose_output_size(3, 3, s, p, a, d)
    assert want.shape == (o, o)
    assert formulas.conv_transpose_output_size_latex(3, 3, s, p, a, d) in all_text(at)
    # the stretched grid holds the crop every s cells
    e = d * 2 - p
    np.testing.assert_array_equal(x[e : e + 2 * s + 1 : s, e : e + 2 * s + 1 : s], crop)
    # the scatter view's last frame, cropped to the kept box, is the same result
    buf = np.nan_to_num(arr(scatter_fig["frames"][-1]["data"][0]["z"]))
    np.testing.assert_allclose(buf[p : p + o, p : p + o], want, atol=1e-5)
    assert len(scatter_fig["frames"]) == 9


def test_views_equal_engine_for_settings():
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    _check_views(at, 2, 0, 0, 1)
    # one run, settings changed in turn (each rerun is checked against the engine)
    for s, p, a, d in [(2, 1, 1, 1), (3, 2, 2, 1), (1, 1, 0, 1), (2, 1, 1, 2)]:
        _set(at, d=d, s=s, p=p)
        if max(s, d) > 1:
            _set(at, a=a)
        _check_views(at, s, p, a, d)


def test_checkerboard_counts_from_engine():
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    counts_fig = next(f for f in plotly_figures(at)
                      if not f.get("frames") and f["data"][0]["type"] == "heatmap")
    counts = arr(counts_fig["data"][0]["z"])
    ones = np.ones((1, 1, 4, 4), np.float32)
    want = F.conv_transpose2d(ones, np.ones((1, 1, 3, 3), np.float32), stride=2)[0, 0]
    np.testing.assert_array_equal(counts, want)
    assert "not a multiple" in all_text(at)
    _set(at, k=4)
    assert "no checkerboard" in all_text(at).lower() or "no " in all_text(at)


def test_scatter_equation_shows_stamp():
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    scatter = animations(at)[1]
    text = annotation_texts(scatter)[-1]
    assert text.startswith("x[0,0]·K: 1·[1, 1, 1] = [1, 1, 1]")
    # the scatter view is saved for slides like every animation (GIF and PNG of a stamp)
    saved = {d.proto.id.rsplit("-", 1)[-1] for d in at.get("download_button")}
    assert {"tconv_anim_s_gif", "tconv_anim_s_png"} <= saved


@pytest.mark.parametrize("data,name,mime", [(png_bytes(), "a.png", "image/png"),
                                            (jpeg_bytes(), "a.jpg", "image/jpeg")],
                         ids=["png", "jpeg"])
def test_upload(data, name, mime):
    at = upload(run_page(PAGE), data, name, mime)
    assert_ok(at)
    titles = " ".join(a for f in plotly_figures(at) for a in annotation_texts(f))
    assert "32×40" in titles and "65×81" in titles  # 2·(32−1)+3 by 2·(40−1)+3


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "转置卷积" in all_text(at)


def test_checkerboard_sentence_with_dilation():
    """Issue 9: k = 2, s = 2, d = 2 is uneven because the taps skip pixels, not because 2 is
    not a multiple of 2."""
    at = run_page(PAGE)
    _set(at, k=2, s=2, d=2)
    assert_ok(at)
    text = all_text(at)
    assert "not a multiple" not in text and "2, 0, 2, 0" in text
