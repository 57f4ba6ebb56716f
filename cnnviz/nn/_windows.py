"""Sliding windows: im2col / col2im, for teaching and as the fast path of every conv.

Two layouts live here:

* the lecture notes' (Deep Learning from Scratch ch.7) ``im2col`` / ``col2im``: one row per
  output pixel, ``(N*Ho*Wo, C*kh*kw)``, which is what learners see in the lessons;
* the engine's internal column block ``(C, kh, kw, Ho, Wo, N)`` (batch last, see
  :func:`cols_from_padded`), one ``(C*kh*kw, Ho*Wo*N)`` matrix for a single BLAS product.
  It is filled (and folded back) with one whole-array copy per kernel offset, never a loop
  over pixels or the batch.
"""

from __future__ import annotations

import numpy as np

from . import _threads
from ._util import IntOrPair, as_float32, pair

__all__ = ["im2col", "col2im", "zero_insert", "conv_window_map"]


def out_size(size: int, k: int, stride: int, before: int, after: int, dilation: int) -> int:
    """Output length along one axis (PyTorch's floor formula); may be <= 0 when k is too big."""
    return (size + before + after - dilation * (k - 1) - 1) // stride + 1


def _tap(i: int, dilation: int, n_out: int, stride: int) -> slice:
    """Rows of the padded input read by kernel tap ``i`` for all ``n_out`` outputs."""
    start = i * dilation
    return slice(start, start + (n_out - 1) * stride + 1, stride)


def cols_from_padded(xp: np.ndarray, kh: int, kw: int, stride: tuple[int, int],
                     dilation: tuple[int, int], Ho: int, Wo: int) -> np.ndarray:
    """Column block ``(C, kh, kw, Ho, Wo, N)`` of an already padded ``(C, Hp, Wp, N)`` array.

    The engine works internally with the batch as the LAST axis ("CHWN"): every per-offset
    copy then moves contiguous runs of ``Wo * N`` numbers instead of ``Wo``, which makes the
    copies several times faster, and ``(C*kh*kw, Ho*Wo*N)`` is a single matrix for BLAS.
    """
    C, Hp, Wp, *rest = xp.shape
    if kh == kw == 1 and stride == (1, 1) and (Ho, Wo) == (Hp, Wp):
        return xp[:, None, None]  # a 1x1 convolution reads the input as it is: no copy
    cols = np.empty((C, kh, kw, Ho, Wo, *rest), dtype=xp.dtype)
    sh, sw = stride
    dh, dw = dilation

    def part(a: int, b: int) -> None:  # channels apart on the engine's threads
        for i in range(kh):
            rows = _tap(i, dh, Ho, sh)
            for j in range(kw):
                cols[a:b, i, j] = xp[a:b, rows, _tap(j, dw, Wo, sw)]

    _threads.over(part, C, cols.size)
    return cols


def fold_cols(cols: np.ndarray, Hp: int, Wp: int, stride: tuple[int, int],
              dilation: tuple[int, int]) -> np.ndarray:
    """Adjoint of :func:`cols_from_padded`: scatter-add ``(C, kh, kw, Ho, Wo, N)`` into a padded
    ``(C, Hp, Wp, N)`` buffer (overlapping windows accumulate)."""
    C, kh, kw, Ho, Wo, *rest = cols.shape
    if kh == kw == 1 and stride == (1, 1) and (Ho, Wo) == (Hp, Wp):
        return cols[:, 0, 0]
    out = np.zeros((C, Hp, Wp, *rest), dtype=cols.dtype)
    sh, sw = stride
    dh, dw = dilation

    def part(a: int, b: int) -> None:  # channels apart on the engine's threads
        for i in range(kh):
            rows = _tap(i, dh, Ho, sh)
            for j in range(kw):
                out[a:b, rows, _tap(j, dw, Wo, sw)] += cols[a:b, i, j]

    _threads.over(part, C, cols.size)
    return out


def to_chwn(x: np.ndarray, pads: tuple[int, int, int, int] = (0, 0, 0, 0)) -> np.ndarray:
    """NCHW -> zero-padded CHWN in one copy (pads = top, bottom, left, right)."""
    N, C, H, W = x.shape
    top, bottom, left, right = pads
    out = np.zeros((C, H + top + bottom, W + left + right, N), dtype=np.float32)

    def part(a: int, b: int) -> None:
        out[a:b, top:top + H, left:left + W] = x[:, a:b].transpose(1, 2, 3, 0)

    _threads.over(part, C, x.size)
    return out


def from_chwn(x: np.ndarray) -> np.ndarray:
    """CHWN -> contiguous NCHW (the engine's public layout)."""
    C, H, W, N = x.shape
    out = np.empty((N, C, H, W), dtype=x.dtype)

    def part(a: int, b: int) -> None:
        out[:, a:b] = x[a:b].transpose(3, 0, 1, 2)

    _threads.over(part, C, x.size)
    return out


def _as_nchw(x: np.ndarray) -> np.ndarray:
    x = as_float32(x)
    if x.ndim == 3:
        return x[None]
    if x.ndim != 4:
        raise ValueError(f"expected a 3-D (C, H, W) or 4-D (N, C, H, W) array, got shape {x.shape}")
    return x


def _geometry(H: int, W: int, kernel_size: IntOrPair, stride: IntOrPair, padding: IntOrPair,
              dilation: IntOrPair) -> tuple[tuple[int, int], ...]:
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(stride, "stride")
    ph, pw = pair(padding, "padding")
    dh, dw = pair(dilation, "dilation")
    if min(kh, kw, sh, sw, dh, dw) < 1:
        raise ValueError(
            f"kernel_size, stride and dilation must be >= 1, got kernel_size={(kh, kw)}, "
            f"stride={(sh, sw)}, dilation={(dh, dw)}")
    if min(ph, pw) < 0:
        raise ValueError(f"padding must be >= 0, got {(ph, pw)}")
    Ho = out_size(H, kh, sh, ph, ph, dh)
    Wo = out_size(W, kw, sw, pw, pw, dw)
    if Ho < 1 or Wo < 1:
        raise ValueError(
            f"kernel {kh}x{kw} (dilation {dh}x{dw}: spans {dh * (kh - 1) + 1}x"
            f"{dw * (kw - 1) + 1}) is larger than the padded input {H + 2 * ph}x{W + 2 * pw}")
    return (kh, kw), (sh, sw), (ph, pw), (dh, dw), (Ho, Wo)


def im2col(x: np.ndarray, kernel_size: IntOrPair, stride: IntOrPair = 1, padding: IntOrPair = 0,
           dilation: IntOrPair = 1) -> np.ndarray:
    """Unroll every receptive field into a row: ``(N*Ho*Wo, C*kh*kw)``.

    Row ``n*Ho*Wo + h*Wo + w`` holds the window of output pixel (h, w) of image n, flattened
    channel-major (c, i, j), so convolution becomes ``im2col(x) @ weight.reshape(C_out, -1).T``.
    Equals ``torch.nn.functional.unfold(x, ...)`` transposed to rows.
    """
    x = _as_nchw(x)
    N, C, H, W = x.shape
    (kh, kw), s, (ph, pw), d, (Ho, Wo) = _geometry(H, W, kernel_size, stride, padding, dilation)
    cols = cols_from_padded(to_chwn(x, (ph, ph, pw, pw)), kh, kw, s, d, Ho, Wo)
    return cols.transpose(5, 3, 4, 0, 1, 2).reshape(N * Ho * Wo, C * kh * kw)


def col2im(cols: np.ndarray, input_shape: tuple[int, ...], kernel_size: IntOrPair,
           stride: IntOrPair = 1, padding: IntOrPair = 0, dilation: IntOrPair = 1) -> np.ndarray:
    """Inverse layout of :func:`im2col`: add every row back onto its window (overlaps add up).

    This is the adjoint of im2col, not its inverse: a pixel covered by k windows comes back
    k times its value. It is exactly the input gradient of a convolution, and the forward pass
    of a transposed convolution.
    """
    if len(input_shape) == 3:
        input_shape = (1, *input_shape)
    if len(input_shape) != 4:
        raise ValueError(f"input_shape must be (N, C, H, W) or (C, H, W), got {input_shape}")
    N, C, H, W = (int(v) for v in input_shape)
    (kh, kw), s, (ph, pw), d, (Ho, Wo) = _geometry(H, W, kernel_size, stride, padding, dilation)
    cols = as_float32(cols)
    if cols.shape != (N * Ho * Wo, C * kh * kw):
        raise ValueError(
            f"cols must have shape (N*Ho*Wo, C*kh*kw) = ({N * Ho * Wo}, {C * kh * kw}) for "
            f"input {input_shape}, got {cols.shape}")
    block = cols.reshape(N, Ho, Wo, C, kh, kw).transpose(3, 4, 5, 1, 2, 0)
    xp = fold_cols(block, H + 2 * ph, W + 2 * pw, s, d)
    return from_chwn(xp[:, ph:ph + H, pw:pw + W])


def zero_insert(x: np.ndarray, stride: IntOrPair) -> np.ndarray:
    """Stretch the last two axes by putting ``stride - 1`` zeros between neighbouring pixels.

    A transposed convolution with stride s equals an ordinary stride-1 convolution of this
    stretched input (suitably padded) with the flipped kernel; the lessons show that picture.
    """
    x = as_float32(x)
    if x.ndim < 2:
        raise ValueError(f"zero_insert needs at least 2 dimensions, got shape {x.shape}")
    sh, sw = pair(stride, "stride")
    if sh < 1 or sw < 1:
        raise ValueError(f"stride must be >= 1, got {(sh, sw)}")
    H, W = x.shape[-2:]
    out = np.zeros((*x.shape[:-2], max(H - 1, 0) * sh + 1 if H else 0,
                    max(W - 1, 0) * sw + 1 if W else 0), dtype=np.float32)
    out[..., ::sh, ::sw] = x
    return out


def conv_window_map(input_hw: IntOrPair, kernel_size: IntOrPair, stride: IntOrPair = 1,
                    padding: IntOrPair | str = 0, dilation: IntOrPair = 1) -> np.ndarray:
    """Where each kernel tap reads: int array ``(Ho, Wo, kh, kw, 2)`` of (row, col) in the
    PADDED input, so a page can highlight the window behind any output cell.

    ``padding`` may also be ``"same"`` / ``"valid"`` (PyTorch's split: extra on bottom/right;
    the coordinates are then in the input padded by ``total // 2`` on top/left).
    """
    H, W = pair(input_hw, "input_hw")
    kh, kw = pair(kernel_size, "kernel_size")
    sh, sw = pair(stride, "stride")
    dh, dw = pair(dilation, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            pads = (0, 0, 0, 0)
        elif padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError("padding='same' is not supported for strided convolutions")
            th, tw = dh * (kh - 1), dw * (kw - 1)
            pads = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        else:
            raise ValueError(f"padding must be an int, a pair, 'same' or 'valid', got {padding!r}")
    else:
        ph, pw = pair(padding, "padding")
        pads = (ph, ph, pw, pw)
    if min(kh, kw, sh, sw, dh, dw) < 1 or min(pads) < 0:
        raise ValueError("kernel_size, stride, dilation must be >= 1 and padding >= 0")
    Ho = out_size(H, kh, sh, pads[0], pads[1], dh)
    Wo = out_size(W, kw, sw, pads[2], pads[3], dw)
    if Ho < 1 or Wo < 1:
        raise ValueError(
            f"kernel {kh}x{kw} (dilation {dh}x{dw}) is larger than the padded input "
            f"{H + pads[0] + pads[1]}x{W + pads[2] + pads[3]}")
    rows = np.arange(Ho)[:, None, None, None] * sh + np.arange(kh)[None, None, :, None] * dh
    cols = np.arange(Wo)[None, :, None, None] * sw + np.arange(kw)[None, None, None, :] * dw
    shape = (Ho, Wo, kh, kw)
    return np.stack([np.broadcast_to(rows, shape), np.broadcast_to(cols, shape)], axis=-1)


# ----------------------------------------------------------------------------- flat layout
#
# The engine's fast path for stride-1 convolutions keeps an activation as one row per channel
# holding every image's zero-padded plane back to back, ``(C, L)`` with ``L = N*Hp*Wp``,
# inside a 1-D buffer with a few spare zeros. Kernel tap (i, j) is then a plain shift of every
# row by ``i*dh*Wp + j*dw`` positions, so all taps together are one strided VIEW
# ``(C, kh, kw, L)`` of the buffer (see :func:`flat_taps`), and the output comes out on the
# same padded grid: its last ``Wp - Wo`` columns and ``Hp - Ho`` rows are garbage that is
# cropped when it goes back to NCHW (the zero padding keeps neighbouring rows and images
# apart; a garbage position may read into the next row, a valid one never does). Moving NCHW
# in and out swaps only the N and C axes, so each copy moves whole image rows.


def to_flat(x: np.ndarray, pads: tuple[int, int, int, int], head: int = 0, tail: int = 0
            ) -> np.ndarray:
    """NCHW -> 1-D buffer: ``head`` zeros, the zero-padded planes as C rows of N*Hp*Wp,
    ``tail`` zeros (pads: top, bottom, left, right), in one copy."""
    N, C, H, W = x.shape
    top, bottom, left, right = pads
    Hp, Wp = H + top + bottom, W + left + right
    L = N * Hp * Wp
    buf = np.zeros(head + C * L + tail, dtype=np.float32)  # a memset: faster than
    # zeroing only the border, whose rows are a few elements long
    grid = buf[head:head + C * L].reshape(C, N, Hp, Wp)

    def part(span: tuple[int, int]) -> None:
        a, b = span
        grid[a:b, :, top:top + H, left:left + W] = x[:, a:b].transpose(1, 0, 2, 3)

    _threads.run(part, _threads.spans(C, x.size))
    return buf


def flat_taps(buf: np.ndarray, C: int, L: int, kernel: tuple[int, int],
              dilation: tuple[int, int], Wp: int) -> np.ndarray:
    """Read-only view ``(C, kh, kw, L)`` with ``[c, i, j, q] = buf[c*L + i*dh*Wp + j*dw + q]``:
    every kernel tap of every output position, without copying (``buf`` needs
    ``dh*(kh-1)*Wp + dw*(kw-1)`` elements after its C rows)."""
    assert buf.ndim == 1 and buf.flags.c_contiguous
    isz = buf.itemsize
    return np.lib.stride_tricks.as_strided(
        buf, shape=(C, kernel[0], kernel[1], L),
        strides=(L * isz, dilation[0] * Wp * isz, dilation[1] * isz, isz), writeable=False)


def from_flat(y: np.ndarray, N: int, Hp: int, Wp: int, rows: slice, cols: slice,
              bias: np.ndarray | None = None) -> np.ndarray:
    """The ``rows`` x ``cols`` crop of a flat ``(C, N*Hp*Wp)`` array as contiguous NCHW,
    plus ``bias`` (one per channel; added to ``y`` in place first: on whole contiguous rows
    that is several times faster than during the transposing copy)."""
    C = y.shape[0]
    y4 = y.reshape(C, N, Hp, Wp)[:, :, rows, cols]
    out = np.empty((N, C, *y4.shape[2:]), dtype=y.dtype)

    def part(span: tuple[int, int]) -> None:
        a, b = span
        if bias is not None:
            y[a:b] += bias[a:b, None]
        out[:, a:b] = y4[a:b].transpose(1, 0, 2, 3)

    _threads.run(part, _threads.spans(C, y.size))
    return out
