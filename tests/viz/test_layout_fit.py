"""Nothing covers anything on the narrowest projected screen, measured in the figure JSON.

A teacher projects at 1280×720 with the sidebar open: a ~700 px main column. Each figure the
teacher saw collide is built the way its page builds it, with the page's own titles in both
languages and both modes, and its text boxes are estimated from font size × text length
(a CJK character a full em, anything else 0.6 em, a line 1.3 em tall) against the subplot
domains: titles stay over their own column and inside the top margin, colour bars and their
numbers inside their own column, the cost bars' labels inside the figure.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import numpy as np
import pytest

from cnnviz.lessons import backprop, separable, transposed
from cnnviz.lessons.conv import conv_spec
from cnnviz.viz.costs import cost_bar_figure
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.training import confusion_figure
from cnnviz.viz.window_animation import window_animation_figure

WIDTH = 700  # px: the main column at 1280×720 with the sidebar open
RNG = np.random.default_rng(3)
IMG = RNG.random((64, 64)).astype(np.float32)
LANGS = [("en", False), ("en", True), ("zh", False), ("zh", True)]


def px(text: str, font: float) -> float:
    """Estimated rendered width of one line."""
    return font * sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)


def t(lang: str, en: str, zh: str) -> str:
    return zh if lang == "zh" else en


def title_boxes(fig: dict[str, Any]) -> list[tuple[float, float, float, int]]:
    """(left, right, height, font) in px of each subplot title (y = 1, centred)."""
    layout = fig["layout"]
    margin = layout.get("margin", {})
    plot = WIDTH - margin.get("l", 80) - margin.get("r", 80)
    boxes = []
    for a in layout.get("annotations", []):
        if a.get("yref") != "paper" or a.get("y") != 1.0 or a.get("xanchor") != "center":
            continue
        lines = str(a["text"]).split("<br>")
        font = a.get("font", {}).get("size", 16)
        w = max(px(line, font) for line in lines)
        x = margin.get("l", 80) + a["x"] * plot
        boxes.append((x - w / 2, x + w / 2, len(lines) * font * 1.3, font))
    return boxes


def check_titles(fig: dict[str, Any]) -> list[str]:
    """Titles apart from each other, inside the figure and inside the top margin."""
    boxes = sorted(title_boxes(fig))
    assert boxes, "no subplot titles found"
    problems = []
    for (_, r0, _, _), (l1, _, _, _) in zip(boxes, boxes[1:]):
        if r0 > l1 + 1:
            problems.append(f"titles overlap by {r0 - l1:.0f} px")
    if boxes[0][0] < -1 or boxes[-1][1] > WIDTH + 1:
        problems.append("a title runs off the figure")
    top = fig["layout"]["margin"]["t"]
    problems += [f"title {h:.0f} px tall in a {top} px margin" for *_, h, _ in boxes if h > top]
    return problems


def check_colour_bars(fig: dict[str, Any]) -> list[str]:
    """Each colour bar, with its tick numbers, ends before the next panel starts."""
    layout = fig["layout"]
    plot = WIDTH - layout["margin"]["l"] - layout["margin"]["r"]
    starts = sorted(v["domain"][0] for k, v in layout.items() if k.startswith("xaxis"))
    problems = []
    for trace in fig["data"]:
        bar = (trace.get("marker") or {}).get("colorbar")
        if not bar:
            continue
        font = bar["tickfont"]["size"]
        assert bar.get("orientation", "v") == "v" and bar["xanchor"] == "left"
        right = bar["x"] + (bar["thickness"] + bar.get("xpad", 10) + 4
                            + max(px(s, font) for s in bar["ticktext"])) / plot
        after = [s for s in starts if s > bar["x"]]
        if after and right > after[0]:
            problems.append(f"colour bar reaches {right:.3f}, next panel at {after[0]:.3f}")
        if right > 1 + 5 / plot:
            problems.append("colour bar runs off the figure")
    return problems


def image_rows(lang: str, classroom: bool) -> list[dict[str, Any]]:
    """Lesson 7's comparison, lesson 5's shift demo and lesson 8's two rows, as the pages
    build them."""
    k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
    tt = transposed.transposed_full(IMG, k, 2)
    rows = [
        [Panel(f"{t(lang, 'Input', '输入')} 64×64", IMG, "gray"),
         Panel(t(lang, "Transposed conv → 129×129", "转置卷积 → 129×129"), tt, "signed"),
         Panel(t(lang, "Nearest ×2 + conv → 128×128", "最近邻 ×2 + 卷积 → 128×128"), tt,
               "signed"),
         Panel(t(lang, "Bilinear ×2 + conv → 128×128", "双线性 ×2 + 卷积 → 128×128"), tt,
               "signed")],
        [Panel(t(lang, "Pooled", "池化结果"), IMG, "input", 0, 1),
         Panel(t(lang, "Pooled, image shifted 1 px", "图像平移 1 像素后池化"), IMG, "input", 0, 1),
         Panel(t(lang, "Unchanged cells (white)", "未变化的格子（白色）"), IMG > 0.5, "gray")],
        [Panel(f"{t(lang, 'Input', '输入')} 64×64", RNG.random((64, 64, 3)), "rgb")]
        + [Panel(t(lang, f"Depthwise {c}", f"深度卷积 {z}"), tt * (i + 1) * 37.3, "signed")
           for i, (c, z) in enumerate(zip(("Red", "Green", "Blue"), "红绿蓝"))],
        [Panel(t(lang, f"Pointwise output {o}", f"逐点卷积输出 {o}"), tt - 0.5 * o, "signed")
         for o in (1, 2, 3)],
    ]
    return [image_row_figure(r, classroom=classroom).to_dict() for r in rows]


@pytest.mark.parametrize("lang,classroom", LANGS)
def test_image_rows_titles_and_colour_bars_stay_in_their_column(lang: str,
                                                                classroom: bool) -> None:
    for fig in image_rows(lang, classroom):
        assert not check_titles(fig), check_titles(fig)
        assert not check_colour_bars(fig), check_colour_bars(fig)


@pytest.mark.parametrize("lang,classroom", LANGS)
def test_backprop_routes_titles_stay_apart(lang: str, classroom: bool) -> None:
    r = backprop.backprop(backprop.EXAMPLE_X, backprop.KERNELS[3],
                          backprop.upstream_gradient("random", (2, 2)))
    fig = number_grid_figure(
        [GridPanel(t(lang, "dL/dX: backward", "dL/dX：反向传播"), r.dx, signed=True),
         GridPanel(t(lang, "full conv, W turned 180°", "完全卷积，W 旋转 180°"),
                   r.dx_full_conv, signed=True),
         GridPanel("conv_transpose2d(dL/dY, W)", r.dx_transposed, signed=True),
         GridPanel(t(lang, "numerical", "数值梯度"), r.dx_numerical, signed=True)],
        classroom=classroom, height=400 if classroom else 320).to_dict()
    assert not check_titles(fig), check_titles(fig)


@pytest.mark.parametrize("lang,classroom", LANGS)
def test_animation_titles_stay_apart_and_start_at_their_size(lang: str,
                                                             classroom: bool) -> None:
    """Lesson 7's stretched view and lesson 8's pointwise view have the longest titles;
    the first screen shows them at the size the frames use."""
    spec = transposed.zero_insertion_spec(IMG[:3, :3], np.ones((3, 3), np.float32), 2)
    dw = np.stack([np.eye(3, dtype=np.float32)] * 3)
    res = separable.depthwise_pointwise(RNG.random((3, 6, 6)), dw, np.eye(3))
    figs = [
        window_animation_figure(
            spec, lang=lang, classroom=classroom, width_hint=1000 if classroom else 800,
            input_title=t(lang, "Stretched, padded input", "拉伸并填充后的输入"),
            kernel_title=t(lang, "Kernel turned 180°", "旋转 180° 的卷积核")),
        window_animation_figure(
            separable.pointwise_spec(res.depthwise, res.output[0], np.eye(3)[0]),
            lang=lang, classroom=classroom,
            input_title=t(lang, "Depthwise maps: rows = R, G, B; columns = pixels",
                          "深度卷积结果：行 = R、G、B；列 = 像素"),
            kernel_title=t(lang, "1×1 weights", "1×1 权重"),
            output_title=t(lang, "Output 1", "输出 1")),
        window_animation_figure(conv_spec(IMG[:6, :6], np.ones((3, 3), np.float32)),
                                lang=lang, classroom=classroom),
    ]
    for fig in (f.to_dict() for f in figs):
        assert not check_titles(fig), check_titles(fig)
        first = [a for a in fig["layout"]["annotations"] if a.get("y") == 1.0]
        framed = [a for a in fig["frames"][0]["layout"]["annotations"] if a.get("y") == 1.0]
        assert first == framed


@pytest.mark.parametrize("lang,classroom", LANGS)
def test_confusion_title_clears_its_axis_title(lang: str, classroom: bool) -> None:
    cm = np.diag(np.full(10, 980)) + RNG.integers(0, 9, (10, 10))
    layout = confusion_figure(cm, lang=lang, classroom=classroom).to_dict()["layout"]
    title = layout["title"]
    bottom = title["pad"]["t"] + title["font"]["size"] * 1.3  # px from the top
    base = layout["font"]["size"]
    axis_title_top = layout["margin"]["t"] - 2 * base * 1.3 - layout["xaxis"]["title"]["standoff"]
    assert title["yref"] == "container" and title["yanchor"] == "top"
    assert bottom <= axis_title_top, (bottom, axis_title_top)


@pytest.mark.parametrize("lang,classroom", LANGS)
def test_cost_bars_are_linear_labelled_and_unclipped(lang: str, classroom: bool) -> None:
    rows = separable.cost_table(64, 128, 3, (56, 56), 4)
    names = [t(lang, "Standard 3×3", "标准 3×3"), t(lang, "Depthwise-separable", "深度可分离"),
             t(lang, "Grouped (g = 4)", "分组（g = 4）"), "3×1 + 1×3"]
    fig = cost_bar_figure(names, [r.params for r in rows], [r.multiply_adds for r in rows],
                          titles=(t(lang, "Weights (log scale)", "权重数（对数刻度）"),
                                  t(lang, "Multiply-adds (log scale)", "乘加次数（对数刻度）")),
                          classroom=classroom).to_dict()
    layout = fig["layout"]
    assert layout["xaxis"].get("type", "linear") == "linear"
    assert layout["showlegend"] and {d["name"] for d in fig["data"]} == {
        t(lang, "Weights", "权重数"), t(lang, "Multiply-adds", "乘加次数")}
    assert layout["yaxis"]["automargin"]  # full category names, room made for them
    for d in fig["data"]:
        assert d["orientation"] == "h"
        assert [y.replace("<br>", "").replace(" ", "") for y in d["y"]] == [
            n.replace(" ", "") for n in names]  # whole names (wrapped only when narrow)
        ref = rows[0].params if d is fig["data"][0] else rows[0].multiply_adds
        values = [r.params if d is fig["data"][0] else r.multiply_adds for r in rows]
        np.testing.assert_allclose(d["x"], [100 * v / ref for v in values])  # % of standard
        # the longest bar ends at the plot's right edge: its label must fit the margin
        widest = max(px(s, d["textfont"]["size"]) for s in d["text"])
        assert widest <= layout["margin"]["r"], (widest, layout["margin"]["r"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cost_bars_keep_room_for_their_axis_on_a_narrow_stage(lang: str) -> None:
    """1024 px with the sidebar open (a ~640 px stage): the long names wrap to a third of
    the width and the axis keeps three ticks, so its labels do not run into each other."""
    rows = separable.cost_table(64, 128, 3, (56, 56), 4)
    names = [t(lang, "Standard 3×3", "标准 3×3"), t(lang, "Depthwise-separable", "深度可分离"),
             t(lang, "Grouped (g = 4)", "分组（g = 4）"),
             t(lang, "3×1 + 1×3 (64 channels between)", "3×1 + 1×3（中间 64 个通道）")]
    fig = cost_bar_figure(names, [r.params for r in rows], [r.multiply_adds for r in rows],
                          classroom=True, width_hint=640).to_dict()
    layout = fig["layout"]
    font = layout["yaxis"]["tickfont"]["size"]
    name_px = max(px(line, font) for y in fig["data"][0]["y"] for line in y.split("<br>"))
    assert all(px(line, font) <= 0.3 * 640 or " " not in line  # a word alone may be wider
               for y in fig["data"][0]["y"] for line in y.split("<br>"))
    ticks = layout["xaxis"]["tickvals"]
    plot_px = 640 - layout["margin"]["r"] - name_px - 30
    assert plot_px >= 0.25 * 640, "the bars keep a quarter of the width"
    gap = plot_px * (ticks[1] - ticks[0]) / layout["xaxis"]["range"][1]
    assert gap >= 1.5 * px("100%", layout["xaxis"]["tickfont"]["size"]), (ticks, plot_px)
    wide = cost_bar_figure(names, [r.params for r in rows], [r.multiply_adds for r in rows],
                           classroom=True, width_hint=1400).to_dict()
    assert len(wide["layout"]["xaxis"]["tickvals"]) == 5
