"""Page 20 (lesson 17, dropout and LRN) under AppTest: the masks and LRN numbers the engine's,
a changed dropout probability redrawn."""

from __future__ import annotations

import numpy as np

import cnnviz.nn.functional as F
from cnnviz.lessons import dropout_lrn as dl
from tests.pages.apptest_helpers import all_text, animations, arr, assert_ok, run_page

PAGE = "20_dropout_lrn.py"


def test_defaults_show_engine_masks_and_lrn():
    at = run_page(PAGE)
    assert_ok(at)
    anim = animations(at)[0]
    stack = dl.feature_stack(0)
    c, r, q = dl.busiest_patch(stack)
    x = stack[c, r:r + dl.GRID, q:q + dl.GRID]
    demo = dl.dropout_demo(x, 0.5)
    assert len(anim["frames"]) == dl.MASKS
    np.testing.assert_allclose(np.nan_to_num(arr(anim["data"][1]["z"])), demo.outputs[0],
                               rtol=1e-6)
    out = F.local_response_norm(stack[None], 5, 1.0, 0.75, 1.0)[0]
    energy = (stack.astype(np.float64) ** 2).sum(0)
    row, col = np.unravel_index(int(energy.argmax()), energy.shape)
    ch = int(stack[:, row, col].argmax())
    assert f"= {out[ch, row, col]:.3f}" in all_text(at)


def test_changing_p_rescales_the_survivors():
    at = run_page(PAGE, lang="zh", classroom=True)
    at.select_slider(key="do_p").set_value(0.8).run()
    assert_ok(at)
    z = np.nan_to_num(arr(animations(at)[0]["data"][1]["z"]))
    x = np.nan_to_num(arr(animations(at)[0]["data"][0]["z"]))
    kept = z != 0
    np.testing.assert_allclose(z[kept], x[kept] * 5, rtol=1e-5)
