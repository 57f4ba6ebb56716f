"""Pooling's tiling fast paths agree with the general per-offset path and with PyTorch.

Average pooling with windows that tile the input (kernel == stride, no padding) sums rows of
kw neighbours, then kh of those rows (``_pool._tile_sums``) and spreads the gradient back row
by row (``_pool._spread_tiles``); each random case (rectangular windows, inputs the windows do
not fill, a divisor override, unbatched input) runs through it and through the general path.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.nn import _pool


def _cases(n: int = 16) -> list[dict]:
    rng = np.random.default_rng(3)
    out = []
    for i in range(n):
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)),
                 int(rng.integers(kh, 12)), int(rng.integers(kw, 12)))
        out.append(dict(shape=shape[1:] if i % 5 == 4 else shape, kernel=(kh, kw),
                        divisor=3 if i % 6 == 5 else None, seed=i))
    return out


def _run(case: dict, simple: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[np.ndarray, ...]:
    if not simple:
        monkeypatch.setattr(_pool._Geometry, "simple", property(lambda self: False))
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["shape"]).astype(np.float32)
    y, cache = _pool.avg_pool2d_with_cache(x, case["kernel"],
                                           divisor_override=case["divisor"])
    dy = rng.standard_normal(y.shape).astype(np.float32)
    return x, dy, y, _pool.avg_pool2d_backward_from_cache(dy, cache)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"seed{c['seed']}")
def test_avg_pool_tiling_path_equals_general_path(case: dict,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _run(case, True, monkeypatch)
    general = _run(case, False, monkeypatch)
    for a, b in zip(fast[2:], general[2:]):
        assert a.shape == b.shape and a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("case", _cases()[:8], ids=lambda c: f"seed{c['seed']}")
def test_avg_pool_tiling_path_matches_torch(case: dict,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    x, dy, y, dx = _run(case, True, monkeypatch)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.avg_pool2d(tx, case["kernel"], divisor_override=case["divisor"])
    ty.backward(torch.tensor(dy))
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-6, atol=1e-6)
