"""Multi-channel convolution split into its per-channel partial sums (engine results only).

A filter has one kernel per input channel; its output map is the sum over channels of each
channel's single-channel convolution, plus the bias. ``multichannel_conv`` returns both the
full ``F.conv2d`` result and the partials (``F.conv2d`` on one channel with one kernel), so
a page can show that they add up - and a test checks that they do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F


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
