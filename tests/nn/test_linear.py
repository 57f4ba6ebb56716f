"""linear: by hand, numerical gradients for x, weight and bias, and against torch."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.nn import _linear as L
from tests.gradcheck import assert_grad_close, numerical_grad


def test_linear_by_hand() -> None:
    x = np.array([[1.0, 2.0]], np.float32)
    w = np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]], np.float32)  # (out=3, in=2)
    b = np.array([0.0, 1.0, -1.0], np.float32)
    y = L.linear(x, w, b)
    np.testing.assert_allclose(y, [[1.0, 1.0, 0.5]])
    assert y.dtype == np.float32
    dx, dw, db = L.linear_backward(np.ones((1, 3), np.float32), x, w, b)
    np.testing.assert_allclose(dx, [[3.5, -0.5]])
    np.testing.assert_allclose(dw, [[1, 2], [1, 2], [1, 2]])
    np.testing.assert_allclose(db, [1, 1, 1])


def test_linear_without_bias_still_returns_dbias() -> None:
    x = np.ones((2, 3), np.float32)
    w = np.ones((4, 3), np.float32)
    dx, dw, db = L.linear_backward(np.ones((2, 4), np.float32), x, w)
    assert db.shape == (4,) and dw.shape == (4, 3) and dx.shape == (2, 3)


def test_linear_shape_error_names_the_sizes() -> None:
    with pytest.raises(ValueError, match="expects inputs with 3 features"):
        L.linear(np.ones((2, 784), np.float32), np.ones((10, 3), np.float32))


@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 3, 5)])
def test_linear_numerical_gradients(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    y = L.linear(x, w, b)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx, dw, db = L.linear_backward(dy, x, w, b)

    def loss() -> float:
        return float((L.linear(x, w, b) * dy).sum())

    assert_grad_close(dx, numerical_grad(loss, x))
    assert_grad_close(dw, numerical_grad(loss, w))
    assert_grad_close(db, numerical_grad(loss, b))


@pytest.mark.torch
@pytest.mark.parametrize("n,fin,fout,bias", [(1, 1, 1, True), (8, 20, 10, True),
                                              (3, 7, 4, False), (64, 120, 84, True),
                                              (2, 784, 10, True)])
def test_linear_matches_torch(n: int, fin: int, fout: int, bias: bool) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(n + fin)
    x = rng.standard_normal((n, fin)).astype(np.float32)
    w = rng.standard_normal((fout, fin)).astype(np.float32)
    b = rng.standard_normal(fout).astype(np.float32) if bias else None
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True) if bias else None
    yt = torch.nn.functional.linear(xt, wt, bt)
    dy = rng.standard_normal((n, fout)).astype(np.float32)
    yt.backward(torch.tensor(dy))
    y, cache = L.linear_with_cache(x, w, b)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    dx, dw, db = L.linear_backward_from_cache(dy, cache)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dw, wt.grad.numpy(), rtol=1e-4, atol=1e-4)
    if bias:
        np.testing.assert_allclose(db, bt.grad.numpy(), rtol=1e-4, atol=1e-4)
    assert dx.dtype == dw.dtype == db.dtype == np.float32
