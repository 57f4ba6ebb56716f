"""The single-op layers: torch.nn's names, arguments, shapes, defaults and reprs.

Each layer is a thin stateful wrapper around one functional op: ``forward`` calls
``F.op_with_cache`` and keeps the cache, ``backward`` calls ``F.op_backward_from_cache``
and adds the parameter gradients into ``.grad``. The cache is kept after backward, so
calling backward twice accumulates twice, as two ``loss.backward()`` calls do in torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functional as F
from . import init
from ._layers_base import Module, Parameter
from ._util import pair

__all__ = [
    "Conv2d", "ConvTranspose2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "GlobalAvgPool2d", "Upsample", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Dropout",
    "BatchNorm2d", "BatchNorm1d", "LocalResponseNorm",
]


def _f32(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


class _Layer(Module):
    """A module whose forward is one functional op with a cache."""

    _cache: Any = None

    def _need_cache(self) -> Any:
        if self._cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._cache


class _ConvNd(_Layer):
    def _accumulate(self, dw: np.ndarray, db: np.ndarray) -> None:
        self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db

    def reset_parameters(self) -> None:
        """torch's default: kaiming_uniform_(a=sqrt(5)) weights, U(±1/sqrt(fan_in)) biases."""
        init.reset_conv_or_linear(self.weight, self.bias)


class _Conv(_ConvNd):
    """What Conv2d and ConvTranspose2d share: torch's one ``extra_repr`` for both."""

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_Conv):
    """2-D cross-correlation with learnable kernels, as ``torch.nn.Conv2d``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] | str = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros") -> None:
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError("in_channels and out_channels must be divisible by groups")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be zeros, reflect, replicate or circular, "
                             f"got {padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding")
        self.dilation = pair(dilation, "dilation")
        self.groups, self.padding_mode = groups, padding_mode
        self.output_padding = (0, 0)
        self.weight = Parameter(np.empty(
            (out_channels, in_channels // groups, *self.kernel_size), dtype=np.float32))
        self.bias = Parameter(np.empty(out_channels, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, self._cache = F.conv2d_with_cache(
            x, self.weight.data, None if self.bias is None else self.bias.data,
            self.stride, self.padding, self.dilation, self.groups, self.padding_mode)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx, dw, db = F.conv2d_backward_from_cache(_f32(dy), self._need_cache())
        self._accumulate(dw, db)
        return dx

    def backward_params(self, dy: np.ndarray) -> None:
        self._accumulate(*F.conv2d_param_grads_from_cache(_f32(dy), self._need_cache()))

class ConvTranspose2d(_Conv):
    """Transposed convolution (the gradient of a conv w.r.t. its input): learnable upsampling."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 output_padding: int | tuple[int, int] = 0, groups: int = 1, bias: bool = True,
                 dilation: int | tuple[int, int] = 1, padding_mode: str = "zeros") -> None:
        super().__init__()
        if padding_mode != "zeros":  # torch also allows only zeros here
            raise ValueError('ConvTranspose2d only supports padding_mode="zeros"')
        self.padding_mode = padding_mode
        if in_channels % groups or out_channels % groups:
            raise ValueError("in_channels and out_channels must be divisible by groups")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        self.output_padding = pair(output_padding, "output_padding")
        self.dilation = pair(dilation, "dilation")
        self.groups = groups
        # weight (C_in, C_out // groups, kH, kW): fan_in is computed from dim 1, as torch
        self.weight = Parameter(np.empty(
            (in_channels, out_channels // groups, *self.kernel_size), dtype=np.float32))
        self.bias = Parameter(np.empty(out_channels, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, self._cache = F.conv_transpose2d_with_cache(
            x, self.weight.data, None if self.bias is None else self.bias.data,
            self.stride, self.padding, self.output_padding, self.groups, self.dilation)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx, dw, db = F.conv_transpose2d_backward_from_cache(_f32(dy), self._need_cache())
        self._accumulate(dw, db)
        return dx

class Linear(_ConvNd):
    """Fully connected layer ``y = x W^T + b``, as ``torch.nn.Linear``."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=np.float32))
        self.bias = Parameter(np.empty(out_features, dtype=np.float32)) if bias else None
        self.reset_parameters()

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _f32(x)
        if x.shape[-1] != self.in_features:
            raise ValueError(f"Linear expects {self.in_features} input features, got input "
                             f"of shape {x.shape}")
        y, self._cache = F.linear_with_cache(
            x, self.weight.data, None if self.bias is None else self.bias.data)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        dx, dw, db = F.linear_backward_from_cache(_f32(dy), self._need_cache())
        self._accumulate(dw, db)
        return dx

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class _Stateless(_Layer):
    """A layer without parameters: forward op + backward op from the functional module."""

    _op: str = ""

    def _args(self) -> tuple:
        return ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        y, self._cache = getattr(F, self._op + "_with_cache")(x, *self._args())
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return getattr(F, self._op + "_backward_from_cache")(_f32(dy), self._need_cache())


class MaxPool2d(_Stateless):
    """Max over each window; the gradient goes to the (first) maximum only."""

    _op = "max_pool2d"

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None,
                 padding: int | tuple[int, int] = 0, dilation: int | tuple[int, int] = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        if return_indices:
            raise NotImplementedError("use F.max_pool2d_with_indices for the indices")
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def _args(self) -> tuple:
        return (self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(_Stateless):
    """Mean over each window (padding counts as zeros by default, as torch)."""

    _op = "avg_pool2d"

    def __init__(self, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] | None = None,
                 padding: int | tuple[int, int] = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def _args(self) -> tuple:
        return (self.kernel_size, self.stride, self.padding, self.ceil_mode,
                self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(_Stateless):
    """Average into a fixed output size whatever the input size."""

    _op = "adaptive_avg_pool2d"

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        self.output_size = output_size

    def _args(self) -> tuple:
        return (self.output_size,)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class GlobalAvgPool2d(_Stateless):
    """One mean per channel map, output (N, C, 1, 1): ``AdaptiveAvgPool2d(1)`` by its name."""

    _op = "global_avg_pool2d"


class Upsample(_Stateless):
    """Nearest or bilinear upsampling (``torch.nn.Upsample``): fixed, not learned."""

    _op = "interpolate"

    def __init__(self, size: int | tuple[int, int] | None = None,
                 scale_factor: float | tuple[float, float] | None = None,
                 mode: str = "nearest", align_corners: bool | None = None) -> None:
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError("give exactly one of size and scale_factor")
        if mode not in ("nearest", "bilinear"):
            raise ValueError(f"mode must be 'nearest' or 'bilinear', got {mode!r}")
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor: Any = tuple(float(s) for s in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners

    def _args(self) -> tuple:
        return (self.size, self.scale_factor, self.mode, self.align_corners)

    def extra_repr(self) -> str:
        info = (f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None
                else f"size={self.size!r}")
        return info + f", mode={self.mode!r}"


class ReLU(_Stateless):
    """max(0, x)."""

    _op = "relu"

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(_Stateless):
    """x for x > 0, negative_slope·x otherwise: negative inputs keep a small gradient."""

    _op = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def _args(self) -> tuple:
        return (self.negative_slope,)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace
                                                          else "")


class Sigmoid(_Stateless):
    """1 / (1 + e^-x): LeNet-5's squashing function."""

    _op = "sigmoid"


class Tanh(_Stateless):
    """Hyperbolic tangent."""

    _op = "tanh"


class Dropout(_Layer):
    """Zero each unit with probability p while training (inverted dropout); identity in eval.

    Masks come from ``rng`` if given, else from the engine's seedable generator
    (``cnnviz.nn.init.manual_seed``), so a seeded run is repeatable.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace, self.rng = p, inplace, rng

    def forward(self, x: np.ndarray) -> np.ndarray:
        rng = self.rng if self.rng is not None else init.get_generator()
        y, mask = F.dropout_with_cache(x, self.p, self.training, rng)
        self._cache = ("mask", mask)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return F.dropout_backward_from_cache(_f32(dy), self._need_cache()[1])

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class _BatchNorm(_Layer):
    """Normalise each channel by batch statistics (train) or running statistics (eval)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 bias: bool = True) -> None:
        super().__init__()
        if not track_running_stats:
            raise NotImplementedError("track_running_stats=False is not supported")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=np.float32))
            if bias:
                self.bias = Parameter(np.zeros(num_features, dtype=np.float32))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        self.register_buffer("running_mean", np.zeros(num_features, dtype=np.float32))
        self.register_buffer("running_var", np.ones(num_features, dtype=np.float32))
        self.register_buffer("num_batches_tracked", np.array(0, dtype=np.int64))

    def reset_running_stats(self) -> None:
        self.running_mean[...] = 0
        self.running_var[...] = 1
        self.num_batches_tracked = np.array(0, dtype=np.int64)

    def _to4d(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        return x, x.shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _f32(x)
        x4, shape = self._to4d(x)
        if x4.shape[1] != self.num_features:
            raise ValueError(f"{type(self).__name__}({self.num_features}) got input with "
                             f"{x4.shape[1]} channels (shape {x.shape})")
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training:
            self.num_batches_tracked = self.num_batches_tracked + 1
            if self.momentum is None:  # cumulative moving average, as torch
                momentum = 1.0 / float(self.num_batches_tracked)
        c = self.num_features
        w = self.weight.data if self.affine else np.ones(c, dtype=np.float32)
        b = self.bias.data if self.bias is not None else np.zeros(c, dtype=np.float32)
        y, cache = F.batch_norm_with_cache(x4, self.running_mean, self.running_var, w, b,
                                           self.training, momentum, self.eps)
        self._cache = (cache, shape)
        return y.reshape(shape)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        cache, shape = self._need_cache()
        dy4, _ = self._to4d(_f32(dy))
        dx, dw, db = F.batch_norm_backward_from_cache(dy4, cache)
        if self.weight is not None:
            self.weight.grad += dw
        if self.bias is not None:
            self.bias.grad += db
        return dx.reshape(shape)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) feature maps, as ``torch.nn.BatchNorm2d``."""

    def _to4d(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        if x.ndim != 4:
            raise ValueError(f"BatchNorm2d expects a 4-D (N, C, H, W) input, got {x.shape}")
        return x, x.shape


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) features (as 4-D with trailing 1s)."""

    def _to4d(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
        if x.ndim == 2:
            return x[:, :, None, None], x.shape
        if x.ndim == 3:
            return x[:, :, :, None], x.shape
        raise ValueError(f"BatchNorm1d expects a 2-D or 3-D input, got {x.shape}")


class LocalResponseNorm(_Stateless):
    """AlexNet's normalisation across ``size`` neighbouring channels."""

    _op = "local_response_norm"

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def _args(self) -> tuple:
        return (self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
