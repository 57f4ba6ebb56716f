"""Lesson logic of pages 1-4 and the shared pieces they use: the one colour scale, the
flip and corner quizzes, read coverage under a stride, multi-channel filters and counts."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import formulas
from cnnviz.kernels import ONES, PRESETS, preset
from cnnviz.lessons import conv, multichannel, stride
from cnnviz.lessons.scale import ColourScale, shared_scale
from cnnviz.viz.heatmaps import read_counts


def test_shared_scale_signed_unsigned_and_blank():
    a = np.array([[-2.0, 1.0]], np.float32)
    b = np.array([[0.5, 3.0]], np.float32)
    assert shared_scale(a, b) == ColourScale("signed", None, 3.0)
    assert shared_scale(b) == ColourScale("input", 0.0, 3.0)
    assert shared_scale(b, signed=True) == ColourScale("signed", None, 3.0)
    assert shared_scale(np.zeros((2, 2))).vmax == 1.0  # a blank result still has a scale


@pytest.mark.parametrize("key,relation", [("box", "same"), ("laplacian", "same"),
                                          ("sobel_x", "negated"), ("emboss", "different")])
def test_correlation_and_convolution_agree_only_for_symmetric_kernels(rng, key, relation):
    x = rng.random((9, 9)).astype(np.float32)
    both = conv.correlation_and_convolution(x, PRESETS[key].kernel(3))
    assert both.same == (relation == "same") and both.relation == relation
    q = conv.flip_question(both.relation)
    assert q.options[q.correct] == conv.RELATION_NAMES[relation]
    assert len(set(q.options)) == 4
    assert q.explanation.en and q.explanation.zh


def test_corner_question_answer_is_the_padded_value():
    crop = np.arange(16, dtype=np.float32).reshape(4, 4)
    q = conv.corner_question(crop, 1)
    assert q is not None
    mode = list(conv.PAD_MODE_NAMES)[q.correct]
    value = conv.padded(crop, 1, mode)[0, 0]
    assert f"{value:.2f}" in q.question.en and f"{value:.2f}" in q.question.zh
    assert conv.corner_question(crop, 0) is None  # no padding, no question
    assert conv.corner_question(np.zeros((4, 4), np.float32), 1) is None  # all modes agree


@pytest.mark.parametrize("k,s,p", [(3, 1, 0), (1, 2, 0), (2, 3, 1), (3, 4, 2)])
def test_coverage_counts_the_engine_window_map(rng, k, s, p):
    crop = rng.random((9, 9)).astype(np.float32)
    spec = conv.conv_spec(crop, np.ones((k, k), np.float32), stride=s, padding=p)
    cov = stride.coverage(spec, p, crop.shape)
    np.testing.assert_array_equal(cov.counts, read_counts(spec.window_map, spec.padded.shape))
    inner = cov.counts[p : p + 9, p : p + 9]
    assert cov.skipped == int((inner == 0).sum()) and cov.total == 81
    assert (cov.skipped > 0) == (s > k)
    q = stride.never_read_question(crop.shape, k, s, p, cov.skipped)
    assert q.options[q.correct] == str(cov.skipped)


def test_filters_from_kernels_scales_each_channel():
    base = PRESETS["sobel_x"].kernel(3)
    w = multichannel.filters_from_kernels([base, base], [(1.0, 0.0, -1.0), (2.0, 2.0, 2.0)])
    assert w.shape == (2, 3, 3, 3) and w.dtype == np.float32
    np.testing.assert_array_equal(w[0, 2], -base)
    np.testing.assert_array_equal(w[1, 1], 2 * base)


@pytest.mark.parametrize("n,k", [(1, 3), (2, 3), (3, 5)])
def test_multichannel_questions(n, k):
    q = multichannel.params_question(n, k)
    assert q.options[q.correct] == str(formulas.conv_params(3, n, k))
    q = multichannel.out_channels_question(n)
    assert q.options[q.correct] == str(n) and len(set(q.options)) == 4


def test_kernel_of_ones_is_not_in_the_gallery():
    assert "ones" not in PRESETS and preset("ones") is ONES
    np.testing.assert_array_equal(preset("ones").kernel(4), np.ones((4, 4)))
    assert preset("sobel_x") is PRESETS["sobel_x"]
