"""Modules: numerical gradients, accumulation, default init, and torch.nn with copied weights."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

import cnnviz.nn as nn
from tests.gradcheck import assert_grad_close, numerical_grad

# ---------------------------------------------------------------------------- helpers


def _away_from_kinks(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values with |x| >= 0.1 so a finite-difference step never crosses ReLU's kink."""
    x = rng.standard_normal(shape)
    return (np.sign(x) * (0.1 + np.abs(x))).astype(np.float32)


def _distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """A shuffled ramp: window maxima differ by >= 0.05, so max pooling has no near-ties."""
    n = math.prod(shape)
    return (rng.permutation(n).reshape(shape) * 0.05 - n * 0.025).astype(np.float32)


def check_module_grads(module: nn.Module, x: np.ndarray, seed: int = 0, eps: float = 1e-2,
                       before_forward: Callable[[], None] | None = None) -> None:
    """dx and every parameter's grad against central differences of sum(module(x) * dy)."""
    rng = np.random.default_rng(seed)
    x = x.astype(np.float32).copy()

    def run() -> np.ndarray:
        if before_forward is not None:
            before_forward()
        return module(x)

    y = run()
    dy = rng.standard_normal(y.shape).astype(np.float32)
    module.zero_grad()
    dx = module.backward(dy)
    assert dx.shape == x.shape and dx.dtype == np.float32
    grads = {name: p.grad.copy() for name, p in module.named_parameters()}

    def f() -> float:
        return float((run().astype(np.float64) * dy).sum())

    assert_grad_close(dx, numerical_grad(f, x, eps))
    for name, p in module.named_parameters():
        num = numerical_grad(f, p.data, eps)
        try:
            assert_grad_close(grads[name], num)
        except AssertionError as e:  # name the parameter
            raise AssertionError(f"{name}: {e}") from None


# ---------------------------------------------------------------------------- gradients

GRAD_CASES: list[tuple[str, Callable[[], nn.Module], tuple[int, ...], str]] = [
    ("conv", lambda: nn.Conv2d(2, 3, 3, padding=1), (2, 2, 5, 5), "normal"),
    ("conv_strided_dilated_grouped", lambda: nn.Conv2d(4, 2, (3, 2), stride=2, padding=(1, 0),
                                                        dilation=(1, 2), groups=2),
     (2, 4, 6, 6), "normal"),
    ("conv_reflect_nobias", lambda: nn.Conv2d(2, 2, 3, padding=1, bias=False,
                                              padding_mode="reflect"), (1, 2, 4, 5), "normal"),
    ("conv_transpose", lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                                                  output_padding=1), (2, 2, 3, 3), "normal"),
    ("linear", lambda: nn.Linear(6, 4), (3, 6), "normal"),
    ("maxpool", lambda: nn.MaxPool2d(2), (2, 2, 4, 4), "distinct"),
    ("maxpool_overlap", lambda: nn.MaxPool2d(3, 2, padding=1), (1, 2, 5, 5), "distinct"),
    ("avgpool", lambda: nn.AvgPool2d(3, 2, padding=1), (2, 2, 5, 5), "normal"),
    ("adaptive_avg", lambda: nn.AdaptiveAvgPool2d((2, 3)), (2, 2, 5, 7), "normal"),
    ("global_avg", lambda: nn.GlobalAvgPool2d(), (2, 3, 4, 4), "normal"),
    ("upsample_nearest", lambda: nn.Upsample(scale_factor=2, mode="nearest"), (1, 2, 3, 3),
     "normal"),
    ("upsample_bilinear", lambda: nn.Upsample(scale_factor=2, mode="bilinear"), (1, 2, 3, 3),
     "normal"),
    ("flatten", lambda: nn.Flatten(), (2, 2, 3, 3), "normal"),
    ("identity", lambda: nn.Identity(), (2, 3), "normal"),
    ("relu", lambda: nn.ReLU(), (2, 3, 4), "kinks"),
    ("leaky_relu", lambda: nn.LeakyReLU(0.2), (2, 3, 4), "kinks"),
    ("sigmoid", lambda: nn.Sigmoid(), (2, 3, 4), "normal"),
    ("tanh", lambda: nn.Tanh(), (2, 3, 4), "normal"),
    ("batchnorm2d_train", lambda: nn.BatchNorm2d(3), (3, 3, 2, 2), "normal"),
    ("batchnorm1d_train", lambda: nn.BatchNorm1d(4), (5, 4), "normal"),
    ("batchnorm2d_eval", lambda: _with_stats(nn.BatchNorm2d(3)).eval(), (2, 3, 2, 2), "normal"),
    ("lrn", lambda: nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0), (2, 5, 2, 2),
     "normal"),
    ("residual_identity", lambda: nn.ResidualBlock(2, 2), (2, 2, 4, 4), "normal"),
    ("residual_projection", lambda: nn.ResidualBlock(2, 3, stride=2), (2, 2, 4, 4), "normal"),
    ("depthwise_separable", lambda: nn.DepthwiseSeparableConv2d(2, 3), (2, 2, 4, 4), "normal"),
    ("factorised", lambda: nn.FactorisedConv2d(2, 2, 3, padding=1), (1, 2, 4, 4), "normal"),
    ("sequential", lambda: nn.Sequential(nn.Conv2d(1, 2, 3), nn.Tanh(), nn.AvgPool2d(2),
                                         nn.Flatten(), nn.Linear(8, 3)), (2, 1, 6, 6),
     "normal"),
]


def _with_stats(bn: nn.Module) -> nn.Module:
    rng = np.random.default_rng(5)
    bn.running_mean[...] = rng.standard_normal(bn.num_features)
    bn.running_var[...] = rng.uniform(0.5, 2.0, bn.num_features)
    bn.weight.data[...] = rng.uniform(0.5, 1.5, bn.num_features)
    bn.bias.data[...] = rng.standard_normal(bn.num_features)
    return bn


@pytest.mark.parametrize("factory,shape,kind", [c[1:] for c in GRAD_CASES],
                         ids=[c[0] for c in GRAD_CASES])
def test_numerical_gradients(factory: Callable[[], nn.Module], shape: tuple[int, ...],
                             kind: str) -> None:
    nn.manual_seed(0)
    module = factory()
    rng = np.random.default_rng(1)
    if kind == "kinks":
        x = _away_from_kinks(rng, shape)
    elif kind == "distinct":
        x = _distinct(rng, shape)
    else:
        x = rng.standard_normal(shape).astype(np.float32)
    # composite blocks contain ReLUs: a smaller step makes crossing a kink unlikely
    eps = 3e-4 if isinstance(module, nn.ResidualBlock) else 1e-2
    check_module_grads(module, x, eps=eps)


def test_dropout_gradient_with_fixed_mask() -> None:
    drop = nn.Dropout(0.4)
    x = np.random.default_rng(2).standard_normal((3, 7)).astype(np.float32)
    check_module_grads(drop, x, before_forward=lambda: nn.manual_seed(11))
    nn.manual_seed(11)
    y = drop(x)
    kept = y != 0
    assert 0 < kept.sum() < x.size
    np.testing.assert_allclose(y[kept], x[kept] / 0.6, rtol=1e-6)
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), kept / np.float32(0.6))


def test_dropout_is_seeded_and_identity_in_eval() -> None:
    x = np.ones((4, 50), dtype=np.float32)
    drop = nn.Dropout(0.5)
    nn.manual_seed(3)
    a = drop(x)
    nn.manual_seed(3)
    b = drop(x)
    np.testing.assert_array_equal(a, b)
    assert 0.3 < (a == 0).mean() < 0.7
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    np.testing.assert_array_equal(drop.backward(x), x)


@pytest.mark.parametrize("factory,shape", [
    (lambda: nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    (lambda: nn.Linear(4, 3), (2, 4)),
    (lambda: nn.BatchNorm2d(2), (3, 2, 2, 2)),
    (lambda: nn.ResidualBlock(2, 3, stride=2), (2, 2, 4, 4)),
])
def test_grads_accumulate_across_backward_calls(factory, shape) -> None:
    m = factory()
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    y = m(x)
    dy = np.random.default_rng(1).standard_normal(y.shape).astype(np.float32)
    m.zero_grad()
    dx1 = m.backward(dy)
    first = {n: p.grad.copy() for n, p in m.named_parameters()}
    dx2 = m.backward(dy)
    np.testing.assert_allclose(dx1, dx2, rtol=1e-6)
    for n, p in m.named_parameters():
        np.testing.assert_allclose(p.grad, 2 * first[n], rtol=1e-5, atol=1e-7, err_msg=n)
    m.zero_grad()
    assert all(not p.grad.any() for p in m.parameters())


def test_backward_before_forward_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match="before forward"):
        nn.Conv2d(1, 1, 3).backward(np.zeros((1, 1, 1, 1), np.float32))


# ---------------------------------------------------------------------------- initialisation

@pytest.mark.parametrize("factory,fan_in", [
    (lambda: nn.Conv2d(3, 64, 5), 3 * 25),
    (lambda: nn.Conv2d(8, 64, 3, groups=4), 2 * 9),
    (lambda: nn.ConvTranspose2d(64, 6, 3), 6 * 9),
    (lambda: nn.Linear(50, 200), 50),
])
def test_default_init_bounds(factory, fan_in: int) -> None:
    nn.manual_seed(0)
    m = factory()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) = U(±1/sqrt(fan_in))
    w, b = m.weight.data, m.bias.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound / math.sqrt(3)
    assert abs(w.mean()) < 0.1 * bound
    assert np.abs(b).max() <= bound
    assert w.dtype == np.float32 and b.dtype == np.float32


@pytest.mark.torch
@pytest.mark.parametrize("name,args", [("Conv2d", (3, 64, 5)), ("ConvTranspose2d", (64, 6, 3)),
                                       ("Linear", (50, 200)), ("Conv2d", (8, 64, 3))])
def test_default_init_matches_torch_distribution(name: str, args: tuple) -> None:
    """Weights and biases are U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch's defaults.

    (kaiming_uniform_ with a=sqrt(5) gives exactly that bound for the weights.) The bound is
    torch's own fan-in; spread is compared with torch's draw where there are enough values.
    """
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    t = getattr(torch.nn, name)(*args)
    m = getattr(nn, name)(*args)
    fan_in, _ = torch.nn.init._calculate_fan_in_and_fan_out(t.weight)
    bound = 1.0 / np.sqrt(fan_in)
    for ours, theirs in ((m.weight.data, t.weight), (m.bias.data, t.bias)):
        theirs = theirs.detach().numpy()
        assert ours.shape == theirs.shape
        assert np.abs(theirs).max() <= bound * (1 + 1e-6)  # the formula is torch's
        assert np.abs(ours).max() <= bound * (1 + 1e-6)
        if ours.size >= 1000:
            assert np.abs(ours).max() >= 0.99 * bound
            assert abs(ours.std() / theirs.std() - 1) < 0.1
            assert abs(float(ours.mean())) < 0.05 * bound


def test_construction_is_deterministic_under_seed() -> None:
    nn.manual_seed(42)
    a = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4, 2))
    nn.manual_seed(42)
    b = nn.Sequential(nn.Conv2d(1, 4, 3), nn.Linear(4, 2))
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va, vb)
    nn.manual_seed(43)
    c = nn.Conv2d(1, 4, 3)
    assert not np.array_equal(c.weight.data, a[0].weight.data)


def test_batchnorm_defaults() -> None:
    bn = nn.BatchNorm2d(3)
    np.testing.assert_array_equal(bn.weight.data, 1)
    np.testing.assert_array_equal(bn.bias.data, 0)
    assert list(bn.state_dict()) == ["weight", "bias", "running_mean", "running_var",
                                     "num_batches_tracked"]
    assert bn.state_dict()["num_batches_tracked"].dtype == np.int64


# ---------------------------------------------------------------------------- module API


def test_module_traversal_and_modes() -> None:
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(),
                        nn.ResidualBlock(2, 4, stride=2), nn.Dropout(0.1))
    assert len(net) == 5 and isinstance(net[1], nn.BatchNorm2d) and net[-1] is net[4]
    assert [type(m).__name__ for m in net] == ["Conv2d", "BatchNorm2d", "ReLU",
                                               "ResidualBlock", "Dropout"]
    assert isinstance(net[1:3], nn.Sequential) and len(net[1:3]) == 2
    names = [n for n, _ in net.named_modules()]
    assert names[:3] == ["", "0", "1"] and "3.shortcut.0" in names
    assert len(list(net.children())) == 5
    pnames = [n for n, _ in net.named_parameters()]
    assert pnames[:4] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert "3.conv1.weight" in pnames and "3.shortcut.1.bias" in pnames
    assert all(m.training for m in net.modules())
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    assert net.num_parameters() == sum(p.size for p in net.parameters())
    with pytest.raises(IndexError):
        net[5]


def test_forward_hook_sees_feature_maps() -> None:
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    seen = []
    h = net[0].register_forward_hook(lambda m, inp, out: seen.append(out.shape))
    net(np.zeros((1, 1, 5, 5), np.float32))
    h.remove()
    net(np.zeros((1, 1, 5, 5), np.float32))
    assert seen == [(1, 2, 3, 3)]


def test_bias_none_and_parameter_reassignment() -> None:
    conv = nn.Conv2d(1, 2, 3, bias=False)
    assert conv.bias is None
    assert [n for n, _ in conv.named_parameters()] == ["weight"]
    conv.weight = nn.Parameter(np.ones((2, 1, 3, 3)))
    assert conv.state_dict()["weight"].sum() == 18


def test_losses() -> None:
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 5)).astype(np.float32)
    labels = np.array([0, 4, 2, 2])
    ce = nn.CrossEntropyLoss()
    loss = ce(logits, labels)
    assert isinstance(loss, float)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    assert loss == pytest.approx(-np.log(p[np.arange(4), labels]).mean(), rel=1e-5)
    d = ce.backward()
    onehot = np.eye(5)[labels]
    np.testing.assert_allclose(d, (p - onehot) / 4, rtol=1e-5, atol=1e-7)
    mse = nn.MSELoss()
    t = rng.standard_normal((4, 5)).astype(np.float32)
    assert mse(logits, t) == pytest.approx(((logits - t) ** 2).mean(), rel=1e-5)
    np.testing.assert_allclose(mse.backward(), 2 * (logits - t) / 20, rtol=1e-5)
    assert nn.MSELoss("sum")(logits, t) == pytest.approx(((logits - t) ** 2).sum(), rel=1e-5)


# ---------------------------------------------------------------------------- against torch


def _torch_blocks(torch):
    tnn = torch.nn

    class TResidual(tnn.Module):
        def __init__(self, cin: int, cout: int, stride: int = 1) -> None:
            super().__init__()
            self.conv1 = tnn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = tnn.BatchNorm2d(cout)
            self.relu1 = tnn.ReLU()
            self.conv2 = tnn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = tnn.BatchNorm2d(cout)
            self.shortcut = (tnn.Sequential(tnn.Conv2d(cin, cout, 1, stride, bias=False),
                                            tnn.BatchNorm2d(cout))
                             if stride != 1 or cin != cout else tnn.Identity())
            self.relu = tnn.ReLU()

        def forward(self, x):
            main = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
            return self.relu(main + self.shortcut(x))

    class TSeparable(tnn.Module):
        def __init__(self, cin: int, cout: int) -> None:
            super().__init__()
            self.depthwise = tnn.Conv2d(cin, cin, 3, 1, 1, groups=cin)
            self.pointwise = tnn.Conv2d(cin, cout, 1)

        def forward(self, x):
            return self.pointwise(self.depthwise(x))

    class TFactorised(tnn.Module):
        def __init__(self, cin: int, cout: int, k: int, padding: int) -> None:
            super().__init__()
            self.vertical = tnn.Conv2d(cin, cout, (k, 1), padding=(padding, 0))
            self.horizontal = tnn.Conv2d(cout, cout, (1, k), padding=(0, padding))

        def forward(self, x):
            return self.horizontal(self.vertical(x))

    return TResidual, TSeparable, TFactorised


def _pairs(torch):
    tnn = torch.nn
    TResidual, TSeparable, TFactorised = _torch_blocks(torch)
    return {
        "conv": (lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1),
                 lambda: tnn.Conv2d(3, 4, 3, stride=2, padding=1), (2, 3, 7, 7)),
        "conv_grouped_dilated_circular": (
            lambda: nn.Conv2d(4, 6, (3, 2), padding=(2, 1), dilation=2, groups=2,
                              padding_mode="circular"),
            lambda: tnn.Conv2d(4, 6, (3, 2), padding=(2, 1), dilation=2, groups=2,
                               padding_mode="circular"), (2, 4, 6, 7)),
        "conv_same": (lambda: nn.Conv2d(2, 3, 4, padding="same", bias=False),
                      lambda: tnn.Conv2d(2, 3, 4, padding="same", bias=False), (1, 2, 6, 6)),
        "conv_transpose": (lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                      output_padding=1, groups=2),
                           lambda: tnn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                       output_padding=1, groups=2),
                           (2, 4, 4, 5)),
        "linear": (lambda: nn.Linear(7, 5), lambda: tnn.Linear(7, 5), (3, 7)),
        "maxpool": (lambda: nn.MaxPool2d(3, 2, 1), lambda: tnn.MaxPool2d(3, 2, 1),
                    (2, 3, 7, 7)),
        "avgpool": (lambda: nn.AvgPool2d(3, 2, 1), lambda: tnn.AvgPool2d(3, 2, 1),
                    (2, 3, 7, 7)),
        "adaptive_avg": (lambda: nn.AdaptiveAvgPool2d((3, 2)),
                         lambda: tnn.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5)),
        "global_avg": (lambda: nn.GlobalAvgPool2d(), lambda: tnn.AdaptiveAvgPool2d(1),
                       (2, 3, 5, 5)),
        "upsample_nearest": (lambda: nn.Upsample(scale_factor=2),
                             lambda: tnn.Upsample(scale_factor=2), (2, 3, 3, 4)),
        "upsample_bilinear": (lambda: nn.Upsample(scale_factor=2, mode="bilinear"),
                              lambda: tnn.Upsample(scale_factor=2, mode="bilinear"),
                              (2, 3, 3, 4)),
        "flatten": (lambda: nn.Flatten(), lambda: tnn.Flatten(), (2, 3, 2, 2)),
        "relu": (lambda: nn.ReLU(), lambda: tnn.ReLU(), (2, 3, 4, 4)),
        "leaky_relu": (lambda: nn.LeakyReLU(0.1), lambda: tnn.LeakyReLU(0.1), (2, 3, 4, 4)),
        "sigmoid": (lambda: nn.Sigmoid(), lambda: tnn.Sigmoid(), (2, 3, 4, 4)),
        "tanh": (lambda: nn.Tanh(), lambda: tnn.Tanh(), (2, 3, 4, 4)),
        "identity": (lambda: nn.Identity(), lambda: tnn.Identity(), (2, 3)),
        "dropout_eval": (lambda: nn.Dropout(0.5).eval(), lambda: tnn.Dropout(0.5).eval(),
                         (2, 6)),
        "dropout_p0": (lambda: nn.Dropout(0.0), lambda: tnn.Dropout(0.0), (2, 6)),
        "batchnorm2d": (lambda: nn.BatchNorm2d(3), lambda: tnn.BatchNorm2d(3), (4, 3, 3, 3)),
        "batchnorm2d_momentum_none": (lambda: nn.BatchNorm2d(3, momentum=None),
                                      lambda: tnn.BatchNorm2d(3, momentum=None), (4, 3, 3, 3)),
        "batchnorm1d": (lambda: nn.BatchNorm1d(5), lambda: tnn.BatchNorm1d(5), (6, 5)),
        "batchnorm1d_3d": (lambda: nn.BatchNorm1d(3), lambda: tnn.BatchNorm1d(3), (4, 3, 5)),
        "lrn": (lambda: nn.LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=2.0),
                lambda: tnn.LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=2.0), (2, 7, 3, 3)),
        "residual": (lambda: nn.ResidualBlock(3, 3), lambda: TResidual(3, 3), (2, 3, 6, 6)),
        "residual_down": (lambda: nn.ResidualBlock(3, 5, 2), lambda: TResidual(3, 5, 2),
                          (2, 3, 6, 6)),
        "separable": (lambda: nn.DepthwiseSeparableConv2d(3, 5), lambda: TSeparable(3, 5),
                      (2, 3, 6, 6)),
        "factorised": (lambda: nn.FactorisedConv2d(3, 4, 3, padding=1),
                       lambda: TFactorised(3, 4, 3, 1), (2, 3, 6, 6)),
    }


TORCH_CASES = [
    "conv", "conv_grouped_dilated_circular", "conv_same", "conv_transpose", "linear",
    "maxpool", "avgpool", "adaptive_avg", "global_avg", "upsample_nearest",
    "upsample_bilinear", "flatten", "relu", "leaky_relu", "sigmoid", "tanh", "identity",
    "dropout_eval", "dropout_p0", "batchnorm2d", "batchnorm2d_momentum_none", "batchnorm1d",
    "batchnorm1d_3d", "lrn", "residual", "residual_down", "separable", "factorised",
]


def _copy_into_torch(ours: nn.Module, theirs, torch) -> None:
    sd = {k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()}
    theirs.load_state_dict(sd, strict=True)  # also checks key names and shapes


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", TORCH_CASES)
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_against_torch(case: str, mode: str) -> None:
    torch = pytest.importorskip("torch")
    make_ours, make_theirs, shape = _pairs(torch)[case]
    nn.manual_seed(0)
    ours, theirs = make_ours(), make_theirs()
    if mode == "eval" or not ours.training:
        ours.eval()
        theirs.eval()
    rng = np.random.default_rng(3)
    for m in ours.modules():  # non-trivial BN statistics and affine parameters
        if isinstance(m, (nn.BatchNorm2d, nn.BatchNorm1d)):
            _with_stats(m)
    _copy_into_torch(ours, theirs, torch)
    assert [k for k in ours.state_dict()] == list(theirs.state_dict())
    x = rng.standard_normal(shape).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    y = ours(x)
    ty = theirs(tx)
    assert y.shape == tuple(ty.shape) and y.dtype == np.float32
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    ours.zero_grad()
    dx = ours.backward(dy)
    ty.backward(torch.tensor(dy))
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), rtol=1e-4, atol=1e-4,
                                   err_msg=name)
    tstate = theirs.state_dict()
    for k, v in ours.state_dict().items():  # running statistics after the step
        np.testing.assert_allclose(v, tstate[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.torch
def test_cross_entropy_and_mse_against_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 10)).astype(np.float32)
    labels = rng.integers(0, 10, 6)
    for reduction in ("mean", "sum"):
        ce = nn.CrossEntropyLoss(reduction)
        tl = torch.tensor(logits, requires_grad=True)
        tloss = torch.nn.CrossEntropyLoss(reduction=reduction)(tl, torch.tensor(labels))
        tloss.backward()
        assert ce(logits, labels) == pytest.approx(tloss.item(), rel=1e-5)
        np.testing.assert_allclose(ce.backward(), tl.grad.numpy(), rtol=1e-5, atol=1e-7)
    target = rng.standard_normal((6, 10)).astype(np.float32)
    tl = torch.tensor(logits, requires_grad=True)
    tloss = torch.nn.MSELoss()(tl, torch.tensor(target))
    tloss.backward()
    mse = nn.MSELoss()
    assert mse(logits, target) == pytest.approx(tloss.item(), rel=1e-5)
    np.testing.assert_allclose(mse.backward(), tl.grad.numpy(), rtol=1e-5, atol=1e-7)


@pytest.mark.torch
def test_repr_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    ours = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 6, 3, stride=2, dilation=2, groups=3,
                                                 bias=False, padding_mode="reflect"),
        nn.ConvTranspose2d(6, 4, 2, stride=2, output_padding=1),
        nn.BatchNorm2d(4), nn.ReLU(), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh(),
        nn.MaxPool2d(2), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.LocalResponseNorm(5),
        nn.Upsample(scale_factor=2), nn.Dropout(0.25), nn.Flatten(), nn.Linear(4, 10),
        nn.BatchNorm1d(10), nn.Identity(), nn.Sequential(nn.ReLU()))
    theirs = tnn.Sequential(
        tnn.Conv2d(1, 6, 5, padding=2), tnn.Conv2d(6, 6, 3, stride=2, dilation=2, groups=3,
                                                   bias=False, padding_mode="reflect"),
        tnn.ConvTranspose2d(6, 4, 2, stride=2, output_padding=1),
        tnn.BatchNorm2d(4), tnn.ReLU(), tnn.LeakyReLU(0.2), tnn.Sigmoid(), tnn.Tanh(),
        tnn.MaxPool2d(2), tnn.AvgPool2d(2), tnn.AdaptiveAvgPool2d(1), tnn.LocalResponseNorm(5),
        tnn.Upsample(scale_factor=2), tnn.Dropout(0.25), tnn.Flatten(), tnn.Linear(4, 10),
        tnn.BatchNorm1d(10), tnn.Identity(), tnn.Sequential(tnn.ReLU()))
    assert repr(ours) == repr(theirs)
