"""im2col / col2im (lecture layout), zero_insert and conv_window_map."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F

X9 = np.arange(1, 10, dtype=np.float32).reshape(1, 1, 3, 3)


def test_im2col_by_hand() -> None:
    # one row per output pixel: the 2x2 window flattened row by row
    np.testing.assert_array_equal(F.im2col(X9, 2), [[1, 2, 4, 5],
                                                     [2, 3, 5, 6],
                                                     [4, 5, 7, 8],
                                                     [5, 6, 8, 9]])
    # stride 2 with padding 1: the 5x5 padded input gives a 2x2 output
    np.testing.assert_array_equal(F.im2col(X9, 2, stride=2, padding=1), [[0, 0, 0, 1],
                                                                         [0, 0, 2, 3],
                                                                         [0, 4, 0, 7],
                                                                         [5, 6, 8, 9]])


def test_im2col_layout_channels_then_kernel() -> None:
    x = np.stack([X9[0, 0], 10 * X9[0, 0]])[None]  # (1, 2, 3, 3)
    cols = F.im2col(x, 2)
    assert cols.shape == (4, 8)
    np.testing.assert_array_equal(cols[0], [1, 2, 4, 5, 10, 20, 40, 50])


def test_im2col_matmul_is_conv() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    cols = F.im2col(x, (3, 2), stride=2, padding=1, dilation=(1, 2))
    y = F.conv2d(x, w, stride=2, padding=1, dilation=(1, 2))
    n, c, ho, wo = y.shape
    manual = (cols @ w.reshape(4, -1).T).reshape(n, ho, wo, c).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(manual, y, atol=1e-5)


def test_col2im_adds_overlaps() -> None:
    # every pixel comes back once per window that covers it
    counts = F.col2im(F.im2col(np.ones((1, 1, 3, 3), np.float32), 2), (1, 1, 3, 3), 2)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@pytest.mark.parametrize(("k", "s", "p", "d"), [
    (2, 1, 0, 1), (3, 2, 1, 1), ((3, 2), (1, 2), (2, 0), 2), (2, 2, 0, 1)])
def test_col2im_round_trip(k: object, s: object, p: object, d: object) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 7, 8)).astype(np.float32)
    cols = F.im2col(x, k, s, p, d)
    counts = F.col2im(F.im2col(np.ones_like(x), k, s, p, d), x.shape, k, s, p, d)
    back = F.col2im(cols, x.shape, k, s, p, d)
    np.testing.assert_allclose(back, x * counts, rtol=1e-6, atol=1e-6)
    # non-overlapping windows that cover the image: an exact inverse
    if (k, s, p, d) == (2, 2, 0, 1):
        np.testing.assert_array_equal(F.col2im(F.im2col(x[..., :6, :8], 2, 2), (2, 3, 6, 8), 2, 2),
                                      x[..., :6, :8])


def test_col2im_is_adjoint_of_im2col() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 2, 6, 5)).astype(np.float32)
    cols = F.im2col(x, 3, 2, 1)
    c = rng.standard_normal(cols.shape).astype(np.float32)
    lhs = float((cols.astype(np.float64) * c).sum())
    rhs = float((x.astype(np.float64) * F.col2im(c, x.shape, 3, 2, 1)).sum())
    assert abs(lhs - rhs) < 1e-4 * max(1.0, abs(lhs))


def test_col2im_shape_error() -> None:
    with pytest.raises(ValueError, match=r"\(N\*Ho\*Wo, C\*kh\*kw\) = \(4, 4\)"):
        F.col2im(np.zeros((4, 5), np.float32), (1, 1, 3, 3), 2)


def test_im2col_kernel_too_big() -> None:
    with pytest.raises(ValueError, match=r"larger than the padded input 3x3"):
        F.im2col(X9, 4)


@pytest.mark.torch
@pytest.mark.parametrize("seed", range(8))
def test_im2col_col2im_match_torch_unfold_fold(seed: int) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(1, 3)), int(rng.integers(1, 4))
    k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    s = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    p = (int(rng.integers(0, 2)), int(rng.integers(0, 2)))
    d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    x = rng.standard_normal((n, c, 7, 8)).astype(np.float32)
    cols = F.im2col(x, k, s, p, d)
    ref = torch.nn.functional.unfold(torch.tensor(x), k, dilation=d, padding=p, stride=s)
    np.testing.assert_array_equal(cols, ref.numpy().transpose(0, 2, 1).reshape(cols.shape))
    g = rng.standard_normal(cols.shape).astype(np.float32)
    folded = torch.nn.functional.fold(
        torch.tensor(g.reshape(n, -1, g.shape[1]).transpose(0, 2, 1).copy()), (7, 8), k,
        dilation=d, padding=p, stride=s)
    np.testing.assert_allclose(F.col2im(g, x.shape, k, s, p, d), folded.numpy(), atol=1e-5)


def test_zero_insert_by_hand() -> None:
    x = np.array([[[[1, 2], [3, 4]]]], np.float32)
    np.testing.assert_array_equal(F.zero_insert(x, 2)[0, 0], [[1, 0, 2],
                                                              [0, 0, 0],
                                                              [3, 0, 4]])
    np.testing.assert_array_equal(F.zero_insert(x, (1, 3))[0, 0], [[1, 0, 0, 2],
                                                                   [3, 0, 0, 4]])
    np.testing.assert_array_equal(F.zero_insert(x, 1), x)


def test_conv_window_map_by_hand() -> None:
    m = F.conv_window_map((4, 4), 2, stride=2)
    assert m.shape == (2, 2, 2, 2, 2) and m.dtype.kind == "i"
    assert tuple(m[1, 1, 0, 0]) == (2, 2)  # output (1, 1) starts at row 2, col 2
    assert tuple(m[1, 0, 1, 1]) == (3, 1)
    d = F.conv_window_map((5, 5), 3, padding=1, dilation=2)
    assert d.shape == (3, 3, 3, 3, 2)
    assert tuple(d[0, 0, 2, 1]) == (4, 2)  # taps are 2 apart in the padded 7x7 input
    same = F.conv_window_map((5, 6), (2, 3), padding="same")
    assert same.shape[:2] == (5, 6)


def test_conv_window_map_reads_what_im2col_reads() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 1, 6, 7)).astype(np.float32)
    k, s, p, d = (3, 2), (2, 1), (1, 2), (1, 2)
    m = F.conv_window_map((6, 7), k, s, p, d)
    xp = np.pad(x[0, 0], ((1, 1), (2, 2)))
    gathered = xp[m[..., 0], m[..., 1]]  # (Ho, Wo, kh, kw)
    np.testing.assert_array_equal(gathered.reshape(-1, 6), F.im2col(x, k, s, p, d))


def test_conv_window_map_errors() -> None:
    with pytest.raises(ValueError, match="strided"):
        F.conv_window_map((5, 5), 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="larger than the padded input"):
        F.conv_window_map((2, 2), 3)
