"""Named models: build, forward/backward, parameter counts and outputs against torch twins."""

from __future__ import annotations

import numpy as np
import pytest

import cnnviz.nn as nn
from cnnviz import optim
from cnnviz.models import (
    MNIST_MEAN,
    MNIST_STD,
    MODEL_INFO,
    MODEL_NAMES,
    build_model,
    model_description,
)
from cnnviz.summary import LayerRow, count_parameters, summarize, total_multiply_adds

EXPECTED_PARAMS = {
    # conv 30@5x5 + bias, fc 4320->100, fc 100->10 (the lecture notes' network)
    "simple_convnet": 30 * 25 + 30 + 4320 * 100 + 100 + 100 * 10 + 10,
    # 6@5x5, 16@6x5x5, 400->120->84->10
    "lenet5": 156 + 2416 + 48120 + 10164 + 850,
    "lenet5_classic": 156 + 2416 + 48120 + 10164 + 850,
}

EXPECTED_MACS = {
    "simple_convnet": 24 * 24 * 30 * 25 + 4320 * 100 + 100 * 10,
    "lenet5": 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10,
}


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_builds_runs_and_learns_shape(name: str) -> None:
    model = build_model(name, seed=0)
    assert isinstance(model, nn.Sequential) and model.name == name
    x = np.random.default_rng(0).standard_normal((3, 1, 28, 28)).astype(np.float32)
    y = model(x)
    assert y.shape == (3, 10) and y.dtype == np.float32 and np.isfinite(y).all()
    loss_fn = nn.CrossEntropyLoss()
    loss = loss_fn(y, np.array([1, 2, 3]))
    assert np.isfinite(loss)
    model.zero_grad()
    dx = model.backward(loss_fn.backward())
    assert dx.shape == x.shape
    for pname, p in model.named_parameters():
        assert np.isfinite(p.grad).all(), pname
    assert sum(bool(p.grad.any()) for p in model.parameters()) >= len(
        list(model.parameters())) - 1  # every layer receives gradient
    model.eval()
    assert model(x).shape == (3, 10)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_info_and_budget(name: str) -> None:
    assert set(MODEL_INFO[name]) >= {"en", "zh"}
    assert MODEL_INFO[name]["en"] and MODEL_INFO[name]["zh"]
    assert model_description(name, "zh") == MODEL_INFO[name]["zh"]
    macs = total_multiply_adds(build_model(name, seed=0))
    assert 100_000 < macs <= 4_000_000, f"{name}: {macs} multiply-adds per image"


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMS))
def test_parameter_counts_by_hand(name: str) -> None:
    model = build_model(name, seed=0)
    assert count_parameters(model) == EXPECTED_PARAMS[name]
    assert sum(r.params for r in summarize(model)) == EXPECTED_PARAMS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_MACS))
def test_multiply_adds_by_hand(name: str) -> None:
    assert total_multiply_adds(build_model(name, seed=0)) == EXPECTED_MACS[name]


def test_summary_rows_of_simple_convnet() -> None:
    rows = summarize(build_model("simple_convnet", seed=0))
    assert all(isinstance(r, LayerRow) for r in rows)
    assert [r.kind for r in rows] == ["Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear",
                                      "ReLU", "Linear"]
    assert [r.output_shape for r in rows] == [(30, 24, 24), (30, 24, 24), (30, 12, 12),
                                              (4320,), (100,), (100,), (10,)]
    assert rows[0].params == 780 and rows[0].multiply_adds == 24 * 24 * 30 * 25
    assert rows[1].multiply_adds == 0 and rows[2].params == 0
    assert rows[0].name == "0" and rows[-1].name == "6"


def test_summary_of_blocks_and_mode_restored() -> None:
    model = build_model("resnet_small", seed=0)
    model.train()
    before = {k: v.copy() for k, v in model.state_dict().items()}
    rows = summarize(model)
    names = [r.name for r in rows]
    assert "4.conv1" in names and "5.shortcut.0" in names
    assert rows[-1].output_shape == (10,)
    assert all(m.training for m in model.modules())
    for k, v in model.state_dict().items():  # eval forward: running stats untouched
        np.testing.assert_array_equal(v, before[k])
    sep = summarize(nn.Sequential(nn.DepthwiseSeparableConv2d(4, 8)), (4, 6, 6))
    assert [r.multiply_adds for r in sep] == [36 * 4 * 9, 36 * 8 * 4]
    tr = summarize(nn.Sequential(nn.ConvTranspose2d(3, 5, 2, stride=2)), (3, 4, 4))
    assert tr[0].output_shape == (5, 8, 8) and tr[0].multiply_adds == 16 * 3 * 5 * 4


def test_seed_makes_models_repeatable() -> None:
    a = build_model("lenet5", seed=7).state_dict()
    b = build_model("lenet5", seed=7).state_dict()
    c = build_model("lenet5", seed=8).state_dict()
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["0.weight"], c["0.weight"])


def test_unknown_model() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        build_model("vgg16")


def test_convnet_bn_fits_a_small_batch() -> None:
    """A few Adam steps drive the loss down on a fixed batch (the training loop works)."""
    model = build_model("convnet_bn", seed=0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 32)
    templates = rng.random((10, 1, 28, 28), dtype=np.float32)  # one pattern per class
    x = templates[labels] + 0.3 * rng.standard_normal((32, 1, 28, 28)).astype(np.float32)
    opt = optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss()
    losses = []
    for _ in range(15):
        opt.zero_grad()
        losses.append(loss_fn(model(x), labels))
        model.backward(loss_fn.backward())
        opt.step()
    assert losses[-1] < 0.5 * losses[0]


# ---------------------------------------------------------------------------- torch twins


def _to_torch(module: nn.Module, torch):
    """The torch.nn equivalent of an engine module, built from its settings."""
    tnn = torch.nn
    kind = type(module).__name__
    if isinstance(module, nn.Sequential):
        children = [_to_torch(m, torch) for m in module]
        if module.input_std is None:
            return tnn.Sequential(*children)
        mean, std = module.input_mean, module.input_std

        class Standardizing(tnn.Sequential):  # same keys: no extra indexed layer
            def forward(self, x):
                return super().forward((x - mean) / std)

        return Standardizing(*children)
    if kind == "Conv2d":
        m = module
        return tnn.Conv2d(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding,
                          m.dilation, m.groups, m.bias is not None, m.padding_mode)
    if kind == "Linear":
        return tnn.Linear(module.in_features, module.out_features, module.bias is not None)
    if kind in ("MaxPool2d", "AvgPool2d"):
        return getattr(tnn, kind)(module.kernel_size, module.stride, module.padding)
    if kind == "BatchNorm2d":
        return tnn.BatchNorm2d(module.num_features, module.eps, module.momentum)
    if kind == "LocalResponseNorm":
        return tnn.LocalResponseNorm(module.size, module.alpha, module.beta, module.k)
    if kind == "Dropout":
        return tnn.Dropout(module.p)
    if kind == "GlobalAvgPool2d":
        return tnn.AdaptiveAvgPool2d(1)
    if kind in ("ReLU", "Sigmoid", "Flatten", "Identity"):
        return getattr(tnn, kind)()
    if kind in ("ResidualBlock", "DepthwiseSeparableConv2d"):
        twin = _TorchComposite(torch, module)
        return twin
    raise AssertionError(f"no torch twin for {kind}")


def _TorchComposite(torch, module: nn.Module):
    tnn = torch.nn

    class Twin(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            for name, child in module.named_children():
                setattr(self, name, _to_torch(child, torch))
            self.kind = type(module).__name__

        def forward(self, x):
            if self.kind == "DepthwiseSeparableConv2d":
                return self.pointwise(self.depthwise(x))
            main = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
            return self.relu(main + self.shortcut(x))

    return Twin()


@pytest.mark.torch
@pytest.mark.parametrize("name", MODEL_NAMES)
@pytest.mark.parametrize("standardize", [True, False])
def test_model_matches_torch_twin(name: str, standardize: bool) -> None:
    torch = pytest.importorskip("torch")
    model = build_model(name, seed=0, standardize=standardize)
    assert model.input_standardize is standardize
    twin = _to_torch(model, torch)
    assert count_parameters(model) == sum(p.numel() for p in twin.parameters())
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    model.eval()
    twin.eval()
    x = np.random.default_rng(1).standard_normal((2, 1, 28, 28)).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ty = twin(tx)
    y = model(x)
    np.testing.assert_allclose(y, ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    dy = np.random.default_rng(2).standard_normal(y.shape).astype(np.float32)
    model.zero_grad()
    dx = model.backward(dy)
    ty.backward(torch.tensor(dy))
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-3, atol=1e-5)
    tgrads = dict(twin.named_parameters())
    for pname, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, tgrads[pname].grad.numpy(), rtol=1e-3, atol=1e-4,
                                   err_msg=pname)


# ---------------------------------------------------------------------------- input standardisation


def test_models_standardise_their_input_by_default() -> None:
    model = build_model("simple_convnet", seed=0)
    assert model.input_standardize
    assert (model.input_mean, model.input_std) == (MNIST_MEAN, MNIST_STD) == (0.1307, 0.3081)
    raw = build_model("simple_convnet", seed=0, standardize=False)
    assert not raw.input_standardize and raw.input_mean is None and raw.input_std is None
    # no new layer: same state_dict keys and indices, same weights for the same seed
    assert list(model.state_dict()) == list(raw.state_dict())
    assert len(model) == len(raw) == 7
    assert "input_mean=0.1307, input_std=0.3081" in repr(model)
    assert "input_mean" not in repr(raw)


@pytest.mark.parametrize("name", ["simple_convnet", "convnet_bn", "resnet_small"])
def test_standardising_forward_is_the_raw_model_on_standardised_input(name: str) -> None:
    on = build_model(name, seed=0)
    off = build_model(name, seed=0, standardize=False)
    on.eval()
    off.eval()
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)  # pixels in [0, 1]
    z = (x - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD)
    np.testing.assert_array_equal(on(x), off(z))
    assert not np.allclose(on(x), off(x))
    dy = np.random.default_rng(1).standard_normal((3, 10)).astype(np.float32)
    on(x)
    off(z)
    dx_on, dx_off = on.backward(dy), off.backward(dy)
    np.testing.assert_allclose(dx_on, dx_off / np.float32(MNIST_STD), rtol=1e-6)
    for (k, p), (_, q) in zip(on.named_parameters(), off.named_parameters()):
        np.testing.assert_array_equal(p.grad, q.grad, err_msg=k)


def test_gradient_through_the_standardisation() -> None:
    from tests.gradcheck import check_op_grad

    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Tanh(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3))
    model.set_input_standardization(0.25, 0.5)
    x = np.random.default_rng(0).random((2, 1, 6, 6), dtype=np.float32)

    def dx(dy: np.ndarray) -> np.ndarray:
        model(x)
        return model.backward(dy)

    check_op_grad(lambda a: model(a), x, dx)


def test_standardisation_in_slices_hooks_and_checks() -> None:
    model = build_model("simple_convnet", seed=0).eval()
    x = np.random.default_rng(0).random((2, 1, 28, 28), dtype=np.float32)
    head = model[:3]  # starts at the first layer: sees the input the model's first layer sees
    assert head.input_standardize
    seen = []
    handle = model[0].register_forward_hook(lambda m, inp, out: seen.append(inp[0]))
    model(x)
    handle.remove()
    np.testing.assert_array_equal(seen[0], model.standardize(x))
    np.testing.assert_array_equal(head(x), model[2](model[1](model[0](model.standardize(x)))))
    assert not model[3:].input_standardize  # a middle part takes feature maps, not pixels
    for mean, std in [(0.0, 0.0), (0.0, -1.0), (float("nan"), 1.0), ("a", 1.0), (0.1, None)]:
        with pytest.raises(ValueError):
            model.set_input_standardization(mean, std)
    assert (model.input_mean, model.input_std) == (MNIST_MEAN, MNIST_STD)
    model.set_input_standardization(None, None)
    assert not model.input_standardize
