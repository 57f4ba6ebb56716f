"""Lesson 15 (batch, iteration, epoch): counts as the training Feeder cuts them, gradients
measured with the engine (and checked against PyTorch), quizzes from the settings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnviz.lessons import batches as bat
from cnnviz.training.data import mnist_split


@pytest.mark.parametrize("n,b,e", [(60000, 128, 5), (60000, 100, 2), (100, 1024, 3),
                                   (1000, 1, 1), (777, 64, 4)])
def test_counts(n: int, b: int, e: int) -> None:
    c = bat.counts(n, b, e)
    assert c.per_epoch == math.ceil(n / b) and c.total == e * c.per_epoch
    assert c.last == n - (c.per_epoch - 1) * b and 0 < c.last <= b
    assert c.full * b + (c.last if c.last < b else 0) == n


def test_feeder_epoch_really_has_those_batches() -> None:
    """Walking one epoch of the training page's Feeder visits every image once."""
    from cnnviz.training.data import Feeder

    n, b = 777, 64
    x = np.arange(n, dtype=np.float32)[:, None]
    feeder = Feeder((x, np.zeros(n, np.int64)), None, limit=None, batch_size=b, augment=False,
                    seed=0)
    c = bat.counts(n, b, 1)
    sizes = [len(feeder.batch(i)[1]) for i in range(c.per_epoch)]
    seen = np.concatenate([feeder.batch(i)[0][:, 0] for i in range(c.per_epoch)])
    assert sizes == [b] * c.full + [c.last] and sorted(seen) == list(range(n))


def test_gradient_matches_torch() -> None:
    """The engine's mean-loss gradient of the small CNN equals PyTorch's on the same weights."""
    torch = pytest.importorskip("torch")
    x, y = mnist_split("test", 32)
    model = bat.small_model()
    g = bat._grad(model, x, y)
    conv, lin = model[0], model[3]
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 5, stride=2), torch.nn.ReLU(),
                               torch.nn.Flatten(), torch.nn.Linear(576, 10))
    with torch.no_grad():
        for tp, p in zip(tnet.parameters(), [conv.weight, conv.bias, lin.weight, lin.bias]):
            tp.copy_(torch.tensor(p.data))
    loss = torch.nn.functional.cross_entropy(tnet(torch.tensor(np.array(x))), torch.tensor(y))
    loss.backward()
    want = np.concatenate([p.grad.numpy().ravel() for p in tnet.parameters()])
    np.testing.assert_allclose(g, want, rtol=1e-4, atol=1e-6)


def test_spread_falls_like_one_over_root_b() -> None:
    s = bat.gradient_spread(pool=400, sizes=(1, 4, 16, 64), repeats=12)
    rel = [s.relative[b] for b in s.sizes]
    assert rel == sorted(rel, reverse=True)
    for a, b in zip(s.sizes, s.sizes[1:]):  # 4× the batch: about half the spread
        assert 0.3 < s.relative[b] / s.relative[a] < 0.8
    assert s.cosine[64] > s.cosine[1]
    # the projection: the full gradient is (1, 0); averaging all batches lands near it
    assert abs(np.mean(s.points[64][:, 0]) - 1) < 0.5


def test_full_gradient_is_the_mean_of_the_pool() -> None:
    x, y = mnist_split("test", 300)
    model = bat.small_model()
    np.testing.assert_allclose(bat._full_grad(model, x, y, chunk=128), bat._grad(model, x, y),
                               rtol=1e-4, atol=1e-7)


def test_timing_is_measured() -> None:
    t = bat.time_iterations((1, 8), min_seconds=0.005)
    assert set(t) == {1, 8} and all(v > 0 for v in t.values())


def _check(q, numeric: bool = True) -> None:  # noqa: ANN001
    assert len(set(q.options)) == len(q.options) >= 4
    if numeric:
        values = [float(o) for o in q.options]
        assert values == sorted(values)


@pytest.mark.parametrize("n,b", [(60000, 128), (60000, 100), (100, 1024), (1000, 1)])
def test_quizzes(n: int, b: int) -> None:
    c = bat.counts(n, b, 5)
    q = bat.iterations_question(c)
    _check(q)
    assert int(q.options[q.correct]) == c.per_epoch
    q = bat.last_batch_question(c)
    _check(q)
    assert int(q.options[q.correct]) == c.last
