"""Lesson 17, AlexNet's dropout and local response normalisation (LRN).

Dropout: each training step zeroes every unit with probability p and scales the survivors by
1/(1 − p) (inverted dropout), so the expected output is the input and evaluation is the
identity; the masks come from ``F.dropout`` with a seeded generator. LRN: each unit divided
by (k + α/n · Σ of the squares of the n neighbouring channels at its position)^β, the engine's
``F.local_response_norm`` written out for one unit. Their effect on a curve: a small
AlexNet-style net trained on 500 digits without either, with dropout, with LRN (recorded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import nn
from cnnviz.i18n import Text
from cnnviz.lessons.learning import float_options, recorded
from cnnviz.lessons.quizzes import Question
from cnnviz.models import set_standardize
from cnnviz.training.data import mnist_split
from cnnviz.training.sidebyside import Arm, LayerTap, Recording, RunSettings
from cnnviz.weights import load_model, pretrained_path

SLUG = "dropout_lrn"
SETTINGS = RunSettings(steps=300, batch_size=32, lr=0.02, momentum=0.9, seed=0, every=20,
                       test_size=500, train_limit=500, bins=12, lo=0.0, hi=3.0)
ARM_NAMES = ("plain", "dropout", "lrn")
ARM_TITLES = {"plain": Text("Neither", "两者都不用"),
              "dropout": Text("Dropout p = 0.5", "Dropout p = 0.5"),
              "lrn": Text("LRN (n = 5)", "LRN（n = 5）")}
GRID = 5  # side of the dropout grid
MASKS = 12  # training steps the dropout animation shows


def small_alexnet(dropout: bool, lrn: bool) -> nn.Sequential:
    """conv 8@5×5, ReLU, (LRN), pool; conv 16@3×3, ReLU, (LRN), pool; (dropout) FC 64, ReLU,
    (dropout) FC 10: the mini AlexNet's recipe, small enough to train in seconds."""
    def norm() -> list[nn.Module]:
        return [nn.LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=1.0)] if lrn else []

    def drop() -> list[nn.Module]:
        return [nn.Dropout(0.5)] if dropout else []

    layers = [nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), *norm(), nn.MaxPool2d(2),
              nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), *norm(), nn.MaxPool2d(2),
              nn.Flatten(), *drop(), nn.Linear(16 * 7 * 7, 64), nn.ReLU(), *drop(),
              nn.Linear(64, 10)]
    return set_standardize(nn.Sequential(*layers), True)


def _taps(model: nn.Sequential) -> tuple[LayerTap, ...]:
    """The two conv stages' ReLU outputs, with their conv's gradient."""
    kids = list(model.children())
    convs = [i for i, m in enumerate(kids) if isinstance(m, nn.Conv2d)]
    return tuple(LayerTap(c + 1, (c,)) for c in convs)


def arms() -> list[Arm]:
    spec = {"plain": (False, False), "dropout": (True, False), "lrn": (False, True)}
    return [Arm(name, lambda d=d, r=r: small_alexnet(d, r), _taps(small_alexnet(*spec[name])))
            for name, (d, r) in spec.items()]


def recording() -> Recording:
    return recorded(SLUG)


# ----------------------------------------------------------------------------- the stack


def feature_stack(digit: int = 0) -> np.ndarray:
    """(16, 28, 28): the bundled mini AlexNet's first conv layer after ReLU, on test digit
    ``digit`` - the stack of feature maps its first LRN normalises."""
    model, _ = load_model(pretrained_path("alexnet_small"))
    x, _ = mnist_split("test", digit + 1)
    kids = list(model.children())
    return kids[1](kids[0](model.standardize(x[digit:digit + 1])))[0]


def busiest_patch(stack: np.ndarray, side: int = GRID) -> tuple[int, int, int]:
    """(channel, top, left) of the ``side``×``side`` patch with the most non-zero units."""
    best, where = -1.0, (0, 0, 0)
    C, H, W = stack.shape
    for c in range(C):
        for r in range(0, H - side + 1, 2):
            for q in range(0, W - side + 1, 2):
                patch = stack[c, r:r + side, q:q + side]
                score = float((patch > 0).sum()) + float(patch.mean()) * 1e-3
                if score > best:
                    best, where = score, (c, r, q)
    return where


@dataclass(frozen=True)
class DropoutDemo:
    """A patch of activations and, per training step, the mask, output and running mean."""

    x: np.ndarray  # (side, side) the layer's values
    outputs: np.ndarray  # (steps, side, side) F.dropout in training mode
    means: np.ndarray  # (steps, side, side) mean of the outputs of steps 1..t
    p: float
    seed: int

    @property
    def scale(self) -> float:
        return 1.0 / (1.0 - self.p)

    def kept(self, step: int) -> int:
        return int((self.outputs[step] != 0).sum())


def dropout_demo(x: np.ndarray, p: float, steps: int = MASKS, seed: int = 0) -> DropoutDemo:
    """``steps`` training-mode passes of ``F.dropout`` over ``x`` with a seeded generator."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float32)
    outs = np.stack([F.dropout(x, p, training=True, rng=rng) for _ in range(steps)])
    means = np.cumsum(outs.astype(np.float64), axis=0) / np.arange(1, steps + 1)[:, None, None]
    return DropoutDemo(x, outs, means, float(p), seed)


def expectation_latex(x: float, p: float) -> str:
    """E[y] = (1 − p)·x/(1 − p) + p·0 = x, with one unit's numbers."""
    q = 1 - p
    return (rf"\mathbb{{E}}[y] = (1-p)\cdot\frac{{x}}{{1-p}} + p\cdot 0 = {q:.1f}\cdot"
            rf"\frac{{{x:.2f}}}{{{q:.1f}}} + {p:.1f}\cdot 0 = {x:.2f}")


def dropout_mask_question(p: float, n: int) -> Question:
    """Scale of the survivors and how many survive on average."""
    right = 1 / (1 - p)
    opts, correct = float_options(right, [1 - p, 1.0, right * right, 1 + p, p], 2)
    q = Text(f"Dropout with p = {p:g} in training mode: by how much is every kept unit "
             "multiplied (PyTorch's inverted dropout)?",
             f"训练模式下 p = {p:g} 的 Dropout：每个保留下来的单元要乘以多少"
             "（PyTorch 的反向 Dropout）？")
    why = Text(f"1/(1 − p) = {right:.2f}: on average (1 − p)·{n} = {(1 - p) * n:g} of {n} "
               "units survive, and the scale keeps the expected output equal to the input, "
               "so evaluation needs no change.",
               f"1/(1 − p) = {right:.2f}：平均有 (1 − p)·{n} = {(1 - p) * n:g} 个"
               f"（共 {n} 个）单元保留，"
               "乘上这个系数使输出的期望等于输入，因此评估时无需任何改动。")
    return Question(q, opts, correct, why)


# ----------------------------------------------------------------------------- LRN


@dataclass(frozen=True)
class LrnUnit:
    """One unit of LRN written out: its neighbours across channels and every number."""

    channel: int
    row: int
    col: int
    neighbours: list[int]  # the channels in its window (zero-padded ends omitted)
    values: np.ndarray  # a_j of those channels at (row, col)
    a: float
    size: int
    alpha: float
    beta: float
    k: float
    sum_sq: float
    denom: float  # k + alpha/size * sum_sq
    b: float  # the engine's output
    before: np.ndarray  # (C,) every channel at (row, col)
    after: np.ndarray  # (C,) after LRN


def lrn_unit(stack: np.ndarray, channel: int, row: int, col: int, size: int, alpha: float,
             beta: float = 0.75, k: float = 1.0) -> LrnUnit:
    """``F.local_response_norm`` of the stack, and the sum behind unit (channel, row, col):
    PyTorch's window, size//2 channels before and (size−1)//2 after."""
    out = F.local_response_norm(stack[None], size, alpha, beta, k)[0]
    C = stack.shape[0]
    lo, hi = channel - size // 2, channel + (size - 1) // 2
    nb = [j for j in range(lo, hi + 1) if 0 <= j < C]
    vals = stack[nb, row, col].astype(np.float64)
    s = float(np.sum(vals ** 2))
    return LrnUnit(channel, row, col, nb, vals, float(stack[channel, row, col]), size, alpha,
                   beta, k, s, k + alpha / size * s, float(out[channel, row, col]),
                   stack[:, row, col].astype(np.float64), out[:, row, col].astype(np.float64))


def printed_sums(u: LrnUnit) -> tuple[float, float]:
    """The sum of squares and the denominator as printed: from the values shown (3 decimals),
    so a student adding the printed squares gets the printed total."""
    sq = round(float(np.sum(np.round(u.values, 3) ** 2)), 4)
    return sq, round(u.k + u.alpha / u.size * sq, 4)


def lrn_latex(u: LrnUnit) -> list[str]:
    """The unit's LRN in three lines: the sum of squares, the denominator, the result."""
    squares = " + ".join(f"{v:.3f}^2" for v in u.values)
    sq, denom = printed_sums(u)
    return [
        rf"\sum_{{j={u.neighbours[0]}}}^{{{u.neighbours[-1]}}} a_j^2 = {squares} = {sq:.4f}",
        rf"k + \frac{{\alpha}}{{n}}\sum a_j^2 = {u.k:g} + \frac{{{u.alpha:g}}}{{{u.size}}}"
        rf"\cdot {sq:.4f} = {denom:.4f}",
        rf"b = \frac{{a}}{{(k + \frac{{\alpha}}{{n}}\sum a_j^2)^{{\beta}}}} = "
        rf"\frac{{{u.a:.3f}}}{{{denom:.4f}^{{{u.beta:g}}}}} = {u.b:.3f}",
    ]


def lrn_question(u: LrnUnit) -> Question:
    """Which channels does the unit's window hold (from the current settings)?"""
    right = u.b
    wrong = [u.a, u.a / u.denom, u.a * u.denom ** u.beta, u.a / (u.k + u.alpha * u.sum_sq)
             ** u.beta]
    opts, correct = float_options(right, wrong, 3)
    q = Text(f"Channel {u.channel} holds a = {u.a:.3f}; k + α/n·Σa² = {u.denom:.4f} and "
             f"β = {u.beta:g}. What does LRN output there?",
             f"通道 {u.channel} 的值 a = {u.a:.3f}；k + α/n·Σa² = {u.denom:.4f}，β = {u.beta:g}。"
             "LRN 在这里输出多少？")
    why = Text(f"b = a / {u.denom:.4f}^{u.beta:g} = {right:.3f}.",
               f"b = a / {u.denom:.4f}^{u.beta:g} = {right:.3f}。")
    return Question(q, opts, correct, why)
