"""Transposed convolution seen two ways, against upsampling, and its checkerboard.

Two pictures of one result, both built from engine calls and both equal to
``F.conv_transpose2d`` (the tests assert it):

- zero insertion ("stretched input"): ``F.zero_insert`` puts s − 1 zeros between pixels,
  ``F.pad`` adds d(k − 1) − p on every side (+ a, the output padding, at the bottom/right),
  then an ordinary stride-1 ``F.conv2d`` with the kernel turned 180°;
- scatter: every input pixel stamps (its value × kernel) onto the output, s apart;
  each stamp is ``F.conv_transpose2d`` of a one-pixel image, and the stamps add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import formulas
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options, same
from cnnviz.lessons.window import WindowSpec


def _w(kernel: np.ndarray) -> np.ndarray:
    return np.asarray(kernel, dtype=np.float32)[None, None]


def transposed_full(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
    output_padding: int = 0, dilation: int = 1,
) -> np.ndarray:
    """``F.conv_transpose2d`` of one 2-D channel with one kernel (the reference result)."""
    x = np.asarray(x, dtype=np.float32)
    return F.conv_transpose2d(x[None, None], _w(kernel), None, stride, padding,
                              output_padding, 1, dilation)[0, 0]


def max_padding(i: int, k: int, stride: int, dilation: int = 1) -> int:
    """Largest padding p the lesson allows: the stretched view needs d(k-1) - p >= 0, and
    the output must keep at least one pixel (``formulas.conv_transpose_output_size``)."""
    p = dilation * (k - 1)
    while p > 0 and formulas.conv_transpose_output_size(i, k, stride, p, 0, dilation) < 1:
        p -= 1
    return p


@dataclass(frozen=True)
class Stretched:
    """The zero-inserted, padded input and where its padding is (left, right, top, bottom)."""

    grid: np.ndarray
    pad: tuple[int, int, int, int]
    flipped: np.ndarray


def stretched_input(
    x: np.ndarray, k_shape: tuple[int, int], kernel: np.ndarray, stride: int = 1,
    padding: int = 0, output_padding: int = 0, dilation: int = 1,
) -> Stretched:
    """``F.zero_insert`` then ``F.pad`` by d(k-1)-p (+a bottom/right); the flipped kernel."""
    kh, kw = k_shape
    eh, ew = dilation * (kh - 1) - padding, dilation * (kw - 1) - padding
    if min(eh, ew) < 0:
        raise ValueError(f"padding {padding} is more than d(k-1); use a smaller padding")
    a = output_padding
    pads = (ew, ew + a, eh, eh + a)
    z = F.zero_insert(np.asarray(x, dtype=np.float32)[None, None], stride)
    grid = F.pad(z, pads)[0, 0]
    flipped = np.ascontiguousarray(np.asarray(kernel, dtype=np.float32)[::-1, ::-1])
    return Stretched(grid, pads, flipped)


def zero_insertion_result(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
    output_padding: int = 0, dilation: int = 1,
) -> np.ndarray:
    """The stretched-input route: ``F.conv2d`` of the stretched grid with the flipped kernel."""
    kernel = np.asarray(kernel, dtype=np.float32)
    st = stretched_input(x, kernel.shape, kernel, stride, padding, output_padding, dilation)
    return F.conv2d(st.grid[None, None], _w(st.flipped), dilation=dilation)[0, 0]


def zero_insertion_spec(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
    output_padding: int = 0, dilation: int = 1,
) -> WindowSpec:
    """The stretched view ready to animate; its output is ``F.conv_transpose2d``'s result."""
    kernel = np.asarray(kernel, dtype=np.float32)
    st = stretched_input(x, kernel.shape, kernel, stride, padding, output_padding, dilation)
    return WindowSpec(
        padded=st.grid,
        window_map=F.conv_window_map(st.grid.shape, kernel.shape, 1, 0, dilation),
        output=transposed_full(x, kernel, stride, padding, output_padding, dilation),
        kernel=st.flipped,
        pad=st.pad,
        symbol="y",
    )


@dataclass(frozen=True)
class Scatter:
    """Scatter view: ``partial[t]`` = the uncropped output after stamping pixels 0..t.

    ``anchors[t]`` is the top-left buffer cell of stamp t; ``keep`` = (top, left, h, w) of
    the part that survives the padding crop; ``output`` = that part of the final buffer.
    """

    partial: np.ndarray
    stamps: np.ndarray
    anchors: np.ndarray
    keep: tuple[int, int, int, int]
    output: np.ndarray


def scatter_steps(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: int = 0,
    output_padding: int = 0, dilation: int = 1,
) -> Scatter:
    """Stamp each input pixel in raster order (each stamp from the engine on a one-hot image)."""
    x = np.asarray(x, dtype=np.float32)
    h, w = x.shape
    n = h * w
    onehot = (np.eye(n, dtype=np.float32) * x.reshape(1, -1)).reshape(n, 1, h, w)
    stamps = F.conv_transpose2d(onehot, _w(kernel), None, stride, 0, output_padding, 1,
                                dilation)[:, 0]
    partial = np.cumsum(stamps, axis=0, dtype=np.float64).astype(np.float32)
    ho, wo = formulas.conv_transpose_output_size((h, w), np.shape(kernel), stride, padding,
                                                 output_padding, dilation)
    r, c = np.divmod(np.arange(n), w)
    anchors = np.stack([r * stride, c * stride], axis=-1)
    out = partial[-1][padding : padding + ho, padding : padding + wo]
    return Scatter(partial, stamps, anchors, (padding, padding, ho, wo), out)


def overlap_counts(
    i: int, k: int, stride: int, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> np.ndarray:
    """How many stamps land on each output pixel: transposed conv of ones with a ones kernel."""
    ones = np.ones((i, i), dtype=np.float32)
    return transposed_full(ones, np.ones((k, k), np.float32), stride, padding,
                           output_padding, dilation)


def inside_taps(k: int, stride: int, dilation: int = 1) -> np.ndarray:
    """Stamps on ``stride`` neighbouring inside pixels of a row (away from the ends), from
    the engine: ``F.conv_transpose2d`` of a row of ones with a 1×k kernel of ones.

    The taps of one stamp sit d apart and the stamps s apart, so the inside repeats every
    s pixels; these s counts are the whole story of the checkerboard (a 2-D map's inside
    counts are products of a row's and a column's).
    """
    span = dilation * (k - 1)
    n = span // stride + 3  # enough input that s inside positions exist past the ramp
    row = F.conv_transpose2d(np.ones((1, 1, 1, n), np.float32), np.ones((1, 1, 1, k), np.float32),
                             None, stride, 0, 0, 1, dilation)[0, 0, 0]
    start = -(-span // stride) * stride  # first multiple of s that every tap can reach
    return np.rint(row[start : start + stride]).astype(np.int64)


def uneven_overlap(k: int, stride: int, dilation: int = 1) -> bool:
    """True when inside pixels get different numbers of stamps (the checkerboard)."""
    taps = inside_taps(k, stride, dilation)
    return bool(taps.max() != taps.min())


def checkerboard_text(k: int, stride: int, dilation: int = 1) -> Text:
    """Why this k, s, d does or does not make a checkerboard, stated from the engine's counts.

    The taps (d apart) fall on the s positions between two stamps: if d and s share a factor
    g > 1 they only reach every g-th position; otherwise they visit the positions in turn, and
    evenly exactly when k is a multiple of s.
    """
    taps = inside_taps(k, stride, dilation)
    values = dict(k=k, s=stride, d=dilation, g=gcd(dilation, stride),
                  pattern=", ".join(str(int(v)) for v in np.tile(taps, 2 if stride > 1 else 3))
                  + ", …", c=int(taps[0]), cc=int(taps[0]) ** 2)
    if taps.max() == taps.min():
        return entry("transposed", "even", **values)
    if gcd(dilation, stride) > 1:
        return entry("transposed", "uneven_gaps", **values)
    return entry("transposed", "uneven_count", **values)


def upsample_then_conv(
    x: np.ndarray, kernel: np.ndarray, scale: int, mode: str
) -> np.ndarray:
    """Nearest or bilinear upsampling by ``scale`` (engine), then a "same" convolution."""
    x = np.asarray(x, dtype=np.float32)[None, None]
    up = F.upsample_nearest(x, scale) if mode == "nearest" else F.upsample_bilinear(x, scale)
    return F.conv2d(up, _w(kernel), padding="same")[0, 0]


def transposed_size_question(
    i: int, k: int, stride: int, padding: int, output_padding: int, dilation: int = 1
) -> Question:
    """Output size of this transposed convolution (right answer from formulas)."""
    right = int(formulas.conv_transpose_output_size(i, k, stride, padding, output_padding,
                                                    dilation))
    wrong = [
        i * stride,  # "it just multiplies by s"
        (i - 1) * stride + k,  # forgot the padding / output padding
        right + 2 * padding if padding else right + 1,
        int(formulas.conv_output_size(i, k, stride, padding, dilation)),  # the forward formula
    ]
    options, correct = choice_options(right, wrong)
    q = Text(
        f"Transposed convolution: input {i}, kernel {k}, stride {stride}, padding {padding}, "
        f"output padding {output_padding}" + (f", dilation {dilation}" if dilation > 1 else "")
        + ": how wide is the output?",
        f"转置卷积：输入 {i}，卷积核 {k}，步幅 {stride}，填充 {padding}，输出填充 {output_padding}"
        + (f"，膨胀率 {dilation}" if dilation > 1 else "") + "：输出有多宽？",
    )
    latex = formulas.conv_transpose_output_size_latex(i, k, stride, padding, output_padding,
                                                      dilation)
    return Question(q, options, correct, same(f"${latex}$"))


def checkerboard_question(k: int, stride: int, dilation: int = 1) -> Question:
    """The fewest stamps an inside pixel gets, given the most (engine's counts): equal means
    no checkerboard, and 0 means pixels the taps never reach."""
    taps = inside_taps(k, stride, dilation)
    most, right = int(taps.max()) ** 2, int(taps.min()) ** 2
    options, correct = choice_options(right, [most, most // 2, right + 1, int(taps.max())])
    q = Text(
        f"A {k}×{k} kernel of ones, stride {stride}, dilation {dilation}, an input of ones: "
        f"inside the overlap map (away from the border) the busiest pixels get {most} "
        "stamps. How many do the least busy inside pixels get?",
        f"{k}×{k} 全 1 卷积核，步幅 {stride}，膨胀率 {dilation}，输入全为 1：在重叠次数图内部"
        f"（远离边缘），最多的像素得到 {most} 个印章。最少的内部像素得到几个？",
    )
    return Question(q, options, correct, checkerboard_text(k, stride, dilation))
