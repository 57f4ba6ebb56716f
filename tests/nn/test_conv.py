"""conv2d, true_conv2d, conv_transpose2d: by hand, numerical gradients, and against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn.functional as F
from tests.gradcheck import check_op_grad

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

# The lecture notes' 4x4 input [[a, b, c, d], [e, f, g, h], ...] with a..p = 1..16
X = np.arange(1, 17, dtype=np.float32).reshape(1, 1, 4, 4)
# and the 2x2 kernel [[k1, k2], [k3, k4]] = [[1, 2], [3, 4]]
K = np.array([[[[1, 2], [3, 4]]]], dtype=np.float32)


# ----------------------------------------------------------------------------- by hand


def test_lecture_example_stride_1() -> None:
    y = F.conv2d(X, K)
    # s1 = a*k1 + b*k2 + e*k3 + f*k4 = 1*1 + 2*2 + 5*3 + 6*4 = 44; one step right adds
    # k1+k2+k3+k4 = 10 (every pixel is one bigger), one step down adds 4*10 = 40.
    assert y[0, 0, 0, 0] == 1 * 1 + 2 * 2 + 5 * 3 + 6 * 4
    np.testing.assert_array_equal(y[0, 0], [[44, 54, 64],
                                            [84, 94, 104],
                                            [124, 134, 144]])
    assert y.dtype == np.float32


def test_lecture_example_stride_2() -> None:
    np.testing.assert_array_equal(F.conv2d(X, K, stride=2)[0, 0], [[44, 64],
                                                                   [124, 144]])


def test_lecture_example_padding_1() -> None:
    # the 6x6 zero-padded input; the border outputs see only part of the image, e.g.
    # top-left = k4*a = 4, top-right = k3*d = 12, bottom-left = k2*m = 26
    np.testing.assert_array_equal(F.conv2d(X, K, padding=1)[0, 0], [[4, 11, 18, 25, 12],
                                                                    [22, 44, 54, 64, 28],
                                                                    [46, 84, 94, 104, 44],
                                                                    [70, 124, 134, 144, 60],
                                                                    [26, 41, 44, 47, 16]])


def test_bias_and_channels_by_hand() -> None:
    x = np.concatenate([X, -X], axis=1)  # 2 channels
    w = np.concatenate([K, np.ones_like(K)], axis=1)  # (1, 2, 2, 2)
    y = F.conv2d(x, w, bias=np.array([0.5], np.float32))
    # channel 2 subtracts the window sum: s1 = 44 - (1 + 2 + 5 + 6) + 0.5
    assert y[0, 0, 0, 0] == 44 - 14 + 0.5


def test_true_convolution_flips_the_kernel() -> None:
    y = F.true_conv2d(X, K)
    # the kernel is rotated 180 degrees: [[4, 3], [2, 1]], so s1 = 4*1 + 3*2 + 2*5 + 1*6 = 26
    np.testing.assert_array_equal(y[0, 0], [[26, 36, 46],
                                            [66, 76, 86],
                                            [106, 116, 126]])
    np.testing.assert_array_equal(y, F.conv2d(X, K[:, :, ::-1, ::-1]))
    assert not np.array_equal(y, F.conv2d(X, K))
    sym = np.array([[[[1, 2], [2, 1]]]], np.float32)[:, :, :, ::-1]  # 180-symmetric
    np.testing.assert_array_equal(F.true_conv2d(X, sym), F.conv2d(X, sym))


def test_unbatched_input() -> None:
    y = F.conv2d(X[0], K, padding=1)
    assert y.shape == (1, 5, 5)
    np.testing.assert_array_equal(y, F.conv2d(X, K, padding=1)[0])
    dx, dw, db = F.conv2d_backward(np.ones_like(y), X[0], K, padding=1)
    assert dx.shape == (1, 4, 4) and dw.shape == K.shape and db.shape == (1,)


def test_padding_same_and_valid() -> None:
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((4, 3, 2, 3)).astype(np.float32)
    assert F.conv2d(x, w, padding="same").shape == (2, 4, 7, 6)
    # even kernel: the extra row goes to the bottom (top 0, bottom 1); width 3: 1 and 1
    manual = F.conv2d(F.pad(x, (1, 1, 0, 1)), w)
    np.testing.assert_allclose(F.conv2d(x, w, padding="same"), manual, atol=1e-5)
    np.testing.assert_array_equal(F.conv2d(x, w, padding="valid"), F.conv2d(x, w))


def test_padding_mode_is_pad_then_conv() -> None:
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 5)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((3, 2, 3, 3)).astype(np.float32)
    for mode in ("reflect", "replicate", "circular"):
        np.testing.assert_allclose(F.conv2d(x, w, padding=(1, 2), padding_mode=mode),
                                   F.conv2d(F.pad(x, (2, 2, 1, 1), mode), w), atol=1e-5)


def test_depthwise_equals_per_channel_convs() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((6, 1, 3, 3)).astype(np.float32)  # channel multiplier 2
    y = F.conv2d(x, w, padding=1, groups=3)
    for c in range(3):
        np.testing.assert_allclose(y[:, 2 * c:2 * c + 2],
                                   F.conv2d(x[:, c:c + 1], w[2 * c:2 * c + 2], padding=1),
                                   atol=1e-5)


def test_transposed_conv_by_hand() -> None:
    # each input pixel stamps value * kernel, 2 apart; here the stamps do not overlap
    x = np.array([[[[1, 2], [3, 4]]]], np.float32)
    w = np.ones((1, 1, 2, 2), np.float32)
    np.testing.assert_array_equal(F.conv_transpose2d(x, w, stride=2)[0, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    # stride 1: the stamps overlap and add up
    np.testing.assert_array_equal(F.conv_transpose2d(x, w)[0, 0],
                                  [[1, 3, 2], [4, 10, 6], [3, 7, 4]])


def test_transposed_conv_is_conv_of_zero_inserted_input() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    stretched = F.pad(F.zero_insert(x, 2), (2, 2, 2, 2))
    flipped = w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    np.testing.assert_allclose(F.conv_transpose2d(x, w, stride=2),
                               F.conv2d(stretched, flipped), atol=1e-5)


def test_transposed_conv_is_the_input_gradient_of_conv() -> None:
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    y = F.conv2d(x, w, stride=2, padding=1)  # 9x8 -> 5x5
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx = F.conv2d_backward(dy, x, w, stride=2, padding=1)[0]
    np.testing.assert_allclose(F.conv_transpose2d(dy, w, stride=2, padding=1), dx, atol=1e-5)
    # 10x9 inputs also give 5x5 outputs: output_padding picks the larger size back
    x2 = rng.standard_normal((2, 3, 10, 9)).astype(np.float32)
    dx2 = F.conv2d_backward(dy, x2, w, stride=2, padding=1)[0]
    np.testing.assert_allclose(F.conv_transpose2d(dy, w, stride=2, padding=1,
                                                  output_padding=1), dx2, atol=1e-5)


def test_one_by_one_conv_mixes_channels_per_pixel() -> None:
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 1, 1)).astype(np.float32)
    y = F.conv2d(x, w)
    np.testing.assert_allclose(y, np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x), atol=1e-5)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx, dw, _ = F.conv2d_backward(dy, x, w)
    np.testing.assert_allclose(dx, np.einsum("oc,nohw->nchw", w[:, :, 0, 0], dy), atol=1e-5)
    np.testing.assert_allclose(dw[:, :, 0, 0], np.einsum("nohw,nchw->oc", dy, x), atol=1e-4)


def test_with_cache_matches_backward() -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 6, 7)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    y, cache = F.conv2d_with_cache(x, w, b, 2, 1, 1, 2, "reflect")
    np.testing.assert_array_equal(y, F.conv2d(x, w, b, 2, 1, 1, 2, "reflect"))
    dy = rng.standard_normal(y.shape).astype(np.float32)
    for a, c in zip(F.conv2d_backward_from_cache(dy, cache),
                    F.conv2d_backward(dy, x, w, b, 2, 1, 1, 2, "reflect")):
        np.testing.assert_array_equal(a, c)
        assert a.dtype == np.float32


def test_dbias_is_returned_without_bias() -> None:
    dy = np.random.default_rng(7).standard_normal((1, 1, 3, 3)).astype(np.float32)
    _, _, db = F.conv2d_backward(dy, X, K)
    np.testing.assert_allclose(db, dy.sum((0, 2, 3)), rtol=1e-6)


def test_float32_throughout() -> None:
    x64 = np.random.default_rng(8).standard_normal((2, 2, 5, 5))
    w64 = np.random.default_rng(9).standard_normal((2, 1, 3, 3))
    for op in ("conv2d", "true_conv2d"):
        y = getattr(F, op)(x64, w64, groups=2, padding=1)
        assert y.dtype == np.float32
        grads = getattr(F, op + "_backward")(y.astype(np.float64), x64, w64, groups=2, padding=1)
        assert all(g.dtype == np.float32 for g in grads)
    yt = F.conv_transpose2d(x64, w64.reshape(2, 1, 3, 3), stride=2)
    assert yt.dtype == np.float32
    grads = F.conv_transpose2d_backward(yt, x64, w64.reshape(2, 1, 3, 3), stride=2)
    assert all(g.dtype == np.float32 for g in grads)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("xs", "ws", "kwargs", "match"), [
    ((1, 3, 5, 5), (2, 2, 3, 3), {}, r"expects the input to have 2 channels, but it has 3"),
    ((1, 4, 5, 5), (3, 2, 3, 3), {"groups": 2}, r"groups=2 must divide.*out_channels \(3\)"),
    ((1, 3, 5, 5), (3, 1, 3, 3), {"groups": 2}, r"groups=2 must divide.*in_channels \(3\)"),
    ((1, 1, 2, 2), (1, 1, 3, 3), {}, r"kernel 3x3.*larger than the padded input 2x2"),
    ((1, 1, 4, 4), (1, 1, 3, 3), {"dilation": 2}, r"spans 5x5.*padded input 4x4"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "same", "stride": 2}, r"'same'.*strided"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": "full"}, r"'same' or 'valid'"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding": -1}, r"padding must be >= 0"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"stride": 0}, r"stride must be >= 1"),
    ((1, 1, 5, 5), (1, 1, 3, 3), {"padding_mode": "mirror"}, r"padding_mode must be one of"),
    ((1, 1, 3, 3), (1, 1, 3, 3), {"padding": 3, "padding_mode": "reflect"},
     r"reflect padding must be less than the input size"),
    ((1, 5, 5), (1, 1, 3), {}, r"weight must be 4-D"),
    ((5, 5), (1, 1, 3, 3), {}, r"3-D \(C, H, W\) or 4-D"),
])
def test_conv2d_errors(xs: tuple, ws: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        F.conv2d(np.zeros(xs, np.float32), np.zeros(ws, np.float32), **kwargs)


def test_conv2d_bias_error() -> None:
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        F.conv2d(np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3)), bias=np.zeros(3))


@pytest.mark.parametrize(("xs", "ws", "kwargs", "match"), [
    ((1, 3, 4, 4), (2, 2, 3, 3), {}, r"expects the input to have 2 channels, but it has 3"),
    ((1, 3, 4, 4), (3, 2, 3, 3), {"groups": 2}, r"groups=2 must divide in_channels \(3\)"),
    ((1, 2, 4, 4), (2, 2, 3, 3), {"stride": 2, "output_padding": 2},
     r"output_padding \(2, 2\) must be smaller than either stride"),
    ((1, 2, 1, 1), (2, 2, 1, 1), {"padding": 1}, r"crops away"),
])
def test_conv_transpose2d_errors(xs: tuple, ws: tuple, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        F.conv_transpose2d(np.zeros(xs, np.float32), np.zeros(ws, np.float32), **kwargs)


# ----------------------------------------------------------------------------- gradients

GRAD_CASES = [
    dict(stride=1, padding=0),
    dict(stride=2, padding=1),
    dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(padding="same", dilation=2),
    dict(padding=1, groups=2),
    dict(padding=1, groups=4),  # depthwise (C_in = 4)
    dict(padding=2, padding_mode="reflect"),
    dict(padding=1, stride=2, padding_mode="replicate"),
    dict(padding=(2, 1), padding_mode="circular", groups=2),
]


@pytest.mark.parametrize("kwargs", GRAD_CASES, ids=str)
@pytest.mark.parametrize("op", ["conv2d", "true_conv2d"])
def test_numerical_gradients(op: str, kwargs: dict) -> None:
    fwd, bwd = getattr(F, op), getattr(F, op + "_backward")
    rng = np.random.default_rng(10)
    groups = kwargs.get("groups", 1)
    x = rng.standard_normal((2, 4, 5, 6)).astype(np.float32)
    w = rng.standard_normal((4, 4 // groups, 3, 2)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    check_op_grad(lambda a: fwd(a, w, b, **kwargs), x, lambda dy: bwd(dy, x, w, b, **kwargs)[0])
    check_op_grad(lambda a: fwd(x, a, b, **kwargs), w, lambda dy: bwd(dy, x, w, b, **kwargs)[1])
    check_op_grad(lambda a: fwd(x, w, a, **kwargs), b, lambda dy: bwd(dy, x, w, b, **kwargs)[2])


@pytest.mark.parametrize("kwargs", [
    dict(stride=2, padding=1, output_padding=1),
    dict(stride=(1, 2), padding=(0, 1), dilation=(2, 1), output_padding=(1, 0)),
    dict(stride=2, groups=2),
], ids=str)
def test_numerical_gradients_transposed(kwargs: dict) -> None:
    rng = np.random.default_rng(11)
    groups = kwargs.get("groups", 1)
    x = rng.standard_normal((2, 4, 3, 4)).astype(np.float32)
    w = rng.standard_normal((4, 6 // groups, 3, 2)).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    fwd, bwd = F.conv_transpose2d, F.conv_transpose2d_backward
    check_op_grad(lambda a: fwd(a, w, b, **kwargs), x, lambda dy: bwd(dy, x, w, b, **kwargs)[0])
    check_op_grad(lambda a: fwd(x, a, b, **kwargs), w, lambda dy: bwd(dy, x, w, b, **kwargs)[1])
    check_op_grad(lambda a: fwd(x, w, a, **kwargs), b, lambda dy: bwd(dy, x, w, b, **kwargs)[2])


# ----------------------------------------------------------------------------- torch


def _conv_configs(n: int = 48) -> list[dict]:
    """Random valid conv2d settings (seeded): every padding kind and mode, groups, depthwise."""
    rng = np.random.default_rng(12345)
    configs: list[dict] = []
    while len(configs) < n:
        i = len(configs)
        groups = int(rng.choice([1, 1, 2, 3]))
        c_in = groups * int(rng.integers(1, 3))
        if i % 6 == 5:  # depthwise, sometimes with a channel multiplier
            groups = c_in = int(rng.integers(2, 5))
        c_out = groups * int(rng.integers(1, 3))
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        hw = (int(rng.integers(4, 11)), int(rng.integers(4, 11)))
        kind = i % 4
        if kind == 0:
            padding: object = int(rng.integers(0, 3))
        elif kind == 1:
            padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        elif kind == 2:
            padding, stride = "same", (1, 1)
        else:
            padding = "valid"
        mode = ["zeros", "zeros", "reflect", "replicate", "circular"][i % 5]
        if padding == "same":  # total padding per axis, and its larger half
            totals = (dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1))
        elif padding == "valid":
            totals = (0, 0)
        else:
            half = (padding, padding) if isinstance(padding, int) else padding
            totals = (2 * half[0], 2 * half[1])
        if min(h + t - d * (kk - 1) - 1 for h, t, d, kk in zip(hw, totals, dilation, k)) < 0:
            continue
        if mode == "reflect" and max(t - t // 2 for t in totals) >= min(hw):
            continue
        n_batch = int(rng.integers(0, 4))  # 0: unbatched (C, H, W)
        configs.append(dict(n=n_batch, c_in=c_in, c_out=c_out, hw=hw, k=k, stride=stride,
                            padding=padding, dilation=dilation, groups=groups, mode=mode,
                            bias=bool(i % 3), seed=i))
    return configs


def _close(ours: np.ndarray, ref: np.ndarray) -> None:
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-4 * max(1.0, float(np.abs(ref).max())))


@pytest.mark.torch
@pytest.mark.parametrize("cfg", _conv_configs(), ids=lambda c: f"cfg{c['seed']}")
def test_conv2d_matches_torch(cfg: dict) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(cfg["seed"])
    shape = ((cfg["n"],) if cfg["n"] else ()) + (cfg["c_in"], *cfg["hw"])
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((cfg["c_out"], cfg["c_in"] // cfg["groups"], *cfg["k"])
                            ).astype(np.float32)
    b = rng.standard_normal(cfg["c_out"]).astype(np.float32) if cfg["bias"] else None
    args = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"],
                groups=cfg["groups"])
    y, cache = F.conv2d_with_cache(x, w, b, padding_mode=cfg["mode"], **args)

    m = torch.nn.Conv2d(cfg["c_in"], cfg["c_out"], cfg["k"], bias=cfg["bias"],
                        padding_mode=cfg["mode"], **args)
    with torch.no_grad():
        m.weight.copy_(torch.tensor(w))
        if b is not None:
            m.bias.copy_(torch.tensor(b))
    tx = torch.tensor(x, requires_grad=True)
    ty = m(tx)
    _close(y, ty.detach().numpy())
    dy = rng.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(dy))
    dx, dw, db = F.conv2d_backward_from_cache(dy, cache)
    _close(dx, tx.grad.numpy())
    _close(dw, m.weight.grad.numpy())
    _close(db, dy.sum(axis=(0, 2, 3)) if dy.ndim == 4 else dy.sum(axis=(1, 2)))
    if b is not None:
        _close(db, m.bias.grad.numpy())


@pytest.mark.torch
@pytest.mark.parametrize("cfg", _conv_configs(8), ids=lambda c: f"cfg{c['seed']}")
def test_true_conv2d_matches_torch_with_flipped_kernel(cfg: dict) -> None:
    torch = pytest.importorskip("torch")
    if cfg["mode"] != "zeros":
        cfg = {**cfg, "mode": "zeros"}
    rng = np.random.default_rng(cfg["seed"] + 100)
    x = rng.standard_normal((2, cfg["c_in"], *cfg["hw"])).astype(np.float32)
    w = rng.standard_normal((cfg["c_out"], cfg["c_in"] // cfg["groups"], *cfg["k"])
                            ).astype(np.float32)
    args = dict(stride=cfg["stride"], padding=cfg["padding"], dilation=cfg["dilation"],
                groups=cfg["groups"])
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    ty = torch.nn.functional.conv2d(tx, torch.flip(tw, (2, 3)), **args)
    y = F.true_conv2d(x, w, **args)
    _close(y, ty.detach().numpy())
    dy = rng.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(dy))
    dx, dw, _ = F.true_conv2d_backward(dy, x, w, **args)
    _close(dx, tx.grad.numpy())
    _close(dw, tw.grad.numpy())


def _transpose_configs(n: int = 32) -> list[dict]:
    rng = np.random.default_rng(777)
    configs: list[dict] = []
    while len(configs) < n:
        i = len(configs)
        groups = int(rng.choice([1, 1, 2, 3]))
        c_in = groups * int(rng.integers(1, 3))
        c_out_g = int(rng.integers(1, 4))
        k = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        hw = (int(rng.integers(1, 7)), int(rng.integers(1, 7)))
        out = [(h - 1) * s - 2 * p + d * (kk - 1) + op + 1 for h, s, p, d, kk, op in
               zip(hw, stride, padding, dilation, k, output_padding)]
        if min(out) < 1:
            continue
        configs.append(dict(n=int(rng.integers(0, 4)), c_in=c_in, c_out_g=c_out_g, hw=hw, k=k,
                            stride=stride, padding=padding, output_padding=output_padding,
                            dilation=dilation, groups=groups, bias=bool(i % 3), seed=i))
    return configs


@pytest.mark.torch
@pytest.mark.parametrize("cfg", _transpose_configs(), ids=lambda c: f"cfg{c['seed']}")
def test_conv_transpose2d_matches_torch(cfg: dict) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(cfg["seed"] + 1000)
    shape = ((cfg["n"],) if cfg["n"] else ()) + (cfg["c_in"], *cfg["hw"])
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((cfg["c_in"], cfg["c_out_g"], *cfg["k"])).astype(np.float32)
    c_out = cfg["c_out_g"] * cfg["groups"]
    b = rng.standard_normal(c_out).astype(np.float32) if cfg["bias"] else None
    args = dict(stride=cfg["stride"], padding=cfg["padding"],
                output_padding=cfg["output_padding"], groups=cfg["groups"],
                dilation=cfg["dilation"])
    y, cache = F.conv_transpose2d_with_cache(x, w, b, **args)
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True) if b is not None else None
    ty = torch.nn.functional.conv_transpose2d(tx, tw, tb, **args)
    _close(y, ty.detach().numpy())
    dy = rng.standard_normal(y.shape).astype(np.float32)
    ty.backward(torch.tensor(dy))
    dx, dw, db = F.conv_transpose2d_backward_from_cache(dy, cache)
    _close(dx, tx.grad.numpy())
    _close(dw, tw.grad.numpy())
    if tb is not None:
        _close(db, tb.grad.numpy())
