"""A student who adds the printed products gets the printed total, on every frame.

Each animation is built the way its page builds it (lesson function, then the figure), at
the pages' defaults and at other settings: photo crops (pixels k/255, printed rounded),
integer grids, bias, every padding mode, stride, dilation, max and mean pooling, the
stretched and scatter views of a transposed conv, separable's two stages and backprop's two
sums. Every frame's written sum is read back from the figure JSON and recomputed from the
printed numbers (``written_sums``); the pages' golden snapshots are read the same way.
Where rounding makes the printed total differ from the engine's value, the engine's value
must stand beside it (and it must be the engine's).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from cnnviz.kernels import PRESETS
from cnnviz.lessons import backprop, pooling, separable, transposed
from cnnviz.lessons.conv import conv_spec
from cnnviz.lessons.registry import by_page
from cnnviz.lessons.window import WindowSpec
from cnnviz.viz.pooling import pool_animation_figure
from cnnviz.viz.transposed import scatter_animation_figure
from cnnviz.viz.window_animation import window_animation_figure
from tests.golden.snapshot import VIEWS, golden_path, load, page_files
from tests.viz.written_sums import HEAD, TOTAL, check_figure, equations, number

RNG = np.random.default_rng(9)
PHOTO = (RNG.integers(0, 256, (3, 8, 8)) / 255).astype(np.float32)  # a colour photo's crop
GRID = RNG.integers(-3, 6, (8, 8)).astype(np.float32)  # a hand-drawn integer grid
TINY = np.round(PHOTO[0, :4, :4], 2)  # backprop's own-image crop (np.round(..., 2))


def kernel(name: str, k: int = 3) -> np.ndarray:
    return PRESETS[name].kernel(k)


WINDOW_CASES: dict[str, Callable[[], WindowSpec]] = {
    # lesson 1: presets on a photo crop and an integer grid, true convolution
    "conv sobel photo": lambda: conv_spec(PHOTO[0], kernel("sobel_x")),
    "conv gaussian5 photo": lambda: conv_spec(PHOTO[0], kernel("gaussian", 5)),
    "conv box photo": lambda: conv_spec(PHOTO[1, :6, :6], kernel("box")),
    "conv emboss grid true": lambda: conv_spec(GRID, kernel("emboss"), true_conv=True),
    "conv gaussian grid": lambda: conv_spec(GRID, kernel("gaussian")),
    # lesson 2: channel weights in steps of 0.5, and a bias
    "multichannel": lambda: conv_spec(PHOTO[2, :6, :6], kernel("sobel_x") * -0.5),
    "bias photo": lambda: conv_spec(PHOTO[0, :6, :6], kernel("laplacian") * 1.5, bias=0.3),
    "bias grid": lambda: conv_spec(GRID[:5, :5], kernel("box"), bias=-0.7),
    # lessons 3, 4, 6: padding modes, stride, dilation
    **{f"padding {m}": (lambda m=m: conv_spec(PHOTO[0, :6, :6], kernel("sharpen"), padding=2,
                                              padding_mode=m))
       for m in ("zeros", "reflect", "replicate", "circular")},
    "stride": lambda: conv_spec(PHOTO[1], kernel("sobel_y"), stride=2, padding=1),
    "stride 3 grid": lambda: conv_spec(GRID, kernel("box"), stride=3),
    "dilation": lambda: conv_spec(PHOTO[2], kernel("laplacian"), padding=2, dilation=2),
    # lesson 5: max and mean pooling, with padding
    "mean pool": lambda: pooling.pool_spec(PHOTO[0], "avg", 3, 1, 1),
    "mean pool 2": lambda: pooling.pool_spec(PHOTO[1], "avg", 2, 2),
    "mean pool grid": lambda: pooling.pool_spec(GRID, "avg", 3, 2, 1),
    "max pool": lambda: pooling.pool_spec(PHOTO[2], "max", 3, 2, 1),
    # lesson 7: the stretched view
    "stretched": lambda: transposed.zero_insertion_spec(PHOTO[0, :3, :3], kernel("gaussian"),
                                                        2, 1, 1, 1),
    "stretched dilated": lambda: transposed.zero_insertion_spec(PHOTO[1, :3, :3],
                                                                kernel("sobel_x"), 2, 0, 1, 2),
    # lesson 8: depthwise, then pointwise
    "depthwise": lambda: conv_spec(PHOTO[0, :6, :6], kernel("sobel_x")),
    "pointwise": lambda: _pointwise(),
    # lesson 9: dL/dW and dL/dX on the lecture's example and on a rounded crop
    **{f"backprop {w} {up} {src}": (lambda w=w, up=up, src=src: _backprop(w, up, src))
       for w in ("dw", "dx") for up in backprop.UPSTREAM for src in ("example", "crop")},
}


def _pointwise() -> WindowSpec:
    dw = np.stack([kernel("sobel_x"), kernel("sobel_y"), kernel("laplacian")])
    pw = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 0.0], [0.0, 0.5, -0.5]], np.float32)
    res = separable.depthwise_pointwise(PHOTO[:, :6, :6], dw, pw)
    return separable.pointwise_spec(res.depthwise, res.output[2], pw[2])


def _backprop(which: str, up: str, src: str) -> WindowSpec:
    x = backprop.EXAMPLE_X if src == "example" else TINY
    k = 3 if src == "example" else 2
    r = backprop.backprop(x, backprop.KERNELS[k], backprop.upstream_gradient(up, (5 - k, 5 - k)))
    return backprop.dw_spec(r) if which == "dw" else backprop.dx_spec(r)


def engine_checks(spec: WindowSpec, texts: list[str]) -> list[str]:
    """The head says "=" only when the printed total is the engine's value; an engine value
    printed beside a total is the engine's; a total without one reads as the engine's."""
    problems = []
    for text in texts:
        lines = text.split("<br>")
        head, total = HEAD.match(lines[0]), TOTAL.match(lines[-1])
        assert head and total, text
        engine = float(spec.output[int(head.group("r")), int(head.group("c"))])
        if total.group("engine"):
            if abs(number(total.group("engine")) - engine) > 1e-4:
                problems.append(f"{lines[0]}: engine {engine} printed {total.group('engine')}")
        else:
            d = len(total.group("total").split(".")[1]) if "." in total.group("total") else 0
            shown = number(f"{round(engine, d):.{d}f}")
            if abs(shown - number(total.group("total"))) > 10.0 ** -(d + 6):
                problems.append(f"{lines[0]}: total {total.group('total')}, engine {engine}")
    return problems


@pytest.mark.parametrize("lang,classroom", [("en", False), ("zh", True)])
@pytest.mark.parametrize("case", list(WINDOW_CASES))
def test_every_frame_of_a_window_animation_adds_up(case: str, lang: str,
                                                   classroom: bool) -> None:
    spec = WINDOW_CASES[case]()
    if spec.reducer == "multiply-add":
        fig = window_animation_figure(spec, lang=lang, classroom=classroom)
    else:
        fig = pool_animation_figure(spec, None, lang=lang, classroom=classroom)
    d = fig.to_dict()
    n, problems = check_figure(d)
    assert n == spec.n_steps + 1  # the first screen and every frame
    assert not problems, problems[:5]
    texts = [t.replace("−∞", "nan") for t in equations(d)]
    assert not engine_checks(spec, texts), engine_checks(spec, texts)[:5]


SCATTER_CASES = [  # (input, kernel, stride, padding, output padding, dilation)
    (PHOTO[0, :3, :3], "ones", 2, 0, 0, 1),
    (PHOTO[1, :3, :3], "gaussian", 2, 1, 1, 1),
    (PHOTO[2, :2, :2], "sobel_x", 3, 0, 2, 1),
    (PHOTO[0, :3, :3], "box", 1, 0, 0, 2),
    (GRID[:3, :3], "laplacian", 2, 1, 0, 1),
]


@pytest.mark.parametrize("case", range(len(SCATTER_CASES)))
def test_every_stamp_of_the_scatter_view_multiplies_out(case: int) -> None:
    x, name, s, p, a, d = SCATTER_CASES[case]
    k = np.ones((3, 3), np.float32) if name == "ones" else kernel(name)
    sc = transposed.scatter_steps(x, k, s, p, a, d)
    fig = scatter_animation_figure(x, k, sc.partial, sc.stamps, sc.anchors, sc.keep,
                                   stride=s, dilation=d, lang="zh", classroom=True)
    n, problems = check_figure(fig.to_dict())
    assert n == x.size + 1
    assert not problems, problems[:5]
    exact = bool(np.allclose(np.round(x, 2), x, atol=1e-6))
    for t, text in enumerate(equations(fig.to_dict())[1:]):
        lines = text.split("<br>")[:-1]
        if not re.match(r"x\[\d+,\d+\]·K: ", lines[0]):
            assert not exact and "≈" in lines[0], lines[0]
            continue
        # ":" says the printed stamp is the engine's stamp as the buffer adds it
        r0, c0 = sc.anchors[t]
        for i, line in enumerate(lines):
            printed = line.split("[")[-1].rstrip("]").split(", ")
            engine = sc.stamps[t][r0 + i * d, c0 : c0 + k.shape[1] * d : d]
            for shown, e in zip(printed, engine, strict=True):
                places = len(shown.split(".")[1]) if "." in shown else 0
                assert abs(number(shown) - number(f"{e:.{places}f}")) == 0, (line, e)


def _animations(path: Any) -> list[dict[str, Any]]:
    return [f for f in load(path)["figures"] if f.get("frames")] if path.exists() else []


@pytest.mark.parametrize("lang,classroom", VIEWS)
@pytest.mark.parametrize("page", page_files())
def test_pages_defaults_add_up(page: str, lang: str, classroom: bool) -> None:
    """The pages' own figures at their defaults (the golden snapshots, as the browser gets
    them) add up on every frame."""
    learning = by_page(page).section == "learning"
    for fig in _animations(golden_path(page, lang, classroom)):
        if (fig["layout"].get("meta") or {}).get("written_sums") is False:
            continue  # an animation of runs or measurements (paths, curves): no sums to add
        n, problems = check_figure(fig)
        if n == 0 and learning:
            continue  # histograms, bars or masks animated over training steps: no sum
        assert n == len(fig["frames"]) + 1
        assert not problems, problems[:5]
