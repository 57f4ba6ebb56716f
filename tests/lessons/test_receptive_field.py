"""Lesson 11 (receptive field): the region the engine's backward pass reaches has the size
and jump of the recursion in cnnviz.formulas, for every stack a learner can build."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cnnviz.lessons import receptive_field as rf

X = np.random.default_rng(3).random((48, 48)).astype(np.float32)
STACKS = [("c3",), ("c3", "p2", "c3"), ("c3", "p2", "c3", "c3d2"), ("c3s2", "c3d3", "p3s2", "c5"),
          ("c5", "p3s1", "c1"), ("c3d2", "c3d2")]


def _layers(keys: tuple[str, ...]) -> list[rf.Layer]:
    return rf.fitting([rf.CHOICES[k] for k in keys], X.shape)


@pytest.mark.parametrize("keys", STACKS, ids="-".join)
def test_backprop_region_is_the_recursion(keys: tuple[str, ...]) -> None:
    layers = _layers(keys)
    ho, wo = rf.receptive_field(layers, X, (0, 0)).output.shape
    for unit in [(0, 0), (ho // 2, wo // 2), (ho - 1, wo - 1)]:
        f = rf.receptive_field(layers, X, unit)
        r, jump = f.recursion[-1]
        top, bottom, left, right = f.box
        assert f.measured == r and right - left + 1 == r
        assert (top, left) == (unit[0] * jump, unit[1] * jump)
        assert not (f.grad[~f.mask]).any(), "max pooling's gradient stays inside the field"


def test_every_pair_of_choices() -> None:
    for a, b in itertools.product(rf.CHOICES, repeat=2):
        layers = _layers((a, b))
        f = rf.receptive_field(layers, X, (0, 0))
        assert f.measured == f.recursion[-1].size, (a, b)


def test_row_boxes_jump_by_the_strides() -> None:
    layers = _layers(("c3", "p2", "c3"))
    boxes = rf.row_boxes(layers, X, 2)
    jump = rf.receptive_field(layers, X, (0, 0)).recursion[-1].jump
    assert [b[2] for b in boxes] == [c * jump for c in range(len(boxes))]


def test_dilation_leaves_holes_and_spread_grows() -> None:
    f = rf.receptive_field(_layers(("c3d2", "c3d2")), X, (3, 3))
    assert f.measured == 9 and f.mask.sum() == 25
    sides = [side for _, side in rf.spread(rf.receptive_field(_layers(STACKS[2]), X, (4, 4)))]
    assert sides == [16, 14, 7, 5, 1]


def test_fitting_and_enlarge() -> None:
    tiny = rf.enlarge(np.ones((2, 3), np.float32))
    assert min(tiny.shape) >= rf.MIN_SIDE
    assert len(rf.fitting([rf.CHOICES["c5"]] * 4, (8, 8))) == 1


@pytest.mark.parametrize("keys", STACKS, ids="-".join)
def test_questions(keys: tuple[str, ...]) -> None:
    layers = _layers(keys)
    last = rf.receptive_field(layers, X, (0, 0)).recursion[-1]
    for q, right in [(rf.size_question(layers), last.size), (rf.jump_question(layers), last.jump)]:
        values = [int(o) for o in q.options]
        assert len(set(values)) >= 4 and values == sorted(values) and values[q.correct] == right


def test_recursion_latex_numbers() -> None:
    r, j = rf.recursion_latex(_layers(("c3", "p2", "c3")))
    assert r.endswith(r"r_3 &= 4 + 1\cdot(3-1)\cdot 2 = 8\end{aligned}")
    assert r"j_2 &= 1\cdot 2 = 2" in j


def test_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    layers = _layers(("c3s2", "c3d2", "p3s2"))
    mods = []
    for lr in layers:
        if lr.kind == "conv":
            m = torch.nn.Conv2d(1, 1, lr.k, lr.s, dilation=lr.d, bias=False)
            torch.nn.init.constant_(m.weight, 1.0)
        else:
            m = torch.nn.AvgPool2d(lr.k, lr.s)
        mods.append(m)
    x = torch.from_numpy(X)[None, None].requires_grad_(True)
    y = torch.nn.Sequential(*mods)(x)
    y[0, 0, 1, 2].backward()
    f = rf.receptive_field(layers, X, (1, 2))
    np.testing.assert_allclose(f.paths[0], x.grad[0, 0].numpy(), rtol=1e-5, atol=1e-6)
