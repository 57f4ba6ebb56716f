"""The whole-network page under AppTest: defaults, another unit, a session model, zh."""

from __future__ import annotations

from tests.pages.apptest_helpers import (
    all_text,
    assert_ok,
    has_cjk,
    plotly_figures,
    run_page,
    trained_session,
)

PAGE = "12_network.py"


def _code(at) -> str:
    return "\n".join(str(c.value) for c in at.code)


def test_defaults_show_every_layer_a_unit_sum_and_saliency():
    at = run_page(PAGE)
    assert_ok(at)
    assert len(plotly_figures(at)) >= 5  # saliency, layers, grids, architecture, patches
    assert "c0: Σ x·w" in _code(at) and "y " in _code(at)
    assert "Why 7" in all_text(at)


def test_changing_the_unit_rewrites_its_computation():
    at = run_page(PAGE)
    at.selectbox(key="network_layer").set_value(4).run()  # the FC layer 4320 → 100
    assert_ok(at)
    assert "Σ 4312 w·x" in _code(at)  # 4320 inputs: 8 listed, the rest summed
    at.selectbox(key="network_layer").set_value(7).run()  # softmax
    assert_ok(at)
    assert "e^(z7" in _code(at)


def test_model_trained_in_this_session():
    at = run_page(PAGE, state={"training_session": trained_session()})
    assert_ok(at)
    assert at.selectbox(key="network_net").value == "session"


def test_chinese_classroom_and_a_residual_net():
    at = run_page(PAGE, lang="zh", classroom=True)
    assert_ok(at)
    assert has_cjk(all_text(at))
    at.selectbox(key="network_net").set_value("pretrained:resnet_small").run()
    assert_ok(at)
    arch = [f for f in plotly_figures(at) if any("捷径" in str(a.get("text", ""))
                                                 for a in f["layout"].get("annotations", []))]
    assert arch
