"""Lesson 10 (im2col): the column matrix, the one product and col2im equal the engine's
convolution and its backward (and PyTorch's unfold / conv2d where installed)."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

import cnnviz.nn.functional as F
from cnnviz.lessons import im2col
from cnnviz.lessons.conv import NOTES_INPUT
from cnnviz.viz.im2col import im2col_figure, im2col_steps

CASES = [(4, 3, 1, 2), (5, 3, 1, 3), (4, 2, 1, 1), (6, 2, 2, 3), (5, 3, 2, 2)]


def _x(size: int) -> np.ndarray:
    return np.random.default_rng(size).integers(0, 10, (size, size)).astype(np.float32)


def test_notes_example_gives_lesson_1s_output() -> None:
    r = im2col.im2col_lesson(NOTES_INPUT, im2col.kernels(3, 1))
    np.testing.assert_array_equal(r.product.reshape(2, 2), [[15, 16], [6, 15]])
    assert r.equal and r.cols.shape == (9, 4) and r.memory == (36, 16)


@pytest.mark.parametrize("size,k,s,n", CASES)
def test_product_equals_conv2d(size: int, k: int, s: int, n: int) -> None:
    x = _x(size)
    r = im2col.im2col_lesson(x, im2col.kernels(k, n), s)
    assert r.equal
    np.testing.assert_array_equal(r.conv, F.conv2d(x[None, None], r.weights[:, None],
                                                   stride=s)[0])
    ho, wo = r.out_shape
    for j in range(ho * wo):  # column j is window j, read row by row
        row, col = divmod(j, wo)
        np.testing.assert_array_equal(
            r.cols[:, j], x[row * s:row * s + k, col * s:col * s + k].reshape(-1))
    assert r.memory == (k * k * ho * wo, size * size)


@pytest.mark.parametrize("size,k,s,n", CASES)
def test_col2im_is_the_engine_backward(size: int, k: int, s: int, n: int) -> None:
    r = im2col.im2col_lesson(_x(size), im2col.kernels(k, n), s)
    b = im2col.col2im_lesson(r)
    np.testing.assert_allclose(b.dx, b.dx_engine, atol=1e-5)
    wmap = F.conv_window_map(r.x.shape, k, s).reshape(-1, 2)
    counts = np.zeros(r.x.shape)
    np.add.at(counts, (wmap[:, 0], wmap[:, 1]), 1)
    np.testing.assert_array_equal(b.counts, counts)
    assert b.counts.sum() == r.cols.size  # every copy in the columns is one count


def test_teaching_input() -> None:
    x, note = im2col.teaching_input(np.array([[0.0, 0.5], [0.96, 1.0]]), is_grid=False)
    np.testing.assert_array_equal(x, [[0, 4], [9, 9]])
    assert note == "digits_note"
    assert im2col.teaching_input(NOTES_INPUT, is_grid=True)[1] is None
    x, note = im2col.teaching_input(np.array([[1.4, 500.0]]), is_grid=True)
    np.testing.assert_array_equal(x, [[1, 99]])
    assert note == "rounded_note"


@pytest.mark.parametrize("size,k,s,n", CASES)
def test_questions(size: int, k: int, s: int, n: int) -> None:
    r = im2col.im2col_lesson(_x(size), im2col.kernels(k, n), s)
    for q, right in [(im2col.columns_question(r), r.cols.shape[1]),
                     (im2col.memory_question(r), r.cols.size)]:
        values = [int(o) for o in q.options]
        assert len(set(values)) >= 4 and values == sorted(values)
        assert values[q.correct] == right


def test_written_dot_products_add_up() -> None:
    r = im2col.im2col_lesson(_x(5), im2col.kernels(3, 3))
    for step in im2col_steps(r, "en"):
        for line in step.lines[1:]:
            terms, total = line.split(" = ")[1:]
            got = sum(Fraction(a.replace("−", "-")) * Fraction(b.replace("−", "-"))
                      for a, b in re.findall(r"\(?(−?\d+)\)?·\(?(−?\d+)\)?", terms))
            assert got == Fraction(total.replace("−", "-"))


def test_figure_frames_fill_the_columns() -> None:
    r = im2col.im2col_lesson(NOTES_INPUT, im2col.kernels(3, 2))
    fig = im2col_figure(r, ("a", "b", "c"), classroom=True).to_dict()
    assert len(fig["frames"]) == 4
    last = np.array(fig["frames"][-1]["data"][0]["z"], dtype=float)
    np.testing.assert_array_equal(last, r.cols)
    assert "W1·c3" in fig["frames"][3]["layout"]["annotations"][-1]["text"]


def test_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = _x(6)
    r = im2col.im2col_lesson(x, im2col.kernels(3, 3), 1)
    unfold = torch.nn.functional.unfold(torch.from_numpy(x)[None, None], 3)[0].numpy()
    np.testing.assert_array_equal(r.cols, unfold)
    want = torch.nn.functional.conv2d(torch.from_numpy(x)[None, None],
                                      torch.from_numpy(r.weights)[:, None])[0].numpy()
    np.testing.assert_allclose(r.product.reshape(want.shape), want, atol=1e-4)


def test_speed_measures_two_routes_to_the_same_numbers() -> None:
    sp = im2col.speed(size=12, c_in=2, c_out=3, repeats=1)
    assert sp.agree and sp.product > 0 and sp.loop > 0 and sp.shape == (2, 12, 12, 3)
