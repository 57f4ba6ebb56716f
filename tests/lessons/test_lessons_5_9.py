"""Lesson modules of pages 5-9: every picture's numbers equal the engine's own results."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn as nn
import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.lessons import backprop, dilation, pooling, separable, transposed
from cnnviz.viz.window_animation import equation_lines, step_terms


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize("kind,k,s,p", [("max", 2, 2, 0), ("max", 3, 2, 1), ("avg", 3, 1, 1),
                                        ("avg", 2, 3, 1)])
def test_pool_spec_terms_reduce_to_engine(rng, kind, k, s, p):
    x = rng.random((7, 6)).astype(np.float32)
    spec = pooling.pool_spec(x, kind, k, s, p)
    op = F.max_pool2d if kind == "max" else F.avg_pool2d
    np.testing.assert_allclose(spec.output, op(x[None, None], k, s, p)[0, 0])
    for step in range(spec.n_steps):
        t = step_terms(spec, step)
        vals = np.where(np.isnan(t.inputs), -np.inf if kind == "max" else 0.0, t.inputs)
        want = vals.max() if kind == "max" else vals.mean()
        assert t.total == pytest.approx(want, abs=1e-6)
    assert equation_lines(spec, 0)[-1].strip().startswith("=")


def test_max_positions_hold_the_max(rng):
    x = rng.random((8, 8)).astype(np.float32)
    spec = pooling.pool_spec(x, "max", 3, 2, 1)
    pos = pooling.max_positions(x, 3, 2, 1)
    np.testing.assert_array_equal(spec.padded[pos[..., 0], pos[..., 1]], spec.output)


def test_shift_demo_constant_image_is_invariant():
    r = pooling.shift_demo(np.ones((8, 9), np.float32), "max", 2, 2)
    assert r.fraction == 1.0 and r.pixel_fraction == 1.0
    stripes = np.tile([0.0, 1.0], (8, 5)).astype(np.float32)  # 8x10, period 2
    r = pooling.shift_demo(stripes, "max", 2, 2)
    assert r.fraction == 1.0 and r.pixel_fraction == 0.0  # pixels all change, max keeps


def test_pool_question_answer_is_formula():
    q = pooling.pool_size_question(9, 3, 2, 1)
    assert q.options[q.correct] == str(formulas.pool_output_size(9, 3, 2, 1))


# ---------------------------------------------------------------- dilation


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_footprint_is_the_dilated_kernel(rng, d):
    k = rng.standard_normal((3, 3)).astype(np.float32)
    dense, taps = dilation.footprint(k, d)
    assert dense.shape == (2 * d + 1,) * 2 and len(taps) == 9
    x = rng.standard_normal((1, 1, 12, 12)).astype(np.float32)
    np.testing.assert_allclose(F.conv2d(x, dense[None, None]),
                               F.conv2d(x, k[None, None], dilation=d), atol=1e-5)


def test_stack_rows_and_costs():
    rows = dilation.stack_rows(3, 2, 3)
    assert [r.rf_dilated for r in rows] == [5, 9, 13]
    assert [r.rf_dense for r in rows] == [3, 5, 7]
    assert [r.rf_doubling for r in rows] == [3, 7, 15]
    dil, dense = dilation.cost_rows(3, 2, 64, (10, 10))
    assert dil.params == 64 * 64 * 9 and dense.params == 64 * 64 * 25
    assert dil.out_hw == dense.out_hw == (6, 6)
    q = dilation.receptive_field_question(3, 2, 3)
    assert q.options[q.correct] == "13"


# ---------------------------------------------------------------- transposed

SETTINGS = [(3, 3, 2, 0, 0, 1), (3, 3, 2, 1, 1, 1), (4, 2, 3, 1, 2, 1), (3, 3, 2, 2, 1, 2),
            (2, 4, 1, 0, 0, 1), (4, 3, 3, 2, 0, 1)]


@pytest.mark.parametrize("i,k,s,p,a,d", SETTINGS)
def test_zero_insertion_view_equals_conv_transpose2d(rng, i, k, s, p, a, d):
    x = rng.standard_normal((i, i)).astype(np.float32)
    w = rng.standard_normal((k, k)).astype(np.float32)
    want = F.conv_transpose2d(x[None, None], w[None, None], stride=s, padding=p,
                              output_padding=a, dilation=d)[0, 0]
    np.testing.assert_allclose(transposed.zero_insertion_result(x, w, s, p, a, d), want,
                               atol=1e-5)
    spec = transposed.zero_insertion_spec(x, w, s, p, a, d)
    for step in range(spec.n_steps):  # the written-out sums add up to the engine's output
        t = step_terms(spec, step)
        assert float(t.terms.sum()) == pytest.approx(t.total, abs=1e-4)
    assert want.shape == (formulas.conv_transpose_output_size(i, k, s, p, a, d),) * 2


@pytest.mark.parametrize("i,k,s,p,a,d", SETTINGS)
def test_scatter_view_equals_conv_transpose2d(rng, i, k, s, p, a, d):
    x = rng.standard_normal((i, i)).astype(np.float32)
    w = rng.standard_normal((k, k)).astype(np.float32)
    want = F.conv_transpose2d(x[None, None], w[None, None], stride=s, padding=p,
                              output_padding=a, dilation=d)[0, 0]
    sc = transposed.scatter_steps(x, w, s, p, a, d)
    np.testing.assert_allclose(sc.output, want, atol=1e-5)
    # stamp t is x[t] times the (dilated) kernel placed at (r*s, c*s)
    r, c = divmod(i * i - 1, i)
    stamp = sc.stamps[-1]
    r0, c0 = sc.anchors[-1]
    np.testing.assert_allclose(stamp[r0 : r0 + d * (k - 1) + 1 : d, c0 : c0 + d * (k - 1) + 1 : d],
                               x[r, c] * w, atol=1e-6)


def test_overlap_checkerboard():
    counts = transposed.overlap_counts(4, 3, 2)
    assert set(np.unique(counts[2:-2, 2:-2])) == {1.0, 2.0, 4.0}
    assert transposed.uneven_overlap(3, 2) and not transposed.uneven_overlap(4, 2)
    assert not transposed.uneven_overlap(3, 3) and not transposed.uneven_overlap(3, 1)


def test_upsample_then_conv_sizes():
    x = np.ones((5, 6), np.float32)
    w = np.ones((3, 3), np.float32) / 9
    for mode in ("nearest", "bilinear"):
        y = transposed.upsample_then_conv(x, w, 2, mode)
        assert y.shape == (10, 12)
        assert y[4, 5] == pytest.approx(1.0)


# ---------------------------------------------------------------- separable


def test_depthwise_pointwise_equals_module(rng):
    x = rng.standard_normal((3, 9, 8)).astype(np.float32)
    m = nn.DepthwiseSeparableConv2d(3, 4, 3, padding=1, bias=False)
    res = separable.depthwise_pointwise(x, m.depthwise.weight.data[:, 0],
                                        m.pointwise.weight.data[:, :, 0, 0], padding=1)
    np.testing.assert_allclose(res.output, m(x[None])[0], atol=1e-5)
    spec = separable.pointwise_spec(res.depthwise, res.output[2], m.pointwise.weight.data[2])
    for step in (0, 17, spec.n_steps - 1):
        t = step_terms(spec, step)
        assert float(t.terms.sum()) == pytest.approx(t.total, abs=1e-4)


def test_groups_and_connectivity():
    assert separable.divisors_of_both(12, 24) == [1, 2, 3, 4, 6, 12]
    conn = separable.group_connectivity(6, 4, 2)
    want = np.zeros((4, 6))
    want[:2, :3] = want[2:, 3:] = 1
    np.testing.assert_array_equal(conn, want)


def test_factorised_rank1_equals_outer_product(rng):
    x = rng.standard_normal((10, 11)).astype(np.float32)
    f = separable.factorised(x, [1, 2, 1], [-1, 0, 1], padding=1)
    np.testing.assert_allclose(f.two_step, f.one_step, atol=1e-5)
    m = nn.FactorisedConv2d(1, 1, 3, padding=1, bias=False)
    m.vertical.weight.data[...] = np.array([1, 2, 1], np.float32).reshape(1, 1, 3, 1)
    m.horizontal.weight.data[...] = np.array([-1, 0, 1], np.float32).reshape(1, 1, 1, 3)
    np.testing.assert_allclose(m(x[None, None])[0, 0], f.two_step, atol=1e-5)


def test_cost_table_from_formulas():
    rows = separable.cost_table(64, 128, 3, (56, 56), 4)
    assert rows[0].params == 128 * 64 * 9
    assert rows[1].params == 64 * 9 + 64 * 128
    assert rows[2].params == 128 * 16 * 9
    assert rows[3].params == 64 * 64 * 3 + 64 * 128 * 3  # through min(in, out) = 64 channels


# ---------------------------------------------------------------- backprop


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("up", backprop.UPSTREAM)
def test_backprop_routes_agree(k, up):
    dy = backprop.upstream_gradient(up, (5 - k, 5 - k))
    r = backprop.backprop(backprop.EXAMPLE_X, backprop.KERNELS[k], dy)
    for a in (r.dw_correlation, r.dw_numerical):
        np.testing.assert_allclose(a, r.dw, atol=1e-4)
    for a in (r.dx_full_conv, r.dx_transposed, r.dx_numerical):
        np.testing.assert_allclose(a, r.dx, atol=1e-4)
    assert r.db == pytest.approx(float(dy.sum()))
    for spec in (backprop.dw_spec(r), backprop.dx_spec(r)):
        for step in range(spec.n_steps):
            t = step_terms(spec, step)
            assert float(t.terms.sum()) == pytest.approx(t.total, abs=1e-4)


def test_numerical_gradient_on_random_image(rng):
    x = rng.random((5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 3)).astype(np.float32)
    dy = rng.standard_normal((3, 3)).astype(np.float32)
    r = backprop.backprop(x, w, dy)
    np.testing.assert_allclose(r.dw_numerical, r.dw, atol=1e-4)
    np.testing.assert_allclose(r.dx_numerical, r.dx, atol=1e-4)
