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


def _sobel() -> np.ndarray:
    return np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], np.float32)


@pytest.mark.parametrize("width", [720, 1000, 1240])
@pytest.mark.parametrize("dilation", [3, 4])
def test_a_tall_window_is_cropped_to_several_steps_not_one(width: int, dilation: int) -> None:
    """Dilation 3 on lesson 6's 12×12 crop: no crop reaches 16 px digits in 700 px of height
    (the input grid stays 7 rows tall), and the crop used to fall to a single cell, so Play
    had nothing to step through (the classroom walkthrough's dilation page)."""
    x = np.random.default_rng(0).random((12, 12)).astype(np.float32)
    spec = conv_spec(x, _sobel(), dilation=dilation)
    part = fit.fit_spec(spec, width, classroom=True, budget=700, lang="zh")
    r, c = part.output.shape
    assert r * c >= fit.MIN_STEPS
    np.testing.assert_array_equal(part.output, spec.output[:r, :c])
    fig = window_animation_figure(part, lang="zh", classroom=True, width_hint=width, height=700)
    assert len(fig.frames) == r * c
    assert fig.layout.height <= 700


@pytest.mark.parametrize("width", [720, 1240])
def test_a_crop_that_reads_keeps_at_least_two_steps(width: int) -> None:
    """Stride 4 over lesson 4's 9×9 crop (a 2×2 output): one row of two windows has 16 px
    digits, where the old square crop kept one cell."""
    x = np.random.default_rng(0).random((9, 9)).astype(np.float32)
    spec = conv_spec(x, _sobel(), stride=4)
    part = fit.fit_spec(spec, width, classroom=True, budget=700, lang="zh")
    assert part.output.size >= 2
    fig = window_animation_figure(part, lang="zh", classroom=True, width_hint=width, height=700)
    assert _grid_font(fig) >= fit.MIN_DIGIT_PX


@pytest.mark.parametrize("width", [640, 720, 880, 1240])
def test_titles_that_wrap_are_counted_in_the_fit(width: int) -> None:
    """Lesson 7's stretched view: its kernel title ("旋转 180° 的卷积核") wraps to three
    lines and takes height from the grids; the crop is chosen knowing that, so the digits
    the figure draws still reach 16 px (they came out at 12 px at 1280×720)."""
    from cnnviz.lessons.transposed import zero_insertion_spec

    x = np.random.default_rng(0).random((3, 3)).astype(np.float32)
    spec = zero_insertion_spec(x, np.ones((3, 3), np.float32), 2, 0, 0, 1)
    titles = ("拉伸并填充后的输入", "旋转 180° 的卷积核", None)
    part = fit.fit_spec(spec, width, classroom=True, budget=680, lang="zh", titles=titles)
    assert part.output.size >= fit.MIN_STEPS
    fig = window_animation_figure(part, lang="zh", classroom=True, width_hint=width,
                                  height=680, input_title=titles[0], kernel_title=titles[1])
    assert _grid_font(fig) >= fit.MIN_DIGIT_PX
