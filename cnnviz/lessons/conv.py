"""Single-channel convolution and padding, packaged for the animator and the full-image view.

Every number comes from ``cnnviz.nn.functional``: ``F.pad`` gives the padded grid the window
reads, ``F.conv_window_map`` where it reads, ``F.conv2d`` / ``F.true_conv2d`` the result.
Pages 1-9 call these instead of wiring the engine by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

import cnnviz.nn.functional as F
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question
from cnnviz.lessons.window import WindowSpec

# conv2d's padding_mode -> F.pad's mode (PyTorch names both ways)
PAD_MODES: dict[str, str] = {
    "zeros": "constant",
    "replicate": "replicate",
    "reflect": "reflect",
    "circular": "circular",
}

# the padding modes as lesson 3 names them (same keys, same order)
PAD_MODE_NAMES: dict[str, Text] = {
    "zeros": Text("Zero", "零填充"),
    "replicate": Text("Replicate (nearest)", "复制（最近邻）"),
    "reflect": Text("Reflect", "反射"),
    "circular": Text("Circular (wrap)", "循环（环绕）"),
}


def _nchw(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x[None, None] if x.ndim == 2 else x[None]


def padded(x: np.ndarray, padding: int, padding_mode: str = "zeros") -> np.ndarray:
    """The 2-D input padded on all sides as the convolution sees it (``F.pad``)."""
    if padding == 0:
        return np.asarray(x, dtype=np.float32)
    p = int(padding)
    return F.pad(_nchw(x), (p, p, p, p), mode=PAD_MODES[padding_mode])[0, 0]


def conv_full(
    x: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    bias: float = 0.0,
    true_conv: bool = False,
) -> np.ndarray:
    """One kernel on one 2-D channel: ``F.conv2d`` (or ``F.true_conv2d``), as a 2-D array."""
    op = F.true_conv2d if true_conv else F.conv2d
    w = np.asarray(kernel, dtype=np.float32)[None, None]
    b = np.array([bias], dtype=np.float32)
    y = op(
        _nchw(x), w, b, stride=stride, padding=padding, dilation=dilation, padding_mode=padding_mode
    )
    return y[0, 0]


def conv_spec(
    x: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    padding_mode: str = "zeros",
    bias: float = 0.0,
    true_conv: bool = False,
) -> WindowSpec:
    """A ``WindowSpec`` of the convolution of a (small) 2-D crop, ready to animate.

    For true convolution the kernel drawn and multiplied is the 180°-flipped one, which is
    exactly what ``F.true_conv2d`` cross-correlates with.
    """
    x = np.asarray(x, dtype=np.float32)
    kernel = np.asarray(kernel, dtype=np.float32)
    out = conv_full(
        x,
        kernel,
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=padding_mode,
        bias=bias,
        true_conv=true_conv,
    )
    shown = kernel[::-1, ::-1] if true_conv else kernel
    p = int(padding)
    return WindowSpec(
        padded=padded(x, p, padding_mode),
        window_map=F.conv_window_map(x.shape, kernel.shape, stride, p, dilation),
        output=out,
        kernel=np.ascontiguousarray(shown),
        pad=(p, p, p, p),
        bias=float(bias),
    )


# ---------------------------------------------------------------- lesson 1: flip or not

# The lecture notes' 4x4 input: lesson 1 opens on it (with ``kernels.NOTES``) when the learner
# has not picked an image yet, so the first numbers on screen are the notes' small integers.
NOTES_INPUT = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], np.float32)

Relation = Literal["same", "negated", "different"]
# how true convolution's result compares with cross-correlation's, as the quiz offers it
RELATION_NAMES: dict[str, Text] = {
    "same": Text("Identical", "完全相同"),
    "negated": Text("Opposite signs (every value × −1)", "符号相反（每个值 × −1）"),
    "different": Text("Different numbers, not just the sign", "数值不同，不只是符号"),
    "image": Text("It depends on the image, not on the kernel", "取决于图像，而不是卷积核"),
}


@dataclass(frozen=True)
class CorrelationAndConvolution:
    """The same kernel used as written (``F.conv2d``) and turned 180° (``F.true_conv2d``)."""

    correlation: np.ndarray
    convolution: np.ndarray

    @property
    def same(self) -> bool:
        """Whether the two agree (exactly when the kernel equals itself turned 180°)."""
        return bool(np.allclose(self.correlation, self.convolution, atol=1e-6))

    @property
    def negated(self) -> bool:
        """Whether they differ only in sign (the kernel turned 180° is itself × −1)."""
        return not self.same and bool(
            np.allclose(self.correlation, -self.convolution, atol=1e-6))

    @property
    def relation(self) -> Relation:
        """Identical, opposite signs, or different."""
        return "same" if self.same else "negated" if self.negated else "different"


def correlation_and_convolution(x: np.ndarray, kernel: np.ndarray) -> CorrelationAndConvolution:
    """Both operations on the whole image, from the engine."""
    return CorrelationAndConvolution(conv_full(x, kernel), conv_full(x, kernel, true_conv=True))


def flip_question(relation: Relation) -> Question:
    """ "How does true convolution compare with cross-correlation for this kernel?" (the
    engine's answer); the fourth option is the misconception that the image decides."""
    keys = list(RELATION_NAMES)
    return Question(
        Text(
            "For the current kernel, how does true convolution's result compare with "
            "cross-correlation's?",
            "对当前的卷积核，真正的卷积与互相关的结果相比如何？",
        ),
        [RELATION_NAMES[k] for k in keys],
        keys.index(relation),
        entry("convolution", "flip_why"),
    )


# ---------------------------------------------------------------- lesson 3: which mode?


def corner_question(crop: np.ndarray, padding: int) -> Question | None:
    """ "Which mode puts this value in the top-left padded cell?" for a value only one mode
    puts there (circular when it is one of them); None when no mode is told apart."""
    if padding <= 0:
        return None
    corner = {m: float(padded(crop, padding, m)[0, 0]) for m in PAD_MODE_NAMES}
    unique = [m for m in corner if sum(np.isclose(corner[m], v) for v in corner.values()) == 1]
    if not unique:
        return None
    target = "circular" if "circular" in unique else unique[0]
    modes = list(PAD_MODE_NAMES)
    value = corner[target]

    def listing(lang: str) -> str:
        return ", ".join(f"{PAD_MODE_NAMES[m].get(lang)}: {v:.2f}" for m, v in corner.items())

    return Question(
        Text(
            f"On the crop, which mode puts {value:.2f} in the top-left padded cell?",
            f"在裁剪区域上，哪种方式会在左上角的填充格放入 {value:.2f}？",
        ),
        [PAD_MODE_NAMES[m] for m in modes],
        modes.index(target),
        Text(listing("en"), listing("zh")),
    )


def mode_results(x: np.ndarray, kernel: np.ndarray, padding: int) -> dict[str, np.ndarray]:
    """The convolution with each padding mode (``F.conv2d``'s padding_mode), in mode order."""
    return {m: conv_full(x, kernel, padding=padding, padding_mode=m) for m in PAD_MODE_NAMES}


def differing_cells(results: dict[str, np.ndarray], atol: float = 1e-6) -> np.ndarray:
    """(n, 2) cells where not every mode gives the same value: the windows that read padding
    (and only those whose padding differs between the modes)."""
    stack = np.stack(list(results.values()))
    spread = stack.max(axis=0) - stack.min(axis=0)
    return np.argwhere(spread > atol)


def same_result_groups(results: dict[str, np.ndarray], atol: float = 1e-6) -> list[list[str]]:
    """Modes that give identical results, grouped (groups of one left out): on an image with a
    flat border, replicate, reflect and circular copy the same values into the padding."""
    groups: list[list[str]] = []
    for m, r in results.items():
        for g in groups:
            if np.allclose(results[g[0]], r, atol=atol):
                g.append(m)
                break
        else:
            groups.append([m])
    return [g for g in groups if len(g) > 1]


def mode_list(modes: list[str]) -> Text:
    """The modes' names joined for a sentence, in both languages."""
    return Text(", ".join(PAD_MODE_NAMES[m].en for m in modes),
                "、".join(PAD_MODE_NAMES[m].zh for m in modes))
