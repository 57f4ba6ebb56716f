"""Lesson 12 (backpropagation beyond one channel): every route equals the engine's backward
(and PyTorch's autograd where installed); the written sums add up."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.lessons import backprop_channels as bc
from cnnviz.viz.backprop_channels import pool_backward_figure, pool_steps
from cnnviz.viz.window_animation import step_terms

X_RANDOM = np.random.default_rng(5).integers(0, 10, (7, 7)).astype(np.float32)


@pytest.mark.parametrize("pool", list(bc.POOLS))
@pytest.mark.parametrize("x", [bc.POOL_X, X_RANDOM], ids=["example", "random"])
def test_pool_gradient_goes_to_the_maxima(pool: str, x: np.ndarray) -> None:
    k, s = bc.POOLS[pool]
    r = bc.pool_backward(x, k, s)
    want = np.zeros(x.shape)
    for (row, col), g in zip(r.argmax.reshape(-1, 2), r.dy.reshape(-1)):
        want[row, col] += g
    np.testing.assert_array_equal(r.dx, want)
    np.testing.assert_array_equal(np.nan_to_num(r.partial(r.dy.size - 1)), r.dx)
    for (row, col), y in zip(r.argmax.reshape(-1, 2), r.y.reshape(-1)):
        assert x[row, col] == y  # the routed cell holds its window's maximum


def test_overlapping_windows_add_up() -> None:
    r = bc.pool_backward(bc.POOL_X, 3, 1)
    cells, counts = np.unique(r.argmax.reshape(-1, 2), axis=0, return_counts=True)
    assert counts.max() > 1, "the example shows a maximum shared by windows"


def test_pool_lines_add_up() -> None:
    r = bc.pool_backward(bc.POOL_X, 3, 1)
    for step in pool_steps(r, "en"):
        parts = step.lines[1].split(" = ")
        if "+" in parts[1]:
            a, b = (Fraction(v.replace("−", "-")) for v in parts[1].split(" + "))
            assert a + b == Fraction(parts[2].replace("−", "-"))
    fig = pool_backward_figure(r, ("X", "dY", "dX")).to_dict()
    np.testing.assert_array_equal(np.array(fig["frames"][-1]["data"][0]["z"], float), r.dx)


@pytest.mark.parametrize("s", [1, 2, 3])
@pytest.mark.parametrize("size", [5, 6, 7])
def test_stride_backward_three_routes(s: int, size: int) -> None:
    x = X_RANDOM[:size, :size]
    r = bc.stride_backward(x, bc.CONV_W, s)
    np.testing.assert_allclose(r.dx_full_conv, r.dx, atol=1e-5)
    np.testing.assert_allclose(r.dx_transposed, r.dx, atol=1e-5)
    assert r.stretched.shape == ((r.dy.shape[0] - 1) * s + 1, (r.dy.shape[1] - 1) * s + 1)
    spec = r.spec()
    for step in range(spec.n_steps):  # the animator's terms add up to the engine's dX
        t = step_terms(spec, step)
        assert float(np.sum(t.terms)) == pytest.approx(t.total, abs=1e-5)


def test_channels_sum_to_the_engine() -> None:
    r = bc.channels_backward(bc.CH_X, bc.CH_W)
    np.testing.assert_allclose(r.parts.sum(1), r.dx, atol=1e-5)
    for c in range(2):
        for o in range(2):  # each share is the full conv of dY[o] with W[o, c] turned 180°
            padded = F.pad(r.dy[o][None, None], (1, 1, 1, 1))
            full = F.conv2d(padded, np.ascontiguousarray(r.w[o, c, ::-1, ::-1])[None, None])
            np.testing.assert_allclose(r.parts[c, o], full[0, 0], atol=1e-5)


def test_relu_mask() -> None:
    r = bc.relu_backward(bc.RELU_X)
    np.testing.assert_array_equal(r.dx, r.dy * (bc.RELU_X > 0))


def test_questions() -> None:
    for pool in bc.POOLS:
        q = bc.pool_question(bc.pool_backward(bc.POOL_X, *bc.POOLS[pool]))
        values = [int(o) for o in q.options]
        assert len(set(values)) >= 4 and values == sorted(values)
    for s in (1, 2):
        r = bc.stride_backward(bc.CONV_X, bc.CONV_W, s)
        q = bc.stretched_question(r)
        values = [int(o) for o in q.options]
        assert len(set(values)) >= 4 and values == sorted(values)
        assert values[q.correct] == r.stretched.shape[1]
    assert re.search(r"\d", bc.pool_question(bc.pool_backward(bc.POOL_X, 2, 2)).question.en)


def test_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.from_numpy(bc.POOL_X)[None, None].requires_grad_(True)
    r = bc.pool_backward(bc.POOL_X, 3, 2)
    torch.nn.functional.max_pool2d(x, 3, 2).backward(torch.from_numpy(r.dy)[None, None])
    np.testing.assert_array_equal(x.grad[0, 0].numpy(), r.dx)
    xc = torch.from_numpy(bc.CH_X)[None].requires_grad_(True)
    c = bc.channels_backward(bc.CH_X, bc.CH_W)
    torch.nn.functional.conv2d(xc, torch.from_numpy(bc.CH_W)).backward(
        torch.from_numpy(c.dy)[None])
    np.testing.assert_allclose(xc.grad[0].numpy(), c.dx, atol=1e-5)
    xs = torch.from_numpy(bc.CONV_X)[None, None].requires_grad_(True)
    s = bc.stride_backward(bc.CONV_X, bc.CONV_W, 2)
    torch.nn.functional.conv2d(xs, torch.from_numpy(bc.CONV_W)[None, None], stride=2).backward(
        torch.from_numpy(s.dy)[None, None])
    np.testing.assert_allclose(xs.grad[0, 0].numpy(), s.dx, atol=1e-5)
