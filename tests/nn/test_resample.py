"""Nearest and bilinear resizing: by hand, numerical gradients, and against torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cnnviz.nn import _resample as R
from tests.gradcheck import check_op_grad

X22 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)[None, None]


def test_upsample_nearest_by_hand() -> None:
    y = R.upsample_nearest(X22, 2)
    np.testing.assert_array_equal(y[0, 0], [[1, 1, 2, 2],
                                            [1, 1, 2, 2],
                                            [3, 3, 4, 4],
                                            [3, 3, 4, 4]])
    assert y.dtype == np.float32
    dx = R.upsample_nearest_backward(np.ones((1, 1, 4, 4), np.float32), X22, 2)
    np.testing.assert_array_equal(dx[0, 0], [[4, 4], [4, 4]])


def test_upsample_bilinear_by_hand() -> None:
    # half-pixel centres: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
    y = R.upsample_bilinear(X22, 2)
    np.testing.assert_allclose(y[0, 0], [[1.0, 1.25, 1.75, 2.0],
                                         [1.5, 1.75, 2.25, 2.5],
                                         [2.5, 2.75, 3.25, 3.5],
                                         [3.0, 3.25, 3.75, 4.0]])


def test_upsample_bilinear_align_corners_by_hand() -> None:
    # corners line up: sources 0, 1/3, 2/3, 1
    y = R.upsample_bilinear(X22, 2, align_corners=True)
    t = np.array([0, 1 / 3, 2 / 3, 1])
    np.testing.assert_allclose(y[0, 0], 1 + t[None, :] + 2 * t[:, None], rtol=1e-6)


def test_nearest_non_integer_scale_uses_floor_of_dst_times_inverse_scale() -> None:
    x = np.arange(3, dtype=np.float32).reshape(1, 1, 1, 3)
    # scale 1.5 -> out 4, sources floor(d / 1.5) = 0, 0, 1, 2
    np.testing.assert_array_equal(R.interpolate(x, scale_factor=(1, 1.5))[0, 0, 0], [0, 0, 1, 2])
    # size=5 -> sources floor(d * 3/5) = 0, 0, 1, 1, 2
    np.testing.assert_array_equal(R.interpolate(x, size=(1, 5))[0, 0, 0], [0, 0, 1, 1, 2])


def test_interpolate_errors() -> None:
    with pytest.raises(ValueError, match="4-D"):
        R.interpolate(X22[0], scale_factor=2)
    with pytest.raises(ValueError, match="exactly one of size or scale_factor"):
        R.interpolate(X22, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="align_corners"):
        R.interpolate(X22, scale_factor=2, align_corners=True)
    with pytest.raises(ValueError, match="mode"):
        R.interpolate(X22, scale_factor=2, mode="bicubic")


GRAD_CASES = [
    dict(scale_factor=2, mode="nearest"), dict(scale_factor=1.5, mode="nearest"),
    dict(size=(3, 7), mode="nearest"), dict(scale_factor=2, mode="bilinear"),
    dict(scale_factor=2, mode="bilinear", align_corners=True),
    dict(size=(7, 3), mode="bilinear"), dict(scale_factor=0.6, mode="bilinear"),
    dict(size=(2, 9), mode="bilinear", align_corners=True),
]


@pytest.mark.parametrize("kw", GRAD_CASES)
def test_numerical_gradient(kw: dict) -> None:
    x = np.random.default_rng(0).standard_normal((2, 2, 4, 5)).astype(np.float32)
    check_op_grad(lambda a: R.interpolate(a, **kw), x,
                  lambda dy: R.interpolate_backward(dy, x, **kw))


def _torch_cases() -> list[tuple]:
    rng = np.random.default_rng(3)
    cases = []
    for i in range(44):
        mode = ("nearest", "bilinear")[i % 2]
        ac = None if mode == "nearest" else bool((i // 2) % 2)
        hw = (int(rng.integers(1, 9)), int(rng.integers(2, 9)))
        if i % 4 < 2:
            size, sf = (int(rng.integers(1, 17)), int(rng.integers(1, 17))), None
        else:
            size = None
            sf = (float(rng.choice([0.5, 0.75, 1.1, 1.5, 1.7, 2, 2.5, 3, 1.3333])),
                  float(rng.choice([0.6, 1, 2, 3, 1.25, 4.1])))
        cases.append((hw, size, sf, mode, ac))
    return cases


@pytest.mark.torch
@pytest.mark.parametrize("hw,size,sf,mode,ac", _torch_cases())
def test_matches_torch(hw, size, sf, mode, ac) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(sum(hw))
    x = rng.standard_normal((2, 3, *hw)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = torch.nn.functional.interpolate(xt, size=size, scale_factor=sf, mode=mode,
                                             align_corners=ac)
    dy = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    yt.backward(torch.tensor(dy))
    y, cache = R.interpolate_with_cache(x, size, sf, mode, ac)
    assert y.shape == tuple(yt.shape) and y.dtype == np.float32
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    dx = R.interpolate_backward_from_cache(dy, cache)
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.torch
@pytest.mark.parametrize("scale,ac", [(2, False), (3, True), (2, True), (4, False)])
def test_upsample_shortcuts_match_torch(scale: int, ac: bool) -> None:
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(scale).standard_normal((1, 2, 5, 4)).astype(np.float32)
    xt = torch.tensor(x)
    tf = torch.nn.functional
    np.testing.assert_array_equal(R.upsample_nearest(x, scale),
                                  tf.interpolate(xt, scale_factor=scale, mode="nearest").numpy())
    np.testing.assert_allclose(R.upsample_bilinear(x, scale, ac),
                               tf.interpolate(xt, scale_factor=scale, mode="bilinear",
                                              align_corners=ac).numpy(), rtol=1e-5, atol=1e-6)
