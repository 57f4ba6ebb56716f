"""Lesson 15: batch, iteration, epoch - the counts, the noise of mini-batch gradients, the speed.

The counts come from the training page's own ``Feeder`` (how it cuts a dataset into batches).
The gradients are the engine's: a small fixed CNN (seeded) computes the full-batch gradient on
a pool of MNIST digits and the gradients of random mini-batches of each size, by forward,
``CrossEntropyLoss`` and backward. The timings are measured on this machine, one BLAS thread
(as a training on the live page runs), and are only ever shown as measured.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

import cnnviz.nn as nn
from cnnviz import optim
from cnnviz.concurrency import training_threads
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options, same
from cnnviz.training.data import Feeder, mnist_split

SIZES = (1, 4, 16, 64, 256)  # batch sizes whose gradients are measured
POOL = 2000  # MNIST digits the full-batch gradient is taken over
REPEATS = 16  # random mini-batches per size
SEED = 0


@dataclass(frozen=True)
class Counts:
    """How one training run is cut up."""

    n: int
    batch: int
    epochs: int
    per_epoch: int  # iterations (weight updates) per epoch
    last: int  # size of an epoch's last batch
    total: int  # iterations in the whole run

    @property
    def full(self) -> int:
        """Full batches per epoch."""
        return self.per_epoch - (self.last < self.batch)


def counts(n: int, batch: int, epochs: int) -> Counts:
    """The counts as the training page's ``Feeder`` makes them (its last batch is kept)."""
    data = (np.zeros((n, 1), np.float32), np.zeros(n, np.int64))  # only the count matters
    feeder = Feeder(data, data, limit=None, batch_size=batch, augment=False, seed=SEED)
    per_epoch = feeder.steps_per_epoch
    last = len(feeder.batch(per_epoch - 1)[1])
    return Counts(n, batch, epochs, per_epoch, last, per_epoch * epochs)


def small_model(seed: int = SEED) -> nn.Sequential:
    """The fixed network of the measurements: one strided convolution and a linear layer."""
    nn.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 5, stride=2), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 12 * 12, 10))


def _grad(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The engine's gradient of the mean cross-entropy over (x, y), all parameters as one vector."""
    model.zero_grad()
    loss = nn.CrossEntropyLoss()
    loss(model(x), y)
    model.backward_params(loss.backward())
    return np.concatenate([p.grad.ravel() for p in model.parameters()]).astype(np.float64)


def _full_grad(model: nn.Sequential, x: np.ndarray, y: np.ndarray, chunk: int = 500) -> np.ndarray:
    """The mean over the whole pool, in chunks (each chunk's mean weighted by its size)."""
    total = np.zeros_like(_grad(model, x[:1], y[:1]))
    for i in range(0, len(y), chunk):
        total += _grad(model, x[i:i + chunk], y[i:i + chunk]) * len(y[i:i + chunk])
    return total / len(y)


@dataclass(frozen=True)
class Spread:
    """Mini-batch gradients around the full-batch gradient g, per batch size.

    ``points[B]``: each mini-batch gradient projected on (g's direction, the main direction
    of the size-1 gradients' deviation from it), in units of |g| - the full gradient is (1, 0).
    ``relative[B]``: root-mean-square of |g_B − g| / |g|. ``cosine[B]``: mean cosine with g.
    """

    sizes: tuple[int, ...]
    norm: float
    points: dict[int, np.ndarray]
    relative: dict[int, float]
    cosine: dict[int, float]
    pool: int
    params: int


def gradient_spread(pool: int = POOL, sizes: tuple[int, ...] = SIZES, repeats: int = REPEATS,
                    seed: int = SEED) -> Spread:
    """Measure it: the full gradient over ``pool`` MNIST digits, ``repeats`` random batches of
    each size drawn from the same digits."""
    x, y = mnist_split("test", pool)
    model = small_model(seed)
    rng = np.random.default_rng(seed)
    with training_threads(1):
        g = _full_grad(model, x, y)
        grads = {b: np.stack([_grad(model, x[idx], y[idx]) for idx in
                              (rng.choice(len(y), b, replace=False) for _ in range(repeats))])
                 for b in sizes}
    norm = float(np.linalg.norm(g))
    u = g / norm
    dev = grads[sizes[0]] - np.outer(grads[sizes[0]] @ u, u)
    v = np.linalg.svd(dev, full_matrices=False)[2][0]
    points = {b: np.stack([gb @ u, gb @ v], axis=1) / norm for b, gb in grads.items()}
    relative = {b: float(np.sqrt(np.mean(np.sum((gb - g) ** 2, axis=1))) / norm)
                for b, gb in grads.items()}
    cosine = {b: float(np.mean(gb @ u / np.linalg.norm(gb, axis=1))) for b, gb in grads.items()}
    return Spread(tuple(sizes), norm, points, relative, cosine, len(y), len(g))


def time_iterations(sizes: tuple[int, ...], min_seconds: float = 0.04) -> dict[int, float]:
    """Seconds per training iteration (forward, backward, SGD step) at each batch size, timed
    here, now: the fastest of repeats lasting at least ``min_seconds`` in all (at least 3) -
    the least disturbed by whatever else the machine is doing."""
    x, y = mnist_split("test", max(sizes))
    model = small_model()
    opt = optim.SGD(model.parameters(), lr=0.01)
    loss = nn.CrossEntropyLoss()
    out: dict[int, float] = {}
    with training_threads(1):
        for b in sizes:
            times: list[float] = []
            while len(times) < 3 or sum(times) < min_seconds:
                t0 = time.perf_counter()
                opt.zero_grad()
                loss(model(x[:b]), y[:b])
                model.backward_params(loss.backward())  # a training step, as the Trainer's
                opt.step()
                times.append(time.perf_counter() - t0)
            out[b] = float(min(times))
    return out


# --------------------------------------------------------------------------- quizzes


def iterations_question(c: Counts) -> Question:
    """Iterations per epoch: ⌈N / B⌉, the last, smaller batch included."""
    wrong = [c.n // c.batch, c.total, c.per_epoch + 1, c.n // c.batch - 1]
    options, correct = choice_options(c.per_epoch, wrong)
    text = Text(f"{c.n} training images, batch size {c.batch}: how many iterations (weight "
                "updates) make one epoch?",
                f"{c.n} 张训练图像，批大小 {c.batch}：一个轮次（epoch）有多少次迭代（权重更新）？")
    return Question(text, options, correct,
                    same(f"$\\lceil {c.n} / {c.batch} \\rceil = {c.per_epoch}$"))


def last_batch_question(c: Counts) -> Question:
    """The size of an epoch's last batch: N − (⌈N / B⌉ − 1)·B."""
    wrong = [c.batch, c.batch - c.last, c.n % c.batch, c.last + 1, c.last - 1]
    options, correct = choice_options(c.last, wrong)
    text = Text(f"{c.n} images in batches of {c.batch}: how many images are in the last batch "
                "of each epoch?",
                f"{c.n} 张图像，每批 {c.batch} 张：每个轮次的最后一批有多少张图像？")
    return Question(text, options, correct,
                    same(f"${c.n} - ({c.per_epoch} - 1) \\times {c.batch} = {c.last}$"))


def spread_question(s: Spread) -> Question:
    """Four times the batch, about half the spread (1/√B), read from the measurement."""
    a, b = s.sizes[-3], s.sizes[-2]
    ratio = s.relative[b] / s.relative[a]
    values = [0.25, 0.5, 1.0, 2.0]
    right = min(values, key=lambda v: abs(math.log(v / ratio)))
    text = Text(f"Going from batches of {a} to batches of {b} (4× larger), the spread of the "
                "mini-batch gradients is multiplied by about?",
                f"批大小从 {a} 增加到 {b}（4 倍）时，小批量梯度的离散程度大约乘以多少？")
    expl = Text(f"Measured here: {s.relative[a]:.3g} → {s.relative[b]:.3g} (× {ratio:.2f}); "
                "the spread falls like 1/√B, and 1/√4 = 0.5.",
                f"这里测得：{s.relative[a]:.3g} → {s.relative[b]:.3g}（× {ratio:.2f}）；"
                "离散程度按 1/√B 下降，1/√4 = 0.5。")
    return Question(text, [f"{v:g}" for v in values], values.index(right), expl)
