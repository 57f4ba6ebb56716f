"""Sample images made by the project, so every page has something to convolve offline.

Each picture is chosen to show one thing well: edges at every angle (shapes, circles),
a single orientation (stripes, for Sobel x vs y), high frequency (checkerboard, for
pooling and stride aliasing), strokes (text), a photo-like scene, and MNIST digits.
They are generated deterministically by ``scripts/make_samples.py`` from the functions
here and committed as small PNGs in ``assets/samples``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from cnnviz.i18n import Text

from .images import LoadedImage, load_image

__all__ = [
    "SAMPLES",
    "SAMPLES_DIR",
    "Sample",
    "generate",
    "load_sample",
    "sample_names",
]

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples"
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
LATIN_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",)
DIGIT_INDICES = (0, 1, 2)  # the first three MNIST test digits: 7, 2, 1
SS = 4  # supersampling factor for anti-aliased drawings


@dataclass(frozen=True)
class Sample:
    """One sample image: a stable ``name`` for code, labels for both languages, its file."""

    name: str
    label: Text
    filename: str

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / self.filename


# ---------------------------------------------------------------- drawings


def _antialiased(
    size: tuple[int, int],
    draw: Callable[[ImageDraw.ImageDraw, int], None],
    background: tuple[int, int, int] = (255, 255, 255),
) -> Image.Image:
    """Draw at SS x the size and shrink with LANCZOS, for smooth but deterministic edges."""
    w, h = size
    big = Image.new("RGB", (w * SS, h * SS), background)
    draw(ImageDraw.Draw(big), SS)
    return big.resize(size, Image.Resampling.LANCZOS)


def make_shapes() -> Image.Image:
    """A filled circle, square and triangle and an outlined ring: edges at every angle."""

    def draw(d: ImageDraw.ImageDraw, s: int) -> None:
        d.ellipse([10 * s, 10 * s, 70 * s, 70 * s], fill=(220, 40, 40))
        d.rectangle([90 * s, 12 * s, 150 * s, 68 * s], fill=(40, 90, 220))
        d.polygon([(40 * s, 90 * s), (10 * s, 150 * s), (70 * s, 150 * s)], fill=(30, 160, 60))
        d.ellipse([92 * s, 92 * s, 148 * s, 148 * s], outline=(20, 20, 20), width=6 * s)

    return _antialiased((160, 160), draw)


def make_checkerboard(size: int = 128, square: int = 16) -> Image.Image:
    """Black and white squares: the highest-contrast edges, in both directions."""
    idx = np.arange(size) // square
    board = ((idx[:, None] + idx[None, :]) % 2 * 255).astype(np.uint8)
    return Image.fromarray(board, "L")


def make_stripes(vertical: bool, size: int = 128, period: int = 16) -> Image.Image:
    """Stripes of one orientation: a vertical-edge filter fires on one, not on the other."""
    band = ((np.arange(size) // (period // 2)) % 2 * 255).astype(np.uint8)
    img = np.tile(band[None, :], (size, 1)) if vertical else np.tile(band[:, None], (1, size))
    return Image.fromarray(img, "L")


def make_circles(size: int = 160, rings: int = 8) -> Image.Image:
    """Concentric rings: every edge orientation and a range of curvatures."""

    def draw(d: ImageDraw.ImageDraw, s: int) -> None:
        c = size * s / 2
        step = size * s / 2 / rings
        for r in range(rings, 0, -1):
            fill = 0 if r % 2 else 255
            d.ellipse([c - r * step, c - r * step, c + r * step, c + r * step], fill=(fill,) * 3)

    return _antialiased((size, size), draw).convert("L")


def find_font(cjk: bool = True) -> str | None:
    """The first installed font that can draw the text (CJK when asked), or None."""
    for path in (CJK_FONTS if cjk else ()) + LATIN_FONTS:
        if Path(path).is_file():
            return path
    return None


def make_text() -> Image.Image:
    """Bilingual "CNN 卷积" strokes; Latin only when no CJK font is installed."""
    cjk = find_font(cjk=True)
    text = "CNN 卷积" if cjk and cjk in CJK_FONTS else "CNN conv"
    size = (256, 96)

    def draw(d: ImageDraw.ImageDraw, s: int) -> None:
        path = cjk or find_font(cjk=False)
        font = ImageFont.truetype(path, 56 * s) if path else ImageFont.load_default(size=56 * s)
        box = d.textbbox((0, 0), text, font=font)
        x = (size[0] * s - (box[2] - box[0])) / 2 - box[0]
        y = (size[1] * s - (box[3] - box[1])) / 2 - box[1]
        d.text((x, y), text, font=font, fill=(0, 0, 0))

    return _antialiased(size, draw).convert("L")


def make_scene() -> Image.Image:
    """A photo-like scene: sky gradient, sun, two hills and a house with a door and window."""
    w, h = 256, 192
    t = np.linspace(0, 1, h * SS, dtype=np.float32)[:, None, None]
    top, bottom = np.array([40, 90, 180], np.float32), np.array([190, 220, 250], np.float32)
    sky = np.broadcast_to(top + (bottom - top) * t, (h * SS, w * SS, 3))
    big = Image.fromarray(sky.round().astype(np.uint8), "RGB")
    d = ImageDraw.Draw(big)
    s = SS
    d.ellipse([190 * s, 20 * s, 230 * s, 60 * s], fill=(255, 215, 60))
    d.ellipse([-80 * s, 120 * s, 170 * s, 300 * s], fill=(70, 140, 60))
    d.ellipse([100 * s, 130 * s, 360 * s, 320 * s], fill=(50, 115, 45))
    d.rectangle([60 * s, 110 * s, 120 * s, 160 * s], fill=(200, 170, 130))
    d.polygon([(52 * s, 112 * s), (90 * s, 80 * s), (128 * s, 112 * s)], fill=(150, 50, 40))
    d.rectangle([82 * s, 132 * s, 98 * s, 160 * s], fill=(90, 60, 40))
    d.rectangle([100 * s, 120 * s, 114 * s, 134 * s], fill=(230, 240, 255))
    return big.resize((w, h), Image.Resampling.LANCZOS)


def make_digit(index: int, folder: str | Path | None = None) -> Image.Image:
    """MNIST test digit ``index`` as a 28x28 grayscale image (white ink on black)."""
    from .mnist import load_mnist

    images, _ = load_mnist("test", folder=folder, download=False)
    return Image.fromarray(np.array(images[index]), "L")


# ---------------------------------------------------------------- table

SAMPLES: list[Sample] = [
    Sample("shapes", Text("Shapes", "几何图形"), "shapes.png"),
    Sample("checkerboard", Text("Checkerboard", "棋盘格"), "checkerboard.png"),
    Sample("text", Text("Text “CNN 卷积”", "文字“CNN 卷积”"), "text.png"),
    Sample("scene", Text("Landscape with a house", "房屋风景"), "scene.png"),
    Sample("circles", Text("Concentric circles", "同心圆"), "circles.png"),
    Sample("stripes_vertical", Text("Vertical stripes", "竖条纹"), "stripes_vertical.png"),
    Sample("stripes_horizontal", Text("Horizontal stripes", "横条纹"), "stripes_horizontal.png"),
    *[
        Sample(f"digit_{i}", Text(f"MNIST digit #{i}", f"MNIST 数字 #{i}"), f"digit_{i}.png")
        for i in DIGIT_INDICES
    ],
]

_MAKERS: dict[str, Callable[[], Image.Image]] = {
    "shapes": make_shapes,
    "checkerboard": make_checkerboard,
    "text": make_text,
    "scene": make_scene,
    "circles": make_circles,
    "stripes_vertical": lambda: make_stripes(vertical=True),
    "stripes_horizontal": lambda: make_stripes(vertical=False),
    **{f"digit_{i}": (lambda i=i: make_digit(i)) for i in DIGIT_INDICES},
}


def sample_names() -> list[str]:
    """Stable names, in display order."""
    return [s.name for s in SAMPLES]


def _get(name: str) -> Sample:
    for s in SAMPLES:
        if s.name == name:
            return s
    raise KeyError(f"unknown sample {name!r}; choose one of {sample_names()}")


def generate(name: str) -> Image.Image:
    """Draw sample ``name`` afresh (what ``scripts/make_samples.py`` saves)."""
    _get(name)
    return _MAKERS[name]()


def load_sample(name: str, max_side: int = 256) -> LoadedImage:
    """The committed sample through ``load_image``, exactly as an upload would arrive.

    Falls back to drawing it when the PNG is missing (e.g. a partial checkout).
    """
    sample = _get(name)
    if sample.path.is_file():
        return load_image(sample.path, max_side=max_side)
    import io

    buf = io.BytesIO()
    generate(name).save(buf, "PNG")
    return load_image(buf.getvalue(), max_side=max_side)
