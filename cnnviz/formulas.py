r"""The size, receptive-field and cost formulas that the lesson pages display.

Pages call these instead of re-deriving the arithmetic, so the number written beside a
picture is the same number the engine produces (and the tests check both against PyTorch).
Each function is pure and its docstring states the formula it implements.

Spatial arguments: in the 2-D form (any of ``i``, ``k``, ``stride``, ``dilation`` an
``(h, w)`` pair) every argument is an int or an ``(h, w)`` pair, as PyTorch's, and the
result is an ``(h, w)`` pair. Otherwise the 1-D form returns an int, and in
``conv_output_size`` a ``padding`` pair means ``(before, after)``, as in conv_arithmetic's
asymmetric examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from cnnviz.i18n import Text

IntOrPair = int | Sequence[int]

__all__ = [
    "CountComparison",
    "LayerCounts",
    "ReceptiveField",
    "conv_multiply_adds",
    "conv_output_size",
    "conv_output_size_latex",
    "conv_params",
    "conv_shapes_latex",
    "conv_transpose_output_size",
    "conv_transpose_output_size_latex",
    "depthwise_separable_counts",
    "effective_kernel_size",
    "effective_kernel_size_latex",
    "factorised_counts",
    "formula_text",
    "grouped_counts",
    "linear_multiply_adds",
    "linear_params",
    "pool_output_size",
    "pool_output_size_latex",
    "receptive_field",
    "same_padding",
    "valid_conv_settings",
    "valid_pool_settings",
]


# ---------------------------------------------------------------- helpers


def _pair(value: IntOrPair, name: str) -> tuple[int, int]:
    """(h, w) from an int or a 2-sequence, as PyTorch's ``_pair``."""
    if isinstance(value, int) or hasattr(value, "__index__"):
        v = int(value)  # type: ignore[arg-type]
        return v, v
    values = tuple(int(v) for v in value)  # type: ignore[union-attr]
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")
    return values  # type: ignore[return-value]


def _pads(padding: int | Sequence[int]) -> tuple[int, int]:
    """(before, after) from an int or a pair, for the 1-D form."""
    if isinstance(padding, int) or hasattr(padding, "__index__"):
        p = int(padding)  # type: ignore[arg-type]
        return p, p
    before, after = (int(v) for v in padding)
    return before, after


def _spatial(i: IntOrPair) -> bool:
    """True when ``i`` is an (h, w) pair, i.e. the caller wants the 2-D form."""
    return not (isinstance(i, int) or hasattr(i, "__index__"))


# ---------------------------------------------------------------- sizes


def effective_kernel_size(k: IntOrPair, dilation: IntOrPair = 1) -> int | tuple[int, int]:
    """Span of a dilated kernel: ``k' = d(k - 1) + 1`` (a 3x3 kernel at d=2 covers 5x5)."""
    if _spatial(k) or _spatial(dilation):
        kh, kw = _pair(k, "k")
        dh, dw = _pair(dilation, "dilation")
        return dh * (kh - 1) + 1, dw * (kw - 1) + 1
    return int(dilation) * (int(k) - 1) + 1  # type: ignore[arg-type]


def _conv_1d(i: int, k: int, s: int, pads: tuple[int, int], d: int) -> int:
    return (i + pads[0] + pads[1] - d * (k - 1) - 1) // s + 1


def conv_output_size(
    i: IntOrPair,
    k: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
) -> int | tuple[int, int]:
    """Convolution output size: ``o = floor((i + 2p - d(k - 1) - 1) / s) + 1``.

    With ``padding=(before, after)`` (1-D form) ``2p`` becomes ``before + after``.
    ``padding="valid"`` is 0; ``padding="same"`` gives ``o = i`` (stride 1, as PyTorch).
    A result <= 0 means PyTorch would refuse the settings (see ``valid_conv_settings``).
    """
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if _pair(stride, "stride") != (1, 1):
                raise ValueError("padding='same' needs stride 1 (as PyTorch)")
            if any(_spatial(v) for v in (i, k, dilation)):
                return _pair(i, "i")
            return int(i)  # type: ignore[return-value,arg-type]
        else:
            raise ValueError(f"padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    if any(_spatial(v) for v in (i, k, stride, dilation)):
        ih, iw = _pair(i, "i")
        kh, kw = _pair(k, "k")
        sh, sw = _pair(stride, "stride")
        ph, pw = _pair(padding, "padding")
        dh, dw = _pair(dilation, "dilation")
        return _conv_1d(ih, kh, sh, (ph, ph), dh), _conv_1d(iw, kw, sw, (pw, pw), dw)
    return _conv_1d(int(i), int(k), int(stride), _pads(padding), int(dilation))  # type: ignore[arg-type]


def _pool_1d(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    span = i + 2 * p - d * (k - 1) - 1
    o = (-(-span // s) if ceil_mode else span // s) + 1
    # PyTorch: in ceil mode the last window must start inside the input or its left padding.
    if ceil_mode and (o - 1) * s >= i + p:
        o -= 1
    return o


def pool_output_size(
    i: IntOrPair,
    k: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
) -> int | tuple[int, int]:
    """Pooling output size: ``o = floor_or_ceil((i + 2p - d(k - 1) - 1) / s) + 1``.

    ``stride`` defaults to ``k`` (as PyTorch). With ``ceil_mode`` the division rounds up,
    but a last window that would start entirely in the right padding is dropped
    (``if (o - 1)s >= i + p: o -= 1``), which is PyTorch's rule.
    """
    if stride is None:
        stride = k
    if _spatial(i) or _spatial(k) or _spatial(stride) or _spatial(padding) or _spatial(dilation):
        ih, iw = _pair(i, "i")
        kh, kw = _pair(k, "k")
        sh, sw = _pair(stride, "stride")
        ph, pw = _pair(padding, "padding")
        dh, dw = _pair(dilation, "dilation")
        return _pool_1d(ih, kh, sh, ph, dh, ceil_mode), _pool_1d(iw, kw, sw, pw, dw, ceil_mode)
    return _pool_1d(int(i), int(k), int(stride), int(padding), int(dilation), ceil_mode)  # type: ignore[arg-type]


def conv_transpose_output_size(
    i: IntOrPair,
    k: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> int | tuple[int, int]:
    """Transposed convolution output size: ``o = (i - 1)s - 2p + d(k - 1) + a + 1``.

    ``a`` is ``output_padding``: a stride-s convolution maps s different input sizes to the
    same output size, so the transpose needs ``a`` (``0 <= a < max(s, d)``) to pick one.
    """
    if any(_spatial(v) for v in (i, k, stride, padding, output_padding, dilation)):
        ih, iw = _pair(i, "i")
        kh, kw = _pair(k, "k")
        sh, sw = _pair(stride, "stride")
        ph, pw = _pair(padding, "padding")
        ah, aw = _pair(output_padding, "output_padding")
        dh, dw = _pair(dilation, "dilation")
        return (
            (ih - 1) * sh - 2 * ph + dh * (kh - 1) + ah + 1,
            (iw - 1) * sw - 2 * pw + dw * (kw - 1) + aw + 1,
        )
    i_, k_, s_ = int(i), int(k), int(stride)  # type: ignore[arg-type]
    p_, a_, d_ = int(padding), int(output_padding), int(dilation)  # type: ignore[arg-type]
    return (i_ - 1) * s_ - 2 * p_ + d_ * (k_ - 1) + a_ + 1


def same_padding(k: int, dilation: int = 1) -> tuple[int, int]:
    """``(before, after)`` padding that keeps the size at stride 1: total ``d(k - 1)``.

    An even kernel needs an odd total, so the extra pixel goes after (right/bottom),
    which is what PyTorch's ``padding="same"`` does.
    """
    total = int(dilation) * (int(k) - 1)
    before = total // 2
    return before, total - before


class ReceptiveField(NamedTuple):
    """Receptive field ``size`` (input pixels seen) and ``jump`` (input pixels per output step)."""

    size: int
    jump: int


def receptive_field(layers: Sequence[Sequence[int]]) -> list[ReceptiveField]:
    """Receptive field after each layer of a stack of (kernel, stride[, dilation]) layers.

    ``r_l = r_{l-1} + d_l (k_l - 1) j_{l-1}`` and ``j_l = j_{l-1} s_l`` with ``r_0 = j_0 = 1``:
    three 3x3 stride-1 convolutions see 7x7, the reason VGG stacks small kernels.
    """
    size, jump = 1, 1
    out: list[ReceptiveField] = []
    for layer in layers:
        values = tuple(int(v) for v in layer)
        if len(values) == 1:
            k, s, d = values[0], 1, 1
        elif len(values) == 2:
            (k, s), d = values, 1
        elif len(values) == 3:
            k, s, d = values
        else:
            raise ValueError(f"each layer is (kernel, stride[, dilation]), got {layer!r}")
        size += d * (k - 1) * jump
        jump *= s
        out.append(ReceptiveField(size, jump))
    return out


# the words inside conv_shapes_latex, in the learner's language
SHAPE_WORDS: dict[str, Text] = {
    "weight": Text("weight", "权重"),
    "bias": Text("bias", "偏置"),
    "params": Text("params", "参数量"),
}


def conv_shapes_latex(in_channels: int, out_channels: int, k: int, lang: str = "en") -> str:
    """Weight and bias shapes of ``Conv2d(in, out, k)`` and its parameter count, as LaTeX
    with its words in ``lang`` (a Chinese page must not show English inside a formula)."""
    n = conv_params(in_channels, out_channels, k)
    w, b, p = (SHAPE_WORDS[key].get(lang) for key in ("weight", "bias", "params"))
    # two lines: on one, a projected 1280-px page clips the parameter count
    return (
        rf"\begin{{gathered}}\text{{{w}}}: ({out_channels}, {in_channels}, {k}, {k}),\quad "
        rf"\text{{{b}}}: ({out_channels},)\\ \text{{{p}}} = "
        rf"{out_channels}\cdot {in_channels}\cdot {k}\cdot {k} + {out_channels} = {n}"
        rf"\end{{gathered}}"
    )


# ---------------------------------------------------------------- validity


def valid_conv_settings(
    i: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> tuple[bool, Text]:
    """``(ok, reason)``: why a convolution with these settings has no output (a ``Text``).

    Pages show the reason next to the sliders rather than letting the engine raise.
    """
    i, k, stride, padding, dilation = (int(v) for v in (i, k, stride, padding, dilation))
    minimums = (
        (i, 1, "The input size must be at least 1", "输入尺寸至少为 1"),
        (k, 1, "The kernel size must be at least 1", "卷积核尺寸至少为 1"),
        (stride, 1, "The stride must be at least 1", "步幅至少为 1"),
        (dilation, 1, "The dilation must be at least 1", "膨胀率至少为 1"),
        (padding, 0, "The padding cannot be negative", "填充不能为负数"),
    )
    for value, least, en, zh in minimums:
        if value < least:
            return False, Text(f"{en} (got {value}).", f"{zh}（当前为 {value}）。")
    span = effective_kernel_size(k, dilation)
    padded = i + 2 * padding
    if span > padded:
        return False, Text(
            f"The kernel spans {span} pixels (d(k-1)+1 = {dilation}·({k}-1)+1) but the padded "
            f"input is only {padded} (i + 2p = {i} + 2·{padding}), so the output would be empty. "
            "Use a smaller kernel or dilation, or more padding.",
            f"卷积核覆盖 {span} 个像素（d(k-1)+1 = {dilation}·({k}-1)+1），但填充后的输入只有 "
            f"{padded} 个像素（i + 2p = {i} + 2·{padding}），输出将为空。"
            "请减小卷积核或膨胀率，或增加填充。",
        )
    return True, Text("", "")


def valid_pool_settings(
    i: int, k: int, stride: int | None = None, padding: int = 0, dilation: int = 1
) -> tuple[bool, Text]:
    """As ``valid_conv_settings`` plus PyTorch's pooling rule ``p <= k / 2``."""
    stride = k if stride is None else stride
    if int(padding) * 2 > int(k):
        return False, Text(
            f"Pooling padding must be at most half the window (p ≤ k/2 = {int(k) / 2:g}), "
            f"got {padding}.",
            f"池化的填充最多为窗口的一半（p ≤ k/2 = {int(k) / 2:g}），当前为 {padding}。",
        )
    return valid_conv_settings(i, k, stride, padding, dilation)


# ---------------------------------------------------------------- counts


@dataclass(frozen=True)
class LayerCounts:
    """Parameters and multiply-adds of one layer (bias adds are not counted as multiply-adds)."""

    name: str
    params: int
    multiply_adds: int


@dataclass(frozen=True)
class CountComparison:
    """A factorised design (``parts``) against the ``standard`` convolution it replaces."""

    standard: LayerCounts
    parts: tuple[LayerCounts, ...]

    @property
    def params(self) -> int:
        return sum(p.params for p in self.parts)

    @property
    def multiply_adds(self) -> int:
        return sum(p.multiply_adds for p in self.parts)

    @property
    def param_ratio(self) -> float:
        """Parameters of the design as a fraction of the standard convolution's."""
        return self.params / self.standard.params if self.standard.params else math.nan

    @property
    def multiply_add_ratio(self) -> float:
        return (
            self.multiply_adds / self.standard.multiply_adds
            if self.standard.multiply_adds
            else math.nan
        )


def _check_groups(c_in: int, c_out: int, groups: int) -> None:
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(
            f"groups={groups} must divide both in_channels={c_in} and out_channels={c_out}"
        )


def conv_params(
    c_in: int, c_out: int, kernel_size: IntOrPair, groups: int = 1, bias: bool = True
) -> int:
    """Weights ``c_out · (c_in / g) · kh · kw`` plus ``c_out`` biases (as ``nn.Conv2d``)."""
    _check_groups(c_in, c_out, groups)
    kh, kw = _pair(kernel_size, "kernel_size")
    return c_out * (c_in // groups) * kh * kw + (c_out if bias else 0)


def conv_multiply_adds(
    c_in: int, c_out: int, kernel_size: IntOrPair, output_hw: IntOrPair, groups: int = 1
) -> int:
    """Multiply-adds ``c_out · oh · ow · (c_in / g) · kh · kw``: one dot product per output."""
    _check_groups(c_in, c_out, groups)
    kh, kw = _pair(kernel_size, "kernel_size")
    oh, ow = _pair(output_hw, "output_hw")
    return c_out * oh * ow * (c_in // groups) * kh * kw


def linear_params(in_features: int, out_features: int, bias: bool = True) -> int:
    """``in · out`` weights plus ``out`` biases (as ``nn.Linear``)."""
    return in_features * out_features + (out_features if bias else 0)


def linear_multiply_adds(in_features: int, out_features: int) -> int:
    """``in · out``: every output is a dot product over all inputs."""
    return in_features * out_features


def _conv_counts(
    name: str, c_in: int, c_out: int, k: IntOrPair, hw: IntOrPair, groups: int, bias: bool
) -> LayerCounts:
    return LayerCounts(
        name,
        conv_params(c_in, c_out, k, groups, bias),
        conv_multiply_adds(c_in, c_out, k, hw, groups),
    )


def depthwise_separable_counts(
    c_in: int, c_out: int, k: IntOrPair, output_hw: IntOrPair, bias: bool = False
) -> CountComparison:
    """k×k depthwise (``groups = c_in``) then 1×1 pointwise, against a standard k×k conv.

    The ratio is ``1/c_out + 1/k²`` (MobileNet). Bias is left out by default, as in the paper,
    so the ratio reads cleanly.
    """
    return CountComparison(
        _conv_counts("standard", c_in, c_out, k, output_hw, 1, bias),
        (
            _conv_counts("depthwise", c_in, c_in, k, output_hw, c_in, bias),
            _conv_counts("pointwise", c_in, c_out, 1, output_hw, 1, bias),
        ),
    )


def factorised_counts(
    c_in: int,
    c_out: int,
    k: int,
    output_hw: IntOrPair,
    c_mid: int | None = None,
    bias: bool = False,
) -> CountComparison:
    """k×1 then 1×k (``c_in → c_mid → c_out``, ``c_mid`` defaults to ``c_out``) vs k×k.

    With "same" padding both halves produce ``output_hw``; for ``c_mid = c_out = c_in`` the
    saving is ``2/k`` (Inception v3).
    """
    c_mid = c_out if c_mid is None else c_mid
    return CountComparison(
        _conv_counts("standard", c_in, c_out, k, output_hw, 1, bias),
        (
            _conv_counts(f"{k}x1", c_in, c_mid, (k, 1), output_hw, 1, bias),
            _conv_counts(f"1x{k}", c_mid, c_out, (1, k), output_hw, 1, bias),
        ),
    )


def grouped_counts(
    c_in: int, c_out: int, k: IntOrPair, output_hw: IntOrPair, groups: int, bias: bool = False
) -> CountComparison:
    """A grouped conv (each of ``g`` groups sees ``c_in / g`` channels): ``1/g`` of the cost."""
    return CountComparison(
        _conv_counts("standard", c_in, c_out, k, output_hw, 1, bias),
        (_conv_counts(f"groups={groups}", c_in, c_out, k, output_hw, groups, bias),),
    )


# ---------------------------------------------------------------- LaTeX


def effective_kernel_size_latex(k: int, d: int = 1) -> str:
    r"""``k' = d(k-1)+1`` with the numbers in, e.g. ``k' = 2\cdot(3-1) + 1 = 5``."""
    return f"k' = {d}\\cdot({k}-1) + 1 = {effective_kernel_size(k, d)}"


def conv_output_size_latex(i: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> str:
    r"""``o = \lfloor (i + 2p - d(k-1) - 1) / s \rfloor + 1`` with the numbers substituted."""
    o = conv_output_size(i, k, s, p, d)
    return f"o = \\lfloor ({i} + 2\\cdot {p} - {d}\\cdot({k}-1) - 1) / {s} \\rfloor + 1 = {o}"


def pool_output_size_latex(
    i: int, k: int, s: int | None = None, p: int = 0, d: int = 1, ceil_mode: bool = False
) -> str:
    r"""The pooling size formula (``\lceil\rceil`` in ceil mode) with the numbers substituted."""
    s = k if s is None else s
    o = pool_output_size(i, k, s, p, d, ceil_mode)
    left, right = ("\\lceil", "\\rceil") if ceil_mode else ("\\lfloor", "\\rfloor")
    text = f"o = {left} ({i} + 2\\cdot {p} - {d}\\cdot({k}-1) - 1) / {s} {right} + 1"
    raw = -(-(i + 2 * p - d * (k - 1) - 1) // s) + 1
    if ceil_mode and raw != o:  # PyTorch drops a last window that starts in the padding
        return f"{text} = {raw} \\to {o}"
    return f"{text} = {o}"


def conv_transpose_output_size_latex(
    i: int, k: int, s: int = 1, p: int = 0, a: int = 0, d: int = 1
) -> str:
    r"""``o = (i-1)s - 2p + d(k-1) + a + 1`` with the numbers substituted."""
    o = conv_transpose_output_size(i, k, s, p, a, d)
    return f"o = ({i}-1)\\cdot {s} - 2\\cdot {p} + {d}\\cdot({k}-1) + {a} + 1 = {o}"


def factorised_params_latex(c_in: int, c_mid: int, c_out: int, k: int) -> str:
    r"""Weights of k×1 then 1×k through ``c_mid`` channels against one k×k layer, numbers in."""
    fac = factorised_counts(c_in, c_out, k, 1, c_mid)
    rel = "<" if fac.params < fac.standard.params else "=" if fac.params == fac.standard.params \
        else ">"
    return (f"{k}\\cdot{c_in}\\cdot{c_mid} + {k}\\cdot{c_mid}\\cdot{c_out} = {fac.params:,}"
            f"\\;{rel}\\; {k}^2\\cdot{c_in}\\cdot{c_out} = "
            f"{fac.standard.params:,}").replace(",", "{,}")


_LATEX = {
    "conv": conv_output_size_latex,
    "pool": pool_output_size_latex,
    "conv_transpose": conv_transpose_output_size_latex,
    "effective_kernel": effective_kernel_size_latex,
}

_SYMBOLIC = {
    "conv": r"o = \lfloor (i + 2p - d(k-1) - 1) / s \rfloor + 1",
    "pool": r"o = \lfloor (i + 2p - d(k-1) - 1) / s \rfloor + 1",
    "conv_transpose": r"o = (i-1)s - 2p + d(k-1) + a + 1",
    "effective_kernel": r"k' = d(k-1) + 1",
}


def formula_text(kind: str, **numbers: int | bool | None) -> str:
    """LaTeX of a size formula: symbolic without numbers, substituted with them.

    ``kind`` is ``conv``, ``pool``, ``conv_transpose`` or ``effective_kernel``; the keyword
    names are those of the ``*_latex`` functions (``i, k, s, p, d, a, ceil_mode``).
    """
    if kind not in _LATEX:
        raise ValueError(f"kind must be one of {sorted(_LATEX)}, got {kind!r}")
    if not numbers:
        return _SYMBOLIC[kind]
    return _LATEX[kind](**numbers)  # type: ignore[operator]
