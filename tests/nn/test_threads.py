"""The engine's worker threads: the split ops give the one-thread results, and PyTorch's.

(tests/nn/conftest.py also runs every other engine test on two threads.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest

import cnnviz.nn as nn
import cnnviz.nn.functional as F
from cnnviz.nn import _threads


@pytest.fixture
def two_threads() -> Iterator[None]:
    nn.set_num_threads(2)
    try:
        yield
    finally:
        nn.set_num_threads(1)


def _both(fn, *args, **kw):  # type: ignore[no-untyped-def]
    """fn's results on one thread, then on two."""
    nn.set_num_threads(1)
    one = fn(*args, **kw)
    nn.set_num_threads(2)
    try:
        two = fn(*args, **kw)
    finally:
        nn.set_num_threads(1)
    return one, two


def _close(one, two, rtol: float = 0.0, atol: float = 0.0) -> None:  # type: ignore[no-untyped-def]
    for a, b in zip(one, two, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- the module itself


def test_spans_cover_the_range_once_and_stay_whole_when_small(two_threads: None) -> None:
    assert _threads.spans(10, elements=10**6) == [(0, 5), (5, 10)]
    assert _threads.spans(7, elements=10**6) == [(0, 3), (3, 7)]
    assert _threads.spans(1, elements=10**6) == [(0, 1)]
    assert _threads.spans(10, elements=100) == [(0, 10)]  # not worth a thread
    nn.set_num_threads(1)
    assert _threads.spans(10, elements=10**6) == [(0, 10)]


def test_run_uses_two_threads_and_keeps_the_order(two_threads: None) -> None:
    seen: list[str] = []
    barrier = threading.Barrier(2, timeout=10)

    def work(k: int) -> int:
        seen.append(threading.current_thread().name)
        barrier.wait()  # both parts must be running at once, or this times out
        return k * k

    assert _threads.run(work, [3, 4]) == [9, 16]
    assert len(set(seen)) == 2


def test_a_nested_run_stays_on_its_thread(two_threads: None) -> None:
    def inner(k: int) -> int:
        return sum(_threads.run(lambda j: j + k, [1, 2]))

    assert _threads.run(inner, [10, 20]) == [23, 43]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_num_threads_refuses_what_is_not_a_count(bad: object) -> None:
    before = nn.get_num_threads()
    with pytest.raises(ValueError, match="positive int"):
        nn.set_num_threads(bad)  # type: ignore[arg-type]
    assert nn.get_num_threads() == before


# ---------------------------------------------------------------- split ops = one thread


def test_flat_conv_forward_and_backward(rng: np.random.Generator) -> None:
    x = rng.standard_normal((8, 16, 28, 28), dtype=np.float32)
    w = rng.standard_normal((32, 16, 3, 3), dtype=np.float32)
    b = rng.standard_normal(32, dtype=np.float32)
    dy = rng.standard_normal((8, 32, 28, 28), dtype=np.float32)

    def run() -> tuple[np.ndarray, ...]:
        y, cache = F.conv2d_with_cache(x, w, b, padding=1)
        return (y, *F.conv2d_backward_from_cache(dy, cache))

    one, two = _both(run)
    _close(one, two)  # bit for bit: the sums are split the same way on any thread count


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(rng: np.random.Generator, training: bool) -> None:
    x = rng.standard_normal((20, 24, 14, 14), dtype=np.float32) * 3 + 1
    dy = rng.standard_normal(x.shape, dtype=np.float32)
    w, b = rng.standard_normal(24, dtype=np.float32), rng.standard_normal(24, dtype=np.float32)

    def run() -> tuple[np.ndarray, ...]:
        rm, rv = np.zeros(24, np.float32), np.ones(24, np.float32) * 2
        y, cache = F.batch_norm_with_cache(x, rm, rv, w, b, training=training)
        return (y, rm, rv, *F.batch_norm_backward_from_cache(dy, cache))

    one, two = _both(run)
    _close(one, two)


@pytest.mark.parametrize("shape_a,shape_b", [((16, 20000), (20000, 150)),  # inner pieces
                                             ((150, 16), (16, 20000)),  # output columns
                                             ((100, 400), (400, 120)),
                                             ((30, 9, 40000), (30, 40000, 8))])
def test_products_are_the_same_bits_on_any_thread_count(
        rng: np.random.Generator, shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    a = rng.standard_normal(shape_a, dtype=np.float32)
    b = rng.standard_normal(shape_b, dtype=np.float32)
    one, two = _both(_threads.matmul, a, b)
    _close([one], [two])
    np.testing.assert_allclose(one, a @ b, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("kernel,stride", [(2, 2), (3, 3), (3, 2)])
def test_max_pool_with_ties(rng: np.random.Generator, kernel: int, stride: int) -> None:
    x = np.maximum(np.round(rng.standard_normal((6, 40, 15, 15))), 0).astype(np.float32)
    dy = rng.standard_normal(F.max_pool2d(x, kernel, stride).shape).astype(np.float32)

    def run() -> tuple[np.ndarray, ...]:
        y, cache = F.max_pool2d_with_cache(x, kernel, stride)
        return y, F.max_pool2d_backward_from_cache(dy, cache)

    one, two = _both(run)
    _close(one, two)


def test_relu(rng: np.random.Generator) -> None:
    x = rng.standard_normal((50, 32, 14, 14), dtype=np.float32)
    dy = rng.standard_normal(x.shape, dtype=np.float32)

    def run() -> tuple[np.ndarray, ...]:
        y, mask = F.relu_with_cache(x)
        return y, mask, F.relu_backward_from_cache(dy, mask)

    one, two = _both(run)
    _close(one, two)


# ---------------------------------------------------------------- against PyTorch


@pytest.mark.torch
@pytest.mark.parametrize("name", ["simple_convnet", "lenet5", "separable_net", "conv3x3_bn",
                                  "conv3x3_dw"])
def test_a_training_step_on_two_threads_matches_torch(name: str, two_threads: None) -> None:
    """Loss and every parameter gradient of the benchmark's nets (no dropout), as their
    PyTorch twins'."""
    torch = pytest.importorskip("torch")
    from benchmarks._common import torch_twin
    from benchmarks.train_speed import build_net

    model = build_net(name)
    model.train()
    twin = torch_twin(model)
    twin.train()
    rng = np.random.default_rng(1)
    x = rng.random((32, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 32)
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(model(x), y)
    model.backward(loss_fn.backward())
    tloss = torch.nn.functional.cross_entropy(twin(torch.from_numpy(x)), torch.from_numpy(y))
    tloss.backward()
    assert float(loss) == pytest.approx(tloss.item(), rel=1e-5)
    grads = dict(twin.named_parameters())
    for key, p in model.named_parameters():
        g = grads[key].grad.numpy()
        np.testing.assert_allclose(p.grad, g, rtol=1e-3, atol=1e-5 * float(np.abs(g).max()))
