"""Local response norm and batch norm: by hand, numerical gradients, and against torch."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.nn import _norm as N
from tests.gradcheck import assert_grad_close, check_op_grad, numerical_grad


def _x(shape: tuple[int, ...], seed: int = 0, scale: float = 1.0, shift: float = 0.0
       ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * scale + shift).astype(np.float32)


# ---------------------------------------------------------------- by hand


def test_lrn_by_hand() -> None:
    # one pixel, channels [1, 2, 3]; size 3 with alpha 3 makes alpha/size = 1, beta 1, k 1
    x = np.array([1.0, 2.0, 3.0], np.float32).reshape(1, 3, 1, 1)
    y = N.local_response_norm(x, 3, alpha=3.0, beta=1.0, k=1.0)
    # windows: {c0,c1} -> 1+4, {c0,c1,c2} -> 14, {c1,c2} -> 13
    np.testing.assert_allclose(y.ravel(), [1 / 6, 2 / 15, 3 / 14], rtol=1e-6)
    assert y.dtype == np.float32


def test_lrn_even_size_window_is_asymmetric() -> None:
    # size 2: one channel before, none after (PyTorch pads size//2 before, (size-1)//2 after)
    x = np.array([1.0, 2.0, 3.0], np.float32).reshape(1, 3, 1)
    y = N.local_response_norm(x, 2, alpha=2.0, beta=1.0, k=0.0)
    np.testing.assert_allclose(y.ravel(), [1 / 1, 2 / 5, 3 / 13], rtol=1e-6)


def test_batch_norm_training_by_hand() -> None:
    x = np.array([[1.0], [2.0], [3.0], [4.0]], np.float32)
    rm, rv = np.zeros(1, np.float32), np.ones(1, np.float32)
    y = N.batch_norm(x, rm, rv, None, None, training=True, momentum=0.1, eps=0.0)
    np.testing.assert_allclose(y.ravel(), (np.arange(1, 5) - 2.5) / np.sqrt(1.25), rtol=1e-6)
    np.testing.assert_allclose(rm, [0.25], rtol=1e-6)          # 0.9 * 0 + 0.1 * 2.5
    np.testing.assert_allclose(rv, [0.9 + 0.1 * 5 / 3], rtol=1e-6)  # unbiased var 5/3
    assert rm.dtype == rv.dtype == np.float32


def test_batch_norm_eval_uses_running_stats() -> None:
    x = np.array([[1.0, 10.0]], np.float32)
    y = N.batch_norm(x, np.array([1.0, 6.0], np.float32), np.array([4.0, 16.0], np.float32),
                     np.array([2.0, 1.0], np.float32), np.array([0.0, 0.5], np.float32),
                     training=False, eps=0.0)
    np.testing.assert_allclose(y, [[0.0, 1.5]])


def test_batch_norm_errors() -> None:
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        N.batch_norm(np.ones((1, 3), np.float32), None, None, training=True)
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        N.batch_norm(np.ones((2, 3), np.float32), None, None, np.ones(4), training=True)
    with pytest.raises(ValueError, match="running_mean and running_var"):
        N.batch_norm(np.ones((2, 3), np.float32), None, None, training=False)


# ---------------------------------------------------------------- numerical gradients


@pytest.mark.parametrize("size,shape", [(1, (2, 4, 3, 3)), (2, (2, 5, 2, 2)),
                                        (3, (1, 6, 3, 2)), (5, (2, 7, 2, 2)), (4, (2, 3, 4))])
def test_lrn_numerical_gradient(size: int, shape: tuple[int, ...]) -> None:
    x = _x(shape, seed=size, scale=2.0)
    kw = dict(alpha=0.5, beta=0.75, k=1.5)
    check_op_grad(lambda a: N.local_response_norm(a, size, **kw), x,
                  lambda dy: N.local_response_norm_backward(dy, x, size, **kw))


@pytest.mark.parametrize("shape,training", [((6, 3), True), ((3, 2, 3, 3), True),
                                            ((3, 2, 3, 3), False), ((4, 3, 5), True)])
def test_batch_norm_numerical_gradients(shape: tuple[int, ...], training: bool) -> None:
    C = shape[1]
    x = _x(shape, seed=1, scale=2.0, shift=0.5)
    w = _x((C,), seed=2)
    b = _x((C,), seed=3)
    rm, rv = _x((C,), seed=4), np.abs(_x((C,), seed=5)) + 0.5
    dy = _x(shape, seed=6)

    def loss() -> float:  # copies: the forward must not drift the running stats
        y = N.batch_norm(x, rm.copy(), rv.copy(), w, b, training)
        return float((y.astype(np.float64) * dy).sum())

    y, cache = N.batch_norm_with_cache(x, rm.copy(), rv.copy(), w, b, training)
    dx, dw, db = N.batch_norm_backward_from_cache(dy, cache)
    assert_grad_close(dx, numerical_grad(loss, x))
    assert_grad_close(dw, numerical_grad(loss, w))
    assert_grad_close(db, numerical_grad(loss, b))


# ---------------------------------------------------------------- against torch

LRN_CASES = [(size, shape, alpha, beta, k)
             for size in (1, 2, 3, 4, 5, 7)
             for shape in ((2, 6, 5, 5), (3, 4, 7))
             for alpha, beta, k in ((1e-4, 0.75, 1.0), (0.3, 0.5, 2.0), (2.0, 1.2, 0.5))]


@pytest.mark.torch
@pytest.mark.parametrize("size,shape,alpha,beta,k", LRN_CASES)
def test_lrn_matches_torch(size, shape, alpha, beta, k) -> None:
    torch = pytest.importorskip("torch")
    x = _x(shape, seed=size, scale=3.0)
    dy = _x(shape, seed=size + 1)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.local_response_norm(xt, size, alpha, beta, k)
    yt.backward(torch.tensor(dy))
    y, cache = N.local_response_norm_with_cache(x, size, alpha, beta, k)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    dx = N.local_response_norm_backward_from_cache(dy, cache)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-4, atol=1e-5)


BN_CASES = [(shape, training, affine, momentum)
            for shape in ((8, 3), (4, 5, 6, 6), (2, 3, 7), (2, 1, 3, 3))
            for training in (True, False)
            for affine, momentum in ((True, 0.1), (False, 0.3), (True, 0.9))]


@pytest.mark.torch
@pytest.mark.parametrize("shape,training,affine,momentum", BN_CASES)
def test_batch_norm_matches_torch(shape, training, affine, momentum) -> None:
    torch = pytest.importorskip("torch")
    C = shape[1]
    x = _x(shape, seed=C, scale=2.0, shift=1.0)
    dy = _x(shape, seed=C + 1)
    rm, rv = _x((C,), seed=3), np.abs(_x((C,), seed=4)) + 0.5
    w = _x((C,), seed=5) if affine else None
    b = _x((C,), seed=6) if affine else None
    rmt, rvt = torch.tensor(rm), torch.tensor(rv)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True) if affine else None
    bt = torch.tensor(b, requires_grad=True) if affine else None
    yt = torch.nn.functional.batch_norm(xt, rmt, rvt, wt, bt, training, momentum, 1e-5)
    yt.backward(torch.tensor(dy))
    y, cache = N.batch_norm_with_cache(x, rm, rv, w, b, training, momentum, 1e-5)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(rm, rmt.numpy(), rtol=1e-5, atol=1e-6)  # updated in place
    np.testing.assert_allclose(rv, rvt.numpy(), rtol=1e-5, atol=1e-6)
    dx, dw, db = N.batch_norm_backward_from_cache(dy, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    if affine:
        np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-4, atol=1e-4)
