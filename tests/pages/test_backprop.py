"""Page 9 (backpropagation) under AppTest: every route equals F.conv2d_backward."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.lessons.backprop import EXAMPLE_X, KERNELS, upstream_gradient
from tests.pages.apptest_helpers import (
    all_text,
    animations,
    arr,
    assert_ok,
    has_cjk,
    jpeg_bytes,
    plotly_figures,
    png_bytes,
    run_page,
    upload,
)

PAGE = "9_backprop.py"


def _check(at, k, up):
    assert_ok(at)
    anims = animations(at)
    assert len(anims) == 2
    dy = upstream_gradient(up, (5 - k, 5 - k))
    dx, dw, db = F.conv2d_backward(dy[None, None], EXAMPLE_X[None, None], KERNELS[k][None, None])
    np.testing.assert_allclose(arr(anims[0]["data"][2]["z"]), dw[0, 0], atol=1e-5)
    np.testing.assert_allclose(arr(anims[1]["data"][2]["z"]), dx[0, 0], atol=1e-5)
    assert len(anims[0]["frames"]) == k * k and len(anims[1]["frames"]) == 16
    checks = [f for f in plotly_figures(at) if not f.get("frames")]
    numerical_dw = arr(checks[1]["data"][2]["z"])
    numerical_dx = arr(checks[2]["data"][3]["z"])
    np.testing.assert_allclose(numerical_dw, dw[0, 0], atol=1e-4)
    np.testing.assert_allclose(numerical_dx, dx[0, 0], atol=1e-4)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["dL/db = Σ dL/dY"] == f"{float(db[0]):g}"


def test_steps_through_settings():
    at = run_page(PAGE)
    _check(at, 2, "ones")
    for k, up in [(3, "ones"), (3, "corner"), (2, "random")]:
        at.radio(key="bp_k").set_value(k).run()
        at.radio(key="bp_up").set_value(up).run()
        _check(at, k, up)


@pytest.mark.parametrize("data,name,mime", [(png_bytes(), "a.png", "image/png"),
                                            (jpeg_bytes(), "a.jpg", "image/jpeg")],
                         ids=["png", "jpeg"])
def test_upload_uses_a_crop(data, name, mime):
    at = upload(run_page(PAGE), data, name, mime)
    assert_ok(at)
    assert at.toggle(key="bp_example_True").value is False  # an upload switches to its crop
    setup = [f for f in plotly_figures(at) if not f.get("frames")][0]
    x = arr(setup["data"][0]["z"])
    assert x.shape == (4, 4) and not np.array_equal(x, EXAMPLE_X)
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Largest difference, dL/dX"]) < 1e-4


def test_chinese():
    at = run_page(PAGE, lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "反向传播" in all_text(at)
