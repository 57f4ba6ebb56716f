"""Feeding the Trainer: MNIST shared by every Trainer in the process, shuffled batches, the
fixed test subset, and the image shapes inference accepts."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["Feeder", "as_images", "mnist_split", "shift_batch"]

Arrays = tuple[np.ndarray, np.ndarray]
_CACHE: dict[tuple[str, int | None], Arrays] = {}


def mnist_split(split: str, limit: int | None) -> Arrays:
    """MNIST arrays shared (read-only) by every Trainer in the process: one copy, not one each.

    A subset is a view of the full split when that is already loaded.
    """
    if (split, None) in _CACHE:
        x, y = _CACHE[(split, None)]
        return (x, y) if limit is None else (x[:limit], y[:limit])
    if (split, limit) not in _CACHE:
        from cnnviz.data.mnist import mnist_arrays

        x, y = mnist_arrays(split, limit=limit)
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        x.flags.writeable = False
        y.flags.writeable = False
        _CACHE[(split, limit)] = (x, y)
    return _CACHE[(split, limit)]


def shift_batch(x: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Move each image by up to ``max_shift`` pixels (zero fill): cheap, label-preserving."""
    n, c, h, w = x.shape
    s = max_shift
    padded = np.zeros((n, c, h + 2 * s, w + 2 * s), dtype=x.dtype)
    padded[:, :, s:s + h, s:s + w] = x
    dy = rng.integers(0, 2 * s + 1, size=n)
    dx = rng.integers(0, 2 * s + 1, size=n)
    rows = dy[:, None] + np.arange(h)[None, :]  # (n, h)
    cols = dx[:, None] + np.arange(w)[None, :]  # (n, w)
    out = padded[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None],
                 rows[:, None, :, None], cols[:, None, None, :]]
    return np.ascontiguousarray(out, dtype=np.float32)


def as_images(x: np.ndarray) -> np.ndarray:
    """Accept (28, 28), (1, 28, 28) or (N, 1, 28, 28); return float32 (N, 1, 28, 28)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[:, None] if x.shape[0] != 1 else x[None]
    if x.ndim != 4:
        raise ValueError(f"expected images shaped (28, 28), (1, 28, 28) or (N, 1, 28, 28), "
                         f"got {x.shape}")
    return np.ascontiguousarray(x)


class Feeder:
    """The training digits in batches (reshuffled every epoch, optionally shifted) and the test
    digits. ``train_data`` / ``test_data`` replace MNIST (tests); MNIST itself is shared."""

    def __init__(self, train_data: Arrays | None, test_data: Arrays | None, *,
                 limit: int | None, batch_size: int, augment: bool, seed: int) -> None:
        self._train, self._test = train_data, test_data
        self._shared = (train_data is None, test_data is None)
        self.limit, self.batch_size, self.augment = limit, batch_size, augment
        n = self.train_size
        self.steps_per_epoch = max(1, math.ceil(n / batch_size))
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(n)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the shared MNIST arrays (reloaded on demand): kilobytes, not 200 MB."""
        state = self.__dict__.copy()
        if self._shared[0]:
            state["_train"] = None
        if self._shared[1]:
            state["_test"] = None
        return state

    def train_arrays(self) -> Arrays:
        """The training images and labels (the first ``limit``)."""
        if self._train is None:
            self._train = mnist_split("train", self.limit)
        x, y = self._train
        if self.limit is not None and len(x) > self.limit:
            x, y = x[: self.limit], y[: self.limit]
        return x, y

    def test_arrays(self, limit: int | None = None) -> Arrays:
        """The first ``limit`` test images and labels (the fixed subset the curves use)."""
        if self._test is None:
            self._test = mnist_split("test", None)
        x, y = self._test
        return (x, y) if limit is None else (x[:limit], y[:limit])

    @property
    def train_size(self) -> int:
        return len(self.train_arrays()[1])

    def batch(self, step: int) -> Arrays:
        """The batch of training step ``step`` (0-based); a new epoch reshuffles first."""
        x, y = self.train_arrays()
        bs = self.batch_size
        i = step % self.steps_per_epoch
        if i == 0 and step > 0:
            self.order = self.rng.permutation(len(y))
        idx = np.sort(self.order[i * bs:(i + 1) * bs])  # sorted: faster gather, same set
        xb, yb = x[idx], y[idx]
        if self.augment:
            xb = shift_batch(xb, self.rng)
        return xb, yb
