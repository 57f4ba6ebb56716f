"""User-image loading on ordinary inputs: grayscale weights, resizing, minimum size."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.data import samples
from cnnviz.data.images import (
    ImageLoadError,
    LoadedImage,
    ensure_min_size,
    from_array,
    load_image,
    to_grayscale,
)


def _png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG")
    return buf.getvalue()


def test_to_grayscale_matches_pil(rng: np.random.Generator) -> None:
    a = rng.integers(0, 256, (17, 23, 3), dtype=np.uint8)
    ours = to_grayscale(a.astype(np.float32) / 255) * 255
    pil = np.asarray(Image.fromarray(a).convert("L"), dtype=np.float32)
    assert np.abs(ours - pil).max() <= 0.51  # PIL rounds to integers
    assert to_grayscale(np.ones((2, 2, 3))).dtype == np.float32
    np.testing.assert_allclose(to_grayscale(np.ones((2, 2, 3))), 1.0, atol=1e-6)


def test_exact_values_kept(rng: np.random.Generator) -> None:
    a = rng.integers(0, 256, (12, 9, 3), dtype=np.uint8)
    img = load_image(_png(a))
    np.testing.assert_array_equal(img.rgb, a.astype(np.float32) / 255)
    assert img.original_size == (12, 9) and img.size == (12, 9)
    assert img.notes == [] and img.format == "PNG" and img.mode == "RGB"
    g = rng.integers(0, 256, (5, 6), dtype=np.uint8)
    img = load_image(_png(g))
    np.testing.assert_array_equal(img.gray, g.astype(np.float32) / 255)
    np.testing.assert_array_equal(img.rgb[..., 1], img.gray)


def test_downscale_keeps_aspect(rng: np.random.Generator) -> None:
    a = rng.integers(0, 256, (300, 600, 3), dtype=np.uint8)
    img = load_image(_png(a), max_side=128)
    assert img.rgb.shape == (64, 128, 3) and img.original_size == (300, 600)
    assert img.notes and all(n.en and n.zh for n in img.notes)
    flat = load_image(_png(np.full((400, 200, 3), 77, np.uint8)))
    assert flat.rgb.shape == (256, 128, 3)
    np.testing.assert_allclose(flat.rgb, 77 / 255, atol=1e-4)  # LANCZOS keeps flat areas flat


def test_sources(tmp_path: Path) -> None:
    data = _png(np.zeros((3, 4, 3), np.uint8))
    path = tmp_path / "x.png"
    path.write_bytes(data)
    for source in (data, bytearray(data), memoryview(data), path, str(path), io.BytesIO(data)):
        assert load_image(source).rgb.shape == (3, 4, 3)

    class Upload(io.BytesIO):  # like Streamlit's UploadedFile
        name = "photo.png"

    with pytest.raises(ImageLoadError, match="photo.png"):
        load_image(Upload(b"nonsense"))
    with pytest.raises(TypeError):
        load_image(12345)


def test_from_array() -> None:
    img = from_array(np.eye(4, dtype=np.float32))
    assert img.rgb.shape == (4, 4, 3) and img.gray[0, 0] == 1.0
    img = from_array(np.full((600, 300, 4), 255, np.uint8))
    assert img.rgb.shape == (256, 128, 3)
    with pytest.raises(ImageLoadError):
        from_array(np.zeros((3, 3, 5)))


def test_ensure_min_size_upscales_and_pads() -> None:
    one = load_image(_png(np.array([[[255, 0, 0]]], np.uint8)))
    big = ensure_min_size(one, 5)
    assert big.rgb.shape == (5, 5, 3) and big.notes and all(n.en and n.zh for n in big.notes)
    np.testing.assert_allclose(big.rgb, np.broadcast_to([1.0, 0, 0], (5, 5, 3)))
    assert one.rgb.shape == (1, 1, 3)  # original untouched
    strip = LoadedImage(np.zeros((2, 256, 3), np.float32), np.zeros((2, 256), np.float32), (2, 256))
    padded = ensure_min_size(strip, 7)
    assert padded.gray.shape == (7, 256) and "Padded" in padded.notes[0].en
    same = ensure_min_size(padded, 3)
    assert same is padded


# ---------------------------------------------------------------- samples (through load_image)
@pytest.mark.parametrize("name", samples.sample_names())
def test_samples_load(name: str) -> None:
    sample = next(s for s in samples.SAMPLES if s.name == name)
    assert sample.path.is_file() and sample.path.stat().st_size < 40_000
    assert sample.label.en and sample.label.zh
    img = samples.load_sample(name)
    assert max(img.size) <= 256 and img.rgb.dtype == np.float32
    assert img.gray.min() >= 0.0 and img.gray.max() <= 1.0
    assert img.notes == []  # nothing had to be fixed
    fresh = np.asarray(samples.generate(name))
    assert np.array_equal(fresh, np.asarray(samples.generate(name)))  # deterministic
    if name != "text":  # text depends on the installed font's rasteriser
        committed = np.asarray(Image.open(sample.path))
        assert np.array_equal(fresh, committed), f"re-run scripts/make_samples.py ({name})"


def test_sample_digits_are_mnist() -> None:
    from cnnviz.data.mnist import load_mnist

    images, _ = load_mnist("test")
    for i in samples.DIGIT_INDICES:
        img = samples.load_sample(f"digit_{i}")
        np.testing.assert_array_equal(img.gray * 255, images[i].astype(np.float32))


def test_unknown_sample() -> None:
    with pytest.raises(KeyError):
        samples.load_sample("nope")


def test_sample_fallback_when_file_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(samples, "SAMPLES_DIR", tmp_path)
    img = samples.load_sample("checkerboard")
    assert img.size == (128, 128) and set(np.unique(img.gray)) == {0.0, 1.0}
