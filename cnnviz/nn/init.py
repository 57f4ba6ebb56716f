"""PyTorch's initialisers, drawing from one seedable module-level NumPy generator.

Layers draw their default weights here (``kaiming_uniform_(a=sqrt(5))`` and a
``uniform(±1/sqrt(fan_in))`` bias, as ``torch.nn``), and Dropout draws its masks here, so
``manual_seed(s)`` makes building and training a model repeatable — a class can all see
the same first-layer filters. The numbers differ from torch's (another generator); the
distributions are the same.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "manual_seed", "get_generator", "calculate_gain", "uniform_", "normal_", "constant_",
    "zeros_", "ones_", "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_",
    "xavier_normal_", "default_bounds",
]

_generator: np.random.Generator = np.random.default_rng()


def manual_seed(seed: int | None) -> np.random.Generator:
    """Reseed the engine's generator (weights, dropout masks); returns it."""
    global _generator
    _generator = np.random.default_rng(seed)
    return _generator


def get_generator() -> np.random.Generator:
    """The generator layers and Dropout draw from."""
    return _generator


def _array(tensor: Any) -> np.ndarray:
    # accept a Parameter (anything with .data) or a plain ndarray
    return tensor.data if hasattr(tensor, "data") and not isinstance(tensor, np.ndarray) \
        else tensor


def _fill(tensor: Any, values: np.ndarray) -> Any:
    _array(tensor)[...] = values
    return tensor


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """torch's ``_calculate_fan_in_and_fan_out``: dim 1 × receptive field, dim 0 × field."""
    if len(shape) < 2:
        raise ValueError("fan in and fan out need at least 2 dimensions")
    field = math.prod(shape[2:]) if len(shape) > 2 else 1
    return shape[1] * field, shape[0] * field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (torch's table)."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


def uniform_(tensor: Any, a: float = 0.0, b: float = 1.0,
             generator: np.random.Generator | None = None) -> Any:
    """Fill with U(a, b)."""
    g = generator or _generator
    return _fill(tensor, g.uniform(a, b, size=_array(tensor).shape))


def normal_(tensor: Any, mean: float = 0.0, std: float = 1.0,
            generator: np.random.Generator | None = None) -> Any:
    """Fill with N(mean, std²)."""
    g = generator or _generator
    return _fill(tensor, g.normal(mean, std, size=_array(tensor).shape))


def constant_(tensor: Any, val: float) -> Any:
    """Fill with a constant."""
    return _fill(tensor, val)


def zeros_(tensor: Any) -> Any:
    """Fill with 0."""
    return _fill(tensor, 0.0)


def ones_(tensor: Any) -> Any:
    """Fill with 1."""
    return _fill(tensor, 1.0)


def kaiming_uniform_(tensor: Any, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: np.random.Generator | None = None) -> Any:
    """He et al.: U(-b, b) with b = gain·sqrt(3 / fan). torch's layers use a=sqrt(5)."""
    fan_in, fan_out = _fans(_array(tensor).shape)
    fan = fan_in if mode == "fan_in" else fan_out
    bound = math.sqrt(3.0) * calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Any, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: np.random.Generator | None = None) -> Any:
    """He et al.: N(0, std²) with std = gain / sqrt(fan)."""
    fan_in, fan_out = _fans(_array(tensor).shape)
    fan = fan_in if mode == "fan_in" else fan_out
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(fan), generator)


def xavier_uniform_(tensor: Any, gain: float = 1.0,
                    generator: np.random.Generator | None = None) -> Any:
    """Glorot & Bengio: U(-b, b) with b = gain·sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(_array(tensor).shape)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Any, gain: float = 1.0,
                   generator: np.random.Generator | None = None) -> Any:
    """Glorot & Bengio: N(0, std²) with std = gain·sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(_array(tensor).shape)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def default_bounds(weight_shape: tuple[int, ...]) -> tuple[float, float]:
    """(weight bound, bias bound) of torch's default Conv/Linear init: both 1/sqrt(fan_in).

    kaiming_uniform_ with a=sqrt(5) gives gain sqrt(1/3), so b = sqrt(3)·sqrt(1/3)/sqrt(fan_in).
    """
    fan_in, _ = _fans(tuple(weight_shape))
    b = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return b, b


def reset_conv_or_linear(weight: Any, bias: Any | None) -> None:
    """torch's ``reset_parameters`` of Conv*/Linear: weight first, then bias."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        _, b = default_bounds(_array(weight).shape)
        uniform_(bias, -b, b)
