"""Lesson 16, batch normalisation: a deep net with and without it, and train versus eval.

The two arms differ only in a ``BatchNorm2d`` after each of six hidden 3×3 convs (8 channels,
PyTorch's default initialisation, input standardised). Without it the signal shrinks layer by
layer and plain SGD barely moves; with it each layer's input to ReLU keeps mean 0 and spread 1
(times γ, plus β). The trained batch-norm net of the recording then shows training versus
evaluation statistics: the running mean and variance, and what goes wrong when evaluation
normalises with the batch's own statistics (a batch of one digit, a batch of one class).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import cnnviz.nn.functional as F
from cnnviz import nn
from cnnviz.concurrency import training_threads
from cnnviz.i18n import Text
from cnnviz.lessons.learning import float_options, recorded
from cnnviz.lessons.quizzes import Question
from cnnviz.models import set_standardize
from cnnviz.training.data import mnist_split
from cnnviz.training.sidebyside import Arm, LayerTap, Recording, RunSettings

SLUG = "batchnorm"
DEPTH = 6
CHANNELS = 8
SETTINGS = RunSettings(steps=150, batch_size=32, lr=0.05, momentum=0.9, seed=0, every=10,
                       test_size=500, bins=24, lo=-3.0, hi=3.0)
ARM_NAMES = ("plain", "bn")
ARM_TITLES = {"plain": Text("Without batch norm", "没有批归一化"),
              "bn": Text("With batch norm", "有批归一化")}


def _conv_index(j: int, bn: bool) -> int:
    """Position in the Sequential of hidden conv ``j`` (after conv, ReLU, pool of the stem)."""
    return 3 + j * (3 if bn else 2)


def deep_net(bn: bool) -> nn.Sequential:
    """conv 1→8, ReLU, pool (28→14); six × [conv 8→8, (BatchNorm2d), ReLU]; pool; linear."""
    layers: list[nn.Module] = [nn.Conv2d(1, CHANNELS, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    for _ in range(DEPTH):
        layers.append(nn.Conv2d(CHANNELS, CHANNELS, 3, padding=1))
        if bn:
            layers.append(nn.BatchNorm2d(CHANNELS))
        layers.append(nn.ReLU())
    layers += [nn.MaxPool2d(2), nn.Flatten(), nn.Linear(CHANNELS * 7 * 7, 10)]
    return set_standardize(nn.Sequential(*layers), True)


def taps(bn: bool) -> tuple[LayerTap, ...]:
    """Each hidden layer's input to ReLU (BN's output, or the conv's) and its weights."""
    out = []
    for j in range(DEPTH):
        c = _conv_index(j, bn)
        out.append(LayerTap(c + 1, (c, c + 1)) if bn else LayerTap(c, (c,)))
    return tuple(out)


def arms() -> list[Arm]:
    return [Arm("plain", lambda: deep_net(False), taps(False)),
            Arm("bn", lambda: deep_net(True), taps(True), keep_state=True)]


def recording() -> Recording:
    return recorded(SLUG)


def trained_bn_net(rec: Recording) -> nn.Sequential:
    """The recording's trained batch-norm net, in evaluation mode (a fresh copy each call)."""
    model = deep_net(True)
    model.load_state_dict(rec.runs["bn"].state)
    return model.eval()


def _bn_layers(model: nn.Sequential) -> list[nn.BatchNorm2d]:
    return [m for m in model.children() if isinstance(m, nn.BatchNorm2d)]


def _predict(model: nn.Sequential, x: np.ndarray, batch_stats: bool) -> np.ndarray:
    """Class predictions; ``batch_stats``: every BN normalises with this batch's statistics
    (training mode, momentum 0 so the running statistics stay as trained)."""
    for m in _bn_layers(model):
        m.training = batch_stats
        m.momentum = 0.0
    return model(x).argmax(1)


@dataclass(frozen=True)
class EvalStats:
    """Test accuracy of the trained net, normalising four ways (fractions 0..1)."""

    running: float  # evaluation as it should be: the running mean and variance
    mixed: float  # batch statistics of mixed batches of ``batch`` digits
    single: float  # batch statistics of a batch of one digit
    one_class: float  # batch statistics of batches holding one class each
    batch: int
    n: int


def single_digit_accuracy(rec: Recording, n: int = 200) -> float:
    """Accuracy when each of the first ``n`` test digits is normalised by its own statistics
    (a batch of one; the slow part: ``n`` forward passes)."""
    x, y = mnist_split("test", n)
    model = trained_bn_net(rec)
    with training_threads():  # many small products: one BLAS thread is faster, and fair
        return float(np.mean([_predict(model, x[i:i + 1], True)[0] == y[i]
                              for i in range(n)]))


def eval_statistics(rec: Recording, batch: int, n: int = 200,
                    single: float | None = None) -> EvalStats:
    """Accuracy on the first ``n`` test digits with running versus batch statistics
    (``single``: ``single_digit_accuracy`` already computed)."""
    x, y = mnist_split("test", n)
    model = trained_bn_net(rec)
    b = max(2, int(batch))
    with training_threads():  # many small products: one BLAS thread is faster, and fair
        running = float((_predict(model, x, False) == y).mean())
        mixed = np.concatenate([_predict(model, x[i:i + b], True) for i in range(0, n, b)])
        correct = 0
        for c in range(10):
            sel = np.flatnonzero(y == c)
            for i in range(0, len(sel), b):
                correct += int((_predict(model, x[sel[i:i + b]], True) == c).sum())
    if single is None:
        single = single_digit_accuracy(rec, n)
    return EvalStats(running, float((mixed == y).mean()), single, correct / n, b, n)


@dataclass(frozen=True)
class UnitStats:
    """One unit of one BN layer, normalised both ways, with every number of the formula."""

    layer: int  # 1-based hidden layer
    channel: int
    x: float  # the unit's input (conv output) for the first digit of the batch
    batch_mean: float
    batch_var: float  # biased, as used for normalising
    running_mean: float
    running_var: float
    gamma: float
    beta: float
    eps: float
    y_train: float  # BN output with batch statistics (the engine's)
    y_eval: float  # with running statistics
    new_running_mean: float  # after one more training step with this batch (momentum)
    new_running_var: float
    momentum: float
    count: int  # values per channel in the batch (N·H·W)


def unit_stats(rec: Recording, layer: int, batch: int, channel: int = 0) -> UnitStats:
    """Run a batch of ``batch`` test digits to hidden layer ``layer`` (1-based) and normalise
    the centre unit of ``channel`` of the first digit both ways with ``F.batch_norm``."""
    model = trained_bn_net(rec)
    x, _ = mnist_split("test", max(2, int(batch)))
    bn_idx = _conv_index(layer - 1, True) + 1
    h = model.standardize(x)
    for i, m in enumerate(model.children()):
        if i == bn_idx:
            break
        h = m(h)
    bn = list(model.children())[bn_idx]
    rm, rv = bn.running_mean.copy(), bn.running_var.copy()
    w, b = bn.weight.data, bn.bias.data
    y_tr = F.batch_norm(h, rm, rv, w, b, training=True, momentum=bn.momentum, eps=bn.eps)
    y_ev = F.batch_norm(h, bn.running_mean, bn.running_var, w, b, training=False, eps=bn.eps)
    c = int(channel)
    r, q = h.shape[2] // 2, h.shape[3] // 2
    vals = h[:, c].astype(np.float64)
    return UnitStats(layer, c, float(h[0, c, r, q]), float(vals.mean()), float(vals.var()),
                     float(bn.running_mean[c]), float(bn.running_var[c]), float(w[c]),
                     float(b[c]), float(bn.eps), float(y_tr[0, c, r, q]),
                     float(y_ev[0, c, r, q]), float(rm[c]), float(rv[c]), float(bn.momentum),
                     int(vals.size))


def normalise_latex(u: UnitStats, batch_stats: bool) -> str:
    """y = γ (x − μ)/√(σ² + ε) + β with this unit's numbers (4 decimals in, 3 out)."""
    mu, var = (u.batch_mean, u.batch_var) if batch_stats else (u.running_mean, u.running_var)
    y = u.y_train if batch_stats else u.y_eval
    sub = r"\mathrm{B}" if batch_stats else r"\mathrm{run}"
    return (rf"y = \gamma\,\frac{{x-\mu_{sub}}}{{\sqrt{{\sigma^2_{sub}+\epsilon}}}}+\beta"
            rf" = {u.gamma:.4f}\cdot\frac{{{u.x:.4f}-({mu:.4f})}}"
            rf"{{\sqrt{{{var:.4f}+10^{{-5}}}}}}+({u.beta:.4f}) = {y:.3f}")


def running_update_latex(u: UnitStats) -> str:
    """The running-mean update of one training step, with numbers."""
    m = u.momentum
    return (rf"\mu_\mathrm{{run}} \leftarrow (1-m)\,\mu_\mathrm{{run}} + m\,\mu_\mathrm{{B}}"
            rf" = {1 - m:.1f}\cdot({u.running_mean:.4f}) + {m:.1f}\cdot({u.batch_mean:.4f})"
            rf" = {u.new_running_mean:.4f}")


def running_var_latex(u: UnitStats) -> str:
    """The running-variance update: the batch variance made unbiased, n/(n−1)."""
    m, n = u.momentum, u.count
    return (rf"\sigma^2_\mathrm{{run}} \leftarrow {1 - m:.1f}\cdot{u.running_var:.4f}"
            rf" + {m:.1f}\cdot\frac{{{n}}}{{{n - 1}}}\cdot{u.batch_var:.4f}"
            rf" = {u.new_running_var:.4f}")


def running_mean_question(u: UnitStats) -> Question:
    """New running mean after one step, from the numbers on screen."""
    m, r, mu = u.momentum, u.running_mean, u.batch_mean
    right = u.new_running_mean
    opts, correct = float_options(right, [mu, r, m * r + (1 - m) * mu, r + m * mu], 3)
    q = Text(
        f"Momentum m = {m:g}, running mean {r:.3f}, this batch's mean {mu:.3f}: what is the "
        "running mean after this training step?",
        f"动量 m = {m:g}，滑动均值 {r:.3f}，本批均值 {mu:.3f}：这一步训练之后滑动均值是多少？")
    why = Text(f"(1 − m)·{r:.3f} + m·{mu:.3f} = {right:.3f}: the old value keeps most weight.",
               f"(1 − m)·{r:.3f} + m·{mu:.3f} = {right:.3f}：旧值占大部分权重。")
    return Question(q, opts, correct, why)


def eval_mode_question(s: EvalStats) -> Question:
    """Which normalisation gave which accuracy (numbers from the current batch size)."""
    opts = [
        Text("The mean and variance of the batch being evaluated", "正在评估的这一批的均值和方差"),
        Text("The mean and variance of the last training batch", "最后一个训练批次的均值和方差"),
        Text("The running mean and variance saved during training",
             "训练时保存的滑动均值和方差"),
        Text("Nothing: BatchNorm is switched off at evaluation", "什么都不用：评估时关闭批归一化"),
    ]
    q = Text(
        f"Normalising with the running statistics gave {s.running:.0%} on {s.n} test digits; "
        f"with each single-class batch's own statistics, {s.one_class:.0%}. What does "
        "model.eval() make BatchNorm use?",
        f"用滑动统计量归一化时，{s.n} 个测试数字的准确率为 {s.running:.0%}；"
        f"用每个单类别批次自身的统计量时为 {s.one_class:.0%}。model.eval() 让批归一化使用什么？")
    why = Text("Running statistics: then one digit's output does not depend on which other "
               "digits share its batch.",
               "滑动统计量：这样一个数字的输出就不取决于同一批里还有哪些数字。")
    return Question(q, opts, 2, why)
