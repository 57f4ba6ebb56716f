"""GIF / PNG export for slides (``cnnviz.viz.export``): every step, decodable, digits drawn."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from cnnviz.lessons.conv import conv_spec
from cnnviz.lessons.pooling import pool_spec
from cnnviz.viz import export


@pytest.fixture(scope="module")
def spec():
    rng = np.random.default_rng(3)
    x = rng.random((5, 5)).astype(np.float32)
    return conv_spec(x, np.array([[1, 0, -1]] * 3, np.float32), padding=1)


def _ink_rows(img: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many pixel rows of ``box`` (inset from its border) hold dark ink."""
    x0, y0, x1, y1 = box
    gray = np.asarray(img.convert("L"))[y0 + 5 : y1 - 5, x0 + 5 : x1 - 5]
    return int((gray < 110).any(axis=1).sum())


def test_gif_has_every_step_and_decodes(spec) -> None:
    data = export.animation_gif(spec, lang="en", frame_ms=300)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF"
    assert gif.n_frames == spec.n_steps
    first = export.frame_image(spec, 0)
    assert gif.size == first.size
    assert gif.size[0] >= 400 and gif.size[1] >= 300
    gif.seek(spec.n_steps - 1)
    gif.convert("RGB").load()


def test_png_of_a_step_has_its_digits_large_and_the_rest_blank(spec) -> None:
    step = 7
    png = Image.open(io.BytesIO(export.frame_png(spec, step, lang="en")))
    assert png.format == "PNG"
    png = png.convert("RGB")
    r, c = spec.cell(step)
    # the current output cell is written, large enough to read (>= 16 px of ink height) ...
    assert _ink_rows(png, export.cell_box(spec, "output", r, c)) >= 14
    # ... every input cell too; the output cells not computed yet are blank
    assert _ink_rows(png, export.cell_box(spec, "input", 2, 3)) >= 14
    later = divmod(spec.n_steps - 1, spec.output.shape[1])
    assert _ink_rows(png, export.cell_box(spec, "output", *later)) == 0


def test_pooling_padding_and_chinese_labels_draw() -> None:
    rng = np.random.default_rng(0)
    spec = pool_spec(rng.random((4, 4)).astype(np.float32), "max", 2, 2, 1)
    img = Image.open(io.BytesIO(export.frame_png(spec, 0, lang="zh", titles=("输入", None, None))))
    assert img.size[0] > 300
    # without a CJK font the labels fall back to English instead of boxes
    assert export.label_language("zh") == ("zh" if export.cjk_font() else "en")


def _scatter_case():
    from cnnviz.lessons.transposed import scatter_steps

    x = np.array([[0.25, 0.5, 0.75], [1.0, 0.5, 0.25], [0.5, 0.75, 1.0]], np.float32)
    k = np.array([[1, 2, 1], [0, 1, 0], [1, 0, -1]], np.float32)
    return x, k, scatter_steps(x, k, 2, 1, 0, 1)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scatter_gif_has_one_frame_per_stamp_with_legible_numbers(lang: str) -> None:
    """The transposed convolution's scatter view saves too: a frame per input pixel, the
    buffer's numbers drawn as large as the window animation's."""
    from cnnviz.viz.transposed import scatter_stamps

    x, k, sc = _scatter_case()
    data = export.scatter_gif(x, k, sc.partial, sc.stamps, sc.anchors, sc.keep, stride=2,
                              lang=lang, classroom=True)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames == x.size == len(sc.partial)
    stamps = scatter_stamps(x, k, sc.partial, sc.stamps, sc.anchors)
    t = 4  # the centre pixel: its stamp covers buffer rows/columns 2..4
    img = export.scatter_frame_image(stamps, t, sc.keep, stride=2, lang=lang)
    gif.seek(t)
    assert gif.size == img.size
    r, c = (int(v) for v in sc.anchors[t])
    assert _ink_rows(img, export.scatter_cell_box(stamps, r, c)) >= 14
    # a buffer cell no stamp has reached yet is blank
    assert _ink_rows(img, export.scatter_cell_box(stamps, 6, 6)) == 0
    last = export.scatter_frame_image(stamps, x.size - 1, sc.keep, stride=2, lang=lang)
    assert last.size == img.size
    png = Image.open(io.BytesIO(export.scatter_png(x, k, sc.partial, sc.stamps, sc.anchors,
                                                   sc.keep, t, stride=2, lang=lang)))
    assert png.format == "PNG" and png.size == img.size
