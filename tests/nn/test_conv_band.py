"""The depthwise band path (``_band``) agrees with the other paths and with PyTorch.

conv2d sends depthwise convs with one output per channel on narrow planes to the band path
(``_conv._band_pays``); each random case runs through it, forced, through the flat / column
paths (band forced off), and through torch. Cases cover strides, dilations, rectangular
kernels, padding up to the kernel and beyond, "same", other padding modes and planes where
a row block's window is cut by both borders.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.nn import _conv


def _cases(n: int = 36) -> list[dict]:
    rng = np.random.default_rng(7)
    out = []
    for i in range(n):
        kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        dh, dw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        stride = (1, 1) if i % 3 == 0 else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        same = i % 7 == 3 and stride == (1, 1)
        out.append(dict(
            x_shape=(int(rng.integers(1, 4)), int(rng.integers(2, 6)),
                     int(rng.integers(dh * (kh - 1) + 1, 17)),
                     int(rng.integers(dw * (kw - 1) + 1, 17))),
            kernel=(kh, kw), stride=stride, dilation=(dh, dw),
            padding="same" if same else (int(rng.integers(0, kh + 1)),
                                         int(rng.integers(0, kw + 1))),
            padding_mode=str(rng.choice(["zeros", "zeros", "zeros", "reflect", "circular"])),
            bias=bool(i % 4), seed=i))
    return out


def _valid(case: dict) -> bool:
    """Reflect padding needs padding < size; PyTorch refuses it otherwise."""
    _, _, H, W = case["x_shape"]
    p = case["padding"]
    return (case["padding_mode"] != "reflect" or p == "same" or (p[0] < H and p[1] < W))


def _kwargs(case: dict) -> dict:
    return dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
                groups=case["x_shape"][1], padding_mode=case["padding_mode"])


def _data(case: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    rng = np.random.default_rng(case["seed"])
    C = case["x_shape"][1]
    x = rng.standard_normal(case["x_shape"]).astype(np.float32)
    w = rng.standard_normal((C, 1, *case["kernel"])).astype(np.float32)
    b = rng.standard_normal(C).astype(np.float32) if case["bias"] else None
    return x, w, b


def _run(case: dict, band: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[np.ndarray, ...]:
    if band:
        monkeypatch.setattr(_conv, "_band_pays", lambda x, w, *a: w[0] == x[1] > 1)
    else:
        monkeypatch.setattr(_conv, "_band_pays", lambda *a: False)
    x, w, b = _data(case)
    y, cache = F.conv2d_with_cache(x, w, b, **_kwargs(case))
    assert (cache.band is not None) == band
    dy = np.random.default_rng(case["seed"] + 99).standard_normal(y.shape).astype(np.float32)
    return (y, *F.conv2d_backward_from_cache(dy, cache), dy)


def _close(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape and a.dtype == np.float32
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(b).max())))


CASES = [c for c in _cases() if _valid(c)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"seed{c['seed']}")
def test_band_path_equals_other_paths(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    for a, b in zip(_run(case, True, monkeypatch)[:4], _run(case, False, monkeypatch)[:4]):
        _close(a, b)


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES[:16], ids=lambda c: f"seed{c['seed']}")
def test_band_path_matches_torch(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    y, dx, dw, db, dy = _run(case, True, monkeypatch)
    x, w, b = _data(case)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    kw = _kwargs(case)
    conv = torch.nn.Conv2d(x.shape[1], x.shape[1], w.shape[2:], bias=False, **kw)
    ty = conv._conv_forward(tx, tw, None if b is None else torch.tensor(b))
    ty.backward(torch.tensor(dy))
    for ours, ref in ((y, ty.detach().numpy()), (dx, tx.grad.numpy()), (dw, tw.grad.numpy()),
                      (db, dy.sum((0, 2, 3)))):
        _close(ours, ref)


@pytest.mark.parametrize("case", CASES[:8], ids=lambda c: f"seed{c['seed']}")
def test_band_param_grads_without_dx(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    y, dx, dw, db, dy = _run(case, True, monkeypatch)
    x, w, b = _data(case)
    _, cache = F.conv2d_with_cache(x, w, b, **_kwargs(case))
    dw2, db2 = F.conv2d_param_grads_from_cache(dy, cache)
    np.testing.assert_array_equal(dw2, dw)
    np.testing.assert_array_equal(db2, db)


@pytest.mark.parametrize("shape,stride", [((100, 32, 14, 14), 1), ((100, 64, 7, 7), 1),
                                          ((20, 16, 28, 28), 1), ((100, 32, 14, 14), 2)])
def test_lesson_depthwise_shapes_take_the_band_path(shape: tuple[int, ...], stride: int) -> None:
    """The nets' depthwise 3x3 layers run on the band path, unbatched input too."""
    C = shape[1]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((C, 1, 3, 3)).astype(np.float32)
    y, cache = F.conv2d_with_cache(x, w, None, stride=stride, padding=1, groups=C)
    assert cache.band is not None
    y1, cache1 = F.conv2d_with_cache(x[0], w, None, stride=stride, padding=1, groups=C)
    assert cache1.band is not None
    _close(y1, y[0])
    dx1 = F.conv2d_backward_from_cache(np.ones_like(y1), cache1)[0]
    assert dx1.shape == x[0].shape


def test_non_finite_inputs_spread_as_in_pytorch() -> None:
    """An inf in x reaches only the outputs whose windows hold it (the band path, which
    multiplies zeros by every input of a block, is not taken for such inputs)."""
    x = np.zeros((1, 4, 10, 10), dtype=np.float32)
    x[0, 2, 5, 5] = np.inf
    w = np.ones((4, 1, 3, 3), dtype=np.float32)
    y = F.conv2d(x, w, padding=1, groups=4)
    assert np.isinf(y[0, 2, 4:7, 4:7]).all()
    assert np.isfinite(np.delete(y.reshape(-1), np.flatnonzero(np.isinf(y)))).all()
    assert np.isinf(y).sum() == 9
