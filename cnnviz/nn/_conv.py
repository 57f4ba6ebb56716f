"""Convolutions as PyTorch computes them: ``conv2d``, ``true_conv2d``, ``conv_transpose2d``.

How it is fast without a loop over pixels or the batch:

* stride-1 convolutions (most lesson layers, depthwise ones included) take the flat path
  (see the "flat path" section): every kernel tap is a shifted view of the padded input, and
  tiled products never materialise the column matrix; the rest take the column path:
* the input is padded and moved to batch-last order ``(C, H, W, N)`` in one copy, then
  unrolled into one column block ``(C*kh*kw, Ho*Wo*N)``, filled with one whole-array copy per
  kernel offset (batch-last makes each copy move long contiguous runs; see ``_windows.py``);
* ONE matrix product ``(C_out, C*kh*kw) @ columns`` (one per group, as a single batched
  product over groups) gives the output, moved back to NCHW in one copy;
* the columns are kept in the cache, so backward only does two more products
  (``dweight = dy @ cols^T``, ``dcols = weight^T @ dy``) and folds ``dcols`` back per offset
  into a padded buffer (col2im);
* depthwise convolution with one output per channel on narrow planes takes the band path
  (``_band.py``: banded products straight on NCHW); other depthwise convs skip the columns
  and accumulate ``x_shifted * w[:, :, i, j]`` per offset.

A transposed convolution is the input-gradient of a convolution, so it reuses the same parts
in the other order (product -> fold forward, columns -> product backward).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _band, _threads
from ._pad import PadCache, _normalise, _pad, _pad_backward
from ._util import IntOrPair, as_float32, batched, pair
from ._windows import (
    _tap,
    cols_from_padded,
    flat_taps,
    fold_cols,
    from_chwn,
    from_flat,
    out_size,
    to_chwn,
    to_flat,
)

__all__ = [
    "conv2d", "conv2d_with_cache", "conv2d_backward_from_cache", "conv2d_backward",
    "conv2d_param_grads_from_cache",
    "true_conv2d", "true_conv2d_with_cache", "true_conv2d_backward_from_cache",
    "true_conv2d_backward",
    "conv_transpose2d", "conv_transpose2d_with_cache", "conv_transpose2d_backward_from_cache",
    "conv_transpose2d_backward",
]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")

Grads = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass
class ConvCache:
    """What conv2d's backward needs (columns are kept so backward does not rebuild them)."""

    x_shape: tuple[int, ...]  # the (N, C, H, W) input before padding
    weight: np.ndarray
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    pads: tuple[int, int, int, int]  # top, bottom, left, right
    padding_mode: str
    padded_hw: tuple[int, int]
    out_hw: tuple[int, int]
    unbatched: bool
    cols: np.ndarray | None  # (G, K/G, Ho*Wo*N) columns, for the matmul path
    xp: np.ndarray | None  # the padded input as (C, Hp, Wp, N), for the depthwise path
    pad_cache: PadCache | None  # for reflect / replicate / circular padding
    x: np.ndarray | None = None  # the NCHW input itself, for the 1x1 (pointwise) path
    flat: FlatConv | None = None  # for the stride-1 flat-layout path
    band: _band.Band | None = None  # for the depthwise band path (x is then the padded input)


@dataclass
class FlatConv:
    """A stride-1 conv computed on the flat layout (``_windows.to_flat``): its padded input
    and where things sit on the padded grid."""

    X: np.ndarray  # 1-D buffer: the padded input's C rows of N*Hp*Wp, then spare zeros
    grid: tuple[int, int, int]  # N, Hp, Wp
    inside: tuple[slice, slice]  # rows / columns of the unpadded input in the padded grid


@dataclass
class ConvTransposeCache:
    """What conv_transpose2d's backward needs."""

    xt: np.ndarray | None  # the input as (C_in, H, W, N); None on the depthwise path
    weight: np.ndarray
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    buffer_hw: tuple[int, int]
    out_hw: tuple[int, int]
    unbatched: bool
    conv: ConvCache | None = None  # set when computed as a depthwise conv2d (stride 1)


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Product of (G, m, k) and (G, k, n) stacks; a plain 2-D BLAS call when G == 1, which is
    faster than np.matmul's stacked loop (and transposed operands need no copy); the
    output's columns are shared out over the engine's threads."""
    if a.shape[0] == 1:
        return _threads.matmul(a[0], b[0])[None]
    return _threads.matmul(a, b)


# ----------------------------------------------------------------------------- fast paths


def _pointwise(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """1x1 conv as ``w @ x[n]`` on the NCHW input itself: no padding, columns or transposes,
    so a depthwise -> pointwise pair (or any 1x1 layer) moves no data between layouts."""
    N, C, H, W = x.shape
    y = _threads.matmul(w, x.reshape(N, C, H * W))  # (N, C_out, H*W), already NCHW
    if bias is not None:
        y += bias[:, None]
    return y.reshape(N, -1, H, W)


def _pointwise_backward(dy: np.ndarray, x: np.ndarray, w: np.ndarray) -> Grads:
    """(dx, dweight (C_out, C), dbias) of :func:`_pointwise`, all from NCHW products."""
    N, C, H, W = x.shape
    d = dy.reshape(N, -1, H * W)
    dx = _threads.matmul(w.T, d).reshape(N, C, H, W)
    # per-image (C_out, C) products summed over the batch: small stacked GEMMs beat
    # transposing both operands into one big product
    dweight = _threads.matmul(d, x.reshape(N, C, H * W).transpose(0, 2, 1)).sum(axis=0)
    return dx, dweight, d.sum(axis=(0, 2))


def _offsets(kh: int, kw: int, stride: tuple[int, int], dilation: tuple[int, int], Ho: int,
             Wo: int) -> list[tuple[int, int, slice, slice]]:
    """(i, j, rows, cols) of every kernel offset: the padded-input window it reads."""
    return [(i, j, _tap(i, dilation[0], Ho, stride[0]), _tap(j, dilation[1], Wo, stride[1]))
            for i in range(kh) for j in range(kw)]


def _depthwise(xp: np.ndarray, w: np.ndarray, stride: tuple[int, int],
               dilation: tuple[int, int], Ho: int, Wo: int) -> np.ndarray:
    """Depthwise conv of a padded ``(C, Hp, Wp, N)`` input with ``w`` ``(C, m, kh, kw)``.

    A k*k-tap product per channel is far too small for BLAS, so this accumulates
    ``x_shifted * w[c, :, i, j]`` per kernel offset: the first offset writes the output
    directly (no zero fill), the others go through one reused buffer (no temporaries), and
    batch-last makes every operation run over contiguous ``Wo * N`` stretches.
    """
    C, m, kh, kw = w.shape
    N = xp.shape[-1]
    shape = (C, Ho, Wo, N) if m == 1 else (C, m, Ho, Wo, N)
    acc = np.empty(shape, dtype=np.float32)
    tmp = np.empty(shape, dtype=np.float32)
    for k, (i, j, rows, cols) in enumerate(_offsets(kh, kw, stride, dilation, Ho, Wo)):
        xs = xp[:, rows, cols] if m == 1 else xp[:, None, rows, cols]
        wk = w[:, 0, i, j, None, None, None] if m == 1 else w[:, :, i, j, None, None, None]
        np.multiply(xs, wk, out=acc if k == 0 else tmp)
        if k:
            acc += tmp
    return acc.reshape(C * m, Ho, Wo, N)


def _depthwise_dweight(dyt: np.ndarray, xp: np.ndarray, wshape: tuple[int, ...],
                       stride: tuple[int, int], dilation: tuple[int, int]) -> np.ndarray:
    """dweight ``(C, m, kh, kw)`` of :func:`_depthwise` from dy ``(C*m, Ho, Wo, N)``.

    Per offset it is a per-channel dot product of dy with the shifted input; written as
    stacked ``(m, Wo*N) @ (Wo*N, 1)`` products over (channel, row) it runs in BLAS, several
    times faster than einsum's reduction (views only: Wo and N merge when stride_w is 1).
    """
    C, m, kh, kw = wshape
    _, Ho, Wo, N = dyt.shape
    dyr = dyt.reshape(C, m, Ho, Wo * N).transpose(0, 2, 1, 3)  # (C, Ho, m, Wo*N)
    dw = np.empty((C, m, kh, kw), dtype=np.float32)
    for i, j, rows, cols in _offsets(kh, kw, stride, dilation, Ho, Wo):
        xcol = xp[:, rows, cols].reshape(C, Ho, Wo * N, 1)
        dw[:, :, i, j] = np.matmul(dyr, xcol)[..., 0].sum(axis=1)
    return dw


def _depthwise_backward(dyt: np.ndarray, xp: np.ndarray, w: np.ndarray,
                        stride: tuple[int, int], dilation: tuple[int, int]
                        ) -> tuple[np.ndarray, np.ndarray]:
    """(padded dx ``(C, Hp, Wp, N)``, dweight ``(C, m, kh, kw)``) of :func:`_depthwise`, for
    strides > 1 and channel multipliers: dx scatters ``w * dy`` back per offset."""
    C, m, kh, kw = w.shape
    _, Ho, Wo, N = dyt.shape
    dxp = np.zeros(xp.shape, dtype=np.float32)
    tmp = np.empty((C, Ho, Wo, N), dtype=np.float32)
    dyg = dyt.reshape(C, m, Ho * Wo * N)
    for i, j, rows, cols in _offsets(kh, kw, stride, dilation, Ho, Wo):
        if m == 1:
            np.multiply(dyt, w[:, 0, i, j, None, None, None], out=tmp)
        else:  # sum over the m outputs of each input channel: one small GEMV per channel
            np.matmul(w[:, None, :, i, j], dyg, out=tmp.reshape(C, 1, -1))
        dxp[:, rows, cols] += tmp
    return dxp, _depthwise_dweight(dyt, xp, w.shape, stride, dilation)

# ----------------------------------------------------------------------------- flat path
#
# Stride-1 convolutions (the 3x3 / 5x5 layers of every lesson net, depthwise ones included)
# run on the flat layout of ``_windows.to_flat``, where all kernel taps are one strided view
# of the padded input. The column matrix is never stored whole: output positions are walked
# in tiles whose column block (~512 KB, one copy out of the view) stays in cache from being
# written to being read by the product, and backward rebuilds each tile's columns from the
# padded input. Writing and re-reading a 50-100 MB column matrix (and folding it back) cost
# more than the products themselves on a 2-core machine. dx needs no fold either: it is the
# same tiled product over the taps of dy (read backwards, which the flat layout allows by
# putting zeros in front of dy) with the kernel rotated 180°. Groups are a batch of products
# (depthwise: one (1, kh*kw) @ (kh*kw, tile) product per channel). The loop is over tiles of
# output positions (a few dozen), never over images or pixels.

_TILE_BYTES = 1 << 20  # L2 is 2 MB per core here; 2 BLAS threads want tiles this big


def _tiles(rows: int, length: int) -> list[tuple[int, int]]:
    """(start, stop) of tiles of output positions whose ``rows``-row float32 block is about
    _TILE_BYTES. They do not depend on the engine's thread count, so neither do the sums
    over them: results are the same on any number of threads."""
    step = max(256, min(length, _TILE_BYTES // (4 * rows)))
    return [(a, min(a + step, length)) for a in range(0, length, step)]


def _tile_cols(taps: np.ndarray, a: int, b: int, buf: np.ndarray, groups: int) -> np.ndarray:
    """Columns ``(groups, C/groups * kh*kw, b - a)`` of positions a..b, one copy into buf."""
    C, kh, kw, _ = taps.shape
    cols = buf[:C * kh * kw * (b - a)].reshape(C, kh, kw, b - a)
    np.copyto(cols, taps[..., a:b])
    return cols.reshape(groups, -1, b - a)


def _flat_products(taps: np.ndarray, wg: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[g] = wg[g] @ columns[g]`` over all positions, tile by tile (``wg``:
    (G, C_out/G, C/G*kh*kw); ``out``: (G, C_out/G, L)); the tiles are shared out over the
    engine's threads (``_threads``), each with its own column buffer."""
    G, _, K = wg.shape
    tiles = _tiles(G * K, out.shape[-1])

    def work(span: tuple[int, int]) -> None:
        buf = np.empty(G * K * tiles[0][1], dtype=np.float32)
        for a, b in tiles[span[0]:span[1]]:
            cols = _tile_cols(taps, a, b, buf, G)
            if G == 1:
                np.matmul(wg[0], cols[0], out=out[0, :, a:b])
            else:
                np.matmul(wg, cols, out=out[:, :, a:b])

    _threads.run(work, _threads.spans(len(tiles), out.size))
    return out


def _flat_dweight(dy: np.ndarray, taps: np.ndarray, G: int) -> np.ndarray:
    """``(G, C/G*kh*kw, C_out/G)``: per tile, columns @ dy^T (dy ``(G, C_out/G, L)`` is zero
    off the output crop, so garbage positions add nothing). The engine's threads each take
    a share of the tiles; the tiles' products are then added in tile order, as one thread
    adds them, so the sum does not depend on the thread count."""
    C, kh, kw, L = taps.shape
    K = C // G * kh * kw
    tiles = _tiles(G * K, L)
    parts = np.empty((len(tiles), G, K, dy.shape[1]), dtype=np.float32)

    def work(span: tuple[int, int]) -> None:
        buf = np.empty(G * K * tiles[0][1], dtype=np.float32)
        for t in range(*span):
            a, b = tiles[t]
            cols = _tile_cols(taps, a, b, buf, G)
            d = dy[:, :, a:b].transpose(0, 2, 1)
            if G == 1:
                np.matmul(cols[0], d[0], out=parts[t, 0])
            else:
                np.matmul(cols, d, out=parts[t])

    _threads.run(work, _threads.spans(len(tiles), G * K * L))
    dwT = parts[0]
    for p in parts[1:]:
        dwT += p
    return dwT


def _flat_block_pads(pads: tuple[int, int, int, int], span: tuple[int, int]
                     ) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of one image's block on the flat grid.

    Neighbouring rows (and images) can share their zero border: the zeros after a row's
    last pixel are also the zeros before the next row's first, because a tap that runs off
    a row's end lands in the next row's start. So the block needs max(left, right) zero
    columns and max(top, bottom) zero rows, not left + right and top + bottom — a 3x3
    "same" conv at 14x14 computes 15x15 positions per image instead of 16x16, a 5x5 one
    16x16 instead of 18x18. That holds while the padding is at most the kernel's span
    (``span``: dilation*(k-1) per axis), so that garbage positions never reach a real one
    in the backward pass; otherwise the full border is used.
    """
    top, bottom, left, right = pads
    if top + bottom > span[0] or left + right > span[1]:
        return pads
    return top, max(top, bottom) - top, left, max(left, right) - left


def _flat_pays(C: int, C_g: int, grid_hw: tuple[int, int], out_hw: tuple[int, int],
               band: bool = False) -> bool:
    """Whether the flat path is the faster one for a stride-1 conv (``band``: whether the
    band path could take it).

    Measured (benchmarks/conv_ops.py): depthwise convs gain over the column path (1.7x), but
    the band path is 2-3x faster still on narrow planes; full convs gain while the flat grid
    adds at most ~35 % garbage positions (3x3 with padding 1 at 14x14 and up), and lose to
    the column path when it adds more, since the products then do that much more work.
    """
    if C_g == 1 and C > 1:
        return not band
    return grid_hw[0] * grid_hw[1] <= 1.35 * out_hw[0] * out_hw[1]


def _band_pays(x_shape: tuple[int, ...], w_shape: tuple[int, ...], groups: int,
               stride: tuple[int, int], dilation: tuple[int, int], Wo: int) -> bool:
    """Whether a conv is depthwise with one output per channel and narrow enough planes
    for the band path (``_band.pays``)."""
    C, W = x_shape[1], x_shape[3]
    return (groups == C == w_shape[0] and C > 1
            and _band.pays(W, w_shape[2], stride[0], dilation[0], Wo))


def _conv2d_flat(x: np.ndarray, unbatched: bool, weight: np.ndarray, bias: np.ndarray | None,
                 pads: tuple[int, int, int, int], dilation: tuple[int, int], groups: int,
                 padding_mode: str) -> tuple[np.ndarray, ConvCache]:
    """Stride-1 conv2d on the flat layout; other padding modes pad first and then run with
    zero padding."""
    N, C, H, W = x.shape
    C_out, C_g, kh, kw = weight.shape
    top, bottom, left, right = pads
    pad_cache = None
    if padding_mode != "zeros" and any(pads):
        pairs = _normalise(x.shape, (left, right, top, bottom), padding_mode)
        x = _pad(x, pairs, padding_mode, 0.0)
        pad_cache = PadCache((N, C, H, W), pairs, padding_mode)
        H, W = x.shape[2:]
        top = bottom = left = right = 0
    span = (dilation[0] * (kh - 1), dilation[1] * (kw - 1))
    Ho, Wo = H + top + bottom - span[0], W + left + right - span[1]
    block = _flat_block_pads((top, bottom, left, right), span)
    Hp, Wp = H + block[0] + block[1], W + block[2] + block[3]
    L = N * Hp * Wp
    reach = span[0] * Wp + span[1]
    X = to_flat(x, block, tail=reach)
    taps = flat_taps(X, C, L, (kh, kw), dilation, Wp)
    y = np.empty((groups, C_out // groups, L), dtype=np.float32)
    _flat_products(taps, weight.reshape(groups, C_out // groups, -1), y)
    y = from_flat(y.reshape(C_out, L), N, Hp, Wp, slice(0, Ho), slice(0, Wo), bias)
    flat = FlatConv(X, (N, Hp, Wp), (slice(top, top + H), slice(left, left + W)))
    cache = ConvCache((N, C, H, W) if pad_cache is None else pad_cache.shape, weight, (1, 1),
                      dilation, groups, pads, padding_mode, (Hp, Wp), (Ho, Wo), unbatched,
                      None, None, pad_cache, flat=flat)
    return (y[0] if unbatched else y), cache


def _flat_param_grads(dy: np.ndarray, c: ConvCache) -> tuple[np.ndarray, np.ndarray,
                                                            np.ndarray]:
    """(flat dy buffer, dweight, dbias) of :func:`_conv2d_flat`; the buffer is dy on the
    padded grid, zero off the crop, with ``reach`` zeros in front (what dx reads)."""
    f = c.flat
    assert f is not None
    N, Hp, Wp = f.grid
    Ho, Wo = c.out_hw
    C_out, C_g, kh, kw = c.weight.shape
    G = c.groups
    L = N * Hp * Wp
    reach = c.dilation[0] * (kh - 1) * Wp + c.dilation[1] * (kw - 1)
    # the taps of this buffer read dy[o, q - (reach - shift)], the rotated kernel's taps
    D = to_flat(dy, (0, Hp - Ho, 0, Wp - Wo), head=reach)
    dY = D[reach:].reshape(C_out, L)
    dbias = dY.sum(axis=1)
    dwT = _flat_dweight(dY.reshape(G, C_out // G, L),
                        flat_taps(f.X, C_g * G, L, (kh, kw), c.dilation, Wp), G)
    return D, dwT.transpose(0, 2, 1).reshape(c.weight.shape), dbias


def _conv2d_flat_backward(dy: np.ndarray, c: ConvCache) -> Grads:
    """(dx, dweight, dbias) of :func:`_conv2d_flat`."""
    f = c.flat
    assert f is not None
    N, Hp, Wp = f.grid
    C_out, C_g, kh, kw = c.weight.shape
    G = c.groups
    C = C_g * G
    L = N * Hp * Wp
    D, dweight, dbias = _flat_param_grads(dy, c)
    # dx[c] = sum over (o, rotated tap) of w[o, c, kh-1-i, kw-1-j] * dy taps
    wr = c.weight[:, :, ::-1, ::-1].reshape(G, C_out // G, C_g, kh * kw)
    wr = np.ascontiguousarray(wr.transpose(0, 2, 1, 3)).reshape(G, C_g, -1)
    dX = np.empty((G, C_g, L), dtype=np.float32)
    _flat_products(flat_taps(D, C_out, L, (kh, kw), c.dilation, Wp), wr, dX)
    dx = from_flat(dX.reshape(C, L), N, Hp, Wp, *f.inside)
    if c.pad_cache is not None:
        dx = _pad_backward(dx, c.pad_cache)
    return (dx[0] if c.unbatched else dx), dweight, dbias


# ----------------------------------------------------------------------------- band path


def _conv2d_band(x: np.ndarray, unbatched: bool, weight: np.ndarray, bias: np.ndarray | None,
                 stride: tuple[int, int], pads: tuple[int, int, int, int],
                 dilation: tuple[int, int], padding_mode: str) -> tuple[np.ndarray, ConvCache]:
    """Depthwise conv2d as banded products on NCHW (``_band``); other padding modes pad
    first and then run with zero padding."""
    shape = x.shape
    pad_cache = None
    top, bottom, left, right = pads
    if padding_mode != "zeros" and any(pads):
        pairs = _normalise(x.shape, (left, right, top, bottom), padding_mode)
        x = _pad(x, pairs, padding_mode, 0.0)
        pad_cache = PadCache(shape, pairs, padding_mode)
        top = bottom = left = right = 0
    H, W = x.shape[2:]
    kh, kw = weight.shape[2:]
    Ho = out_size(H, kh, stride[0], top, bottom, dilation[0])
    Wo = out_size(W, kw, stride[1], left, right, dilation[1])
    g = _band.Band((H, W), (Ho, Wo), (kh, kw), stride, dilation, (top, left))
    y = _band.forward(x, weight, bias, g)
    cache = ConvCache(shape, weight, stride, dilation, x.shape[1], pads, padding_mode,
                      (H, W), (Ho, Wo), unbatched, None, None, pad_cache, x=x, band=g)
    return (y[0] if unbatched else y), cache


def _conv2d_band_backward(dy: np.ndarray, c: ConvCache, need_dx: bool = True
                          ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """(dx or None, dweight, dbias) of :func:`_conv2d_band`."""
    assert c.band is not None and c.x is not None
    dy = np.ascontiguousarray(dy)
    dweight, dbias = _band.param_grads(dy, c.x, c.band)
    if not need_dx:
        return None, dweight, dbias
    dx = _band.input_grad(dy, c.weight, c.band)
    if c.pad_cache is not None:
        dx = _pad_backward(dx, c.pad_cache)
    return (dx[0] if c.unbatched else dx), dweight, dbias


# ----------------------------------------------------------------------------- checks


def _check_weight(weight: np.ndarray) -> np.ndarray:
    weight = as_float32(weight)
    if weight.ndim != 4:
        raise ValueError(
            f"weight must be 4-D (C_out, C_in/groups, kH, kW), got shape {weight.shape}")
    return weight


def _check_positive(stride: tuple[int, int], dilation: tuple[int, int], groups: int) -> None:
    if min(stride) < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    if min(dilation) < 1:
        raise ValueError(f"dilation must be >= 1, got {dilation}")
    if int(groups) < 1:
        raise ValueError(f"groups must be a positive integer, got {groups}")


def _check_bias(bias: np.ndarray | None, channels: int) -> np.ndarray | None:
    if bias is None:
        return None
    bias = as_float32(bias)
    if bias.shape != (channels,):
        raise ValueError(f"bias must have shape ({channels},) (one per output channel), "
                         f"got {bias.shape}")
    return bias


def _conv_pads(padding: IntOrPair | str, kernel: tuple[int, int], stride: tuple[int, int],
               dilation: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right); 'same' puts the odd extra pixel on the bottom/right."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"padding='same' is not supported for strided convolutions (stride={stride})")
            th, tw = dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)
            return th // 2, th - th // 2, tw // 2, tw - tw // 2
        raise ValueError(f"padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be >= 0, got {(ph, pw)}")
    return ph, ph, pw, pw


# ----------------------------------------------------------------------------- conv2d


def conv2d_with_cache(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                      stride: IntOrPair = 1, padding: IntOrPair | str = 0,
                      dilation: IntOrPair = 1, groups: int = 1, padding_mode: str = "zeros"
                      ) -> tuple[np.ndarray, ConvCache]:
    """Forward pass of :func:`conv2d` that also returns its cache (the columns)."""
    x, unbatched = batched(x)
    weight = _check_weight(weight)
    stride, dilation, groups = pair(stride, "stride"), pair(dilation, "dilation"), int(groups)
    _check_positive(stride, dilation, groups)
    N, C, H, W = x.shape
    C_out, C_g, kh, kw = weight.shape
    if C % groups or C_out % groups:
        raise ValueError(f"groups={groups} must divide both in_channels ({C}) and "
                         f"out_channels ({C_out})")
    if C_g * groups != C:
        raise ValueError(
            f"weight {weight.shape} with groups={groups} expects the input to have "
            f"{C_g * groups} channels, but it has {C} (input shape {x.shape})")
    bias = _check_bias(bias, C_out)
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"padding_mode must be one of {', '.join(PADDING_MODES)}, "
                         f"got {padding_mode!r}")
    pads = _conv_pads(padding, (kh, kw), stride, dilation)
    return _conv2d_padded(x, unbatched, weight, bias, stride, pads, dilation, groups,
                          padding_mode)


def _conv2d_padded(x: np.ndarray, unbatched: bool, weight: np.ndarray, bias: np.ndarray | None,
                   stride: tuple[int, int], pads: tuple[int, int, int, int],
                   dilation: tuple[int, int], groups: int, padding_mode: str
                   ) -> tuple[np.ndarray, ConvCache]:
    """conv2d with checked arguments and explicit (top, bottom, left, right) padding, which
    may be asymmetric (a transposed conv computed as a conv needs that)."""
    N, C, H, W = x.shape
    C_out, C_g, kh, kw = weight.shape
    top, bottom, left, right = pads
    Hp, Wp = H + top + bottom, W + left + right
    Ho = out_size(H, kh, stride[0], top, bottom, dilation[0])
    Wo = out_size(W, kw, stride[1], left, right, dilation[1])
    if Ho < 1 or Wo < 1:
        raise ValueError(
            f"kernel {kh}x{kw} (dilation {dilation[0]}x{dilation[1]}: spans "
            f"{dilation[0] * (kh - 1) + 1}x{dilation[1] * (kw - 1) + 1}) is larger than the "
            f"padded input {Hp}x{Wp}; the output would be empty")

    if (kh, kw) == (1, 1) and stride == (1, 1) and not any(pads) and groups == 1:
        y = _pointwise(x, weight.reshape(C_out, C), bias)
        cache = ConvCache(x.shape, weight, stride, dilation, groups, pads, padding_mode,
                          (Hp, Wp), (Ho, Wo), unbatched, None, None, None, x)
        return (y[0] if unbatched else y), cache

    block = pads  # other padding modes pad first: no shared border
    if padding_mode == "zeros":
        block = _flat_block_pads(pads, (dilation[0] * (kh - 1), dilation[1] * (kw - 1)))
    grid_hw = (H + block[0] + block[1], W + block[2] + block[3])
    # the band multiplies zeros by inputs outside each window: an inf or NaN would spread
    # further than in PyTorch, so non-finite inputs take the other paths
    band = (_band_pays(x.shape, weight.shape, groups, stride, dilation, Wo)
            and bool(np.isfinite(x).all()))
    if stride == (1, 1) and _flat_pays(C, C_g, grid_hw, (Ho, Wo), band):
        return _conv2d_flat(x, unbatched, weight, bias, pads, dilation, groups, padding_mode)
    if band:
        return _conv2d_band(x, unbatched, weight, bias, stride, pads, dilation, padding_mode)

    pad_cache = None
    if padding_mode == "zeros" or not any(pads):
        xp = to_chwn(x, pads)  # pad and move the batch last in one copy
    else:
        pairs = _normalise(x.shape, (left, right, top, bottom), padding_mode)
        xp = to_chwn(_pad(x, pairs, padding_mode, 0.0))
        pad_cache = PadCache(x.shape, pairs, padding_mode)

    C_out_g = C_out // groups
    cols = None
    if groups > 1 and C_g == 1:  # depthwise: one input channel per group, no matmul
        y = _depthwise(xp, weight.reshape(groups, C_out_g, kh, kw), stride, dilation, Ho, Wo)
    else:
        cols = cols_from_padded(xp, kh, kw, stride, dilation, Ho, Wo)
        cols = cols.reshape(groups, C_g * kh * kw, Ho * Wo * N)
        y = _bmm(weight.reshape(groups, C_out_g, -1), cols)  # the one product (per group)
        y = y.reshape(C_out, Ho, Wo, N)
        xp = None
    if bias is not None:
        y += bias[:, None, None, None]
    cache = ConvCache(x.shape, weight, stride, dilation, groups, pads, padding_mode, (Hp, Wp),
                      (Ho, Wo), unbatched, cols, xp, pad_cache)
    return (y[..., 0] if unbatched else from_chwn(y)), cache


def _checked_dy(dy: np.ndarray, c: ConvCache) -> np.ndarray:
    dy = np.asarray(dy, dtype=np.float32)
    if c.unbatched and dy.ndim == 3:
        dy = dy[None]
    expected = (c.x_shape[0], c.weight.shape[0], *c.out_hw)
    if dy.shape != expected:
        raise ValueError(f"dy has shape {dy.shape}, expected {expected}")
    return dy


def conv2d_param_grads_from_cache(dy: np.ndarray, cache: ConvCache
                                  ) -> tuple[np.ndarray, np.ndarray]:
    """(dweight, dbias) of a conv2d without dx: what a network's first layer needs (nothing
    upstream wants the image's gradient while training). For the common paths this skips
    the input-gradient product, whose column block has C_out*kh*kw rows — for a first layer
    with one input channel, far more work than the layer's forward."""
    c = cache
    dy = _checked_dy(dy, c)
    if c.flat is not None:
        return _flat_param_grads(dy, c)[1:]
    if c.band is not None:
        return _conv2d_band_backward(dy, c, need_dx=False)[1:]
    if c.cols is not None:
        G, C_out = c.groups, c.weight.shape[0]
        dyg = to_chwn(dy).reshape(G, C_out // G, -1)
        dweight = _bmm(dyg, c.cols.transpose(0, 2, 1)).reshape(c.weight.shape)
        return dweight, dyg.reshape(C_out, -1).sum(axis=1)
    return conv2d_backward_from_cache(dy, c)[1:]


def conv2d_backward_from_cache(dy: np.ndarray, cache: ConvCache) -> Grads:
    """(dx, dweight, dbias) of a conv2d from dL/dy and the forward's cache."""
    c = cache
    N, C, H, W = c.x_shape
    C_out, C_g, kh, kw = c.weight.shape
    Ho, Wo = c.out_hw
    Hp, Wp = c.padded_hw
    G = c.groups
    dy = _checked_dy(dy, c)
    if c.flat is not None:
        return _conv2d_flat_backward(dy, c)
    if c.band is not None:
        return _conv2d_band_backward(dy, c)  # type: ignore[return-value]
    if c.x is not None:  # 1x1 pointwise: NCHW products, no layout change
        dx, dweight, dbias = _pointwise_backward(dy, c.x, c.weight.reshape(C_out, C))
        return (dx[0] if c.unbatched else dx), dweight.reshape(c.weight.shape), dbias
    top, bottom, left, right = c.pads
    if c.cols is None and C_out == C and c.stride == (1, 1):
        # depthwise, stride 1: dx is the same depthwise op on dy (padded so every tap
        # lands inside) with the kernel rotated 180°, gathered straight into the rows and
        # columns that dx needs: no zero-filled padded buffer, no scatter-add
        r0, c0, Hx, Wx = (0, 0, Hp, Wp) if c.pad_cache is not None else (top, left, H, W)
        eh, ew = c.dilation[0] * (kh - 1), c.dilation[1] * (kw - 1)
        a, b = eh - r0, ew - c0  # rows / columns of zeros before dy
        if min(a, b, Hx + r0 - Ho, Wx + c0 - Wo) >= 0:
            dyp = to_chwn(dy, (a, Hx + r0 - Ho, b, Wx + c0 - Wo))
            dyt = dyp[:, a:a + Ho, b:b + Wo]  # dy itself, (C, Ho, Wo, N) view
            dbias = dyp.reshape(C_out, -1).sum(axis=1)  # the zeros add nothing
            w = c.weight.reshape(C, 1, kh, kw)
            dxt = _depthwise(dyp, w[:, :, ::-1, ::-1], (1, 1), c.dilation, Hx, Wx)
            dweight = _depthwise_dweight(dyt, c.xp, w.shape, c.stride, c.dilation)
            dx = from_chwn(dxt)
            if c.pad_cache is not None:
                dx = _pad_backward(dx, c.pad_cache)
            return (dx[0] if c.unbatched else dx), dweight, dbias
    dyt = to_chwn(dy)  # (C_out, Ho, Wo, N)
    dbias = dyt.reshape(C_out, -1).sum(axis=1)  # contiguous rows: faster than over (0, 2, 3)
    if c.cols is None:  # depthwise
        dxp, dw = _depthwise_backward(dyt, c.xp, c.weight.reshape(G, C_out // G, kh, kw),
                                      c.stride, c.dilation)
        dweight = dw.reshape(C_out, 1, kh, kw)
    else:
        dyg = dyt.reshape(G, C_out // G, Ho * Wo * N)
        wg = c.weight.reshape(G, C_out // G, -1)
        dweight = _bmm(dyg, c.cols.transpose(0, 2, 1)).reshape(c.weight.shape)
        dcols = _bmm(wg.transpose(0, 2, 1), dyg)  # (G, K/G, Ho*Wo*N)
        dxp = fold_cols(dcols.reshape(C, kh, kw, Ho, Wo, N), Hp, Wp, c.stride, c.dilation)
    if c.pad_cache is not None:
        dx = _pad_backward(from_chwn(dxp), c.pad_cache)
    else:
        dx = from_chwn(dxp[:, top:top + H, left:left + W])
    return (dx[0] if c.unbatched else dx), dweight, dbias


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
           stride: IntOrPair = 1, padding: IntOrPair | str = 0, dilation: IntOrPair = 1,
           groups: int = 1, padding_mode: str = "zeros") -> np.ndarray:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d`` (plus nn.Conv2d's padding_mode).

    ``weight`` is ``(C_out, C_in // groups, kH, kW)``; ``padding`` an int, a pair, ``"same"``
    (stride 1 only) or ``"valid"``; ``padding_mode`` zeros, reflect, replicate or circular.
    """
    return conv2d_with_cache(x, weight, bias, stride, padding, dilation, groups, padding_mode)[0]


def conv2d_backward(dy: np.ndarray, x: np.ndarray, weight: np.ndarray,
                    bias: np.ndarray | None = None, stride: IntOrPair = 1,
                    padding: IntOrPair | str = 0, dilation: IntOrPair = 1, groups: int = 1,
                    padding_mode: str = "zeros") -> Grads:
    """Convenience backward: recomputes the forward's cache, returns (dx, dweight, dbias)."""
    _, cache = conv2d_with_cache(x, weight, bias, stride, padding, dilation, groups,
                                 padding_mode)
    return conv2d_backward_from_cache(dy, cache)


# ----------------------------------------------------------------------------- true conv


def _flip(weight: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(_check_weight(weight)[:, :, ::-1, ::-1])


def true_conv2d_with_cache(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                           stride: IntOrPair = 1, padding: IntOrPair | str = 0,
                           dilation: IntOrPair = 1, groups: int = 1,
                           padding_mode: str = "zeros") -> tuple[np.ndarray, ConvCache]:
    """Forward of :func:`true_conv2d` with its cache."""
    return conv2d_with_cache(x, _flip(weight), bias, stride, padding, dilation, groups,
                             padding_mode)


def true_conv2d_backward_from_cache(dy: np.ndarray, cache: ConvCache) -> Grads:
    """(dx, dweight, dbias); dweight is flipped back to the un-flipped kernel's layout."""
    dx, dwf, db = conv2d_backward_from_cache(dy, cache)
    return dx, np.ascontiguousarray(dwf[:, :, ::-1, ::-1]), db


def true_conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                stride: IntOrPair = 1, padding: IntOrPair | str = 0, dilation: IntOrPair = 1,
                groups: int = 1, padding_mode: str = "zeros") -> np.ndarray:
    """Convolution in the mathematical sense: the kernel is rotated 180° before sliding.

    Deep-learning "convolution" (``conv2d``) is really cross-correlation; the lessons compare
    the two. Both learn equally well because the network can learn the flipped kernel.
    """
    return true_conv2d_with_cache(x, weight, bias, stride, padding, dilation, groups,
                                  padding_mode)[0]


def true_conv2d_backward(dy: np.ndarray, x: np.ndarray, weight: np.ndarray,
                         bias: np.ndarray | None = None, stride: IntOrPair = 1,
                         padding: IntOrPair | str = 0, dilation: IntOrPair = 1, groups: int = 1,
                         padding_mode: str = "zeros") -> Grads:
    """Convenience backward of :func:`true_conv2d`."""
    _, cache = true_conv2d_with_cache(x, weight, bias, stride, padding, dilation, groups,
                                      padding_mode)
    return true_conv2d_backward_from_cache(dy, cache)


# ----------------------------------------------------------------------------- transposed


def conv_transpose2d_with_cache(x: np.ndarray, weight: np.ndarray,
                                bias: np.ndarray | None = None, stride: IntOrPair = 1,
                                padding: IntOrPair = 0, output_padding: IntOrPair = 0,
                                groups: int = 1, dilation: IntOrPair = 1
                                ) -> tuple[np.ndarray, ConvTransposeCache]:
    """Forward of :func:`conv_transpose2d` with its cache."""
    x, unbatched = batched(x)
    weight = _check_weight(weight)
    stride, dilation, groups = pair(stride, "stride"), pair(dilation, "dilation"), int(groups)
    _check_positive(stride, dilation, groups)
    ph, pw = pair(padding, "padding")
    oph, opw = pair(output_padding, "output_padding")
    if ph < 0 or pw < 0:
        raise ValueError(f"padding must be >= 0, got {(ph, pw)}")
    if oph < 0 or opw < 0:
        raise ValueError(f"output_padding must be >= 0, got {(oph, opw)}")
    if oph >= max(stride[0], dilation[0]) or opw >= max(stride[1], dilation[1]):
        raise ValueError(
            f"output_padding {(oph, opw)} must be smaller than either stride {stride} or "
            f"dilation {dilation}")
    N, C, H, W = x.shape
    C_in, C_out_g, kh, kw = weight.shape
    if C_in != C:
        raise ValueError(
            f"weight {weight.shape} (C_in, C_out/groups, kH, kW) expects the input to have "
            f"{C_in} channels, but it has {C} (input shape {x.shape})")
    if C_in % groups:
        raise ValueError(f"groups={groups} must divide in_channels ({C_in})")
    C_out = C_out_g * groups
    bias = _check_bias(bias, C_out)
    Hb = (H - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + oph
    Wb = (W - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + opw
    Ho, Wo = Hb - 2 * ph, Wb - 2 * pw
    if Ho < 1 or Wo < 1:
        raise ValueError(
            f"padding {(ph, pw)} crops away the whole {Hb}x{Wb} transposed-conv output "
            f"(output size would be {Ho}x{Wo})")
    eh, ew = dilation[0] * (kh - 1), dilation[1] * (kw - 1)
    if (groups == C_in and C_out_g == 1 and stride == (1, 1) and ph <= eh and pw <= ew
            and groups > 1):
        # depthwise, stride 1: a depthwise conv2d of x with the kernel rotated 180° and
        # k-1-p padding (output_padding on the bottom/right), so it takes that fast path
        # instead of per-channel products of tiny matrices
        y, conv = _conv2d_padded(x, unbatched, _flip(weight), bias, (1, 1),
                                 (eh - ph, eh - ph + oph, ew - pw, ew - pw + opw), dilation,
                                 groups, "zeros")
        cache = ConvTransposeCache(None, weight, stride,
                                   (ph, pw), dilation, groups, (Hb, Wb), (Ho, Wo), unbatched,
                                   conv)
        return y, cache
    xt = to_chwn(x)
    wg = weight.reshape(groups, C_in // groups, C_out_g * kh * kw)
    xg = xt.reshape(groups, C_in // groups, H * W * N)
    cols = _bmm(wg.transpose(0, 2, 1), xg)  # (G, C_out_g*kh*kw, H*W*N)
    buf = fold_cols(cols.reshape(C_out, kh, kw, H, W, N), Hb, Wb, stride, dilation)
    y = buf[:, ph:ph + Ho, pw:pw + Wo]
    if bias is not None:
        y += bias[:, None, None, None]
    cache = ConvTransposeCache(xt, weight, stride, (ph, pw), dilation, groups, (Hb, Wb),
                               (Ho, Wo), unbatched)
    return (np.ascontiguousarray(y[..., 0]) if unbatched else from_chwn(y)), cache


def conv_transpose2d_backward_from_cache(dy: np.ndarray, cache: ConvTransposeCache) -> Grads:
    """(dx, dweight, dbias): dx is an ordinary conv2d of dy with the same weight."""
    c = cache
    if c.conv is not None:  # computed as a depthwise conv2d with the rotated kernel
        dx, dwf, dbias = conv2d_backward_from_cache(dy, c.conv)
        return dx, np.ascontiguousarray(dwf[:, :, ::-1, ::-1]), dbias
    assert c.xt is not None
    C_in, H, W, N = c.xt.shape
    _, C_out_g, kh, kw = c.weight.shape
    G = c.groups
    C_out = C_out_g * G
    Ho, Wo = c.out_hw
    Hb, Wb = c.buffer_hw
    ph, pw = c.padding
    dy = np.asarray(dy, dtype=np.float32)
    if c.unbatched and dy.ndim == 3:
        dy = dy[None]
    if dy.shape != (N, C_out, Ho, Wo):
        raise ValueError(f"dy has shape {dy.shape}, expected {(N, C_out, Ho, Wo)}")
    dbias = dy.sum(axis=(0, 2, 3))
    buf = to_chwn(dy, (ph, Hb - Ho - ph, pw, Wb - Wo - pw))
    cols = cols_from_padded(buf, kh, kw, c.stride, c.dilation, H, W)
    cols = cols.reshape(G, C_out_g * kh * kw, H * W * N)
    wg = c.weight.reshape(G, C_in // G, -1)
    xg = c.xt.reshape(G, C_in // G, H * W * N)
    dx = _bmm(wg, cols).reshape(C_in, H, W, N)
    dweight = _bmm(xg, cols.transpose(0, 2, 1)).reshape(c.weight.shape)
    return (dx[..., 0] if c.unbatched else from_chwn(dx)), dweight, dbias


def conv_transpose2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None,
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1, dilation: IntOrPair = 1
                     ) -> np.ndarray:
    """Transposed convolution, as ``torch.nn.functional.conv_transpose2d`` (upsampling).

    Each input pixel stamps a weighted copy of the kernel onto the output, ``stride`` apart;
    overlaps add up. ``weight`` is ``(C_in, C_out // groups, kH, kW)``; ``padding`` crops the
    result and ``output_padding`` adds rows/columns at the bottom/right.
    """
    return conv_transpose2d_with_cache(x, weight, bias, stride, padding, output_padding,
                                       groups, dilation)[0]


def conv_transpose2d_backward(dy: np.ndarray, x: np.ndarray, weight: np.ndarray,
                              bias: np.ndarray | None = None, stride: IntOrPair = 1,
                              padding: IntOrPair = 0, output_padding: IntOrPair = 0,
                              groups: int = 1, dilation: IntOrPair = 1) -> Grads:
    """Convenience backward of :func:`conv_transpose2d`: (dx, dweight, dbias)."""
    _, cache = conv_transpose2d_with_cache(x, weight, bias, stride, padding, output_padding,
                                           groups, dilation)
    return conv_transpose2d_backward_from_cache(dy, cache)
