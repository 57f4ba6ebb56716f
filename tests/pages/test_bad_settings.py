"""Hostile settings on every lesson page (issue 5): tiny and strip images with every slider
at its extreme, and a typed grid of non-numbers and huge values. No exception, no error box;
where the page had to change something, a message in the learner's language.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.pages.apptest_helpers import all_text, assert_ok, has_cjk, run_page

LESSONS = [
    "1_convolution.py", "2_multichannel.py", "3_padding.py", "4_stride.py", "5_pooling.py",
    "6_dilation.py", "7_transposed.py", "8_separable.py", "9_backprop.py",
]


def _png(w: int, h: int) -> bytes:
    rng = np.random.default_rng(w * 7 + h)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


IMAGES = {"1x1": _png(1, 1), "2x2": _png(2, 2), "strip_4000x50": _png(4000, 50)}


@pytest.mark.parametrize("page", LESSONS)
@pytest.mark.parametrize("image", list(IMAGES))
def test_tiny_and_strip_images_with_extreme_sliders(page: str, image: str) -> None:
    at = run_page(page, state={"img_source": "upload", "img_bytes": IMAGES[image],
                               "img_name": f"{image}.png"})
    assert_ok(at)
    # every slider (crop included) to its maximum, then to its minimum: the ranges must
    # never allow an empty output (kernel 7, dilation 4 on a 1x1 image ...)
    for end in ("max", "min"):
        for s in list(at.slider):
            if s.key and not isinstance(s.value, tuple):
                at.slider(key=s.key).set_value(getattr(s, end))
        at.run()
        assert_ok(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_typed_grid_with_non_numbers_and_huge_values(lang: str) -> None:
    grid = [["abc", 1, 2, 3], [1e300, float("nan"), 4, 5], [-1e12, "", 6, 7], [1, 2, 3, "∞"]]
    at = run_page("1_convolution.py", lang=lang, state={"img_source": "grid", "img_grid": grid})
    assert not at.exception
    clean = np.array(at.session_state["img_grid"], dtype=float)
    assert np.isfinite(clean).all() and np.abs(clean).max() <= 1000
    assert clean[0, 0] == 0 and clean[1, 0] == 1000 and clean[2, 0] == -1000
    assert at.warning, "the learner is told that cells were changed"
    text = " ".join(str(w.value) for w in at.warning)
    assert has_cjk(text) == (lang == "zh")
    assert "1000" in text
    assert all_text(at)
