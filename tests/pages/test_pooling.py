"""Page 5 (pooling) under AppTest: defaults, settings, uploads, Chinese, engine numbers."""

from __future__ import annotations

import re

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
    png_bytes,
    run_page,
    upload,
)

PAGE = "5_pooling.py"
GRID = [[float((3 * r + 5 * c) % 7) for c in range(6)] for r in range(6)]


def _anim(at):
    return animations(at)[0]


def test_defaults_show_engine_numbers():
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    assert_ok(at)
    x = np.asarray(GRID, np.float32)
    fig = _anim(at)
    out = arr(fig["data"][1]["z"])  # input, output, then dynamic traces
    np.testing.assert_allclose(out, F.max_pool2d(x[None, None], 2, 2)[0, 0])
    text = all_text(at)
    assert formulas.pool_output_size_latex(6, 2, 2, 0) in text
    assert "6×6" in text and "3×3" in text
    # the equation of step 1 ends with the engine's value
    first = annotation_texts(fig)[-1]
    assert first.endswith(f"= {int(out[0, 0])}")


@pytest.mark.parametrize("kind,k,s,p", [("avg", 3, 1, 1), ("max", 3, 2, 1), ("max", 2, 3, 1)])
def test_settings_match_engine(kind, k, s, p):
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    at.radio(key="pool_kind").set_value(kind).run()
    at.slider(key="pool_k").set_value(k).run()
    at.slider(key="pool_s").set_value(s).run()
    at.slider(key="pool_p").set_value(p).run()
    assert_ok(at)
    x = np.asarray(GRID, np.float32)[None, None]
    op = F.max_pool2d if kind == "max" else F.avg_pool2d
    want = op(x, k, s, p)[0, 0]
    fig = _anim(at)
    np.testing.assert_allclose(arr(fig["data"][1]["z"]), want, atol=1e-6)
    o = formulas.pool_output_size(6, k, s, p)
    assert want.shape == (o, o)
    assert formulas.pool_output_size_latex(6, k, s, p) in all_text(at)
    if kind == "max" and p:
        assert "−∞" in annotation_texts(fig)[-1]  # max pooling's padding is −∞
    if kind == "max":
        # the magenta marker sits on the engine's argmax
        _, idx = F.max_pool2d_with_indices(x, k, s, p)
        r, c = divmod(int(idx[0, 0, 0, 0]), 6)
        marker = fig["data"][-1]
        xs, ys = (np.array(marker[a], dtype=float) for a in ("x", "y"))  # None: a break
        assert np.nanmean(xs) == pytest.approx(c + p, abs=0.2)
        assert np.nanmean(ys) == pytest.approx(r + p, abs=0.2)
        # bars above and below, near the cell's edges: nothing crosses the number
        assert np.all(np.abs(ys[~np.isnan(ys)] - (r + p)) >= 0.4)


def test_shift_demo_fraction_from_engine():
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    x = np.asarray(GRID, np.float32)
    a = F.max_pool2d(x[None, None, :, :-1], 2, 2)
    b = F.max_pool2d(x[None, None, :, 1:], 2, 2)
    frac = np.isclose(a, b).mean()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Max-pooled cells unchanged"] == f"{frac:.0%}"


@pytest.mark.parametrize("data,name,mime", [(png_bytes(), "a.png", "image/png"),
                                            (jpeg_bytes(), "a.jpg", "image/jpeg")],
                         ids=["png", "jpeg"])
def test_upload(data, name, mime):
    at = run_page(PAGE)
    at = upload(at, data, name, mime)
    assert_ok(at)
    text = all_text(at)
    assert "32×40" in text  # the uploaded picture's size, then its pooled size
    assert "16×20" in text


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value)
    assert re.search("池化", all_text(at))
    assert any(has_cjk(t) for t in annotation_texts(_anim(at)))


def test_quiz_marks_answer():
    at = run_page(PAGE, state={"img_source": "grid", "img_grid": GRID})
    q = next(r for r in at.radio if r.key.startswith("pool_q1"))
    q.set_value("3").run()
    assert at.success


def test_default_first_window_has_one_maximum():
    """Issue 9: the first window is not a tie, so its maximum has one place."""
    at = run_page(PAGE)
    assert_ok(at)
    shown = np.round(arr(_anim(at)["data"][0]["z"])[:2, :2], 2)
    assert int((shown == shown.max()).sum()) == 1
