"""Pooling: lecture-note examples by hand, numerical gradients, and torch on random configs."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from cnnviz.nn import _pool as P
from tests.gradcheck import check_op_grad

# the lecture notes' 4x4 example
X44 = np.array([[1, 3, 2, 1],
                [4, 6, 5, 2],
                [7, 2, 9, 1],
                [3, 8, 4, 0]], dtype=np.float32)[None, None]


def _distinct(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Values at least 0.05 apart, so a 1e-2 finite-difference step never swaps a max."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) * 0.05 - n * 0.025).astype(np.float32)


# ---------------------------------------------------------------- by hand


def test_max_pool_2x2_stride2_by_hand() -> None:
    y = P.max_pool2d(X44, 2, 2)
    np.testing.assert_array_equal(y[0, 0], [[6, 5], [8, 9]])
    assert y.dtype == np.float32


def test_max_pool_indices_by_hand() -> None:
    _, idx = P.max_pool2d_with_indices(X44, 2)
    np.testing.assert_array_equal(idx[0, 0], [[5, 6], [13, 10]])
    assert idx.dtype == np.int64


def test_avg_pool_2x2_stride2_by_hand() -> None:
    y = P.avg_pool2d(X44, 2, 2)
    np.testing.assert_allclose(y[0, 0], [[3.5, 2.5], [5.0, 3.5]])


def test_padded_pooling_output_includes_padding() -> None:
    # (4 + 2*1 - 2) // 2 + 1 = 3: the notes' code forgot the padding and gave 2x2
    y = P.max_pool2d(X44, 2, 2, padding=1)
    assert y.shape == (1, 1, 3, 3)
    np.testing.assert_array_equal(y[0, 0], [[1, 3, 1], [7, 9, 2], [3, 8, 0]])
    a = P.avg_pool2d(X44, 2, 2, padding=1)  # zeros counted: always / 4
    np.testing.assert_allclose(a[0, 0], [[0.25, 1.25, 0.25], [2.75, 5.5, 0.75], [0.75, 3.0, 0.0]])
    b = P.avg_pool2d(X44, 2, 2, padding=1, count_include_pad=False)
    np.testing.assert_allclose(b[0, 0], [[1, 2.5, 1], [5.5, 5.5, 1.5], [3, 6, 0]])


def test_avg_pool_ceil_mode_divides_by_clipped_window() -> None:
    x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    y = P.avg_pool2d(x, 2, 2, ceil_mode=True)
    np.testing.assert_allclose(y[0, 0], [[2.0, 3.5], [6.5, 8.0]])


def test_global_average_by_hand() -> None:
    x = np.concatenate([X44, np.full((1, 1, 4, 4), 2, np.float32)], axis=1)
    y = P.global_avg_pool2d(x)
    assert y.shape == (1, 2, 1, 1)
    np.testing.assert_allclose(y.ravel(), [58 / 16, 2.0])
    dx = P.global_avg_pool2d_backward(np.ones((1, 2, 1, 1), np.float32), x)
    np.testing.assert_allclose(dx, np.full(x.shape, 1 / 16))


def test_adaptive_bins_by_hand() -> None:
    # 5 -> 3 bins: [0, 2), [1, 4), [3, 5)
    x = np.arange(1, 6, dtype=np.float32).reshape(1, 1, 1, 5)
    np.testing.assert_allclose(P.adaptive_avg_pool2d(x, (1, 3))[0, 0, 0], [1.5, 3.0, 4.5])
    assert P.adaptive_avg_pool2d(x, (None, 2)).shape == (1, 1, 1, 2)


def test_max_pool_backward_routes_to_first_max_on_ties() -> None:
    x = np.zeros((1, 1, 2, 2), np.float32)
    dx = P.max_pool2d_backward(np.ones((1, 1, 1, 1), np.float32), x, 2)
    np.testing.assert_array_equal(dx[0, 0], [[1, 0], [0, 0]])
    # same rule on the general (overlapping) path
    x3 = np.zeros((1, 1, 3, 3), np.float32)
    dx3 = P.max_pool2d_backward(np.ones((1, 1, 2, 2), np.float32), x3, 2, stride=1)
    np.testing.assert_array_equal(dx3[0, 0], [[1, 1, 0], [1, 1, 0], [0, 0, 0]])


def test_overlapping_windows_accumulate() -> None:
    x = np.array([[0, 0, 0], [0, 9, 0], [0, 0, 0]], np.float32)[None, None]
    dx = P.max_pool2d_backward(np.ones((1, 1, 2, 2), np.float32), x, 2, stride=1)
    assert dx[0, 0, 1, 1] == 4


def test_unbatched_input() -> None:
    y = P.max_pool2d(X44[0], 2)
    assert y.shape == (1, 2, 2)
    dx = P.avg_pool2d_backward(np.ones((1, 3, 3), np.float32), X44[0], 2, 2, padding=1)
    assert dx.shape == (1, 4, 4)


def test_errors_name_the_numbers() -> None:
    with pytest.raises(ValueError, match="pooling window 5×5 is larger than the padded input 4×4"):
        P.max_pool2d(X44, 5)
    with pytest.raises(ValueError, match="padding 2×2 is more than half"):
        P.avg_pool2d(X44, 3, padding=2)
    with pytest.raises(ValueError, match="3-D"):
        P.max_pool2d(np.zeros((4, 4), np.float32), 2)


def test_pool_output_size_ceil_rule() -> None:
    assert P.pool_output_size(4, 2, 2, padding=1) == 3
    assert P.pool_output_size(5, 2, 2, ceil_mode=True) == 3
    # the last window would start in the right padding: dropped
    assert P.pool_output_size(4, 2, 2, padding=1, ceil_mode=True) == 3


# ---------------------------------------------------------------- numerical gradients

GRAD_MAX = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1)),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=2, stride=2, ceil_mode=True),
]


@pytest.mark.parametrize("kw", GRAD_MAX)
def test_max_pool_numerical_gradient(kw: dict) -> None:
    x = _distinct((2, 2, 5, 5))
    check_op_grad(lambda a: P.max_pool2d(a, **kw), x,
                  lambda dy: P.max_pool2d_backward(dy, x, **kw))


GRAD_AVG = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=1, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=2, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, divisor_override=3),
]


@pytest.mark.parametrize("kw", GRAD_AVG)
def test_avg_pool_numerical_gradient(kw: dict) -> None:
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 5)).astype(np.float32)
    check_op_grad(lambda a: P.avg_pool2d(a, **kw), x,
                  lambda dy: P.avg_pool2d_backward(dy, x, **kw))


@pytest.mark.parametrize("out", [1, 3, (2, 4), (5, 7)])
def test_adaptive_numerical_gradient(out: int | tuple[int, int]) -> None:
    x = np.random.default_rng(2).standard_normal((1, 2, 5, 6)).astype(np.float32)
    check_op_grad(lambda a: P.adaptive_avg_pool2d(a, out), x,
                  lambda dy: P.adaptive_avg_pool2d_backward(dy, x, out))


def test_global_numerical_gradient() -> None:
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 5)).astype(np.float32)
    check_op_grad(P.global_avg_pool2d, x, lambda dy: P.global_avg_pool2d_backward(dy, x))


# ---------------------------------------------------------------- against torch


def _random_configs(n: int, seed: int, dilation: bool) -> list[tuple]:
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        p = (int(rng.integers(0, k[0] // 2 + 1)), int(rng.integers(0, k[1] // 2 + 1)))
        d = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if dilation else (1, 1)
        ceil = bool(rng.integers(0, 2))
        hw = (int(rng.integers(4, 11)), int(rng.integers(4, 11)))
        if min(P.pool_output_size(hw[0], k[0], s[0], p[0], d[0], ceil),
               P.pool_output_size(hw[1], k[1], s[1], p[1], d[1], ceil)) < 1:
            continue
        out.append((k, s, p, d, ceil, hw, bool(rng.integers(0, 2))))
    # the hot-path shapes explicitly
    out += [(2, 2, 0, 1, False, (8, 8), True), (2, None, 0, 1, False, (7, 9), False),
            (3, None, 0, 1, True, (9, 9), True), (2, 2, 0, 1, True, (6, 6), False)]
    return out


@pytest.mark.torch
@pytest.mark.parametrize("k,s,p,d,ceil,hw,ties", _random_configs(36, 10, True))
def test_max_pool_matches_torch(k, s, p, d, ceil, hw, ties) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(zlib.crc32(repr((k, s, p, d, ceil, hw)).encode()))
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    if ties:  # relu-like zeros and repeated values
        x = np.maximum(np.round(x), 0)
    xt = torch.tensor(x, requires_grad=True)
    yt, it = torch.nn.functional.max_pool2d(xt, k, s, p, d, ceil, return_indices=True)
    dy = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.tensor(dy))
    y, idx = P.max_pool2d_with_indices(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_array_equal(idx, it.numpy())
    y2, cache = P.max_pool2d_with_cache(x, k, s, p, d, ceil)
    np.testing.assert_array_equal(y2, y)
    dx = P.max_pool2d_backward_from_cache(dy, cache)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("k,s,p", [(3, 2, 0), (3, 2, 1), (2, 2, 0), (3, 1, 1)])
def test_max_pool_with_nan_matches_torch(k: int, s: int, p: int) -> None:
    """A NaN wins its windows (PyTorch's rule), forward and backward, on every path."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(k * 10 + s + p).standard_normal((2, 2, 9, 9)).astype(np.float32)
    x[0, 1, 4, 4] = x[1, 0, 0, 7] = np.nan
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, k, s, p)
    dy = np.ones(tuple(yt.shape), dtype=np.float32)
    yt.backward(torch.tensor(dy))
    y, cache = P.max_pool2d_with_cache(x, k, s, p)
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_allclose(P.max_pool2d_backward_from_cache(dy, cache), xt.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("k,s,p,d,ceil,hw,cip", _random_configs(36, 11, False))
def test_avg_pool_matches_torch(k, s, p, d, ceil, hw, cip) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(zlib.crc32(repr((k, s, p, ceil, hw, cip)).encode()))
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.avg_pool2d(xt, k, s, p, ceil, cip)
    dy = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.tensor(dy))
    y, cache = P.avg_pool2d_with_cache(x, k, s, p, ceil, cip)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(P.avg_pool2d_backward_from_cache(dy, cache), xt.grad.numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("hw,out", [((5, 5), 3), ((7, 9), (2, 4)), ((4, 4), 4), ((6, 5), (8, 3)),
                                    ((10, 10), 1), ((3, 11), (None, 4)), ((13, 7), (5, 5)),
                                    ((28, 28), 7)])
def test_adaptive_matches_torch(hw, out) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.adaptive_avg_pool2d(xt, out)
    dy = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.tensor(dy))
    y, cache = P.adaptive_avg_pool2d_with_cache(x, out)
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(P.adaptive_avg_pool2d_backward_from_cache(dy, cache),
                               xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_functional_exports_pooling() -> None:
    import cnnviz.nn.functional as F

    for name in P.__all__:
        assert getattr(F, name) is getattr(P, name)
