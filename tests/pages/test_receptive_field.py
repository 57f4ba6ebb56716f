"""Page 11 (receptive field) under AppTest: the default stack, then a fourth layer."""

from __future__ import annotations

from tests.pages.apptest_helpers import all_text, animations, assert_ok, has_cjk, run_page

PAGE = "14_receptive_field.py"


def _metrics(at) -> dict[str, str]:  # noqa: ANN001
    return {m.label: m.value for m in at.metric}


def test_default_stack_then_a_dilated_layer() -> None:
    at = run_page(PAGE)
    assert_ok(at)
    assert _metrics(at) == {"Formula: r": "8 × 8", "Measured by backprop": "8 × 8",
                            "Jump j": "2"}
    anim = animations(at)[0]
    assert len(anim["frames"]) == 21  # the units of one output row (48 → 46 → 23 → 21)
    at.slider(key="rf_n").set_value(4).run()
    assert_ok(at)
    assert _metrics(at)["Measured by backprop"] == "16 × 16"  # + 2·(3−1)·2
    assert "r_4 &= 8 + 2\\cdot(3-1)\\cdot 2 = 16" in all_text(at)
    assert len(animations(at)[0]["frames"]) == 17


def test_chinese_classroom() -> None:
    at = run_page(PAGE, lang="zh", classroom=True)
    assert_ok(at)
    assert has_cjk(at.title[0].value) and "感受野" in all_text(at)
