"""pad: hand-worked borders for every mode, numerical gradients, and torch.nn.functional.pad."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from tests.gradcheck import check_op_grad

X2 = np.array([[1, 2], [3, 4]], dtype=np.float32)
X3 = np.arange(1, 10, dtype=np.float32).reshape(3, 3)


def _img(a: np.ndarray) -> np.ndarray:
    return a[None, None]


# ----------------------------------------------------------------------------- by hand


def test_constant_by_hand() -> None:
    y = F.pad(_img(X2), (1, 1, 1, 1))
    expected = [[0, 0, 0, 0],
                [0, 1, 2, 0],
                [0, 3, 4, 0],
                [0, 0, 0, 0]]
    np.testing.assert_array_equal(y[0, 0], expected)
    assert y.dtype == np.float32
    y = F.pad(_img(X2), (1, 0, 0, 2), value=9)
    np.testing.assert_array_equal(y[0, 0], [[9, 1, 2], [9, 3, 4], [9, 9, 9], [9, 9, 9]])


def test_constant_negative_pad_crops() -> None:
    y = F.pad(_img(X3), (-1, 0, 0, -1))
    np.testing.assert_array_equal(y[0, 0], [[2, 3], [5, 6]])


def test_reflect_by_hand() -> None:
    # mirror WITHOUT repeating the edge pixel: ... 2 | 1 2 3 | 2 ...
    np.testing.assert_array_equal(F.pad(_img(X2), (1, 1, 1, 1), "reflect")[0, 0],
                                  [[4, 3, 4, 3],
                                   [2, 1, 2, 1],
                                   [4, 3, 4, 3],
                                   [2, 1, 2, 1]])
    np.testing.assert_array_equal(F.pad(_img(X3), (1, 1, 1, 1), "reflect")[0, 0],
                                  [[5, 4, 5, 6, 5],
                                   [2, 1, 2, 3, 2],
                                   [5, 4, 5, 6, 5],
                                   [8, 7, 8, 9, 8],
                                   [5, 4, 5, 6, 5]])


def test_replicate_by_hand() -> None:
    np.testing.assert_array_equal(F.pad(_img(X2), (1, 1, 1, 1), "replicate")[0, 0],
                                  [[1, 1, 2, 2],
                                   [1, 1, 2, 2],
                                   [3, 3, 4, 4],
                                   [3, 3, 4, 4]])
    np.testing.assert_array_equal(F.pad(_img(X3), (1, 1, 1, 1), "replicate")[0, 0],
                                  [[1, 1, 2, 3, 3],
                                   [1, 1, 2, 3, 3],
                                   [4, 4, 5, 6, 6],
                                   [7, 7, 8, 9, 9],
                                   [7, 7, 8, 9, 9]])


def test_circular_by_hand() -> None:
    np.testing.assert_array_equal(F.pad(_img(X2), (1, 1, 1, 1), "circular")[0, 0],
                                  [[4, 3, 4, 3],
                                   [2, 1, 2, 1],
                                   [4, 3, 4, 3],
                                   [2, 1, 2, 1]])
    np.testing.assert_array_equal(F.pad(_img(X3), (1, 1, 1, 1), "circular")[0, 0],
                                  [[9, 7, 8, 9, 7],
                                   [3, 1, 2, 3, 1],
                                   [6, 4, 5, 6, 4],
                                   [9, 7, 8, 9, 7],
                                   [3, 1, 2, 3, 1]])


def test_two_tuple_pads_width_only() -> None:
    row = np.array([[[1, 2, 3]]], dtype=np.float32)  # (C=1, H=1, W=3)
    np.testing.assert_array_equal(F.pad(row, (2, 2), "reflect")[0, 0], [3, 2, 1, 2, 3, 2, 1])
    np.testing.assert_array_equal(F.pad(row, (2, 2), "replicate")[0, 0], [1, 1, 1, 2, 3, 3, 3])
    np.testing.assert_array_equal(F.pad(row, (2, 2), "circular")[0, 0], [2, 3, 1, 2, 3, 1, 2])


def test_backward_folds_borders_by_hand() -> None:
    ones4 = np.ones((1, 1, 4, 4), np.float32)
    # replicate: each corner pixel of a 2x2 image is copied 4 times
    np.testing.assert_array_equal(
        F.pad_backward(ones4, _img(X2), (1, 1, 1, 1), "replicate")[0, 0], [[4, 4], [4, 4]])
    # reflect of 3x3 by 1: along each axis the middle index is used 3 times, the ends once
    np.testing.assert_array_equal(
        F.pad_backward(np.ones((1, 1, 5, 5), np.float32), _img(X3), (1, 1, 1, 1), "reflect")[0, 0],
        [[1, 3, 1], [3, 9, 3], [1, 3, 1]])
    # constant: the border's gradient goes nowhere
    np.testing.assert_array_equal(
        F.pad_backward(ones4, _img(X2), (1, 1, 1, 1), "constant")[0, 0], np.ones((2, 2)))


def test_with_cache_matches_backward() -> None:
    x = np.random.default_rng(1).standard_normal((2, 3, 4, 5)).astype(np.float32)
    y, cache = F.pad_with_cache(x, (1, 2, 3, 0), "circular")
    dy = np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)
    np.testing.assert_array_equal(F.pad_backward_from_cache(dy, cache),
                                  F.pad_backward(dy, x, (1, 2, 3, 0), "circular"))


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("mode", "pads", "match"), [
    ("reflect", (2, 0, 0, 0), r"less than the input size.*size 2"),
    ("reflect", (0, 0, 0, 3), r"less than the input size"),
    ("circular", (3, 0, 0, 0), r"at most the input size"),
    ("wrap", (1, 1, 1, 1), r"mode must be one of"),
    ("reflect", (1, 1, 1, 1, 1, 1), r"length 2 or 4"),
    ("replicate", (-1, 0, 0, 0), r"non-negative"),
    ("constant", (1, 1, 1), r"pairs"),
])
def test_errors(mode: str, pads: tuple[int, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        F.pad(np.zeros((1, 1, 2, 2), np.float32), pads, mode)


def test_error_value_with_copying_mode() -> None:
    with pytest.raises(ValueError, match=r"'reflect' copies pixels and takes no value"):
        F.pad(np.zeros((1, 1, 3, 3), np.float32), (1, 1, 1, 1), "reflect", value=1.0)


def test_error_wrong_rank_for_reflect() -> None:
    with pytest.raises(ValueError, match=r"expects a 3-D or 4-D input"):
        F.pad(np.zeros((2, 2), np.float32), (1, 1, 1, 1), "reflect")


# ----------------------------------------------------------------------------- gradients


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_numerical_gradient(mode: str) -> None:
    x = np.random.default_rng(3).standard_normal((2, 2, 4, 5)).astype(np.float32)
    pads = (3, 1, 2, 3)
    value = 0.5 if mode == "constant" else None
    check_op_grad(lambda a: F.pad(a, pads, mode, value), x,
                  lambda dy: F.pad_backward(dy, x, pads, mode, value))


# ----------------------------------------------------------------------------- torch


def _pad_configs() -> list[tuple]:
    rng = np.random.default_rng(2024)
    configs = []
    for i in range(24):
        mode = ["constant", "reflect", "replicate", "circular"][i % 4]
        ndim = int(rng.integers(3, 5))
        shape = tuple(int(v) for v in rng.integers(1, 4, ndim - 2)) + (
            int(rng.integers(2, 6)), int(rng.integers(2, 6)))
        npairs = 1 if i % 5 == 0 else 2
        pads = []
        for k in range(npairs):
            size = shape[-1 - k]
            hi = {"reflect": size - 1, "circular": size}.get(mode, 4)
            lo = -1 if mode == "constant" else 0
            pads += [int(rng.integers(lo, hi + 1)), int(rng.integers(lo, hi + 1))]
        configs.append((shape, tuple(pads), mode))
    return configs


@pytest.mark.torch
@pytest.mark.parametrize(("shape", "pads", "mode"), _pad_configs())
def test_matches_torch(shape: tuple[int, ...], pads: tuple[int, ...], mode: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng([*shape, *(p + 10 for p in pads), len(mode)])
    x = rng.standard_normal(shape).astype(np.float32)
    kwargs = {"value": 0.25} if mode == "constant" else {}
    y = F.pad(x, pads, mode, **kwargs)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.pad(tx, pads, mode=mode, **kwargs)
    np.testing.assert_array_equal(y, ty.detach().numpy())
    dy = rng.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(dy))
    np.testing.assert_allclose(F.pad_backward(dy, x, pads, mode, **kwargs), tx.grad.numpy(),
                               atol=1e-5)
