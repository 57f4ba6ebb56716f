"""The animator's pieces on their own: grid geometry, equation lines, controls, style."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from cnnviz.lessons.conv import conv_spec
from cnnviz.lessons.pooling import pool_spec
from cnnviz.lessons.transposed import scatter_steps
from cnnviz.viz.controls import Stage, animate, frame, play_buttons, step_slider
from cnnviz.viz.equation import equation_lines, equation_room, stamp_lines
from cnnviz.viz.grid import (
    cell_outlines,
    not_yet_polygon,
    outline_trace,
    pad_outline,
    padding_ring,
    text_grid,
)
from cnnviz.viz.style import HIGHLIGHT, WINDOW_FILL, AnimationStyle, fit_font, fmt
from cnnviz.viz.transposed import scatter_animation_figure


def test_contiguous_window_is_one_rectangle() -> None:
    cells = np.array([(r, c) for r in range(1, 4) for c in range(2, 4)])
    xs, ys = cell_outlines(cells)
    assert xs == [1.5, 3.5, 3.5, 1.5, 1.5] and ys == [0.5, 0.5, 3.5, 3.5, 0.5]


def test_dilated_window_is_a_square_per_cell() -> None:
    cells = np.array([(r, c) for r in (0, 2) for c in (0, 2)])
    xs, ys = cell_outlines(cells)
    assert xs.count(None) == ys.count(None) == 4
    assert xs[:5] == [-0.5, 0.5, 0.5, -0.5, -0.5]


def test_outline_trace_window_is_tinted_and_pinned_when_asked() -> None:
    window = outline_trace(np.array([[0, 0]]), 4, filled=True, axes="3")
    cell = outline_trace(np.array([[0, 0]]), 5)
    assert window["fillcolor"] == WINDOW_FILL and window["line"]["color"] == HIGHLIGHT
    assert (window["xaxis"], window["yaxis"]) == ("x3", "y3")
    assert "fill" not in cell and "xaxis" not in cell and cell["line"]["width"] == 5


def test_cover_shrinks_to_nothing_at_the_last_cell() -> None:
    assert not_yet_polygon(2, 2, 3, 3) == ([], [])
    xs, ys = not_yet_polygon(0, 2, 3, 3)  # first row done: the rows below
    assert min(ys) == 0.5 and max(ys) == 2.5 and len(xs) == 5


def test_padding_ring_fades_each_side_and_outlines_the_original() -> None:
    shapes = padding_ring((6, 7), (1, 2, 1, 0), axes="2", fade=0.55)
    fades, outline = shapes[:-1], shapes[-1]
    assert len(fades) == 3  # no bottom padding, no bottom band
    assert all(s["fillcolor"] == "rgba(255,255,255,0.55)" and s["xref"] == "x2" for s in fades)
    assert outline == pad_outline((6, 7), (1, 2, 1, 0), "2")
    assert (outline["x0"], outline["x1"], outline["y0"], outline["y1"]) == (0.5, 4.5, 0.5, 5.5)
    assert padding_ring((3, 3), (0, 0, 0, 0)) == [pad_outline((3, 3), (0, 0, 0, 0))]


def test_text_grid_blanks_nan_and_uses_a_true_minus() -> None:
    assert text_grid(np.array([[np.nan, -1.5], [0.0, -0.0]]), 1) == [["", "−1.5"],
                                                                    ["0.0", "0.0"]]
    assert fmt(-0.001, 2) == "0.00"


def test_fit_font_fits_and_keeps_a_floor() -> None:
    assert fit_font(100, 2, 20) == 20
    assert fit_font(40, 4, 20) * 0.62 * 4 <= 40 < (fit_font(40, 4, 20) + 1) * 0.62 * 4
    assert fit_font(1, 10, 20) == 9
    assert AnimationStyle.of(True).font > AnimationStyle.of(False).font


@pytest.mark.parametrize("bias", [0.0, 0.5])
def test_equation_room_holds_the_lines(rng, bias) -> None:
    x = rng.random((5, 5)).astype(np.float32)
    for spec in (conv_spec(x, np.ones((3, 2), np.float32), bias=bias),
                 pool_spec(x, "max", 2, 2), pool_spec(x, "avg", 3, 1, 1)):
        for step in (0, spec.n_steps - 1):
            lines = len(equation_lines(spec, step))
            assert lines <= equation_room(spec) <= lines + 1


def test_stamp_lines_align_under_the_head() -> None:
    lines = stamp_lines(-2.0, np.array([[1.0, 0.5], [0.0, 1.0]]),
                        [np.array([-2.0, -1.0]), np.array([0.0, -2.0])], (0, 1, 0), "x[0,0]·K: ")
    assert lines == ["x[0,0]·K: (−2)·[1.0, 0.5] = [−2, −1]",
                     "          (−2)·[0.0, 1.0] = [0, −2]"]


def test_controls_speak_the_language_and_step_through_every_frame() -> None:
    buttons = play_buttons("zh", 800, 18, -0.5)
    assert [b["label"] for b in buttons["buttons"]] == ["▶ 播放", "▶▶ 快速", "■ 暂停"]
    assert buttons["buttons"][1]["args"][1]["frame"]["duration"] == 200
    slider = step_slider("en", 5, 18, -0.5)
    assert [s["label"] for s in slider["steps"]] == ["1", "2", "3", "4", "5"]
    assert slider["steps"][3]["args"][0] == ["3"]


def test_animate_puts_the_controls_under_the_equation() -> None:
    fig = go.Figure(go.Scatter(x=[0], y=[0]))
    frames = [frame(s, [{"type": "scatter", "x": [s], "y": [s]}], [0], []) for s in range(3)]
    animate(fig, frames, Stage(360, 100, 20, 700), "en", [], [])
    assert len(fig.frames) == 3 and fig.layout.margin.b == 210
    assert fig.layout.height == 360 + 100 + 150
    y = fig.layout.sliders[0].y
    assert y == fig.layout.updatemenus[0].y < -0.04  # below the equation's top


def test_scatter_view_writes_the_engine_stamps(rng) -> None:
    """Every number of a stamp line is x times a kernel tap, as the engine stamped it."""
    x = rng.integers(-3, 4, (2, 3)).astype(np.float32)
    k = rng.integers(-2, 3, (2, 2)).astype(np.float32)
    sc = scatter_steps(x, k, 2, 0, 0, 1)
    fig = scatter_animation_figure(x, k, sc.partial, sc.stamps, sc.anchors, sc.keep, stride=2)
    assert len(fig.frames) == x.size
    for t, f in enumerate(fig.frames):
        lines = f.layout.annotations[-1].text.split("<br>")
        r, c = divmod(t, x.shape[1])
        assert lines[0].startswith(f"x[{r},{c}]·K: ")
        assert lines[-1].startswith(f"added at rows {2 * r}–{2 * r + 1}")
        for i, line in enumerate(lines[:-1]):
            printed = line.split("= [")[1].rstrip("]").replace("−", "-").split(", ")
            assert [float(v) for v in printed] == (x[r, c] * k[i]).tolist()
