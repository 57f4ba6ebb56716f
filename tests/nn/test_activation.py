"""Activations, softmax, dropout, cross-entropy: by hand, numerical gradients, vs torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnviz.nn import _activation as A
from tests.gradcheck import assert_grad_close, check_op_grad, numerical_grad


def _x(shape: tuple[int, ...] = (3, 5), seed: int = 0, scale: float = 2.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


# ---------------------------------------------------------------- by hand


def test_relu_and_leaky_relu_by_hand() -> None:
    x = np.array([-2.0, 0.0, 3.0], np.float32)
    np.testing.assert_array_equal(A.relu(x), [0, 0, 3])
    np.testing.assert_allclose(A.leaky_relu(x, 0.1), [-0.2, 0, 3])
    np.testing.assert_array_equal(A.relu_backward(np.ones(3, np.float32), x), [0, 0, 1])
    np.testing.assert_allclose(A.leaky_relu_backward(np.ones(3, np.float32), x, 0.1),
                               [0.1, 0.1, 1])


def test_sigmoid_is_stable_for_large_inputs() -> None:
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = A.sigmoid(x)
        dx = A.sigmoid_backward(np.ones_like(x), x)
    np.testing.assert_allclose(y, [0, 1.9287498e-22, 0.5, 1, 1], rtol=1e-6)
    assert y.dtype == np.float32 and np.all(np.isfinite(dx))


def test_softmax_and_log_softmax_are_stable() -> None:
    x = np.array([[1000.0, 1000.0], [0.0, math.log(3.0)]], np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(A.softmax(x), [[0.5, 0.5], [0.25, 0.75]], rtol=1e-6)
        np.testing.assert_allclose(A.log_softmax(x)[0], [-math.log(2)] * 2, rtol=1e-6)
    np.testing.assert_allclose(A.softmax(x, dim=0).sum(axis=0), [1, 1], rtol=1e-6)


def test_cross_entropy_by_hand() -> None:
    logits = np.array([[0.0, 0.0], [0.0, math.log(3.0)]], np.float32)
    target = np.array([0, 1])
    expected = [math.log(2), -math.log(0.75)]
    np.testing.assert_allclose(A.cross_entropy(logits, target, "none"), expected, rtol=1e-6)
    np.testing.assert_allclose(A.cross_entropy(logits, target), np.mean(expected), rtol=1e-6)
    np.testing.assert_allclose(A.cross_entropy(logits, target, "sum"), np.sum(expected), rtol=1e-6)
    # dlogits = (softmax - one_hot) / N
    np.testing.assert_allclose(A.cross_entropy_backward(1.0, logits, target),
                               [[-0.25, 0.25], [0.125, -0.125]], rtol=1e-6)


def test_cross_entropy_huge_logits_stay_finite() -> None:
    logits = np.array([[1e4, -1e4, 0.0]], np.float32)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert A.cross_entropy(logits, np.array([1])) == pytest.approx(2e4)
        assert A.cross_entropy(logits, np.array([0])) == 0.0


def test_cross_entropy_errors() -> None:
    logits = np.zeros((2, 5), np.float32)
    with pytest.raises(ValueError, match="target class 7 is out of range for 5 classes"):
        A.cross_entropy(logits, np.array([0, 7]))
    with pytest.raises(ValueError, match="integer class labels"):
        A.cross_entropy(logits, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="reduction"):
        A.cross_entropy(logits, np.array([0, 1]), reduction="avg")


def test_dropout_inverted_scaling_and_determinism() -> None:
    x = np.ones((200, 100), np.float32)
    y, mask = A.dropout_with_cache(x, 0.25, True, np.random.default_rng(5))
    assert y.dtype == np.float32
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(y, A.dropout(x, 0.25, True, np.random.default_rng(5)))
    dy = _x((200, 100))
    np.testing.assert_array_equal(A.dropout_backward_from_cache(dy, mask), dy * mask)
    np.testing.assert_array_equal(A.dropout(x, 0.25, training=False), x)
    np.testing.assert_array_equal(A.dropout(x, 1.0), np.zeros_like(x))
    with pytest.raises(ValueError, match="between 0 and 1"):
        A.dropout(x, 1.5)


# ---------------------------------------------------------------- numerical gradients

UNARY = [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("sigmoid", {}), ("tanh", {}),
    ("softmax", {"dim": -1}), ("softmax", {"dim": 0}), ("log_softmax", {"dim": 1}),
    ("log_softmax", {"dim": 0}),
]


@pytest.mark.parametrize("name,kw", UNARY)
def test_numerical_gradient(name: str, kw: dict) -> None:
    x = _x((3, 5), seed=1)
    x[np.abs(x) < 0.05] = 0.3  # keep the relu kinks away from the finite-difference step
    f = getattr(A, name)
    back = getattr(A, name + "_backward")
    check_op_grad(lambda a: f(a, **kw), x, lambda dy: back(dy, x, **kw))


def test_dropout_numerical_gradient() -> None:
    x = _x((4, 6), seed=2)
    _, mask = A.dropout_with_cache(x, 0.4, True, np.random.default_rng(0))
    check_op_grad(lambda a: a * mask, x, lambda dy: A.dropout_backward_from_cache(dy, mask))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_numerical_gradient(reduction: str) -> None:
    logits = _x((4, 6), seed=3)
    target = np.array([0, 5, 2, 2])
    dy = np.float32(1.7) if reduction != "none" else _x((4,), seed=4)
    numeric = numerical_grad(
        lambda: float((A.cross_entropy(logits, target, reduction) * dy).sum()), logits)
    assert_grad_close(A.cross_entropy_backward(dy, logits, target, reduction), numeric)


def test_cross_entropy_spatial_numerical_gradient() -> None:
    logits = _x((2, 3, 2, 2), seed=5)
    target = np.random.default_rng(0).integers(0, 3, (2, 2, 2))
    numeric = numerical_grad(lambda: float(A.cross_entropy(logits, target)), logits)
    assert_grad_close(A.cross_entropy_backward(1.0, logits, target), numeric)


# ---------------------------------------------------------------- against torch


def _torch_fn(torch, name: str):  # type: ignore[no-untyped-def]
    tf = torch.nn.functional
    return {"relu": tf.relu, "leaky_relu": tf.leaky_relu, "sigmoid": torch.sigmoid,
            "tanh": torch.tanh, "softmax": tf.softmax, "log_softmax": tf.log_softmax}[name]


TORCH_UNARY = [(name, kw, shape, scale)
               for name, kw in UNARY + [("leaky_relu", {}), ("softmax", {"dim": 1})]
               for shape, scale in (((4, 7), 3.0), ((2, 3, 5, 5), 30.0))]


@pytest.mark.torch
@pytest.mark.parametrize("name,kw,shape,scale", TORCH_UNARY)
def test_matches_torch(name: str, kw: dict, shape: tuple, scale: float) -> None:
    torch = pytest.importorskip("torch")
    x = _x(shape, seed=len(name) + len(shape), scale=scale)
    dy = _x(shape, seed=9)
    xt = torch.tensor(x, requires_grad=True)
    yt = _torch_fn(torch, name)(xt, **kw)
    yt.backward(torch.tensor(dy))
    y, cache = getattr(A, name + "_with_cache")(x, **kw)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    dx = getattr(A, name + "_backward_from_cache")(dy, cache)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-5, atol=1e-6)


CE_CASES = [((n, c), red, scale) for n, c in ((1, 2), (8, 10), (5, 3)) for red in
            ("mean", "sum", "none") for scale in (1.0, 50.0)] + [
    ((2, 4, 3, 3), "mean", 1.0), ((2, 4, 3, 3), "none", 5.0), ((6,), "sum", 3.0)]


@pytest.mark.torch
@pytest.mark.parametrize("shape,reduction,scale", CE_CASES)
def test_cross_entropy_matches_torch(shape: tuple, reduction: str, scale: float) -> None:
    torch = pytest.importorskip("torch")
    logits = _x(shape, seed=len(shape), scale=scale)
    C = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    target = np.random.default_rng(1).integers(0, C, tshape)
    lt = torch.tensor(logits, requires_grad=True)
    loss_t = torch.nn.functional.cross_entropy(lt, torch.tensor(target), reduction=reduction)
    dy = np.float32(1.0) if reduction != "none" else _x(tshape, seed=2)
    loss_t.backward(torch.tensor(dy))
    loss, cache = A.cross_entropy_with_cache(logits, target, reduction)
    np.testing.assert_allclose(loss, loss_t.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(A.cross_entropy_backward_from_cache(dy, cache),
                               lt.grad.numpy(), rtol=1e-5, atol=1e-6)
