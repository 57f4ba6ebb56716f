"""Hostile and unusual image files: each ends as a clean LoadedImage or an ImageLoadError.

The files are generated here, in tmp_path, so the table documents exactly what was fed in.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.data.images import ImageLoadError, LoadedImage, load_image


def _save(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def _gradient(w: int, h: int) -> Image.Image:
    x = np.linspace(0, 255, w, dtype=np.float32)[None, :].repeat(h, 0)
    y = np.linspace(0, 255, h, dtype=np.float32)[:, None].repeat(w, 1)
    return Image.fromarray(np.stack([x, y, 255 - x], 2).astype(np.uint8))


def _noisy(w: int, h: int) -> Image.Image:
    """Random pixels: they do not compress, so cutting the file really loses data."""
    rng = np.random.default_rng(1)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_bomb() -> bytes:
    """A 50000x50000 1-bit PNG header with an empty IDAT: 0.1 KB claiming 2.5 gigapixels."""
    ihdr = struct.pack(">IIBBBBB", 50000, 50000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + _chunk(b"IEND", b"")
    )


def _png_just_over_limit() -> bytes:
    """10000x6000 = 60 MP: under Pillow's own limit, over ours, so our header check must act."""
    ihdr = struct.pack(">IIBBBBB", 10000, 6000, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IEND", b"")


def _gif_bomb() -> bytes:
    """A GIF whose logical screen is 65535x65535."""
    good = _save(Image.new("P", (2, 2)), "GIF")
    return good[:6] + struct.pack("<HH", 65535, 65535) + good[10:]


def _palette_transparent() -> bytes:
    im = Image.new("P", (8, 6), 0)
    im.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    im.paste(1, (4, 0, 8, 6))
    return _save(im, "PNG", transparency=0)  # left half (index 0) transparent


def _rgba() -> bytes:
    a = np.zeros((5, 7, 4), np.uint8)
    a[..., 2] = 255  # blue
    a[:, :3, 3] = 0  # left transparent
    a[:, 3:, 3] = 255
    return _save(Image.fromarray(a, "RGBA"), "PNG")


def _la() -> bytes:
    a = np.zeros((4, 4, 2), np.uint8)
    a[..., 1] = 128  # black at half opacity -> 0.5 grey on white
    return _save(Image.fromarray(a, "LA"), "PNG")


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (10, 8), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return _save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50)


def _exif_rotated() -> bytes:
    im = _gradient(40, 20)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    return _save(im, "JPEG", exif=exif)


def _sixteen_bit() -> bytes:
    a = np.full((6, 9), 65535, np.uint16)
    a[0, 0] = 0
    a[0, 1] = 32768
    return _save(Image.fromarray(a), "PNG")


def _multipage_tiff() -> bytes:
    pages = [Image.new("L", (6, 5), v) for v in (10, 200)]
    return _save(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def _float_tiff() -> bytes:
    a = np.linspace(0, 1, 20, dtype=np.float32).reshape(4, 5)
    return _save(Image.fromarray(a, "F"), "TIFF")


def _int32_tiff() -> bytes:
    a = np.array([[-5, 0], [100, 100000]], np.int32)
    return _save(Image.fromarray(a, "I"), "TIFF")


def _broken_exif() -> bytes:
    exif = b"Exif\x00\x00MM\x00*\x00\x00\x00\x08\xff\xff\x01\x12"  # cut-off IFD
    return _save(Image.new("RGB", (20, 10), (200, 0, 0)), "JPEG", exif=exif)


def _bad_crc_png() -> bytes:
    data = bytearray(_save(_noisy(16, 16), "PNG"))
    data[-20] ^= 0xFF  # inside IDAT / its CRC
    return bytes(data)


@dataclass
class Case:
    name: str
    make: Callable[[], bytes]
    shape: tuple[int, int, int] | None = None  # expected rgb shape, or None for an error
    reason: str | None = None
    check: Callable[[LoadedImage], None] | None = None


def _check_palette(img: LoadedImage) -> None:
    np.testing.assert_allclose(img.rgb[:, :4], 1.0)  # transparent -> white
    np.testing.assert_allclose(img.rgb[:, 4:], [[[0, 0, 1]] * 4] * 6)


def _check_rgba(img: LoadedImage) -> None:
    np.testing.assert_allclose(img.rgb[:, :3], 1.0)
    np.testing.assert_allclose(img.rgb[:, 3:], [[[0, 0, 1]] * 4] * 5)
    assert any("white" in n.en for n in img.notes)


def _check_16bit(img: LoadedImage) -> None:
    assert img.gray[0, 0] == 0.0 and img.gray[1, 1] == 1.0
    assert img.gray[0, 1] == pytest.approx(32768 / 65535)


def _check_gif(img: LoadedImage) -> None:
    np.testing.assert_allclose(img.rgb[3, 3], [1, 0, 0], atol=0.02)
    assert any("first of 3" in n.en for n in img.notes) and all(n.zh for n in img.notes)


def _check_exif(img: LoadedImage) -> None:
    assert img.original_size == (40, 20)
    assert any("orientation" in n.en for n in img.notes)
    # the top-left of the stored image (x=0, y=0: blue-ish, red=0) is now at the top-right
    assert img.rgb[0, -1, 0] < 0.15 and img.rgb[0, -1, 2] > 0.85


def _check_strip(img: LoadedImage) -> None:
    assert img.original_size == (50, 4000)
    assert any("Downscaled" in n.en for n in img.notes)


def _check_la(img: LoadedImage) -> None:
    np.testing.assert_allclose(img.gray, 1 - 128 / 255, atol=1e-6)


def _check_cmyk(img: LoadedImage) -> None:
    assert img.mode == "CMYK"
    assert img.rgb[..., 0].mean() > 0.8 and img.rgb[..., 1].mean() < 0.2  # red stays red


def _check_tiff(img: LoadedImage) -> None:
    np.testing.assert_allclose(img.gray, 10 / 255, atol=1e-6)


def _check_float(img: LoadedImage) -> None:
    np.testing.assert_allclose(img.gray.ravel(), np.linspace(0, 1, 20), atol=1e-6)


def _check_int32(img: LoadedImage) -> None:
    assert img.gray.min() == 0.0 and img.gray.max() == 1.0 and img.notes


CASES = [
    Case("text.png", lambda: b"hello, I am not a picture\n" * 10, reason="not_image"),
    Case("empty.png", lambda: b"", reason="empty"),
    Case("random.jpg", lambda: np.random.default_rng(0).bytes(3000), reason="not_image"),
    Case("truncated.png", lambda: _save(_noisy(64, 64), "PNG")[:4000], reason="truncated"),
    Case("truncated.jpg", lambda: _save(_noisy(64, 64), "JPEG")[:3000], reason="truncated"),
    Case("header_only.jpg", lambda: _save(_noisy(64, 64), "JPEG")[:150], reason="truncated"),
    Case("truncated.gif", lambda: _animated_gif()[:40], reason="truncated"),
    Case("bad_crc.png", _bad_crc_png, reason="truncated"),
    Case("bomb.png", _png_bomb, reason="too_large"),
    Case("over_limit.png", _png_just_over_limit, reason="too_large"),
    Case("bomb.gif", _gif_bomb, reason="too_large"),
    Case("one_pixel.png", lambda: _save(Image.new("RGB", (1, 1), (255, 0, 0)), "PNG"), (1, 1, 3)),
    Case("strip.png", lambda: _save(_gradient(4000, 50), "PNG"), (3, 256, 3), check=_check_strip),
    Case(
        "cmyk.jpg",
        lambda: _save(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG"),
        (20, 30, 3),
        check=_check_cmyk,
    ),
    Case("sixteen_bit.png", _sixteen_bit, (6, 9, 3), check=_check_16bit),
    Case("palette_transparent.png", _palette_transparent, (6, 8, 3), check=_check_palette),
    Case("rgba.png", _rgba, (5, 7, 3), check=_check_rgba),
    Case("la.png", _la, (4, 4, 3), check=_check_la),
    Case("one_bit.png", lambda: _save(Image.new("1", (9, 3), 1), "PNG"), (3, 9, 3)),
    Case("animated.gif", _animated_gif, (8, 10, 3), check=_check_gif),
    Case("exif_rotated.jpg", _exif_rotated, (40, 20, 3), check=_check_exif),
    Case("broken_exif.jpg", _broken_exif, (10, 20, 3)),
    Case("multipage.tiff", _multipage_tiff, (5, 6, 3), check=_check_tiff),
    Case("float.tiff", _float_tiff, (4, 5, 3), check=_check_float),
    Case("int32.tiff", _int32_tiff, (2, 2, 3), check=_check_int32),
    Case("photo.webp", lambda: _save(_gradient(300, 200), "WEBP"), (171, 256, 3)),
    Case("photo.bmp", lambda: _save(_gradient(20, 10), "BMP"), (10, 20, 3)),
    Case("ycbcr.jpg", lambda: _save(_gradient(20, 10).convert("YCbCr"), "JPEG"), (10, 20, 3)),
]


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for case in CASES:
        (folder / case.name).write_bytes(case.make())
    return folder


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("via", ["path", "bytes"])
def test_hostile(case: Case, via: str, hostile_folder: Path) -> None:
    path = hostile_folder / case.name
    source = path if via == "path" else path.read_bytes()
    if case.shape is None:
        with pytest.raises(ImageLoadError) as info:
            load_image(source)
        err = info.value
        assert err.message("en") and err.message("zh") and str(err) == err.message("en")
        assert err.reason == case.reason, (err.reason, err.message("en"))
        return
    img = load_image(source)
    assert img.rgb.shape == case.shape and img.rgb.dtype == np.float32
    assert img.gray.shape == case.shape[:2] and img.gray.dtype == np.float32
    for a in (img.rgb, img.gray):
        assert np.isfinite(a).all() and a.min() >= 0.0 and a.max() <= 1.0
    assert all(n.en and n.zh for n in img.notes)
    if case.check:
        case.check(img)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError) as info:
        load_image(tmp_path / "nope.png")
    assert info.value.reason == "not_found" and info.value.message("zh")


def test_file_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnnviz.data import images

    monkeypatch.setattr(images, "MAX_FILE_BYTES", 100)
    data = _save(_gradient(64, 64), "PNG")
    path = tmp_path / "big.png"
    path.write_bytes(data)
    for source in (path, data):
        with pytest.raises(ImageLoadError) as info:
            load_image(source)
        assert info.value.reason == "too_large"
