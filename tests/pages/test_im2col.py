"""Page 10 (im2col) under AppTest: the notes' example by default, a changed setting."""

from __future__ import annotations

import numpy as np

import cnnviz.nn.functional as F
from cnnviz.lessons.conv import NOTES_INPUT
from cnnviz.lessons.im2col import kernels
from tests.pages.apptest_helpers import all_text, animations, arr, assert_ok, has_cjk, run_page

PAGE = "13_im2col.py"


def test_defaults_then_stride_two() -> None:
    at = run_page(PAGE)
    assert_ok(at)
    anim = animations(at)[0]
    assert len(anim["frames"]) == 4  # four windows of the 4×4 notes grid
    np.testing.assert_array_equal(arr(anim["data"][0]["z"]), NOTES_INPUT)
    metrics = {m.label: m.value for m in at.metric}
    assert {k: metrics[k] for k in ("Input numbers", "Column numbers", "Ratio")} == {
        "Input numbers": "16", "Column numbers": "36", "Ratio": "2.25×"}
    assert metrics["One product"].endswith(" ms") and metrics["Speed-up"].endswith("×")
    assert "largest difference 0" in all_text(at)
    at.radio(key="im_k").set_value(2).run()
    at.radio(key="im_s").set_value(2).run()
    assert_ok(at)
    anim = animations(at)[0]
    assert len(anim["frames"]) == 4  # 2×2 windows, stride 2 on the 4×4 grid
    product = arr(anim["frames"][-1]["data"][1]["z"])
    want = F.conv2d(NOTES_INPUT[None, None], kernels(2, 2)[:, None], stride=2)[0]
    np.testing.assert_array_equal(product, want.reshape(2, -1))
    assert {m.label: m.value for m in at.metric}["Ratio"] == "1.00×"


def test_chinese() -> None:
    at = run_page(PAGE, lang="zh", classroom=True)
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "矩阵乘法" in all_text(at)
