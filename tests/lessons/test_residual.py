"""Lesson 18 (residual versus plain): the plain twin is the engine's block without its +x, the
written-out block is the engine's forward and backward and adds up as printed, the recording
is the settings' run."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cnnviz import nn
from cnnviz.lessons import residual as rs
from cnnviz.training.sidebyside import RunSettings, train_side_by_side


def test_plain_block_is_the_residual_block_without_the_shortcut():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, rs.CHANNELS, 5, 5)).astype(np.float32)
    nn.manual_seed(1)
    res = rs.block(True)
    nn.manual_seed(1)
    plain = rs.block(False)
    assert res.state_dict().keys() == plain.state_dict().keys()
    for (k, a), b in zip(res.state_dict().items(), plain.state_dict().values()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    main = plain(x)
    np.testing.assert_allclose(res(x), np.maximum(
        res.conv2(res.relu1(res.conv1(x))) + x, 0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(main, np.maximum(res.conv2(res.relu1(res.conv1(x))), 0),
                               rtol=1e-5, atol=1e-6)
    # backward: the residual block's dx is the plain one's plus the gated shortcut
    dy = rng.normal(size=main.shape).astype(np.float32)
    res(x)
    d_res = res.backward(dy)
    gate = (res(x) > 0).astype(np.float32)
    dmain = rs.main_backward(res, dy * gate)
    np.testing.assert_allclose(d_res, dmain + dy * gate, rtol=1e-4, atol=1e-6)


def test_block_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, rs.CHANNELS, 6, 6)).astype(np.float32)
    b = rs.block(True)
    c1 = torch.nn.Conv2d(rs.CHANNELS, rs.CHANNELS, 3, padding=1, bias=False)
    c2 = torch.nn.Conv2d(rs.CHANNELS, rs.CHANNELS, 3, padding=1, bias=False)
    with torch.no_grad():
        c1.weight.copy_(torch.from_numpy(b.conv1.weight.data))
        c2.weight.copy_(torch.from_numpy(b.conv2.weight.data))
    tx = torch.from_numpy(x).requires_grad_(True)
    ty = torch.relu(c2(torch.relu(c1(tx))) + tx)
    dy = rng.normal(size=x.shape).astype(np.float32)
    ty.backward(torch.from_numpy(dy))
    np.testing.assert_allclose(b(x), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(b.backward(dy), tx.grad.numpy(), rtol=1e-4, atol=1e-5)


def _nums(s: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", s)]


@pytest.mark.parametrize("name,block", [("residual", 1), ("residual", 7), ("plain", 4)])
def test_written_out_block_is_the_engines_and_adds_up(name, block):
    rec = rs.recording()
    t = rs.trace_block(rs.trained(rec, name), name == "residual", block)
    assert t.dx == pytest.approx(t.main + (t.d if t.residual else 0.0), rel=1e-4, abs=1e-12)
    assert t.y == pytest.approx(max(t.s, 0.0), rel=1e-5, abs=1e-6)
    fwd = _nums(rs.forward_latex(t))
    if t.residual:
        f, x, s, y = fwd
        assert f + x == pytest.approx(s, abs=1e-9)
        assert y == max(s, 0.0)
    back = rs.backward_lines(t, "shortcut")
    k = rs.scale_exponent(t.g, t.d, t.main, t.dx)
    total = _nums(back[-1])[-1]
    assert total * 10.0 ** k == pytest.approx(t.dx, abs=2e-3 * 10.0 ** k)
    if t.residual:
        a, b, c = _nums(back[-1])
        assert a + b == pytest.approx(c, abs=1e-9)
        q = rs.sum_question(t)
        vals = [float(o) for o in q.options]
        assert len(set(vals)) == 4 and vals == sorted(vals)
        assert vals[q.correct] == pytest.approx(c, abs=1e-9)


def test_recording_shows_the_plain_net_stalling():
    rec = rs.recording()
    assert rec.settings == rs.SETTINGS and list(rec.runs) == list(rs.ARM_NAMES)
    plain, res = rec.runs["plain"], rec.runs["residual"]
    assert abs(plain.loss[-20:].mean() - np.log(10)) < 0.02
    assert res.loss[-20:].mean() < 1.5 and res.test_acc[-1] > 0.5
    assert np.all(plain.grad_norm < 1e-6) and np.all(res.grad_norm > 1e-3)
    q = rs.ratio_question(rec, 0)
    assert len(set(q.options)) == 4 and q.options[q.correct] == str(
        round(np.log10(rs.first_block_ratio(rec, 0))))
    s = RunSettings(**{**rs.SETTINGS.__dict__, "steps": 2, "every": 1, "test_size": 40})
    again = train_side_by_side(rs.arms(), s)
    for a in rs.ARM_NAMES:
        np.testing.assert_allclose(again.runs[a].loss, rec.runs[a].loss[:2], rtol=1e-4)
        np.testing.assert_allclose(again.runs[a].grad_norm[0], rec.runs[a].grad_norm[0],
                                   rtol=1e-3)
