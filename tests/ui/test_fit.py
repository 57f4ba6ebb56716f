"""Figures sized to the room they really get: a smaller crop rather than smaller digits;
formulas that wrap instead of losing their answer."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import formulas
from cnnviz.lessons.conv import conv_spec
from cnnviz.ui.maths import split_top, visible_chars, wrap_latex
from cnnviz.viz import fit
from cnnviz.viz.window_animation import window_animation_figure


@pytest.fixture(scope="module")
def spec():
    x = np.random.default_rng(1).random((8, 8)).astype(np.float32)
    return conv_spec(x, np.array([[1, 0, -1]] * 3, np.float32))


def _grid_font(fig) -> float:
    return min(t.textfont.size for t in fig.data if t.type == "heatmap")


@pytest.mark.parametrize("width", [560, 720, 900])
def test_a_narrow_stage_gets_a_smaller_crop_with_16px_digits(spec, width: int) -> None:
    part = fit.fit_spec(spec, width, classroom=True, budget=680)
    r, c = part.output.shape
    assert r * c >= 1
    # the numbers are the engine's own: the top-left of the whole result
    np.testing.assert_array_equal(part.output, spec.output[:r, :c])
    fig = window_animation_figure(part, classroom=True, width_hint=width, height=680)
    assert _grid_font(fig) >= fit.MIN_DIGIT_PX
    assert fig.layout.height <= 680


def test_a_wide_stage_keeps_the_whole_crop(spec) -> None:
    assert fit.fit_spec(spec, 2400, classroom=True, budget=None) is spec
    assert fit.fit_spec(spec, 500, classroom=False, budget=None) is spec  # normal mode


def test_an_animation_fits_the_height_budget(spec) -> None:
    fig = window_animation_figure(spec, classroom=True, width_hint=1400, height=640)
    assert fig.layout.height <= 640


def test_long_formulas_wrap_at_equals_and_keep_the_answer() -> None:
    latex = formulas.conv_output_size_latex(160, 3, 1, 0, 1)
    wrapped = wrap_latex(latex, 20)
    assert wrapped.startswith(r"\begin{aligned}") and wrapped.endswith(r"\end{aligned}")
    assert r"&= 158" in wrapped
    assert wrap_latex(latex, 200) == latex  # room enough: one line
    # the shapes formula already comes as lines (weights and bias, then the count): it keeps
    # them and its answer
    shapes = wrap_latex(formulas.conv_shapes_latex(3, 2, 3), 20)
    assert "= 56" in shapes and shapes.count(r"\\") >= 1
    assert split_top(r"\frac{a=b}{c} = d", "=") == [r"\frac{a=b}{c}", "d"]
    assert visible_chars(r"2\cdot 3") == 3
