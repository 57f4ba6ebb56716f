"""The whole-network lesson: written-out units equal the engine, saliency equals a numerical
gradient, receptive-field crops are the right pixels, a diagram for every model."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import nn
from cnnviz.lessons.network_insight import (
    Field,
    crop,
    diagram,
    input_gradient,
    receptive_fields,
    top_patches,
)
from cnnviz.lessons.network_view import compute_unit, equation_lines, trace_network
from cnnviz.models import MODEL_NAMES, build_model
from cnnviz.training.inference import logits

RNG = np.random.default_rng(0)
IMAGE = RNG.random((28, 28)).astype(np.float32)


def _with_stats(model: nn.Module) -> nn.Module:
    """Non-trivial running statistics, so batch norm's written formula is really tested."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean[...] = RNG.normal(0, 0.3, m.num_features)
            m.running_var[...] = RNG.uniform(0.5, 2.0, m.num_features)
            m.bias.data[...] = RNG.normal(0, 0.2, m.num_features)
    return model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_written_unit_equals_the_engine(name):
    model = _with_stats(build_model(name, seed=1))
    traces = trace_network(model, IMAGE)
    assert traces[-1].kind == "Softmax"
    assert np.allclose(traces[-2].output, logits(model, IMAGE)[0], atol=1e-5)
    for t in traces:
        for _ in range(4):
            unit = tuple(int(RNG.integers(s)) for s in t.output.shape)
            u = compute_unit(t, unit)
            assert abs(u.value - u.engine) <= 1e-5 * max(1.0, abs(u.engine)), (t.name, unit)
            assert equation_lines(u)


def test_conv_partial_sums_and_linear_rest_add_up():
    model = build_model("lenet5", seed=2)
    traces = trace_network(model, IMAGE)
    conv = next(t for t in traces if t.kind == "Conv2d" and t.input.shape[0] > 1)
    u = compute_unit(conv, (3, 4, 5))
    assert len(u.terms) == conv.input.shape[0]
    assert np.isclose(sum(x.value for x in u.terms) + u.stats["bias"], u.engine, atol=1e-5)
    fc = next(t for t in traces if t.kind == "Linear")
    u = compute_unit(fc, (7,))
    assert u.hidden == fc.input.size - 8 and u.terms[-1].label == "rest"
    assert np.isclose(sum(x.value for x in u.terms) + u.stats["bias"], u.engine, atol=1e-5)


def test_written_sum_prints_parts_that_add_up():
    from fractions import Fraction

    from cnnviz.lessons.network_view import written_sum
    ws = written_sum([0.12345, -0.2, 1.0004], 0.92385)
    parts = sum(Fraction(p.replace("−", "-")) for p in ws.parts)
    assert Fraction(ws.total.replace("−", "-")) == parts


@pytest.mark.parametrize("name", ["lenet5_classic"])
def test_saliency_is_the_numerical_gradient(name):
    model = build_model(name, seed=3)
    x = IMAGE.astype(np.float64)
    grad = input_gradient(model, x, 4)
    eps = 1e-2
    for i, j in [(5, 5), (14, 14), (20, 9), (9, 22)]:
        up, down = x.copy(), x.copy()
        up[i, j] += eps
        down[i, j] -= eps
        num = (logits(model, up.astype(np.float32))[0, 4]
               - logits(model, down.astype(np.float32))[0, 4]) / (2 * eps)
        assert np.isclose(grad[i, j], num, rtol=2e-2, atol=2e-4)


def test_saliency_through_batch_norm_matches_numerical_gradient():
    model = _with_stats(nn.Sequential(nn.Conv2d(1, 3, 3), nn.BatchNorm2d(3), nn.Sigmoid(),
                                      nn.AvgPool2d(2), nn.Flatten(), nn.Linear(3 * 13 * 13, 10)))
    before = [p.grad.copy() for p in model.parameters()]
    grad = input_gradient(model, IMAGE, 2)
    assert all(np.array_equal(a, p.grad) for a, p in zip(before, model.parameters()))
    x = IMAGE.astype(np.float64)
    for i, j in [(3, 3), (13, 17)]:
        up, down = x.copy(), x.copy()
        up[i, j] += 1e-2
        down[i, j] -= 1e-2
        num = (logits(model, up.astype(np.float32))[0, 2]
               - logits(model, down.astype(np.float32))[0, 2]) / 2e-2
        assert np.isclose(grad[i, j], num, rtol=2e-2, atol=2e-4)


def test_receptive_field_crops_are_the_pixels_read():
    model = build_model("lenet5", seed=0)
    fields = receptive_fields(model)
    assert fields["0"] == Field(5, 1, -2) and fields["3"] == Field(14, 2, -2)
    image = np.arange(784, dtype=np.float32).reshape(28, 28)
    assert np.array_equal(crop(image, fields["0"], 2, 3), image[0:5, 1:6])
    edge = crop(image, fields["0"], 0, 0)
    assert np.all(edge[:2] == 0) and np.array_equal(edge[2:, 2:], image[:3, :3])


def test_top_patches_are_the_strongest_places():
    model = build_model("simple_convnet", seed=0)
    images = RNG.random((40, 28, 28)).astype(np.float32)
    p = top_patches(model, images, k=3, chunk=16)["0"]
    out = np.asarray(model.eval()[0](model.standardize(images[:, None])))
    for ch in (0, 7):
        j = p.images[ch, 0]
        assert np.isclose(p.values[ch, 0], out[:, ch].max(), atol=1e-6)
        r, c = p.where[ch, 0]
        assert np.isclose(out[j, ch, r, c], p.values[ch, 0])
        assert np.array_equal(p.crops[ch, 0], images[j, r:r + 5, c:c + 5])


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_diagram_for_every_model(name):
    model = build_model(name, seed=0)
    d = diagram(model)
    assert d.boxes[-1].out_shape == (10,)
    assert d.boxes[0].kind == "Conv2d"
    if name == "resnet_small":
        assert len(d.skips) == 3
        assert all(d.boxes[b].kind == "Add" for _, b, _ in d.skips)
