"""Lesson 11: the receptive field of a unit, measured by backpropagation through the engine.

Which input pixels can change one output unit? Send the gradient of that unit back through
the stack (``Module.backward``): with every weight 1 and average pools, no path can cancel
another, so the gradient is non-zero exactly on the pixels the unit depends on - and its
value counts the paths from each pixel (why the centre weighs more). The size of that
region is what the recursion in ``cnnviz.formulas.receptive_field`` predicts; the tests
assert it. With max pooling on the learner's own image, the gradient reaches only the
pixels that won each max: a subset of the receptive field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import cnnviz.nn as nn
from cnnviz import formulas
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, choice_options


@dataclass(frozen=True)
class Layer:
    """One layer of the stack: a convolution or a max pool, kernel k, stride s, dilation d."""

    kind: str  # "conv" | "pool"
    k: int
    s: int = 1
    d: int = 1

    @property
    def name(self) -> Text:
        """How the layer reads, e.g. "conv 3×3, stride 2"."""
        base = (Text(f"conv {self.k}×{self.k}", f"卷积 {self.k}×{self.k}") if self.kind == "conv"
                else Text(f"max pool {self.k}×{self.k}", f"最大池化 {self.k}×{self.k}"))
        en, zh = base.en, base.zh
        if self.s != 1 and not (self.kind == "pool" and self.s == self.k):
            en, zh = f"{en}, stride {self.s}", f"{zh}，步幅 {self.s}"
        if self.d != 1:
            en, zh = f"{en}, dilation {self.d}", f"{zh}，膨胀率 {self.d}"
        return Text(en, zh)


# the layers a learner can stack (a select box per layer)
CHOICES: dict[str, Layer] = {
    "c3": Layer("conv", 3), "c3s2": Layer("conv", 3, 2), "c3d2": Layer("conv", 3, 1, 2),
    "c5": Layer("conv", 5), "c1": Layer("conv", 1), "c3d3": Layer("conv", 3, 1, 3),
    "p2": Layer("pool", 2, 2), "p3s2": Layer("pool", 3, 2), "p3s1": Layer("pool", 3, 1),
}
DEFAULT_STACK = ("c3", "p2", "c3", "c3d2")
MIN_SIDE = 32  # a smaller image is enlarged to this (nearest neighbour)


def out_size(size: int, layer: Layer) -> int:
    """The layer's output size along one axis (the formulas the size lessons show)."""
    if layer.kind == "conv":
        return int(formulas.conv_output_size(size, layer.k, layer.s, 0, layer.d))
    return int(formulas.pool_output_size(size, layer.k, layer.s, 0))


def fitting(layers: list[Layer], shape: tuple[int, int]) -> list[Layer]:
    """The longest start of the stack whose every output is at least 1×1 on ``shape``."""
    h, w = shape
    kept = []
    for layer in layers:
        h, w = out_size(h, layer), out_size(w, layer)
        if min(h, w) < 1:
            break
        kept.append(layer)
    return kept


def enlarge(gray: np.ndarray, side: int = MIN_SIDE) -> np.ndarray:
    """An image smaller than ``side`` repeated pixel by pixel until it is at least that big."""
    h, w = gray.shape
    f = -(-side // max(min(h, w), 1))
    return np.repeat(np.repeat(gray, f, axis=0), f, axis=1) if f > 1 else gray


def build(layers: list[Layer], *, counting: bool) -> list[nn.Module]:
    """The stack as engine modules. ``counting``: every weight 1 and average pools (no path
    cancels, so the gradient marks every pixel the unit depends on); else the learner's
    stack, a blur (weights 1/k²) and max pools."""
    mods: list[nn.Module] = []
    for layer in layers:
        if layer.kind == "conv":
            m = nn.Conv2d(1, 1, layer.k, stride=layer.s, dilation=layer.d, bias=False)
            m.weight.data[...] = 1.0 if counting else 1.0 / layer.k**2
        else:
            m = (nn.AvgPool2d(layer.k, layer.s) if counting else nn.MaxPool2d(layer.k, layer.s))
        mods.append(m)
    return mods


def backward_maps(mods: list[nn.Module], x: np.ndarray, unit: tuple[int, int]
                  ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Forward ``x`` through ``mods``; then the gradient of output ``unit`` sent back module
    by module. Returns the activations and the gradients at each layer's input (input first,
    the output's one-hot last)."""
    acts = [np.asarray(x, dtype=np.float32)[None, None]]
    for m in mods:
        acts.append(m(acts[-1]))
    g = np.zeros_like(acts[-1])
    g[0, 0, unit[0], unit[1]] = 1.0
    grads = [g]
    for m in reversed(mods):
        grads.append(m.backward(grads[-1]))
    return [a[0, 0] for a in acts], [d[0, 0] for d in reversed(grads)]


@dataclass(frozen=True)
class Field:
    """What the page shows for one unit of one stack on one image."""

    layers: list[Layer]
    x: np.ndarray
    unit: tuple[int, int]
    output: np.ndarray  # the learner's stack (blur, max pools) on x
    paths: list[np.ndarray]  # path counts at each layer (input first)
    grad: np.ndarray  # dL/dX of the unit through the learner's stack (max pools)
    recursion: list[formulas.ReceptiveField]

    @property
    def mask(self) -> np.ndarray:
        """The input pixels the unit depends on (non-zero counting gradient)."""
        return self.paths[0] != 0

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(top, bottom, left, right), inclusive, of the pixels the unit depends on."""
        rows, cols = np.nonzero(self.mask)
        return int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())

    @property
    def measured(self) -> int:
        """Side of the measured region (the box's height)."""
        top, bottom, _, _ = self.box
        return bottom - top + 1


def receptive_field(layers: list[Layer], x: np.ndarray, unit: tuple[int, int]) -> Field:
    """Measure the receptive field of ``unit`` through the engine, and the recursion's."""
    acts, paths = backward_maps(build(layers, counting=True), x, unit)
    out, grads = backward_maps(build(layers, counting=False), x, unit)
    return Field(layers, np.asarray(x, dtype=np.float32), unit, out[-1], paths, grads[0],
                 formulas.receptive_field([(lr.k, lr.s, lr.d) for lr in layers]))


def recursion_latex(layers: list[Layer]) -> tuple[str, str]:
    r"""``r_l = r_{l-1} + d_l(k_l - 1) j_{l-1}`` and ``j_l = j_{l-1} s_l`` with the numbers in,
    as two aligned blocks (one would be too wide for a projected 1024-px page)."""
    fields = formulas.receptive_field([(lr.k, lr.s, lr.d) for lr in layers])
    r, j = 1, 1
    rs, js = ["r_0 &= 1"], ["j_0 &= 1"]
    for i, (layer, f) in enumerate(zip(layers, fields), start=1):
        rs.append(rf"r_{i} &= {r} + {layer.d}\cdot({layer.k}-1)\cdot {j} = {f.size}")
        js.append(rf"j_{i} &= {j}\cdot {layer.s} = {f.jump}")
        r, j = f.size, f.jump
    return tuple(r"\begin{aligned}" + r"\\ ".join(lines) + r"\end{aligned}"
                 for lines in (rs, js))  # type: ignore[return-value]


def size_question(layers: list[Layer]) -> Question:
    """How many input pixels wide is one output unit's receptive field (the recursion)?"""
    fields = formulas.receptive_field([(lr.k, lr.s, lr.d) for lr in layers])
    right = fields[-1].size
    naive = 1 + sum(lr.k - 1 for lr in layers)  # forgot strides and dilations
    widest = 1 + sum(lr.k for lr in layers)
    options, correct = choice_options(right, [naive, widest, right - 1, right + 2,
                                              max(lr.k for lr in layers)])
    names = ", ".join(lr.name.en for lr in layers)
    names_zh = "，".join(lr.name.zh for lr in layers)
    q = Text(f"The stack {names}: how many input pixels wide is one output unit's view?",
             f"这一叠层（{names_zh}）：一个输出单元能看到多宽的输入（像素）？")
    return Question(q, options, correct, entry("receptive_field", "size_why"))


def jump_question(layers: list[Layer]) -> Question:
    """Moving one unit along the output moves the receptive field by the product of strides."""
    fields = formulas.receptive_field([(lr.k, lr.s, lr.d) for lr in layers])
    right = fields[-1].jump
    options, correct = choice_options(right, [right * 2, right + 1, fields[-1].size,
                                              sum(lr.s for lr in layers), 1])
    q = Text("Move to the next output unit on the right: how many input pixels does its "
             "receptive field move?",
             "移到右边的下一个输出单元：它的感受野在输入上移动多少像素？")
    return Question(q, options, correct, entry("receptive_field", "jump_why"))


def row_boxes(layers: list[Layer], x: np.ndarray, row: int) -> list[tuple[int, int, int, int]]:
    """The measured box of every unit in output row ``row`` (one backward pass each)."""
    mods = build(layers, counting=True)
    acts, _ = backward_maps(mods, x, (row, 0))
    boxes = []
    for col in range(acts[-1].shape[1]):
        _, paths = backward_maps(mods, x, (row, col))
        rows, cols = np.nonzero(paths[0])
        boxes.append((int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max())))
    return boxes


def spread(f: Field, margin: int = 1) -> list[tuple[np.ndarray, int]]:
    """Each layer's path counts cropped to the cells the unit depends on (plus ``margin``),
    with the side of that block: the dependence growing from 1 unit back to r pixels."""
    views = []
    for p in f.paths:
        rows, cols = np.nonzero(p)
        t, b, le, ri = rows.min(), rows.max(), cols.min(), cols.max()
        view = p[max(t - margin, 0):b + margin + 1, max(le - margin, 0):ri + margin + 1]
        views.append((view, int(b - t + 1)))
    return views
