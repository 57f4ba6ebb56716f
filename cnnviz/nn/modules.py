"""``cnnviz.nn.modules``: every layer.

The layers live in ``_layers_base`` (Parameter, Module, Sequential), ``_layers_basic``
(one op each) and ``_layers_blocks`` (residual, separable, factorised); this module is
the public place to import them from. Weights files are not the engine's business, as in
PyTorch (``torch.save`` is not ``torch.nn``): see ``cnnviz.weights``.
"""

from __future__ import annotations

from ._layers_base import (
    Flatten,
    Identity,
    IncompatibleKeys,
    Module,
    Parameter,
    Sequential,
)
from ._layers_basic import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    GlobalAvgPool2d,
    LeakyReLU,
    Linear,
    LocalResponseNorm,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
    Upsample,
)
from ._layers_blocks import DepthwiseSeparableConv2d, FactorisedConv2d, ResidualBlock

__all__ = [
    "Parameter", "Module", "Sequential", "Identity", "Flatten", "IncompatibleKeys",
    "Conv2d", "ConvTranspose2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "GlobalAvgPool2d", "Upsample", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Dropout",
    "BatchNorm2d", "BatchNorm1d", "LocalResponseNorm", "ResidualBlock",
    "DepthwiseSeparableConv2d", "FactorisedConv2d",
]
