"""The filter-structure measure (issue 10) and the notes' initialisation that makes learned
filters visible: hand examples, the init's statistics, and a short run where structure rises."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import nn
from cnnviz.data.mnist import mnist_arrays
from cnnviz.models import NOTES_INIT_STD, build_model
from cnnviz.training import TrainConfig, Trainer, first_conv_weight
from cnnviz.training.structure import filter_structure, layer_structure


def test_structure_by_hand() -> None:
    # a 2×2 filter [[1, 0], [0, 0]]: mean 1/4 removed -> [[3, -1], [-1, -1]] / 4;
    # right pairs 3·(-1) + (-1)(-1) = -2, down pairs -2, energy 12: s = -4 / 24
    f = np.array([[1.0, 0.0], [0.0, 0.0]])
    assert filter_structure(f) == pytest.approx(-1 / 6)
    # a smooth vertical bar (a Gaussian across the columns) scores high; a checkerboard -0.8
    # (every neighbour pair disagrees: -40 pairs over 2 × 25 squares)
    x = np.arange(5) - 2.0
    bar = np.tile(np.exp(-x**2 / 2), (5, 1))
    assert layer_structure(bar) > 0.4
    assert layer_structure(np.indices((5, 5)).sum(0) % 2 * 2.0 - 1) == pytest.approx(-0.8, abs=0.01)
    # a smooth edge (dark left, light right) and a blurred blob score higher still
    assert layer_structure(np.tile(np.tanh(x), (5, 1))) > 0.5
    assert filter_structure(np.zeros((5, 5))) == 0.0  # constant: no pattern, no NaN


def test_random_weights_score_about_minus_one_thirtieth() -> None:
    # independent weights: E[s] = -1 / (k (k + 1)) for k×k (the mean removal), -0.033 at 5×5
    w = np.random.default_rng(0).standard_normal((20000, 1, 5, 5))
    assert layer_structure(w) == pytest.approx(-1 / 30, abs=0.005)
    assert filter_structure(w).shape == (20000, 1)
    # the figure: PyTorch's default start of simple_convnet's first layer, seed 0
    conv = nn.Conv2d(1, 30, 5)
    nn.manual_seed(0)
    conv.reset_parameters()
    assert -0.15 < layer_structure(conv.weight.data) < 0.05


@pytest.mark.parametrize("name", ["simple_convnet", "lenet5"])
def test_first_layer_starts_as_the_notes_do(name: str) -> None:
    layers = [m for m in build_model(name, seed=0).modules()
              if isinstance(m, (nn.Conv2d, nn.Linear))]
    w = layers[0].weight.data  # N(0, 0.01²), bias 0, as the notes' SimpleConvNet
    assert abs(float(w.mean())) < 3 * NOTES_INIT_STD / np.sqrt(w.size)
    assert float(w.std()) == pytest.approx(NOTES_INIT_STD, rel=0.3 if w.size < 500 else 0.1)
    assert not layers[0].bias.data.any()
    for m in layers[1:]:
        fan_in = m.weight.data[0].size
        if name == "simple_convnet":  # He: N(0, 2 / fan_in), bias 0 (the notes, ch. 6)
            assert float(m.weight.data.std()) == pytest.approx(np.sqrt(2 / fan_in), rel=0.1)
            assert not m.bias.data.any()
        else:  # PyTorch's default: U(±1/sqrt(fan_in))
            assert np.abs(m.weight.data).max() <= 1 / np.sqrt(fan_in) + 1e-7
            assert float(m.weight.data.std()) > 0.8 / np.sqrt(3 * fan_in)
            assert m.bias.data.any()
    # repeatable per seed, through the engine's generator
    np.testing.assert_array_equal(first_conv_weight(build_model("simple_convnet", seed=3)),
                                  first_conv_weight(build_model("simple_convnet", seed=3)))


def test_structure_rises_within_a_few_dozen_steps() -> None:
    train = mnist_arrays("train", limit=1000)
    test = mnist_arrays("test", limit=100)
    t = Trainer(TrainConfig(lr=3e-3, batch_size=20, eval_every=0, test_limit=100),
                train_data=train, test_data=test)
    start = layer_structure(t.first_layer_weights())
    t.run(steps=20)
    assert start < 0.05
    assert layer_structure(t.first_layer_weights()) >= 0.3
