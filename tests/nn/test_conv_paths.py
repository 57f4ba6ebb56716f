"""The stride-1 flat-layout conv path agrees with the column path and with PyTorch.

conv2d picks between two implementations (``_conv._flat_pays``); both must give the same
numbers on any shape, so each random case runs through both, forced, and through torch. The
cases include borders the flat grid shares between rows (padding up to the kernel's span,
``_conv._flat_block_pads``), asymmetric ones ("same" with an even kernel) and wider ones.
"""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.nn import _conv


def _cases(n: int = 40) -> list[dict]:
    rng = np.random.default_rng(12)
    out = []
    for i in range(n):
        groups = int(rng.choice([1, 1, 2])) if i % 4 else int(rng.integers(2, 5))
        depthwise = i % 4 == 0
        c_in = groups * (1 if depthwise else int(rng.integers(1, 4)))
        c_out = groups * (int(rng.integers(1, 3)) if depthwise else int(rng.integers(1, 4)))
        kh, kw = int(rng.integers(1, 6)), int(rng.integers(1, 6))
        dh, dw = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        out.append(dict(
            x_shape=(int(rng.integers(1, 4)), c_in, int(rng.integers(dh * (kh - 1) + 2, 14)),
                     int(rng.integers(dw * (kw - 1) + 2, 14))),
            w_shape=(c_out, c_in // groups, kh, kw), groups=groups,
            # "same" with an even kernel pads one more at the bottom / right (asymmetric)
            padding="same" if i % 5 == 2 else (int(rng.integers(0, kh)),
                                               int(rng.integers(0, kw))),
            dilation=(dh, dw),
            padding_mode=str(rng.choice(["zeros", "zeros", "reflect", "circular"])),
            bias=bool(i % 3), seed=i))
    return out


def _run(case: dict, flat: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[np.ndarray, ...]:
    monkeypatch.setattr(_conv, "_flat_pays", lambda *a: flat)
    rng = np.random.default_rng(case["seed"])
    x = rng.standard_normal(case["x_shape"]).astype(np.float32)
    w = rng.standard_normal(case["w_shape"]).astype(np.float32)
    b = rng.standard_normal(case["w_shape"][0]).astype(np.float32) if case["bias"] else None
    kw = dict(padding=case["padding"], dilation=case["dilation"], groups=case["groups"],
              padding_mode=case["padding_mode"])
    y, cache = F.conv2d_with_cache(x, w, b, **kw)
    assert (cache.flat is not None) == flat
    dy = rng.standard_normal(y.shape).astype(np.float32)
    return (x, w, b, dy, y, *F.conv2d_backward_from_cache(dy, cache))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"seed{c['seed']}")
def test_flat_path_equals_column_path(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    flat = _run(case, True, monkeypatch)[4:]
    cols = _run(case, False, monkeypatch)[4:]
    for a, b in zip(flat, cols):
        assert a.shape == b.shape and a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(b).max())))


@pytest.mark.torch
@pytest.mark.parametrize("case", _cases()[:12], ids=lambda c: f"seed{c['seed']}")
def test_flat_path_matches_torch(case: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    torch = pytest.importorskip("torch")
    x, w, b, dy, y, dx, dw, db = _run(case, True, monkeypatch)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    conv = torch.nn.Conv2d(x.shape[1], w.shape[0], w.shape[2:], padding=case["padding"],
                           dilation=case["dilation"], groups=case["groups"],
                           bias=False, padding_mode=case["padding_mode"])
    ty = conv._conv_forward(tx, tw, None if b is None else torch.tensor(b))
    ty.backward(torch.tensor(dy))
    for ours, ref in ((y, ty.detach().numpy()), (dx, tx.grad.numpy()), (dw, tw.grad.numpy()),
                      (db, dy.sum((0, 2, 3)))):
        np.testing.assert_allclose(ours, ref, rtol=1e-4,
                                   atol=1e-4 * max(1.0, float(np.abs(ref).max())))


@pytest.mark.parametrize("case", _cases()[:20], ids=lambda c: f"seed{c['seed']}")
@pytest.mark.parametrize("flat", [True, False], ids=["flat", "columns"])
def test_param_grads_without_dx_equal_full_backward(case: dict, flat: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A first layer's backward (no dL/dinput) gives exactly the full backward's dW, db."""
    x, w, b, dy, y, dx, dw, db = _run(case, flat, monkeypatch)
    kw = dict(padding=case["padding"], dilation=case["dilation"], groups=case["groups"],
              padding_mode=case["padding_mode"])
    _, cache = F.conv2d_with_cache(x, w, b, **kw)
    dw2, db2 = F.conv2d_param_grads_from_cache(dy, cache)
    np.testing.assert_array_equal(dw2, dw)
    np.testing.assert_array_equal(db2, db)


def test_sequential_backward_params_matches_backward() -> None:
    """A training step's backward (no image gradient) leaves the same parameter gradients."""
    from cnnviz import nn

    x = np.random.default_rng(0).standard_normal((5, 1, 8, 8)).astype(np.float32)
    dy = np.ones((5, 3), dtype=np.float32)
    grads = []
    for params_only in (False, True):
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 2, 3),
                              nn.Flatten(), nn.Linear(2 * 6 * 6, 3))
        for i, p in enumerate(model.parameters()):
            p.data[...] = np.random.default_rng(i).standard_normal(p.data.shape) * 0.3
        model(x)
        if params_only:
            model.backward_params(dy)
        else:
            model.backward(dy)
        grads.append([p.grad.copy() for p in model.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(a, b)
