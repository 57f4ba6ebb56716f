"""Lesson 16 (batch normalisation): the recording, the written-out formulas and the four ways
of evaluating agree with the engine, and the engine's running statistics with PyTorch's."""

from __future__ import annotations

import re

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz import nn
from cnnviz.lessons import batchnorm as bn
from cnnviz.lessons.learning import float_options, run_path
from cnnviz.training.sidebyside import RunSettings, load_recording, train_side_by_side


def test_recording_matches_its_settings_and_shows_the_point():
    rec = bn.recording()
    assert rec.settings == bn.SETTINGS
    assert list(rec.runs) == list(bn.ARM_NAMES)
    plain, with_bn = rec.runs["plain"], rec.runs["bn"]
    assert plain.loss.shape == (bn.SETTINGS.steps,)
    assert plain.act_hist.shape == (len(rec.checkpoints), bn.DEPTH, bn.SETTINGS.bins)
    np.testing.assert_allclose(plain.act_hist.sum(-1), 1, atol=1e-5)
    # without BN the spread shrinks with depth; with BN every layer starts at σ = 1
    assert plain.act_std[0, -1] < plain.act_std[0, 0] / 3
    np.testing.assert_allclose(with_bn.act_std[0], 1, atol=0.01)
    assert with_bn.test_acc[-1] > plain.test_acc[-1] + 0.5


def test_a_short_rerun_repeats_the_recorded_start():
    """The page's "run it again": the same seed and batches give the recording's numbers."""
    s = RunSettings(**{**bn.SETTINGS.__dict__, "steps": 3, "every": 1, "test_size": 50})
    again = train_side_by_side(bn.arms(), s)
    rec = bn.recording()
    for name in bn.ARM_NAMES:
        np.testing.assert_allclose(again.runs[name].loss, rec.runs[name].loss[:3], rtol=1e-4)
        np.testing.assert_allclose(again.runs[name].act_std[0], rec.runs[name].act_std[0],
                                   rtol=1e-4)


def test_recording_round_trips(tmp_path):
    s = RunSettings(steps=2, batch_size=4, every=1, test_size=20)
    rec = train_side_by_side(bn.arms(), s)
    path = tmp_path / "r.npz"
    from cnnviz.training.sidebyside import save_recording
    save_recording(rec, path)
    back = load_recording(path)
    assert back.settings == s and back.max_difference(rec) == 0
    assert set(back.runs["bn"].state) == set(rec.runs["bn"].state)
    assert run_path("batchnorm").name == "batchnorm.npz"


def _numbers(latex: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", latex)]


@pytest.mark.parametrize("layer,batch", [(6, 32), (1, 2), (3, 17)])
def test_unit_formulas_are_the_engines_and_check_as_printed(layer, batch):
    rec = bn.recording()
    u = bn.unit_stats(rec, layer, batch)
    for batch_stats in (True, False):
        g, x, mu, var, beta, y = _numbers(bn.normalise_latex(u, batch_stats))
        assert y == pytest.approx(u.y_train if batch_stats else u.y_eval, abs=5e-4)
        # a student with a calculator, from the printed numbers
        assert g * (x - mu) / np.sqrt(var + 1e-5) + beta == pytest.approx(y, abs=2e-3)
    m1, r, m, mu, new = _numbers(bn.running_update_latex(u))
    assert m1 * r + m * mu == pytest.approx(new, abs=2e-4)
    assert new == pytest.approx(u.new_running_mean, abs=1e-4)
    q = bn.running_mean_question(u)
    assert len(set(q.options)) == 4
    assert [float(o) for o in q.options] == sorted(float(o) for o in q.options)
    assert float(q.options[q.correct]) == pytest.approx(u.new_running_mean, abs=1e-3)


def test_unit_stats_against_torch():
    torch = pytest.importorskip("torch")
    rec = bn.recording()
    u = bn.unit_stats(rec, 2, 8)
    model = bn.trained_bn_net(rec)
    from cnnviz.training.data import mnist_split
    x, _ = mnist_split("test", 8)
    idx = bn._conv_index(1, True) + 1
    h = model.standardize(x)
    for m in list(model.children())[:idx]:
        h = m(h)
    layer = list(model.children())[idx]
    tb = torch.nn.BatchNorm2d(bn.CHANNELS)
    with torch.no_grad():
        tb.weight.copy_(torch.from_numpy(layer.weight.data))
        tb.bias.copy_(torch.from_numpy(layer.bias.data))
        tb.running_mean.copy_(torch.from_numpy(layer.running_mean))
        tb.running_var.copy_(torch.from_numpy(layer.running_var))
        y = tb.train()(torch.from_numpy(np.ascontiguousarray(h)))
    c, r, q = 0, h.shape[2] // 2, h.shape[3] // 2
    assert u.y_train == pytest.approx(float(y[0, c, r, q]), abs=1e-4)
    assert u.new_running_mean == pytest.approx(float(tb.running_mean[c]), abs=1e-5)
    assert u.new_running_var == pytest.approx(float(tb.running_var[c]), rel=1e-5)


def test_eval_statistics_use_running_stats_in_eval_and_batch_stats_otherwise():
    rec = bn.recording()
    s = bn.eval_statistics(rec, 16, n=40)
    assert 0 <= s.one_class <= 1 and s.n == 40 and s.batch == 16
    model = bn.trained_bn_net(rec)
    from cnnviz.training.data import mnist_split
    x, y = mnist_split("test", 40)
    assert s.running == pytest.approx(float((model(x).argmax(1) == y).mean()))
    # evaluation does not depend on the batch: one digit alone gives the same logits
    np.testing.assert_allclose(model(x[:1]), model(x[:5])[:1], rtol=1e-4, atol=1e-5)
    q = bn.eval_mode_question(s)
    assert len(q.options) == 4 and "running" in q.options[q.correct].en


def test_float_options_are_four_sorted_distinct():
    opts, i = float_options(0.1, [0.1, 0.1004, 0.2], 3)
    assert len(set(opts)) == 4 and opts[i] == "0.100"
    assert [float(o) for o in opts] == sorted(float(o) for o in opts)


def test_batch_norm_functional_matches_torch_running_stats():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.normal(2, 3, (5, 4, 3, 3)).astype(np.float32)
    rm, rv = np.zeros(4, np.float32), np.ones(4, np.float32)
    F.batch_norm(x, rm, rv, None, None, training=True, momentum=0.1)
    tm, tv = torch.zeros(4), torch.ones(4)
    torch.nn.functional.batch_norm(torch.from_numpy(x), tm, tv, training=True, momentum=0.1)
    np.testing.assert_allclose(rm, tm.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv, tv.numpy(), rtol=1e-5)
    assert isinstance(bn.deep_net(True)[4], nn.BatchNorm2d)
