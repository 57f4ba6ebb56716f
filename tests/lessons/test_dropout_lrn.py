"""Lesson 17 (dropout and LRN): masks, scaling and the written-out LRN equal the engine's (and
PyTorch's), sums check as printed, the recorded curves are the settings' run."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.lessons import dropout_lrn as dl
from cnnviz.training.sidebyside import RunSettings, train_side_by_side


@pytest.fixture(scope="module")
def stack() -> np.ndarray:
    return dl.feature_stack(0)


def test_dropout_demo_is_inverted_dropout(stack):
    c, r, q = dl.busiest_patch(stack)
    x = stack[c, r:r + dl.GRID, q:q + dl.GRID]
    assert (x > 0).sum() >= 20, "the default patch is mostly active units"
    d = dl.dropout_demo(x, 0.5, steps=400)
    kept = d.outputs != 0
    np.testing.assert_allclose(d.outputs[kept], np.broadcast_to(x * 2, d.outputs.shape)[kept],
                               rtol=1e-6)
    # expectation preserved: the mean over many masks approaches x
    np.testing.assert_allclose(d.means[-1], x, atol=0.25 * float(x.max()))
    again = dl.dropout_demo(x, 0.5, steps=3)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(again.outputs[0], F.dropout(x, 0.5, True, rng))
    assert F.dropout(x, 0.5, training=False) is not None
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False), x)


def test_dropout_question_has_four_sorted_options():
    for p in (0.1, 0.5, 0.9):
        q = dl.dropout_mask_question(p, 25)
        vals = [float(o) for o in q.options]
        assert len(set(vals)) == 4 and vals == sorted(vals)
        assert vals[q.correct] == pytest.approx(1 / (1 - p), abs=0.005)


def _nums(s: str) -> list[float]:
    return [float(v) for v in re.findall(r"\d+\.\d+", s)]


@pytest.mark.parametrize("channel,size,alpha,k", [(7, 5, 1.0, 1.0), (0, 3, 10.0, 2.0),
                                                  (15, 7, 1e-4, 2.0), (3, 5, 0.1, 1.0)])
def test_lrn_unit_is_the_engines_and_checks_as_printed(stack, channel, size, alpha, k):
    u = dl.lrn_unit(stack, channel, 10, 17, size, alpha, 0.75, k)
    out = F.local_response_norm(stack[None], size, alpha, 0.75, k)[0]
    assert u.b == pytest.approx(float(out[channel, 10, 17]))
    assert u.b == pytest.approx(u.a / u.denom ** 0.75, rel=1e-5)
    sums, denom, result = dl.lrn_latex(u)
    vals = _nums(sums)
    assert sum(v * v for v in vals[:-1]) == pytest.approx(vals[-1], abs=6e-5)
    sq, d = dl.printed_sums(u)
    assert k + alpha / size * sq == pytest.approx(d, abs=6e-5)
    a, dd, _, b = _nums(result)[-4:]
    assert a / dd ** 0.75 == pytest.approx(b, abs=1.5e-3)
    q = dl.lrn_question(u)
    assert len(set(q.options)) == 4 and float(q.options[q.correct]) == pytest.approx(u.b,
                                                                                       abs=1e-3)


def test_lrn_matches_torch(stack):
    torch = pytest.importorskip("torch")
    for size, alpha, k in [(5, 1.0, 1.0), (3, 10.0, 2.0)]:
        want = torch.nn.functional.local_response_norm(torch.from_numpy(stack[None].copy()),
                                                       size, alpha, 0.75, k)[0].numpy()
        got = F.local_response_norm(stack[None], size, alpha, 0.75, k)[0]
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_recording_is_the_settings_run_and_dropout_narrows_the_gap():
    rec = dl.recording()
    assert rec.settings == dl.SETTINGS and list(rec.runs) == list(dl.ARM_NAMES)
    gap = {a: rec.runs[a].train_acc[-1] - rec.runs[a].test_acc[-1] for a in dl.ARM_NAMES}
    assert rec.runs["plain"].train_acc[-1] == 1.0
    assert gap["dropout"] < gap["plain"]
    assert rec.runs["dropout"].test_loss[-1] < rec.runs["plain"].test_loss[-1]
    s = RunSettings(**{**dl.SETTINGS.__dict__, "steps": 2, "every": 1, "test_size": 40})
    again = train_side_by_side(dl.arms(), s)
    for a in dl.ARM_NAMES:
        np.testing.assert_allclose(again.runs[a].loss, rec.runs[a].loss[:2], rtol=1e-4)
