"""Lesson 18, residual versus plain: the same deep CNN with and without skip connections.

Both arms are a stem (3×3 conv, stride 2, ReLU, 2×2 max pool: 28 → 7) and ten of the engine's
``nn.ResidualBlock`` (conv-ReLU-conv, 8 channels; its batch norms taken out, so that lesson 16's
remedy does not hide this one), global average pooling and a linear layer. In the plain arm
each block's shortcut is cut (``PlainBlock``: y = ReLU(F(x)) instead of ReLU(F(x) + x)); nothing
else changes, not even the weights they start from. With PyTorch's default initialisation the
plain net's signal and gradients fade through its twenty convs and it never leaves ln 10; the
shortcut carries both through. The recording measures each block's weight-gradient norm as
they train; a trained block is written out forward and backward with its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import nn
from cnnviz.i18n import Text
from cnnviz.lessons.learning import float_options, recorded
from cnnviz.lessons.quizzes import Question, choice_options
from cnnviz.models import set_standardize
from cnnviz.training.data import mnist_split
from cnnviz.training.sidebyside import Arm, LayerTap, Recording, RunSettings

SLUG = "residual"
DEPTH = 10
CHANNELS = 8
STEM = 3  # children before the first block
SETTINGS = RunSettings(steps=300, batch_size=32, lr=0.02, momentum=0.9, seed=0, every=15,
                       test_size=500, bins=12, lo=0.0, hi=3.0)
ARM_NAMES = ("plain", "residual")
ARM_TITLES = {"plain": Text("Plain", "普通网络"),
              "residual": Text("Residual (skip connections)", "残差网络（跳跃连接）")}


class PlainBlock(nn.ResidualBlock):
    """``nn.ResidualBlock`` with its shortcut cut: y = ReLU(bn2(conv2(ReLU(bn1(conv1(x)))))).

    Same layers, same parameters, same state-dict keys: the only change is the missing + x.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.relu(self.bn2(self.conv2(self.relu1(self.bn1(self.conv1(x))))))

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return main_backward(self, self.relu.backward(dy))


def main_backward(block: nn.ResidualBlock, d: np.ndarray) -> np.ndarray:
    """dL/dx through the block's main path F, given dL/ds at the sum s (or at F's output)."""
    return block.conv1.backward(block.bn1.backward(block.relu1.backward(
        block.conv2.backward(block.bn2.backward(d)))))


def block(residual: bool) -> nn.ResidualBlock:
    """The engine's residual block (or its plain twin) with its two BatchNorms made identities:
    y = ReLU(conv(ReLU(conv(x))) + x)."""
    b = (nn.ResidualBlock if residual else PlainBlock)(CHANNELS, CHANNELS)
    b.bn1, b.bn2 = nn.Identity(), nn.Identity()
    return b


def deep_net(residual: bool) -> nn.Sequential:
    """Stem, ten blocks (residual or plain), global average pool, linear 8 → 10."""
    return set_standardize(nn.Sequential(
        nn.Conv2d(1, CHANNELS, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        *[block(residual) for _ in range(DEPTH)],
        nn.GlobalAvgPool2d(), nn.Flatten(), nn.Linear(CHANNELS, 10)), True)


def taps() -> tuple[LayerTap, ...]:
    return tuple(LayerTap(STEM + j, (STEM + j,)) for j in range(DEPTH))


def arms() -> list[Arm]:
    return [Arm("plain", lambda: deep_net(False), taps(), keep_state=True),
            Arm("residual", lambda: deep_net(True), taps(), keep_state=True)]


def recording() -> Recording:
    return recorded(SLUG)


def trained(rec: Recording, name: str) -> nn.Sequential:
    model = deep_net(name == "residual")
    model.load_state_dict(rec.runs[name].state)
    return model.eval()


@dataclass(frozen=True)
class BlockTrace:
    """One unit of block ``block`` (1-based) for one digit, forward and backward.

    s = F(x) + x (residual; F(x) alone when plain), y = ReLU(s); going back, g = dL/dy,
    d = g·1[s > 0] = dL/ds, and dL/dx = d (the shortcut) + main (back through F).
    """

    block: int
    residual: bool
    unit: tuple[int, int, int]
    x: float
    fx: float
    s: float
    y: float
    g: float
    d: float
    main: float
    dx: float  # the engine's dL/dx at the unit (block.backward)
    grad_norm_in: float  # ‖dL/dx‖ over the whole block input
    grad_norm_out: float  # ‖dL/dy‖ over the whole block output


def _unit(y: np.ndarray) -> tuple[int, int, int]:
    """The centre unit of the channel that is most active there."""
    r, c = y.shape[2] // 2, y.shape[3] // 2
    return int(np.argmax(y[0, :, r, c])), r, c


def trace_block(model: nn.Sequential, residual: bool, block: int, digit: int = 0
                ) -> BlockTrace:
    """Forward one test digit, backward its cross-entropy, and take block ``block`` apart."""
    x, yb = mnist_split("test", digit + 1)
    kids = list(model.children())
    h, outs = model.standardize(x[digit:digit + 1]), []
    for m in kids:
        outs.append(h)  # each child's input
        h = m(h)
    loss = nn.CrossEntropyLoss()
    loss(h, yb[digit:digit + 1])
    dy = loss.backward()
    idx = STEM + block - 1
    for m in reversed(kids[idx + 1:]):
        dy = m.backward(dy)
    b = kids[idx]
    xin = outs[idx]
    fx = b.bn2(b.conv2(b.relu1(b.bn1(b.conv1(xin)))))
    s = fx + xin if residual else fx
    y = b(xin)  # also re-caches the block for its backward
    d = b.relu.backward(dy)
    dmain = main_backward(b, d)
    y = b(xin)
    dx = b.backward(dy)
    u = _unit(y)
    at = (0, *u)
    return BlockTrace(block, residual, u, float(xin[at]), float(fx[at]), float(s[at]),
                      float(y[at]), float(dy[at]), float(d[at]), float(dmain[at]),
                      float(dx[at]), float(np.linalg.norm(dx)), float(np.linalg.norm(dy)))


def scale_exponent(*values: float) -> int:
    """k such that the largest |value| × 10^-k lies in [1, 1000): gradients are printed as
    a few digits times 10^k, so a sum of them can be checked by hand."""
    top = max(abs(v) for v in values) or 1.0
    return int(np.floor(np.log10(top) / 3) * 3)


def forward_latex(t: BlockTrace) -> str:
    """s and y at the unit; the sum of the printed terms is the printed s."""
    f3, x3 = round(t.fx, 3), round(t.x, 3)
    if t.residual:
        s3 = f3 + x3
        return (rf"s = F(x) + x = {f3:.3f} + {x3:.3f} = {s3:.3f},\quad "
                rf"y = \mathrm{{ReLU}}(s) = {max(s3, 0.0):.3f}")
    return rf"s = F(x) = {f3:.3f},\quad y = \mathrm{{ReLU}}(s) = {max(f3, 0.0):.3f}"


def backward_latex(t: BlockTrace) -> list[str]:
    """dL/ds from dL/dy, then dL/dx as the sum of the two paths, printed ×10^k."""
    k = scale_exponent(t.g, t.d, t.main, t.dx)
    f = 10.0 ** -k
    unit = rf"\times 10^{{{k}}}" if k else ""
    gate = 1 if t.s > 0 else 0
    lines = [rf"\frac{{\partial L}}{{\partial s}} = \frac{{\partial L}}{{\partial y}}\cdot"
             rf"\mathbb{{1}}[s>0] = {t.g * f:.3f}{unit}\cdot {gate} = {t.d * f:.3f}{unit}"]
    d3, m3 = round(t.d * f, 3), round(t.main * f, 3)
    if t.residual:
        lines.append(rf"\frac{{\partial L}}{{\partial x}} = (\underbrace{{{d3:.3f}}}_"
                     rf"{{\text{{{SHORTCUT_WORD}}}}} + \underbrace{{{m3:.3f}}}_{{F}})"
                     rf"{unit} = {d3 + m3:.3f}{unit}")
    else:
        lines.append(rf"\frac{{\partial L}}{{\partial x}} = \underbrace{{{m3:.3f}}}_{{F}}"
                     rf" = {m3:.3f}{unit}")
    return lines


SHORTCUT_WORD = "shortcut"  # replaced per language by the page (``backward_lines``)


def backward_lines(t: BlockTrace, shortcut: str) -> list[str]:
    """``backward_latex`` with the shortcut's label in the learner's language."""
    return [line.replace(rf"\text{{{SHORTCUT_WORD}}}", rf"\text{{{shortcut}}}")
            for line in backward_latex(t)]


def first_block_ratio(rec: Recording, k: int = 0) -> float:
    """How many times the residual net's first-block gradient exceeds the plain one's."""
    return float(rec.runs["residual"].grad_norm[k, 0] / rec.runs["plain"].grad_norm[k, 0])


def sum_question(t: BlockTrace) -> Question:
    """dL/dx at the unit from the two paths' numbers (residual block)."""
    k = scale_exponent(t.g, t.d, t.main, t.dx)
    f = 10.0 ** -k
    d3, m3 = round(t.d * f, 3), round(t.main * f, 3)
    right = d3 + m3
    opts, correct = float_options(right, [m3, d3, d3 * m3, d3 - m3], 3)
    q = Text(f"Going back through the block, dL/ds = {d3:.3f} (×10^{k}) at this unit and the "
             f"path through F gives {m3:.3f} (×10^{k}). What is dL/dx there (×10^{k})?",
             f"反向经过这个残差块时，这个单元的 dL/ds = {d3:.3f}（×10^{k}），经过 F 的路径给出 "
             f"{m3:.3f}（×10^{k}）。那里的 dL/dx 是多少（×10^{k}）？")
    why = Text("The shortcut passes dL/ds back unchanged and the two paths add: "
               f"{d3:.3f} + {m3:.3f} = {right:.3f}. Without the shortcut only {m3:.3f} would "
               "be left.",
               f"捷径把 dL/ds 原样传回，两条路径相加：{d3:.3f} + {m3:.3f} = {right:.3f}。"
               f"没有捷径时只剩下 {m3:.3f}。")
    return Question(q, opts, correct, why)


def ratio_question(rec: Recording, k: int) -> Question:
    """By how many powers of ten the residual net's first-block gradient exceeds the plain
    net's at checkpoint ``k`` (the ratio's order of magnitude)."""
    ratio = first_block_ratio(rec, k)
    right = int(round(float(np.log10(ratio))))
    opts, correct = choice_options(right, [right - 2, right + 1, right + 3])
    step = rec.checkpoints[k]
    res, plain = rec.runs["residual"].grad_norm[k, 0], rec.runs["plain"].grad_norm[k, 0]
    q = Text(f"At training step {step} the first block's gradient norm is {res:.1e} in the "
             f"residual net and {plain:.1e} in the plain one. About how many powers of ten "
             "apart are they?",
             f"在第 {step} 步训练时，第一个块的梯度范数在残差网络中是 {res:.1e}，"
             f"在普通网络中是 {plain:.1e}。它们大约相差十的几次方？")
    why = Text(f"{res:.1e} / {plain:.1e} ≈ 10^{right}: the plain net's weights get almost no "
               "signal to learn from.",
               f"{res:.1e} / {plain:.1e} ≈ 10^{right}：普通网络的权重几乎得不到可以学习的信号。")
    return Question(q, opts, correct, why)
