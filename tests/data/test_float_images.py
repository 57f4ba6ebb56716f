"""Float and 32-bit images with extreme or non-finite values (issue 13, defect 1).

Each file is generated here. A float32 TIFF spanning -3e38 .. 2.5e38 used to be stretched
with a subtraction that overflowed: the stored image was NaN and every lesson then computed
with it. Now every loadable case is finite, in [0, 1], with the values it should have and a
note in both languages saying what was changed; a 64-bit float TIFF (Pillow cannot read
one) is refused by name instead of being called damaged.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.data.images import ImageLoadError, LoadedImage, from_array, load_image

INF, NAN = np.inf, np.nan


def float32_tiff(a: list[list[float]], big_endian: bool = False) -> bytes:
    """A float32 ("F") TIFF of ``a`` written by Pillow."""
    im = Image.fromarray(np.asarray(a, np.float32), "F")
    buf = io.BytesIO()
    im.save(buf, "TIFF", **({"byteorder": ">"} if big_endian else {}))
    return buf.getvalue()


def int32_tiff(a: list[list[int]]) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.asarray(a, np.int32), "I").save(buf, "TIFF")
    return buf.getvalue()


def float64_tiff(a: list[list[float]], order: str = "<") -> bytes:
    """An uncompressed one-strip TIFF of 64-bit float samples (what NumPy-based tools write)."""
    data = np.asarray(a, order + "f8")
    h, w = data.shape
    tags = [(256, 3, w), (257, 3, h), (258, 3, 64), (259, 3, 1), (262, 3, 1), (273, 4, 0),
            (277, 3, 1), (278, 3, h), (279, 4, data.nbytes), (339, 3, 3)]
    start = 8 + 2 + 12 * len(tags) + 4
    out = (b"II*\x00" if order == "<" else b"MM\x00*") + struct.pack(order + "IH", 8, len(tags))
    for tag, kind, value in tags:
        value = start if tag == 273 else value
        packed = struct.pack(order + "HH", value, 0) if kind == 3 else struct.pack(order + "I",
                                                                                   value)
        out += struct.pack(order + "HHI", tag, kind, 1) + packed
    return out + b"\x00" * 4 + data.tobytes()


@dataclass
class Case:
    name: str
    make: Callable[[], bytes]
    gray: list[list[float]] | None  # expected values; None: refused
    note: str = ""  # a word the English note must contain


EXTREME = [[-3e38, 2.5e38], [0.0, 1.0]]
CASES = [
    Case("extreme.tiff", lambda: float32_tiff(EXTREME),
         [[0.0, 1.0], [3e38 / 5.5e38, 3e38 / 5.5e38]], "stretched"),
    Case("extreme_big_endian.tiff", lambda: float32_tiff(EXTREME, big_endian=True),
         [[0.0, 1.0], [3e38 / 5.5e38, 3e38 / 5.5e38]], "stretched"),
    Case("float_max.tiff", lambda: float32_tiff([[-3.4028235e38, 3.4028235e38]]),
         [[0.0, 1.0]], "stretched"),
    Case("all_nan.tiff", lambda: float32_tiff([[NAN, NAN], [NAN, NAN]]),
         [[0.0, 0.0], [0.0, 0.0]], "NaN: 4"),
    Case("mixed_inf.tiff", lambda: float32_tiff([[INF, -INF], [NAN, 0.5]]),
         [[1.0, 0.0], [0.0, 0.5]], "infinite: 2"),
    Case("inf_and_extreme.tiff", lambda: float32_tiff([[INF, -2e38], [2e38, 0.0]]),
         [[1.0, 0.0], [1.0, 0.5]], "infinite: 1"),
    Case("constant_huge.tiff", lambda: float32_tiff([[7e37, 7e37], [7e37, 7e37]]),
         [[0.0, 0.0], [0.0, 0.0]], "7e+37"),
    Case("constant_half.tiff", lambda: float32_tiff([[0.5, 0.5]]), [[0.5, 0.5]]),
    Case("int32_extreme.tiff", lambda: int32_tiff([[-(2**31), 2**31 - 1]]), [[0.0, 1.0]],
         "stretched"),
    Case("float64_extreme.tiff", lambda: float64_tiff([[1e300, -1e300], [0.0, 1.0]]), None),
    Case("float64_nan.tiff", lambda: float64_tiff([[NAN, INF]], ">"), None),
    Case("float64_constant.tiff", lambda: float64_tiff([[3.0, 3.0]]), None),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("float_images")
    for case in CASES:
        (where / case.name).write_bytes(case.make())
    return where


def _finite_unit(img: LoadedImage) -> None:
    for a in (img.rgb, img.gray):
        assert a.dtype == np.float32 and np.isfinite(a).all()
        assert a.min() >= 0.0 and a.max() <= 1.0


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_float_images(case: Case, folder: Path) -> None:
    path = folder / case.name
    if case.gray is None:
        with pytest.raises(ImageLoadError) as info:
            load_image(path)
        err = info.value
        assert err.reason == "unsupported", err.message("en")
        assert "64-bit" in err.message("en") and "64 位" in err.message("zh")
        assert case.name in err.message("en") and case.name in err.message("zh")
        return
    img = load_image(path)
    _finite_unit(img)
    np.testing.assert_allclose(img.gray, case.gray, atol=1e-6)
    if case.note:
        notes = [n for n in img.notes if case.note in n.en]
        assert notes, [n.en for n in img.notes]
        assert all(n.zh and n.zh != n.en for n in notes)
    else:
        assert not img.notes


def test_from_array_says_non_finite_values_were_replaced() -> None:
    img = from_array(np.array([[NAN, INF], [-INF, 0.25]], np.float32))
    _finite_unit(img)
    np.testing.assert_allclose(img.gray, [[0, 1], [0, 0.25]])
    assert any("3 values" in n.en for n in img.notes) and all(n.zh for n in img.notes)
