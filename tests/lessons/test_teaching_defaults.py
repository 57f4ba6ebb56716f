"""Issue 9: defaults that teach, nothing false on screen - the lesson-logic side.

Each test checks a sentence or a default against the engine or the formulas it speaks of:
colour names against the colour scale drawn, the checkerboard rule against transposed
convolutions of ones, cost tables against their formulas, defaults against the default
sample image and the crop the picker opens on.
"""

from __future__ import annotations

import ast
import itertools
import re
from math import gcd
from pathlib import Path

import numpy as np
import plotly.colors as pc
import pytest

from cnnviz import formulas, optim
from cnnviz.content import content_files, lesson_text
from cnnviz.data import samples
from cnnviz.kernels import NOTES, PRESETS
from cnnviz.lessons import (
    backprop,
    conv,
    dilation,
    multichannel,
    pooling,
    quizzes,
    separable,
    stride,
    transposed,
)
from cnnviz.lessons.explorer import explorer_text
from cnnviz.lessons.optimisers import OPTIMISER_NAMES
from cnnviz.models import MODEL_NAMES, build_model
from cnnviz.training import conv_weights, feature_maps
from cnnviz.ui.image_picker import WORKING_SIDE, busiest_crop
from cnnviz.viz import style

ROOT = Path(__file__).resolve().parents[2]


def _default_sample() -> samples.LoadedImage:
    """The image every lesson opens on: the first sample at the picker's working size."""
    return samples.load_sample(samples.SAMPLES[0].name, max_side=WORKING_SIDE)


def _picker_crop(image: np.ndarray, side: int) -> np.ndarray:
    """The crop the picker opens on (its busiest ``side``×``side`` crop)."""
    r, c = busiest_crop(image, side, side)
    return image[r : r + side, c : c + side]


# ---------------------------------------------------------------- 8: colours named as drawn


def _hue(rgb: str) -> str:
    r, g, b = (int(v) for v in re.findall(r"\d+", rgb))
    if b > r and b > g:
        return "purple" if r > g and r > 0.4 * b else "blue"
    return "orange" if g > b and g > 0.3 * r else "red"


@pytest.mark.parametrize("classroom", [False, True])
def test_signed_colour_names_are_the_ends_of_the_scale_drawn(classroom):
    scale = pc.get_colorscale(str(style.colour_scales(classroom)["signed"]))
    low, high = _hue(scale[0][1]), _hue(scale[-1][1])
    names = style.signed_colour_names(classroom)
    assert names.en.lower().startswith(f"{low} = negative")
    assert f"{high} = positive" in names.en
    zh = {"blue": "蓝", "red": "红", "purple": "紫", "orange": "橙"}
    assert names.zh.startswith(zh[low]) and f"{zh[high]}色 = 正数" in names.zh
    assert (low, high) == (("purple", "orange") if classroom else ("blue", "red"))


# ---------------------------------------------------------------- 9: the checkerboard rule


@pytest.mark.parametrize("k,s,d", list(itertools.product(range(1, 6), range(1, 5), range(1, 4))))
def test_checkerboard_rule_from_the_engine(k, s, d):
    taps = transposed.inside_taps(k, s, d)
    # the taps sit at d·j; an inside pixel at residue r (mod s) gets those with d·j ≡ r
    want = [sum(1 for j in range(k) if (d * j) % s == r) for r in range(s)]
    assert taps.tolist() == want
    even = gcd(d, s) == 1 and k % s == 0
    assert transposed.uneven_overlap(k, s, d) == (not even)
    text = transposed.checkerboard_text(k, s, d)
    assert ("not a multiple" in text.en) == (not even and gcd(d, s) == 1)
    assert ("not a multiple" in text.en) <= (k % s != 0)  # never a false "not a multiple"
    assert ("no checkerboard" in text.en) == even
    q = transposed.checkerboard_question(k, s, d)
    assert q.options[q.correct] == str(int(taps.min()) ** 2)
    assert q.explanation == text  # the explanation is the page's own sentence
    # the 2-D map's inside is the product of a row's and a column's counts
    counts = transposed.overlap_counts(4 + 2 * k, k, s, 0, 0, d)
    span = d * (k - 1)
    inside = counts[span : counts.shape[0] - span, span : counts.shape[1] - span]
    assert set(np.unique(inside)) <= {float(a * b) for a in taps for b in taps}


def test_checkerboard_text_of_the_issue():
    text = transposed.checkerboard_text(2, 2, 2)
    assert "not a multiple" not in text.en and "2, 0, 2, 0" in text.en
    assert "不是" not in text.zh


# ---------------------------------------------------------------- 11, 12: cost tables


@pytest.mark.parametrize("c_in,c_out", list(itertools.product([16, 32, 64, 128, 256], repeat=2)))
def test_factorised_row_saves_and_matches_its_formula(c_in, c_out):
    rows = {r.key: r for r in separable.cost_table(c_in, c_out, 3, (56, 56), 4)}
    c_mid = separable.factorised_middle(c_in, c_out)
    fac, std = rows["factorised"], rows["standard"]
    assert fac.params == 3 * c_in * c_mid + 3 * c_mid * c_out
    assert std.params == 9 * c_in * c_out and fac.params < std.params
    assert fac.multiply_adds == fac.params * 56 * 56
    latex = formulas.factorised_params_latex(c_in, c_mid, c_out, 3)
    assert f"{fac.params:,}".replace(",", "{,}") in latex and "<" in latex


@pytest.mark.parametrize("k,d,p", list(itertools.product([2, 3], [1, 2, 3, 4], [0, 2, 4])))
def test_dilation_cost_rows_each_have_their_own_output(k, d, p):
    for row in dilation.cost_rows(k, d, 8, (40, 30), p):
        want = conv.conv_full(np.zeros((40, 30), np.float32),
                              np.ones((row.kernel, row.kernel), np.float32),
                              padding=p, dilation=row.dilation).shape
        assert row.out_hw == want
        assert row.multiply_adds == 8 * 8 * row.kernel**2 * want[0] * want[1]
    rows = dilation.cost_rows(3, 2, 64, (160, 160))
    assert [r.out_hw for r in rows] == [(156, 156), (156, 156)]  # not the d = 1 layer's 158


# ---------------------------------------------------------------- 13: the explorer's words


@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("trained", [False, True])
def test_explorer_words_describe_what_is_shown(name, trained):
    model = build_model(name, seed=0).eval()
    stages = feature_maps(model, np.zeros((28, 28), np.float32))
    convs = conv_weights(model)
    shown = [(n, w.shape) for n, w in convs[:2]]
    words = explorer_text(len(stages), shown, len(convs), trained, style.signed_colour_names())
    maps = words.maps_heading.en + words.maps_caption.en
    assert ("layer by layer" in maps) == (len(stages) > 1)
    assert ("deeper" in maps) == (len(stages) > 1)
    heading = words.filters_heading.en
    assert ("two" in heading or "both" in heading) == (len(shown) == 2)
    assert ("random" in heading) == (not trained)
    caption = words.filters_caption.en
    assert ("a row is one filter" in caption) == any(s[1] > 1 for _, s in shown)
    assert ("depthwise" in caption) == any(s[1] == 1 for _, s in shown[1:])
    for n, _ in shown:
        assert f"Layer {n}" in caption and f"第 {n} 层" in words.filters_caption.zh
    assert caption.startswith("Blue = negative")


# ---------------------------------------------------------------- 15-19: teaching defaults


def test_lesson_one_opens_on_the_notes_example():
    out = conv.conv_full(conv.NOTES_INPUT, NOTES.kernel(3))
    np.testing.assert_array_equal(out, [[15, 16], [6, 15]])
    np.testing.assert_array_equal(backprop.EXAMPLE_X, conv.NOTES_INPUT)
    np.testing.assert_array_equal(backprop.KERNELS[3], NOTES.kernel(3))


def test_multichannel_defaults_give_three_nonzero_partial_sums():
    crop = _picker_crop(_default_sample().rgb, 6).transpose(2, 0, 1)
    kernels = [PRESETS[f.preset].kernel(3) for f in multichannel.DEFAULT_FILTERS]
    weight = multichannel.filters_from_kernels(
        kernels, [f.channel_weights for f in multichannel.DEFAULT_FILTERS])
    bias = np.array([f.bias for f in multichannel.DEFAULT_FILTERS], np.float32)
    res = multichannel.multichannel_conv(crop, weight, bias)
    for f in range(len(kernels)):
        assert all(np.abs(res.partials[f, c]).max() > 0.05 for c in range(3)), f
        assert np.abs(res.output[f] - bias[f]).max() > 0.05, f
    assert bias[0] != 0  # "+ bias" shows a number on the default filter


def test_stride_default_skips_pixels():
    crop = _picker_crop(_default_sample().gray, 9)
    k, s = stride.DEFAULT_KERNEL, stride.DEFAULT_STRIDE
    spec = conv.conv_spec(crop, np.ones((k, k), np.float32), stride=s)
    assert stride.coverage(spec, 0, crop.shape).skipped > 0


def test_pooling_default_first_window_has_one_maximum():
    crop = _picker_crop(_default_sample().gray, pooling.CROP_SIDE)
    first = np.round(crop[:2, :2], 2)  # as the grid shows it
    assert int((first == first.max()).sum()) == 1


# ---------------------------------------------------------------- 20, 21: learner words


def test_shape_formula_and_optimiser_names_in_chinese():
    zh = formulas.conv_shapes_latex(3, 2, 3, "zh")
    assert not re.search(r"\\text\{[A-Za-z]", zh) and "权重" in zh
    assert "weight" in formulas.conv_shapes_latex(3, 2, 3)
    assert tuple(OPTIMISER_NAMES) == optim.OPTIMIZER_NAMES
    assert "momentum" not in OPTIMISER_NAMES["momentum"].zh


DEVELOPER = re.compile(r"\bF\.\w|cnnviz\.|formulas\.|_with_indices|zero_insert|conv_transpose2d\(|"
                       r"每个网格都来自引擎")


def test_no_developer_names_in_prose_or_page_strings():
    for path in content_files():
        for key, text in lesson_text(path.stem).items():
            assert not DEVELOPER.search(text.en + text.zh), f"{path.name} [{key}]"
    for page in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "t":
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        assert not DEVELOPER.search(arg.value), f"{page.name}: {arg.value}"


# ---------------------------------------------------------------- 22: four options, sorted


def _questions() -> list[quizzes.Question]:
    grid = np.arange(16, dtype=np.float32).reshape(4, 4) % 5
    qs = [conv.flip_question(r) for r in ("same", "negated", "different")]
    qs += [conv.corner_question(grid, 1)]
    qs += [multichannel.params_question(n, k) for n in (1, 2, 3) for k in (3, 5)]
    qs += [multichannel.out_channels_question(n) for n in (1, 2, 3)]
    for k, s, p in itertools.product([1, 2, 3], [1, 2, 3, 4], [0, 1]):
        spec = conv.conv_spec(grid, np.ones((k, k), np.float32), stride=s, padding=p)
        cov = stride.coverage(spec, p, grid.shape)
        qs.append(stride.never_read_question(grid.shape, k, s, p, cov.skipped))
    for kind, x in itertools.product(("max", "avg"), (grid, np.zeros((4, 4), np.float32))):
        qs.append(pooling.first_window_question(pooling.pool_spec(x, kind, 2, 2)))
    qs += [pooling.pool_size_question(8, 2, 2, 0), dilation.effective_size_question(3, 2),
           dilation.receptive_field_question(3, 2, 3)]
    qs += [transposed.checkerboard_question(k, s, d) for k in (2, 3, 4) for s in (1, 2, 3)
           for d in (1, 2)]
    qs += [transposed.transposed_size_question(3, 3, 2, 0, 0)]
    qs += [separable.separable_params_question(3, 3, 3),
           separable.grouped_params_question(12, 24, 3, 4)]
    for k, up in itertools.product((2, 3), backprop.UPSTREAM):
        dy = backprop.upstream_gradient(up, (5 - k, 5 - k))
        r = backprop.backprop(backprop.EXAMPLE_X, backprop.KERNELS[k], dy)
        qs += [backprop.bias_question(r), backprop.dx_corner_question(r)]
    return [q for q in qs if q is not None]


def test_every_quiz_has_four_distinct_options_numbers_sorted():
    for q in _questions():
        options = [q.option(i, "en") for i in range(len(q.options))]
        assert len(set(options)) >= 4, (q.question.en, options)
        try:
            numbers = [float(o) for o in options]
        except ValueError:
            continue
        assert numbers == sorted(numbers), (q.question.en, options)
