"""Depthwise convolution as banded matrix products, straight on NCHW (the "band path").

A depthwise conv maps each channel's plane linearly to its output plane: ``y[n, c] =
x[n, c] @ A_c`` with ``A_c`` an (H*W, Ho*Wo) matrix holding the kernel's taps (zero padding
is simply the missing entries). ``A_c`` is banded: a block of R output rows reads only a
window of a few input rows, and that window is the same (kernel-shaped) matrix for every
block, only cut at the top and bottom border. So each block is ONE stacked product over the
channels, ``(C, N, window*W) @ (C, window*W, R*Wo)``, read from and written to NCHW through
strided views (no padding copy, no layout change). The products do ~W/kw times the useful
multiplies, but at BLAS speed that beats 9 elementwise passes or tiny (1, 9) products by
far on the lesson shapes (planes up to ~32 wide; see ``pays``).

Backward is the same idea: dx block by block of input rows with the transposed band (it
reads a window of dy rows), and dweight from the per-block products ``x_window^T @ dy_block``
summed into one band-shaped matrix, whose entries on each tap's diagonal add up to that
tap's gradient. Only the loop over row blocks (a few dozen) is in Python.

Note: every output also multiplies the zeros of the band by inputs outside its window, so an
inf or nan in x spreads further than in PyTorch; finite inputs give PyTorch's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _threads

_MIN_COLS = 12  # row blocks hold at least this many output (input) positions per row block
_MAX_WINDOW = 320  # widest input window (rows*W) per output row block worth a dense band


@dataclass(frozen=True)
class Band:
    """Geometry of a depthwise conv on the band path (zero padding, any stride/dilation)."""

    in_hw: tuple[int, int]
    out_hw: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    top_left: tuple[int, int]  # zero rows above / columns left of the input

    @property
    def rows(self) -> int:
        """Output rows per block: enough that each product has >= _MIN_COLS columns."""
        return min(self.out_hw[0], max(1, -(-_MIN_COLS // self.out_hw[1])))

    @property
    def window(self) -> int:
        """Input rows a block of ``rows`` output rows reads."""
        return (self.rows - 1) * self.stride[0] + self.dilation[0] * (self.kernel[0] - 1) + 1


def pays(W: int, kh: int, stride: int, dilation: int, Wo: int) -> bool:
    """Whether the band path beats the others: its products grow with the plane's width."""
    rows = max(1, -(-_MIN_COLS // Wo))
    return ((rows - 1) * stride + dilation * (kh - 1) + 1) * W <= _MAX_WINDOW


def _taps(g: Band, out_rows: np.ndarray, in_lo: int, in_rows: int
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(tap, input index, output index) of every tap of the outputs in ``out_rows`` (rows
    relative to a block) that reads inside the ``in_rows`` input rows from ``in_lo``."""
    (_, W), (_, Wo), (kh, kw) = g.in_hw, g.out_hw, g.kernel
    (sh, sw), (dh, dw), (top, left) = g.stride, g.dilation, g.top_left
    o, q = np.meshgrid(out_rows, np.arange(Wo), indexing="ij")
    o, q = o.ravel(), q.ravel()
    taps, ins, outs = [], [], []
    for i in range(kh):
        for j in range(kw):
            r, col = o * sh - top + i * dh - in_lo, q * sw - left + j * dw
            ok = (r >= 0) & (r < in_rows) & (col >= 0) & (col < W)
            taps.append(np.full(ok.sum(), i * kw + j))
            ins.append(r[ok] * W + col[ok])
            outs.append((o[ok] - out_rows[0]) * Wo + q[ok])
    return np.concatenate(taps), np.concatenate(ins), np.concatenate(outs)


@lru_cache(maxsize=64)
def _pattern(g: Band, for_dx: bool) -> np.ndarray:
    """0/1 band of one block: forward ``(kh*kw, inputs, outputs)``, a block of ``rows``
    output rows and the input window it reads, from its first row; for dx ``(kh*kw,
    outputs, inputs)``, a block of ``rows*stride`` input rows and the output rows that read
    it, from the first."""
    (_, W), (_, Wo), (kh, kw) = g.in_hw, g.out_hw, g.kernel
    if for_dx:
        lo, hi = _dx_outputs(g)
        out_rows, in_lo, in_rows = np.arange(lo, hi), 0, g.rows * g.stride[0]
    else:
        out_rows, in_lo, in_rows = np.arange(g.rows), -g.top_left[0], g.window
    E = np.zeros((kh * kw, in_rows * W, len(out_rows) * Wo), dtype=np.float32)
    t, p, q = _taps(g, out_rows, in_lo, in_rows)
    E[t, p, q] = 1.0
    if for_dx:  # (taps, outputs, inputs): dx products read it without a transpose
        E = np.ascontiguousarray(E.transpose(0, 2, 1))
    E.flags.writeable = False
    return E


def _dx_outputs(g: Band) -> tuple[int, int]:
    """Output rows [lo, hi) (relative to block * rows) that read input block 0's rows."""
    sh, top = g.stride[0], g.top_left[0]
    span = g.dilation[0] * (g.kernel[0] - 1)
    return -((span - top) // sh), (g.rows * sh - 1 + top) // sh + 1


def _bands(w: np.ndarray, g: Band, for_dx: bool) -> np.ndarray:
    """Per-channel bands (``_pattern``'s last two axes) of weights ``(C, 1, kh, kw)``."""
    E = _pattern(g, for_dx)
    return (w.reshape(len(w), -1) @ E.reshape(len(E), -1)).reshape(len(w), *E.shape[1:])


def _forward_blocks(g: Band) -> list[tuple[int, int, int, int, int]]:
    """(o0, o1, i0, i1, k0) per block: output rows o0..o1 read input rows i0..i1, which
    start k0 rows into the band's window (the window is cut at the borders)."""
    (H, _), (Ho, _) = g.in_hw, g.out_hw
    out = []
    for o0 in range(0, Ho, g.rows):
        o1 = min(o0 + g.rows, Ho)
        lo = o0 * g.stride[0] - g.top_left[0]
        hi = lo + (o1 - o0 - 1) * g.stride[0] + g.dilation[0] * (g.kernel[0] - 1) + 1
        i0, i1 = max(lo, 0), min(hi, H)
        out.append((o0, o1, i0, max(i0, i1), i0 - lo))
    return out


def _planes(a: np.ndarray) -> np.ndarray:
    """(C, N, H*W) view of an NCHW array: each channel's planes as one strided matrix."""
    N, C = a.shape[:2]
    return a.reshape(N, C, -1).transpose(1, 0, 2)


def forward(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, g: Band) -> np.ndarray:
    """Depthwise conv of NCHW ``x`` with ``w`` ``(C, 1, kh, kw)``, as NCHW."""
    N, C = x.shape[:2]
    (_, W), (Ho, Wo) = g.in_hw, g.out_hw
    band = _bands(w, g, False)
    y = np.empty((N, C, Ho, Wo), dtype=np.float32)
    xv, yv = _planes(x), _planes(y)
    blocks = _forward_blocks(g)

    def part(a: int, b: int) -> None:  # channels apart, on the engine's threads
        for o0, o1, i0, i1, k0 in blocks:
            np.matmul(xv[a:b, :, i0 * W:i1 * W],
                      band[a:b, k0 * W:(k0 + i1 - i0) * W, :(o1 - o0) * Wo],
                      out=yv[a:b, :, o0 * Wo:o1 * Wo])

    _threads.over(part, C, x.size)
    if bias is not None:  # one bias row per image: the add runs over whole images
        y.reshape(N, -1).__iadd__(np.repeat(bias, Ho * Wo))
    return y


def input_grad(dy: np.ndarray, w: np.ndarray, g: Band) -> np.ndarray:
    """dx (NCHW) of :func:`forward`: per block of input rows, the dy rows that read it
    times the transposed band."""
    N, C = dy.shape[:2]
    (H, W), (Ho, Wo) = g.in_hw, g.out_hw
    band = _bands(w, g, True)  # (C, dy window, dx block)
    lo, hi = _dx_outputs(g)
    step = g.rows * g.stride[0]
    dx = np.empty((N, C, H, W), dtype=np.float32)
    dyv, dxv = _planes(dy), _planes(dx)

    def part(c0: int, c1: int) -> None:  # channels apart, on the engine's threads
        for b, a0 in enumerate(range(0, H, step)):
            a1 = min(a0 + step, H)
            o0, o1 = max(b * g.rows + lo, 0), min(b * g.rows + hi, Ho)
            if o0 >= o1:
                dxv[c0:c1, :, a0 * W:a1 * W] = 0.0
                continue
            k0 = o0 - (b * g.rows + lo)
            np.matmul(dyv[c0:c1, :, o0 * Wo:o1 * Wo],
                      band[c0:c1, k0 * Wo:(k0 + o1 - o0) * Wo, :(a1 - a0) * W],
                      out=dxv[c0:c1, :, a0 * W:a1 * W])

    _threads.over(part, C, dx.size)
    return dx


def param_grads(dy: np.ndarray, x: np.ndarray, g: Band) -> tuple[np.ndarray, np.ndarray]:
    """(dweight ``(C, 1, kh, kw)``, dbias) of :func:`forward`."""
    N, C = x.shape[:2]
    (_, W), (_, Wo), (kh, kw) = g.in_hw, g.out_hw, g.kernel
    E = _pattern(g, False)
    acc = np.zeros((C, *E.shape[1:]), dtype=np.float32)
    scratch = np.empty_like(acc)
    xv, dyv = _planes(x), _planes(dy)
    blocks = _forward_blocks(g)

    def part(a: int, b: int) -> None:  # channels apart, on the engine's threads
        for o0, o1, i0, i1, k0 in blocks:
            rows, cols = slice(k0 * W, (k0 + i1 - i0) * W), slice(0, (o1 - o0) * Wo)
            p = scratch[a:b, rows, cols]
            np.matmul(xv[a:b, :, i0 * W:i1 * W].transpose(0, 2, 1),
                      dyv[a:b, :, o0 * Wo:o1 * Wo], out=p)
            acc[a:b, rows, cols] += p

    _threads.over(part, C, x.size)
    dw = acc.reshape(C, -1) @ E.reshape(kh * kw, -1).T
    dbias = np.einsum("ncq->c", dy.reshape(N, C, -1))
    return dw.reshape(C, 1, kh, kw), dbias
