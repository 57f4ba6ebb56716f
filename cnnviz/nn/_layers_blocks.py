"""Composite blocks the lessons explain: residual, depthwise-separable and factorised conv.

They are compositions of the single-op layers (no new maths), so their parameter
and multiply-add counts are the sums over their parts, and backward is the chain rule
written out — including the sum of the two paths of a residual block.
"""

from __future__ import annotations

import numpy as np

from ._layers_base import Identity, Module, Sequential
from ._layers_basic import BatchNorm2d, Conv2d, ReLU

__all__ = ["ResidualBlock", "DepthwiseSeparableConv2d", "FactorisedConv2d"]


class ResidualBlock(Module):
    """ResNet's basic block: ReLU(BN(conv3x3(ReLU(BN(conv3x3(x))))) + shortcut(x)).

    The shortcut is the identity when shapes match, else a strided 1x1 conv + BN
    (torch's ``downsample``). Its gradient path is why deep nets stay trainable: dL/dx
    gets the shortcut's dy unchanged in addition to the main path's.
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.stride = in_channels, out_channels, stride
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
        self.bn1 = BatchNorm2d(out_channels)
        self.relu1 = ReLU()
        self.conv2 = Conv2d(out_channels, out_channels, 3, stride=1, padding=1, bias=False)
        self.bn2 = BatchNorm2d(out_channels)
        if stride != 1 or in_channels != out_channels:
            self.shortcut: Module = Sequential(
                Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                BatchNorm2d(out_channels))
        else:
            self.shortcut = Identity()
        self.relu = ReLU()

    def forward(self, x: np.ndarray) -> np.ndarray:
        main = self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x)))))
        return self.relu(main + self.shortcut(x))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        d = self.relu.backward(dy)
        dmain = self.conv1.backward(self.bn1.backward(self.relu1.backward(
            self.conv2.backward(self.bn2.backward(d)))))
        return dmain + self.shortcut.backward(d)


class DepthwiseSeparableConv2d(Module):
    """A k×k conv per channel (groups=in_channels), then a 1×1 conv mixing channels.

    Costs roughly 1/out + 1/k² of a full k×k conv (MobileNet's trick).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3,
                 stride: int = 1, padding: int = 1, bias: bool = True) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.depthwise = Conv2d(in_channels, in_channels, kernel_size, stride=stride,
                                padding=padding, groups=in_channels, bias=bias)
        self.pointwise = Conv2d(in_channels, out_channels, 1, bias=bias)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.pointwise(self.depthwise(x))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return self.depthwise.backward(self.pointwise.backward(dy))


class FactorisedConv2d(Module):
    """A k×1 conv then a 1×k conv: the receptive field of k×k with 2k instead of k² weights.

    ``padding`` and ``stride`` apply as for a k×k conv (rows in the first, columns in the
    second), so the output has the k×k conv's shape. Inception-v3's factorisation.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 stride: int = 1, padding: int = 0, bias: bool = True) -> None:
        super().__init__()
        k = int(kernel_size)
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, k
        self.vertical = Conv2d(in_channels, out_channels, (k, 1), stride=(stride, 1),
                               padding=(padding, 0), bias=bias)
        self.horizontal = Conv2d(out_channels, out_channels, (1, k), stride=(1, stride),
                                 padding=(0, padding), bias=bias)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.horizontal(self.vertical(x))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return self.vertical.backward(self.horizontal.backward(dy))
