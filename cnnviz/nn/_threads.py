"""The engine's own worker threads: the work between BLAS calls, split over cores.

NumPy's BLAS runs one large product on several cores, but everything else a training step
does — copying each tile's columns, the batch-norm passes, pooling, ReLU — runs on the
calling thread, and on a 2-core machine that is most of a step. NumPy releases the GIL
inside ufuncs, copies, einsum and BLAS calls, so plain Python threads working on separate
parts of an array do run in parallel.

:func:`set_num_threads` (``torch.set_num_threads``'s counterpart) lets the engine split such
work ``n`` ways. Pair it with ONE BLAS thread (``threadpoolctl``), or two layers of threads
fight over the cores. Measured here (conv 32→32, 3×3, padding 1, 28×28, batch 100, forward
+ backward): 83 ms on 2 BLAS threads, 57 ms on 2 engine threads with 1 BLAS thread, 100 ms
with both at 2.

The default is 1 (no workers): the app's server runs every learner's session in a thread of
one process and shares the cores between sessions, not between the parts of one op. Splits
are fixed by the thread count, so results are reproducible for a given count; the parts are
ranges of channels, of images or of output tiles (a few per op), never single images or
pixels.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

__all__ = ["get_num_threads", "matmul", "over", "run", "set_num_threads", "spans"]

T = TypeVar("T")
R = TypeVar("R")

_lock = threading.Lock()
_threads = 1
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_local = threading.local()  # .inside: this thread is one of the engine's workers


def set_num_threads(n: int) -> None:
    """Split the engine's non-BLAS work over ``n`` threads from now on (process-wide)."""
    global _threads
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads expects a positive int, got {n!r}")
    _threads = n


def get_num_threads() -> int:
    """How many threads the engine splits its work over (1: the calling thread only)."""
    return _threads


def _mark_worker() -> None:
    _local.inside = True


def _get_pool(workers: int) -> ThreadPoolExecutor:
    """A pool with at least ``workers`` threads. It only ever grows, and a replaced one is
    left to finish: another session's op may be submitting to it right now."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size < workers:
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="cnnviz-engine",
                                       initializer=_mark_worker)
            _pool_size = workers
        return _pool


def run(fn: Callable[[T], R], parts: Sequence[T]) -> list[R]:
    """``[fn(p) for p in parts]``, the parts on the engine's threads when there are several.

    The calling thread takes the first part itself, so ``n`` threads work in all. A call
    from inside a worker runs inline, so ops that use this may call each other.
    """
    if len(parts) < 2 or getattr(_local, "inside", False):
        return [fn(p) for p in parts]
    pool = _get_pool(len(parts) - 1)
    futures = [pool.submit(fn, p) for p in parts[1:]]
    first = fn(parts[0])
    return [first, *(f.result() for f in futures)]


# below this many elements, handing a part to another thread costs more than it saves
SPLIT_ELEMENTS = 1 << 16


def spans(length: int, elements: int | None = None) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges covering ``range(length)``, one per thread and as equal as
    possible; a single range when the op touches fewer than ``SPLIT_ELEMENTS`` ``elements``
    (default: ``length``), where a split would cost more than it saves."""
    big = (length if elements is None else elements) >= SPLIT_ELEMENTS
    parts = max(1, min(_threads if big else 1, length))
    bounds = [length * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]


def over(fn: Callable[[int, int], object], length: int, elements: int) -> None:
    """``fn(start, stop)`` for the :func:`spans` of ``range(length)`` (an op on
    ``elements`` numbers), on the engine's threads; ``fn`` writes its own part of an output."""
    run(lambda span: fn(*span), spans(length, elements))


# the inner dimension of a narrow product is cut into pieces this long, whatever the thread
# count, so the partial products and their sum are the same on any number of threads
K_PIECE = 8192


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` (2-D, or stacks of equal length) shared out over the engine's threads: by
    the output's columns, or, when the output is narrow and the inner dimension long (a
    weight gradient summed over every position of a batch), by pieces of the inner
    dimension, added in order. With one BLAS thread per engine thread, a big product still
    uses every core. Vectors (1-D operands) are multiplied as they are."""
    if a.ndim < 2 or b.ndim < 2:
        return np.matmul(a, b)
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    work = m * k * n // 64  # a multiply-add in BLAS costs far less than an element op
    if k >= 8 * max(m, n) and k > K_PIECE:
        cuts = list(range(0, k, K_PIECE)) + [k]
        pieces = list(zip(cuts[:-1], cuts[1:], strict=True))
        shares = spans(len(pieces), work)

        def share(span: tuple[int, int]) -> list[np.ndarray]:
            return [np.matmul(a[..., lo:hi], b[..., lo:hi, :]) for lo, hi in pieces[slice(*span)]]

        products = [p for part in run(share, shares) for p in part]
        for p in products[1:]:
            products[0] += p
        return products[0]
    out = np.empty((*np.broadcast_shapes(a.shape[:-2], b.shape[:-2]), m, n),
                   dtype=np.result_type(a, b))
    over(lambda lo, hi: np.matmul(a, b[..., lo:hi], out=out[..., lo:hi]), n, work)
    return out
