"""The animator draws the engine's numbers: shown terms add up to the engine's output."""

from __future__ import annotations

import json

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.viz.window_animation import (
    WindowSpec,
    equation_lines,
    frame_state,
    step_terms,
    window_animation_figure,
)


def conv_spec(x, kernel, stride=1, padding=0, dilation=1, bias=0.0, mode="constant"):
    p = padding
    xp = F.pad(x[None, None], (p, p, p, p), mode=mode)[0, 0] if p else x
    wmap = F.conv_window_map(x.shape, kernel.shape, stride, p, dilation)
    pm = {"constant": "zeros"}.get(mode, mode)
    out = F.conv2d(
        x[None, None], kernel[None, None], bias=np.array([bias], np.float32), stride=stride,
        padding=p, dilation=dilation, padding_mode=pm,
    )[0, 0]
    return WindowSpec(padded=xp, window_map=wmap, output=out, kernel=kernel,
                      pad=(p, p, p, p), bias=bias)


@pytest.mark.parametrize(
    "stride,padding,dilation,mode",
    [(1, 0, 1, "constant"), (2, 1, 1, "constant"), (1, 2, 2, "reflect"), (3, 1, 1, "circular"),
     (2, 2, 1, "replicate")],
)
def test_terms_sum_to_engine_output(rng, stride, padding, dilation, mode):
    x = rng.standard_normal((9, 8)).astype(np.float32)
    k = rng.standard_normal((3, 3)).astype(np.float32)
    spec = conv_spec(x, k, stride, padding, dilation, bias=0.25, mode=mode)
    for step in range(spec.n_steps):
        st = step_terms(spec, step)
        assert st.terms.sum() + st.bias == pytest.approx(st.total, abs=1e-5)
        r, c = st.out_cell
        assert st.total == pytest.approx(float(spec.output[r, c]))


def test_lecture_example_equation_text():
    x = np.array([[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], np.float32)
    k = np.array([[2, 0, 1], [0, 1, 2], [1, 0, 2]], np.float32)
    spec = conv_spec(x, k)
    assert spec.output.tolist() == [[15, 16], [6, 15]]  # the lecture notes' 4x4 example
    lines = equation_lines(spec, 0)
    assert lines[0] == "s[0,0] = 1·2 + 2·0 + 3·1"
    assert lines[-1].strip() == "= 15"


def test_pooling_reducers(rng):
    x = rng.random((6, 6)).astype(np.float32)
    wmap = F.conv_window_map(x.shape, 2, 2, 0, 1)
    out = F.max_pool2d(x[None, None], 2)[0, 0]
    spec = WindowSpec(padded=x, window_map=wmap, output=out, reducer="max")
    for step in range(spec.n_steps):
        st = step_terms(spec, step)
        assert st.terms.max() == pytest.approx(st.total)
    assert equation_lines(spec, 0)[0].startswith("s[0,0] = max(")
    avg = F.avg_pool2d(x[None, None], 2)[0, 0]
    spec = WindowSpec(padded=x, window_map=wmap, output=avg, reducer="mean")
    st = step_terms(spec, 3)
    assert st.terms.mean() == pytest.approx(st.total, abs=1e-6)


def test_figure_frames_and_size(rng):
    x = rng.random((12, 12)).astype(np.float32)
    k = rng.standard_normal((7, 7)).astype(np.float32)
    spec = conv_spec(x, k, padding=3)
    fig = window_animation_figure(spec, lang="zh", classroom=True)
    assert len(fig.frames) == spec.n_steps == 144
    text = fig.to_json()
    assert len(text) < 1_000_000
    # the equation of frame 5 is the one equation_lines writes (total = engine value)
    eq = fig.frames[5].layout.annotations[-1].text
    assert eq == "<br>".join(equation_lines(spec, 5, "zh"))
    assert "播放" in json.dumps(fig.layout.updatemenus[0].to_plotly_json(), ensure_ascii=False)


def test_frame_state_fills_in_raster_order(rng):
    x = rng.random((5, 5)).astype(np.float32)
    spec = conv_spec(x, np.ones((3, 3), np.float32), stride=1)
    state = frame_state(spec, 4)
    filled = state["filled"]
    assert np.isfinite(filled).sum() == 5
    assert state["out_cell"] == (1, 1)


def test_rejects_bad_shapes(rng):
    x = rng.random((5, 5)).astype(np.float32)
    with pytest.raises(ValueError):
        WindowSpec(padded=x, window_map=np.zeros((2, 2, 3, 3, 2)), output=np.zeros((3, 3)),
                   kernel=np.ones((3, 3)))


@pytest.mark.parametrize("classroom,width", [(False, 800), (True, 1000), (True, 1400)])
def test_numbers_fit_their_cells(rng, classroom, width):
    """A tall input (8 rows) in a fixed-height grid: the square cells are height-bound, and
    the written numbers must still fit inside them (they ran together on a projector)."""
    x = rng.random((8, 8)).astype(np.float32)
    spec = conv_spec(x, np.ones((2, 2), np.float32), stride=2)
    fig = window_animation_figure(spec, classroom=classroom, width_hint=width)
    layout = fig.layout
    plot_h = layout.height - layout.margin.t - layout.margin.b
    cell_h = plot_h / spec.padded.shape[0]
    cell_w = width * (1 - 0.06 * 2) / (8 + 2 + 4)  # plotly's share for the input columns
    font = fig.data[0].textfont.size
    widest = max(len(t) for row in fig.data[0].text for t in row)  # e.g. "0.69"
    assert font * 0.62 * widest <= min(cell_h, cell_w) + 1e-6
