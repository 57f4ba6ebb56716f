"""Multi-channel convolution split into its per-channel partial sums (engine results only).

A filter has one kernel per input channel; its output map is the sum over channels of each
channel's single-channel convolution, plus the bias. ``multichannel_conv`` returns both the
full ``F.conv2d`` result and the partials (``F.conv2d`` on one channel with one kernel), so
a page can show that they add up - and a test checks that they do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options

# the input channels of a colour image, as lessons 2 and 8 name them
RGB: tuple[Text, Text, Text] = (Text("Red", "红"), Text("Green", "绿"), Text("Blue", "蓝"))


class FilterDefault(NamedTuple):
    """Where a filter of lesson 2 starts: its kernel preset, a weight per channel, its bias."""

    preset: str
    channel_weights: tuple[float, float, float]
    bias: float


# Every channel weight non-zero and no two cancelling: on any crop, grey ones included (the
# default sample's busiest crop is its black ring), the three partial sums are all non-zero
# and add up to something; filter 1's bias is non-zero so "+ bias" shows a number.
DEFAULT_FILTERS: tuple[FilterDefault, ...] = (
    FilterDefault("sobel_x", (1.0, 1.0, -0.5), 0.5),
    FilterDefault("laplacian", (0.5, 1.0, 0.5), 0.0),
    FilterDefault("box", (1.0, 1.0, 1.0), 0.0),
)


@dataclass(frozen=True)
class MultiChannelResult:
    """``partials`` (F, C, Ho, Wo), ``output`` (F, Ho, Wo) = partials.sum(1) + bias."""

    partials: np.ndarray
    output: np.ndarray
    bias: np.ndarray


def multichannel_conv(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, *, stride: int = 1, padding: int = 0
) -> MultiChannelResult:
    """``x`` (C, H, W), ``weight`` (F, C, k, k), ``bias`` (F,) -> full output and partials."""
    x = np.asarray(x, dtype=np.float32)[None]
    weight = np.asarray(weight, dtype=np.float32)
    bias = np.asarray(bias, dtype=np.float32)
    output = F.conv2d(x, weight, bias, stride=stride, padding=padding)[0]
    partials = np.stack(
        [
            np.stack(
                [
                    F.conv2d(
                        x[:, c : c + 1],
                        weight[f : f + 1, c : c + 1],
                        None,
                        stride=stride,
                        padding=padding,
                    )[0, 0]
                    for c in range(weight.shape[1])
                ]
            )
            for f in range(weight.shape[0])
        ]
    )
    return MultiChannelResult(partials=partials, output=output, bias=bias)


def filters_from_kernels(
    kernels: Sequence[np.ndarray], channel_weights: Sequence[Sequence[float]]
) -> np.ndarray:
    """(F, C, k, k) weights: filter f uses ``kernels[f]`` on channel c scaled by
    ``channel_weights[f][c]`` (one kernel shape per filter, a weight per channel)."""
    return np.asarray(
        [
            [np.asarray(base) * float(cw) for cw in weights]
            for base, weights in zip(kernels, channel_weights)
        ],
        dtype=np.float32,
    )


def params_question(n_filters: int, k: int, in_channels: int = 3) -> Question:
    """How many parameters has ``Conv2d(in_channels, n_filters, k)``? (formulas.conv_params)"""
    right = formulas.conv_params(in_channels, n_filters, k)
    weights = n_filters * in_channels * k * k
    options, correct = choice_options(  # forgot the biases / the channels / a bias per channel
        right, [weights, n_filters * k * k + n_filters, weights + in_channels * n_filters])
    return Question(
        Text(
            f"How many parameters (weights and biases) does Conv2d({in_channels}, {n_filters}, "
            f"{k}) have?",
            f"Conv2d({in_channels}, {n_filters}, {k}) 有多少个参数（权重加偏置）？",
        ),
        options,
        correct,
        Text(
            f"{n_filters}·{in_channels}·{k}·{k} weights + {n_filters} biases.",
            f"{n_filters}·{in_channels}·{k}·{k} 个权重 + {n_filters} 个偏置。",
        ),
    )


def out_channels_question(out_channels: int, in_channels: int = 3) -> Question:
    """How many channels come out for a 3-channel input? (the engine's output shape)"""
    n = out_channels
    # one per input channel, one per kernel (filters × channels), or always one
    options, correct = choice_options(n, [in_channels, in_channels * n, 1, n + 1])
    return Question(
        Text(
            f"How many output channels does this layer produce for a {in_channels}-channel input?",
            f"对 {in_channels} 通道的输入，这一层输出多少个通道？",
        ),
        options,
        correct,
        entry("multichannel", "out_channels_why"),
    )
