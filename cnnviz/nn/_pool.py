"""Max, average, adaptive and global average pooling (+ backward), as PyTorch computes them.

Windows are visited by looping over the kh*kw kernel offsets; each offset is one strided
slice of the (padded) input covering every output pixel at once. The common
non-overlapping case (kernel == stride, no padding) is a reshape to (N, C, Ho, kh, Wo, kw).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from . import _threads
from ._util import IntOrPair, as_float32, batched, pair

__all__ = [
    "max_pool2d", "max_pool2d_with_cache", "max_pool2d_backward_from_cache",
    "max_pool2d_backward", "max_pool2d_with_indices",
    "avg_pool2d", "avg_pool2d_with_cache", "avg_pool2d_backward_from_cache",
    "avg_pool2d_backward",
    "adaptive_avg_pool2d", "adaptive_avg_pool2d_with_cache",
    "adaptive_avg_pool2d_backward_from_cache", "adaptive_avg_pool2d_backward",
    "global_avg_pool2d", "global_avg_pool2d_with_cache",
    "global_avg_pool2d_backward_from_cache", "global_avg_pool2d_backward",
    "pool_output_size",
]

_F32 = np.float32


def pool_output_size(size: int, kernel: int, stride: int, padding: int = 0,
                     dilation: int = 1, ceil_mode: bool = False) -> int:
    """PyTorch's pooling output length, including its ceil_mode rule.

    With ceil_mode the last window may hang over the end, but it must start inside the
    input or the left padding; otherwise it is dropped.
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


class _Geometry:
    """Normalised pooling arguments and the derived sizes, checked like PyTorch does."""

    def __init__(self, shape: tuple[int, ...], kernel_size: IntOrPair,
                 stride: IntOrPair | None, padding: IntOrPair, dilation: IntOrPair,
                 ceil_mode: bool, what: str) -> None:
        self.N, self.C, self.H, self.W = shape
        self.kh, self.kw = pair(kernel_size, "kernel_size")
        no_stride = stride is None or (isinstance(stride, Sequence) and len(stride) == 0)
        self.sh, self.sw = (self.kh, self.kw) if no_stride else pair(stride, "stride")
        self.ph, self.pw = pair(padding, "padding")
        self.dh, self.dw = pair(dilation, "dilation")
        self.ceil_mode = bool(ceil_mode)
        for name, a, b in (("kernel_size", self.kh, self.kw), ("stride", self.sh, self.sw),
                           ("dilation", self.dh, self.dw)):
            if a <= 0 or b <= 0:
                raise ValueError(f"{what}: {name} must be positive, got {a}×{b}")
        if self.ph < 0 or self.pw < 0:
            raise ValueError(f"{what}: padding must be non-negative, got {self.ph}×{self.pw}")
        if self.ph > self.kh // 2 or self.pw > self.kw // 2:
            raise ValueError(
                f"{what}: padding {self.ph}×{self.pw} is more than half the pooling window "
                f"{self.kh}×{self.kw}; PyTorch requires padding ≤ kernel_size // 2 "
                f"(here at most {self.kh // 2}×{self.kw // 2})")
        self.Ho = pool_output_size(self.H, self.kh, self.sh, self.ph, self.dh, ceil_mode)
        self.Wo = pool_output_size(self.W, self.kw, self.sw, self.pw, self.dw, ceil_mode)
        if self.Ho < 1 or self.Wo < 1:
            ekh, ekw = self.dh * (self.kh - 1) + 1, self.dw * (self.kw - 1) + 1
            spans = f" (spanning {ekh}×{ekw} with dilation)" if (ekh, ekw) != (
                self.kh, self.kw) else ""
            raise ValueError(
                f"{what}: pooling window {self.kh}×{self.kw}{spans} is larger than the padded "
                f"input {self.H + 2 * self.ph}×{self.W + 2 * self.pw}, so the output would be "
                f"{self.Ho}×{self.Wo}")
        # rows/cols the windows touch, counted from the top-left of the left padding
        self.need_h = (self.Ho - 1) * self.sh + self.dh * (self.kh - 1) + 1
        self.need_w = (self.Wo - 1) * self.sw + self.dw * (self.kw - 1) + 1

    @property
    def simple(self) -> bool:
        """Non-overlapping, unpadded, undilated windows that tile a crop of the input."""
        return (self.kh == self.sh and self.kw == self.sw and self.ph == 0 and self.pw == 0
                and self.dh == 1 and self.dw == 1
                and self.Ho * self.kh <= self.H and self.Wo * self.kw <= self.W)

    def padded(self, x: np.ndarray, value: float) -> np.ndarray:
        """x padded by ``value`` (left padding, then whatever the windows reach on the right)."""
        bottom = max(self.need_h - self.H - self.ph, 0)
        right = max(self.need_w - self.W - self.pw, 0)
        if self.ph or self.pw or bottom or right:
            x = np.pad(x, ((0, 0), (0, 0), (self.ph, bottom), (self.pw, right)),
                       constant_values=value)
        return x

    def grad_canvas(self) -> np.ndarray:
        """Zeros large enough for both the padded input and every window."""
        return np.zeros((self.N, self.C, max(self.need_h, self.H + self.ph),
                         max(self.need_w, self.W + self.pw)), dtype=_F32)

    def crop(self, canvas: np.ndarray) -> np.ndarray:
        """Drop the padding from a gradient canvas."""
        return canvas[:, :, self.ph:self.ph + self.H, self.pw:self.pw + self.W]

    def offsets(self) -> Iterator[tuple[int, int, tuple[slice, ...]]]:
        """(i, j, index) per kernel offset; ``padded[index]`` is that tap of every window."""
        for i in range(self.kh):
            r0 = i * self.dh
            rows = slice(r0, r0 + (self.Ho - 1) * self.sh + 1, self.sh)
            for j in range(self.kw):
                c0 = j * self.dw
                cols = slice(c0, c0 + (self.Wo - 1) * self.sw + 1, self.sw)
                yield i, j, (slice(None), slice(None), rows, cols)

    def blocks(self, x: np.ndarray) -> np.ndarray:
        """(N, C, Ho, kh, Wo, kw) view/copy of the tiled crop (simple case only)."""
        x = x[:, :, :self.Ho * self.kh, :self.Wo * self.kw]
        return x.reshape(self.N, self.C, self.Ho, self.kh, self.Wo, self.kw)


def _unbatch(y: np.ndarray, flag: bool) -> np.ndarray:
    return y[0] if flag else y


# ---------------------------------------------------------------- max pooling


def _max_general(g: _Geometry, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running max over kernel offsets; ``arg`` is the winning offset (first max, NaN wins).

    Per offset: one comparison into a reused mask and two masked copies (no temporaries, no
    boolean indexing); the NaN test runs per offset only when the input holds a NaN.
    """
    xp = g.padded(x, -np.inf)
    nan = bool(np.isnan(xp).any())
    y: np.ndarray | None = None
    arg = np.zeros((g.N, g.C, g.Ho, g.Wo), dtype=np.uint8 if g.kh * g.kw <= 256 else np.int32)
    better = np.empty(arg.shape, dtype=bool)
    for i, j, idx in g.offsets():
        v = xp[idx]
        if y is None:
            y = v.copy()
            continue
        np.greater(v, y, out=better)
        if nan:
            better |= np.isnan(v)
        np.copyto(y, v, where=better)
        np.copyto(arg, i * g.kw + j, where=better)
    assert y is not None
    return y, arg


def _max_by_rows_then_columns(g: _Geometry, xp: np.ndarray) -> np.ndarray:
    """Max over each window as the max over its kw taps along rows, then over kh of those
    rows: kw + kh - 2 elementwise maxima instead of kh*kw - 1 masked updates (overlapping
    windows, such as AlexNet's 3x3 stride 2, share the row maxima). NaN propagates."""
    last_w = (g.Wo - 1) * g.sw + 1
    rowmax = xp[:, :, :, 0:last_w:g.sw].copy()
    for j in range(1, g.kw):
        c0 = j * g.dw
        np.maximum(rowmax, xp[:, :, :, c0:c0 + last_w:g.sw], out=rowmax)
    last_h = (g.Ho - 1) * g.sh + 1
    y = rowmax[:, :, 0:last_h:g.sh].copy()
    for i in range(1, g.kh):
        r0 = i * g.dh
        np.maximum(y, rowmax[:, :, r0:r0 + last_h:g.sh], out=y)
    return y


def _route_overlapping(g: _Geometry, xp: np.ndarray, y: np.ndarray, dy: np.ndarray
                       ) -> np.ndarray:
    """dx of max pooling with general windows: each window's gradient goes to its first
    maximum in scan order (PyTorch's tie rule), found by comparing each tap with the
    window's max; overlapping windows add up on the padded canvas."""
    canvas = g.grad_canvas()
    seen = np.zeros(y.shape, dtype=bool)
    hit = np.empty(y.shape, dtype=bool)
    part = np.empty(y.shape, dtype=_F32)
    last = g.kh * g.kw - 1
    for i, j, idx in g.offsets():
        k = i * g.kw + j
        np.equal(xp[idx], y, out=hit)
        if k:
            np.greater(hit, seen, out=hit)  # a hit not seen at an earlier offset
        if k < last:
            np.logical_or(seen, hit, out=seen)
        np.multiply(dy, hit, out=part)
        canvas[idx] += part
    return g.crop(canvas)


def _tile_max(blocks: np.ndarray) -> np.ndarray:
    """Max of each (kh, kw) tile by elementwise maxima over offsets (far faster than .max)."""
    kh, kw = blocks.shape[3], blocks.shape[5]
    y = np.empty(blocks[:, :, :, 0, :, 0].shape, dtype=blocks.dtype)

    def part(a: int, b: int) -> None:  # images apart, on the engine's threads
        ys = y[a:b]
        np.copyto(ys, blocks[a:b, :, :, 0, :, 0])
        for i in range(kh):
            for j in range(kw):
                if i or j:
                    np.maximum(ys, blocks[a:b, :, :, i, :, j], out=ys)

    _threads.over(part, len(y), blocks.size)
    return y


def _route_to_first_max(blocks: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dblocks ``(N, C, Ho, kh, Wo, kw)``: each tile's gradient at its first maximum (scan
    order, as PyTorch breaks ties, which are common after ReLU: all-zero tiles), zeros
    elsewhere. Per offset: one comparison, one "not seen yet" and one multiply on arrays of
    the output's size; no full-size mask and no second pass for ties."""
    kh, kw = blocks.shape[3], blocks.shape[5]
    dblocks = np.empty(blocks.shape, dtype=_F32)

    def part(a: int, b: int) -> None:  # images apart, on the engine's threads
        ys, dys = y[a:b], dy[a:b]
        seen = np.zeros(ys.shape, dtype=bool)
        hit = np.empty(ys.shape, dtype=bool)
        for i in range(kh):
            for j in range(kw):
                np.equal(blocks[a:b, :, :, i, :, j], ys, out=hit)
                if i or j:
                    np.greater(hit, seen, out=hit)  # a hit not seen at an earlier offset
                if i < kh - 1 or j < kw - 1:
                    np.logical_or(seen, hit, out=seen)
                np.multiply(dys, hit, out=dblocks[a:b, :, :, i, :, j])

    _threads.over(part, len(y), blocks.size)
    return dblocks


def _pairs_max(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y, column winners, row winners) of 2x2 tiles ``(N, C, Ho, 2, Wo, 2)``: the larger of
    each row's two columns, then the larger of the tile's two rows.

    The winners are where the second of a pair is strictly larger, so ties go to the first:
    the row won, then its column won, is the tile's first maximum in scan order, PyTorch's
    tie rule. Four passes in all, and backward routes with the two masks (four passes)
    instead of comparing every tap with the max (sixteen)."""
    N, C, Ho, _, Wo, _ = blocks.shape
    cols = np.empty((N, C, Ho, 2, Wo), dtype=bool)
    rowmax = np.empty((N, C, Ho, 2, Wo), dtype=blocks.dtype)
    rows = np.empty((N, C, Ho, Wo), dtype=bool)
    y = np.empty((N, C, Ho, Wo), dtype=blocks.dtype)

    def part(a: int, b: int) -> None:
        left, right = blocks[a:b, ..., 0], blocks[a:b, ..., 1]
        np.greater(right, left, out=cols[a:b])
        np.maximum(left, right, out=rowmax[a:b])
        top, bottom = rowmax[a:b, :, :, 0], rowmax[a:b, :, :, 1]
        np.greater(bottom, top, out=rows[a:b])
        np.maximum(top, bottom, out=y[a:b])

    _threads.over(part, N, blocks.size)  # images apart: each part's channels and rows merge
    return y, cols, rows


def _route_pairs(cols: np.ndarray, rows: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """dblocks ``(N, C, Ho, 2, Wo, 2)`` of :func:`_pairs_max`: dy to the winning row, then
    to that row's winning column (``d - d*mask`` is the loser's share, 0 or d)."""
    N, C, Ho, _, Wo = cols.shape
    drows = np.empty((N, C, Ho, 2, Wo), dtype=_F32)
    dblocks = np.empty((N, C, Ho, 2, Wo, 2), dtype=_F32)

    def part(a: int, b: int) -> None:
        d, dr, db = dy[a:b], drows[a:b], dblocks[a:b]
        np.multiply(d, rows[a:b], out=dr[:, :, :, 1])
        np.subtract(d, dr[:, :, :, 1], out=dr[:, :, :, 0])
        np.multiply(dr, cols[a:b], out=db[..., 1])
        np.subtract(dr, db[..., 1], out=db[..., 0])

    _threads.over(part, N, dblocks.size)
    return dblocks


def _first_max_arg(g: _Geometry, blocks: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Offset of the first maximum in each tile (PyTorch breaks ties by scan order)."""
    arg = np.zeros(y.shape, dtype=np.uint8 if g.kh * g.kw <= 256 else np.int32)
    free = np.ones(y.shape, dtype=bool)
    for i in range(g.kh):
        for j in range(g.kw):
            hit = (blocks[:, :, :, i, :, j] == y) & free
            arg[hit] = i * g.kw + j
            free &= ~hit
    return arg


def max_pool2d_with_cache(x: np.ndarray, kernel_size: IntOrPair,
                          stride: IntOrPair | None = None, padding: IntOrPair = 0,
                          dilation: IntOrPair = 1, ceil_mode: bool = False
                          ) -> tuple[np.ndarray, Any]:
    """Forward that keeps what backward needs to route each gradient to its window's max."""
    xb, unb = batched(x)
    g = _Geometry(xb.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    # the fast paths route gradients by comparing with the max, and NaN == NaN is false:
    # an input holding a NaN takes the path that records each window's argmax instead
    if not np.isnan(xb).any():
        if g.simple and g.kh == g.kw == 2:
            y, cols, rows = _pairs_max(g.blocks(xb))
            return _unbatch(y, unb), ("pairs", g, cols, rows, unb)
        if g.simple:
            blocks = g.blocks(xb)
            y = _tile_max(blocks)
            return _unbatch(y, unb), ("simple", g, blocks, y, unb)
        xp = g.padded(xb, -np.inf)
        y = _max_by_rows_then_columns(g, xp)
        return _unbatch(y, unb), ("overlap", g, xp, y, unb)
    y, arg = _max_general(g, xb)
    return _unbatch(y, unb), ("general", g, arg, None, unb)


def max_pool2d(x: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False
               ) -> np.ndarray:
    """As ``torch.nn.functional.max_pool2d`` (stride defaults to the kernel, -inf padding)."""
    return max_pool2d_with_cache(x, kernel_size, stride, padding, dilation, ceil_mode)[0]


def max_pool2d_with_indices(x: np.ndarray, kernel_size: IntOrPair,
                            stride: IntOrPair | None = None, padding: IntOrPair = 0,
                            dilation: IntOrPair = 1, ceil_mode: bool = False
                            ) -> tuple[np.ndarray, np.ndarray]:
    """(y, indices): indices are flat positions in each input H*W plane, as PyTorch's."""
    xb, unb = batched(x)
    g = _Geometry(xb.shape, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")
    if g.simple:
        blocks = g.blocks(xb)
        y = _tile_max(blocks)
        arg = _first_max_arg(g, blocks, y)
    else:
        y, arg = _max_general(g, xb)
    i, j = np.divmod(arg.astype(np.int64), g.kw)
    rows = np.arange(g.Ho)[:, None] * g.sh - g.ph + i * g.dh
    cols = np.arange(g.Wo)[None, :] * g.sw - g.pw + j * g.dw
    indices = rows * g.W + cols
    return _unbatch(y, unb), _unbatch(indices, unb)


def max_pool2d_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """Each output's gradient goes to its argmax; overlapping windows add up."""
    kind, g, a, b, unb = cache
    dy = as_float32(dy)
    if unb:
        dy = dy[None]
    if kind in ("simple", "pairs"):
        dblocks = _route_pairs(a, b, dy) if kind == "pairs" else _route_to_first_max(a, b, dy)
        dblocks = dblocks.reshape(g.N, g.C, g.Ho * g.kh, g.Wo * g.kw)
        if dblocks.shape[2:] == (g.H, g.W):
            dx = dblocks
        else:
            dx = np.zeros((g.N, g.C, g.H, g.W), dtype=_F32)
            dx[:, :, :g.Ho * g.kh, :g.Wo * g.kw] = dblocks
    elif kind == "overlap":
        dx = _route_overlapping(g, a, b, dy)
    else:
        arg = a
        canvas = g.grad_canvas()
        hit = np.empty(arg.shape, dtype=bool)
        part = np.empty(dy.shape, dtype=_F32)
        for i, j, idx in g.offsets():
            np.equal(arg, i * g.kw + j, out=hit)
            np.multiply(dy, hit, out=part)
            canvas[idx] += part
        dx = g.crop(canvas)
    return _unbatch(dx, unb)


def max_pool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: IntOrPair,
                        stride: IntOrPair | None = None, padding: IntOrPair = 0,
                        dilation: IntOrPair = 1, ceil_mode: bool = False) -> np.ndarray:
    """dL/dx of :func:`max_pool2d` given dL/dy."""
    cache = max_pool2d_with_cache(x, kernel_size, stride, padding, dilation, ceil_mode)[1]
    return max_pool2d_backward_from_cache(dy, cache)


# ---------------------------------------------------------------- average pooling


def _avg_counts(size: int, out: int, k: int, s: int, p: int, include_pad: bool) -> np.ndarray:
    """Per-axis divisor: PyTorch clips windows to the padded edge, then (optionally) the input."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


def _tile_sums(g: _Geometry, x: np.ndarray) -> np.ndarray:
    """Sum of each (kh, kw) tile: the kw neighbours along every row first (one long strided
    add per offset over the whole array), then kh of those rows. Much faster than
    ``.sum(axis=(3, 5))`` over the 6-D tile view, whose innermost runs are kw long."""
    N, C, Ho, Wo, kh, kw = g.N, g.C, g.Ho, g.Wo, g.kh, g.kw
    x = np.ascontiguousarray(x[:, :, :Ho * kh, :Wo * kw])
    pairs = x.reshape(-1, kw)
    rows = pairs[:, 0].copy()
    for j in range(1, kw):
        rows += pairs[:, j]
    rows = rows.reshape(N * C * Ho, kh, Wo)
    total = rows[:, 0].copy()
    for i in range(1, kh):
        total += rows[:, i]
    return total.reshape(N, C, Ho, Wo)


def _spread_tiles(g: _Geometry, share: np.ndarray) -> np.ndarray:
    """dx of a tiling average pool: each tile's share written to the kw columns of its
    first row, then that row copied to the other kh - 1 (whole contiguous rows)."""
    N, C, Ho, Wo, kh, kw = g.N, g.C, g.Ho, g.Wo, g.kh, g.kw
    tiles = np.empty((N * C * Ho, kh, Wo * kw), dtype=_F32)
    first = tiles[:, 0].reshape(-1, Wo, kw)
    for j in range(kw):
        first[:, :, j] = share.reshape(-1, Wo)
    for i in range(1, kh):
        tiles[:, i] = tiles[:, 0]
    tiles = tiles.reshape(N, C, Ho * kh, Wo * kw)
    if (Ho * kh, Wo * kw) == (g.H, g.W):
        return tiles
    dx = np.zeros((N, C, g.H, g.W), dtype=_F32)
    dx[:, :, :Ho * kh, :Wo * kw] = tiles
    return dx


def avg_pool2d_with_cache(x: np.ndarray, kernel_size: IntOrPair,
                          stride: IntOrPair | None = None, padding: IntOrPair = 0,
                          ceil_mode: bool = False, count_include_pad: bool = True,
                          divisor_override: int | None = None) -> tuple[np.ndarray, Any]:
    """Forward; the cache is the geometry and the per-output divisor."""
    xb, unb = batched(x)
    g = _Geometry(xb.shape, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d")
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError("avg_pool2d: divisor_override must not be zero")
        div = np.full((g.Ho, g.Wo), divisor_override, dtype=_F32)
    else:
        ch = _avg_counts(g.H, g.Ho, g.kh, g.sh, g.ph, count_include_pad)
        cw = _avg_counts(g.W, g.Wo, g.kw, g.sw, g.pw, count_include_pad)
        div = (ch[:, None] * cw[None, :]).astype(_F32)
    if g.simple:  # the divisor is one number: divide in place
        total = _tile_sums(g, xb)
        np.divide(total, div.flat[0], out=total)
        return _unbatch(total, unb), (g, div, unb)
    xp = g.padded(xb, 0.0)
    total = np.zeros((g.N, g.C, g.Ho, g.Wo), dtype=_F32)
    for _, _, idx in g.offsets():
        total += xp[idx]
    return _unbatch(total / div, unb), (g, div, unb)


def avg_pool2d(x: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair | None = None,
               padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> np.ndarray:
    """As ``torch.nn.functional.avg_pool2d`` (zero padding counted by default)."""
    return avg_pool2d_with_cache(x, kernel_size, stride, padding, ceil_mode,
                                 count_include_pad, divisor_override)[0]


def avg_pool2d_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """Every input in a window receives the window's gradient divided by its divisor."""
    g, div, unb = cache
    dy = as_float32(dy)
    if unb:
        dy = dy[None]
    if g.simple:
        dx = _spread_tiles(g, dy / div.flat[0])
    else:
        share = dy / div
        canvas = g.grad_canvas()
        for _, _, idx in g.offsets():
            canvas[idx] += share
        dx = g.crop(canvas)
    return _unbatch(dx, unb)


def avg_pool2d_backward(dy: np.ndarray, x: np.ndarray, kernel_size: IntOrPair,
                        stride: IntOrPair | None = None, padding: IntOrPair = 0,
                        ceil_mode: bool = False, count_include_pad: bool = True,
                        divisor_override: int | None = None) -> np.ndarray:
    """dL/dx of :func:`avg_pool2d` given dL/dy."""
    cache = avg_pool2d_with_cache(x, kernel_size, stride, padding, ceil_mode,
                                  count_include_pad, divisor_override)[1]
    return avg_pool2d_backward_from_cache(dy, cache)


# ---------------------------------------------------------------- adaptive / global


def _adaptive_matrix(size: int, out: int) -> np.ndarray:
    """(out, size) averaging matrix of PyTorch's bins [floor(i*I/O), ceil((i+1)*I/O))."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(_F32)


def adaptive_avg_pool2d_with_cache(x: np.ndarray, output_size: int | Sequence[int | None]
                                   ) -> tuple[np.ndarray, Any]:
    """Average over bins that always cover the input, whatever its size.

    A rectangle's average is the row-average of column-averages, so the op is two small
    matrix products: ``A_h @ x @ A_w.T``.
    """
    xb, unb = batched(x)
    H, W = xb.shape[2:]
    if isinstance(output_size, (int, np.integer)):
        Ho = Wo = int(output_size)
    else:
        oh, ow = tuple(output_size)
        Ho = H if oh is None else int(oh)
        Wo = W if ow is None else int(ow)
    if Ho < 1 or Wo < 1:
        raise ValueError(f"adaptive_avg_pool2d: output size must be positive, got {Ho}×{Wo}")
    ah, aw = _adaptive_matrix(H, Ho), _adaptive_matrix(W, Wo)
    y = ah @ xb @ aw.T
    return _unbatch(y, unb), (ah, aw, unb)


def adaptive_avg_pool2d(x: np.ndarray, output_size: int | Sequence[int | None]) -> np.ndarray:
    """As ``torch.nn.functional.adaptive_avg_pool2d`` (None keeps that input size)."""
    return adaptive_avg_pool2d_with_cache(x, output_size)[0]


def adaptive_avg_pool2d_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """The transpose of the two averaging matrices spreads each bin's gradient back."""
    ah, aw, unb = cache
    dy = as_float32(dy)
    return ah.T @ dy @ aw


def adaptive_avg_pool2d_backward(dy: np.ndarray, x: np.ndarray,
                                 output_size: int | Sequence[int | None]) -> np.ndarray:
    """dL/dx of :func:`adaptive_avg_pool2d` given dL/dy."""
    return adaptive_avg_pool2d_backward_from_cache(
        dy, adaptive_avg_pool2d_with_cache(x, output_size)[1])


def global_avg_pool2d_with_cache(x: np.ndarray) -> tuple[np.ndarray, Any]:
    """Mean of each channel map, kept as (N, C, 1, 1) like ``adaptive_avg_pool2d(x, 1)``."""
    x = as_float32(x)
    if x.ndim not in (3, 4):
        raise ValueError(f"expected a 3-D (C, H, W) or 4-D (N, C, H, W) array, got {x.shape}")
    return x.mean(axis=(-2, -1), keepdims=True, dtype=_F32), x.shape


def global_avg_pool2d(x: np.ndarray) -> np.ndarray:
    """One number per channel map: the replacement for big fully connected heads."""
    return global_avg_pool2d_with_cache(x)[0]


def global_avg_pool2d_backward_from_cache(dy: np.ndarray, cache: Any) -> np.ndarray:
    """Each pixel receives 1/(H*W) of its channel's gradient."""
    shape = cache
    dy = as_float32(dy) / _F32(shape[-2] * shape[-1])
    return np.broadcast_to(dy, shape).copy()


def global_avg_pool2d_backward(dy: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dL/dx of :func:`global_avg_pool2d` given dL/dy."""
    return global_avg_pool2d_backward_from_cache(dy, global_avg_pool2d_with_cache(x)[1])
