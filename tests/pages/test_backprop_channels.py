"""Page 12 (backpropagation beyond one channel) under AppTest: defaults, overlapping pools."""

from __future__ import annotations

import numpy as np

from cnnviz.lessons import backprop_channels as bc
from tests.pages.apptest_helpers import all_text, animations, arr, assert_ok, has_cjk, run_page

PAGE = "15_backprop_channels.py"


def test_defaults_then_overlapping_pool_and_stride_one() -> None:
    at = run_page(PAGE)
    assert_ok(at)
    pool, stride = animations(at)
    assert len(pool["frames"]) == 9  # 2×2 windows, stride 2, on the 6×6 example
    want = bc.pool_backward(bc.POOL_X, 2, 2).dx
    np.testing.assert_array_equal(arr(pool["frames"][-1]["data"][0]["z"]), want)
    sb = bc.stride_backward(bc.CONV_X, bc.CONV_W, 2)
    np.testing.assert_allclose(arr(stride["data"][2]["z"]), sb.dx, atol=1e-5)
    assert "(zero insertion, 2×2 → 3×3)" in all_text(at)
    at.radio(key="bc_pool").set_value("3s1").run()
    at.radio(key="bc_s").set_value(1).run()
    assert_ok(at)
    pool, stride = animations(at)
    assert len(pool["frames"]) == 16
    np.testing.assert_array_equal(arr(pool["frames"][-1]["data"][0]["z"]),
                                  bc.pool_backward(bc.POOL_X, 3, 1).dx)
    assert len(stride["frames"]) == 25
    assert "(zero insertion, 3×3 → 3×3)" in all_text(at)


def test_chinese_classroom() -> None:
    at = run_page(PAGE, lang="zh", classroom=True)
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "反向传播" in all_text(at)
