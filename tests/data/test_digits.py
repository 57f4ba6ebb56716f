"""MNIST-style preprocessing of drawn digits: round trip on real MNIST digits."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cnnviz.data.digits import BlankDigitError, center_of_mass, preprocess_digit
from cnnviz.data.mnist import load_mnist


def _drawn(digit: np.ndarray, factor: int = 5) -> np.ndarray:
    """An MNIST digit as a learner would draw it: bigger, dark ink on white paper."""
    big = Image.fromarray(digit.astype(np.float32) / 255, "F").resize(
        (28 * factor, 28 * factor), Image.Resampling.BILINEAR
    )
    return 1.0 - np.clip(np.asarray(big, dtype=np.float32), 0, 1)


@pytest.mark.parametrize("index", [0, 1, 2, 3, 4, 7, 11, 18])
def test_round_trip(index: int) -> None:
    images, _ = load_mnist("test")
    original = images[index].astype(np.float32) / 255
    out = preprocess_digit(_drawn(images[index]))
    assert out.shape == (28, 28) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    corr = np.corrcoef(out.ravel(), original.ravel())[0, 1]
    assert corr > 0.8, corr
    cy, cx = center_of_mass(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1


def test_polarity_and_offset() -> None:
    canvas = np.zeros((200, 300), np.float32)
    canvas[20:120, 200:230] = 1.0  # a bright bar, far off-centre, on black
    out = preprocess_digit(canvas)
    rows = np.flatnonzero(out.max(1) > 0.5)
    assert rows[-1] - rows[0] + 1 == 20  # longer side scaled to 20 px
    cy, cx = center_of_mass(out)
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    np.testing.assert_allclose(preprocess_digit(1 - canvas), out, atol=1e-6)  # same on white
    np.testing.assert_allclose(preprocess_digit((canvas * 255).astype(np.uint8)), out, atol=1e-6)


def test_grey_paper() -> None:
    paper = np.full((100, 100), 0.8, np.float32)
    paper[30:70, 45:55] = 0.1
    out = preprocess_digit(paper)
    assert out.max() == pytest.approx(1.0, abs=0.05) and out[0].max() == 0.0


@pytest.mark.parametrize("value", [0.0, 1.0, 0.5])
def test_blank_raises(value: float) -> None:
    with pytest.raises(BlankDigitError) as info:
        preprocess_digit(np.full((50, 50), value, np.float32))
    assert isinstance(info.value, ValueError)
    assert "empty" in info.value.message("en") and "空" in info.value.message("zh")


def test_bad_shape() -> None:
    with pytest.raises(ValueError):
        preprocess_digit(np.zeros((2, 3, 4, 5)))
