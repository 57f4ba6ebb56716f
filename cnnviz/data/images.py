"""Safe loading of the learner's own images (uploads, camera shots, files).

Anything a browser can send must end as either a small float image the lessons can convolve
or an ``ImageLoadError`` with a message in English and Chinese: a page never shows a
traceback. Sizes are checked from the header before any pixel is decoded, so a
decompression bomb costs nothing; every Pillow mode is mapped to RGB in [0, 1] explicitly
(16-bit scaled by 65535, alpha flattened on white) rather than trusting ``convert``.
"""

from __future__ import annotations

import io
import math
import os
import re
import struct
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnviz.i18n import LocalizedError, Text

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "ImageLoadError",
    "LoadedImage",
    "ensure_min_size",
    "from_array",
    "load_image",
    "to_grayscale",
]

MAX_PIXELS = 50_000_000
"""Largest width x height accepted (a 50-megapixel phone photo); refused before decoding."""
MAX_FILE_BYTES = 50 * 1024 * 1024
"""Largest file accepted, checked before reading it into memory."""

# leading bytes of formats Pillow reads: if these are present the file is a damaged image
_SIGNATURES = (b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"BM")
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)  # ITU-R 601-2, as PIL's "L"


class ImageLoadError(LocalizedError, ValueError):
    """An image could not be used; ``message(lang)`` is shown to the learner.

    ``reason`` is one of ``empty``, ``not_found``, ``not_image``, ``truncated``,
    ``too_large``, ``unsupported``.
    """


@dataclass
class LoadedImage:
    """A sanitised image: ``rgb`` float32 (H, W, 3) and ``gray`` float32 (H, W), both in [0, 1].

    ``original_size`` is the (height, width) of the file before any downscaling, like the
    arrays' shapes; ``notes`` say what was done (rotated, flattened, ...) so a page can tell
    the learner why their picture looks different.
    """

    rgb: np.ndarray
    gray: np.ndarray
    original_size: tuple[int, int]
    notes: list[Text] = field(default_factory=list)
    format: str | None = None
    mode: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        """Working (height, width)."""
        return self.gray.shape[0], self.gray.shape[1]

    def note(self, en: str, zh: str) -> None:
        """Record what was done to the picture, in both languages."""
        self.notes.append(Text(en, zh))


def to_grayscale(rgb: np.ndarray) -> np.ndarray:
    """ITU-R 601-2 luma ``0.299 R + 0.587 G + 0.114 B``, the weights of PIL's ``convert("L")``."""
    rgb = np.asarray(rgb, dtype=np.float32)
    if rgb.ndim == 2:
        return rgb
    return (rgb[..., :3] @ _LUMA).astype(np.float32)


# ---------------------------------------------------------------- reading bytes


def _read_bytes(data: Any) -> tuple[bytes, str]:
    """Bytes and a display name from bytes, a path, or a file-like (Streamlit's UploadedFile)."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data), ""
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        try:
            size = path.stat().st_size
        except OSError as e:
            raise ImageLoadError(
                Text(
                    f"Cannot read {path.name}: {e.strerror or e}.",
                    f"无法读取 {path.name}：{e.strerror or e}。",
                ),
                "not_found",
            ) from e
        if size > MAX_FILE_BYTES:
            raise _too_large_file(size)
        return path.read_bytes(), path.name
    name = str(getattr(data, "name", "") or "")
    if hasattr(data, "getvalue"):
        raw = data.getvalue()
    elif hasattr(data, "read"):
        raw = data.read(MAX_FILE_BYTES + 1)
    else:
        raise TypeError(f"load_image expects bytes, a path or a file object, got {type(data)}")
    return bytes(raw), name


def _too_large_file(size: int) -> ImageLoadError:
    mb, limit = size / 2**20, MAX_FILE_BYTES / 2**20
    return ImageLoadError(
        Text(
            f"The file is {mb:.1f} MB; the limit is {limit:.0f} MB. Use a smaller image.",
            f"文件大小为 {mb:.1f} MB，上限为 {limit:.0f} MB。请使用更小的图片。",
        ),
        "too_large",
    )


def _too_many_pixels(w: int, h: int) -> ImageLoadError:
    mp = w * h / 1e6
    return ImageLoadError(
        Text(
            f"The image says it is {w}x{h} pixels ({mp:.0f} megapixels), more than the "
            f"{MAX_PIXELS / 1e6:.0f} megapixels allowed; it was refused before decoding, as it may "
            "be a decompression bomb. Use a smaller image.",
            f"该图片声明尺寸为 {w}x{h} 像素（{mp:.0f} 百万像素），超过上限 {MAX_PIXELS / 1e6:.0f} "
            "百万像素；为防止“解压炸弹”，已在解码前拒绝。请使用更小的图片。",
        ),
        "too_large",
    )


def _tiff_float_bits(raw: bytes) -> int | None:
    """Bits per sample of a TIFF's first image when its samples are floats, else None.

    Pillow reads 32-bit float TIFFs but not 64-bit ones (what NumPy writes by default);
    this lets the refusal say so instead of calling a valid file damaged.
    """
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(raw[:4])
    if order is None or len(raw) < 8:
        return None
    try:
        (offset,) = struct.unpack_from(order + "I", raw, 4)
        (count,) = struct.unpack_from(order + "H", raw, offset)
        tags: dict[int, int] = {}
        for i in range(min(count, 256)):
            at = offset + 2 + 12 * i
            tag, kind, n = struct.unpack_from(order + "HHI", raw, at)
            if kind == 3:  # SHORT: inline when it fits in 4 bytes, else at an offset
                where = at + 8 if n <= 2 else struct.unpack_from(order + "I", raw, at + 8)[0]
                tags[tag] = struct.unpack_from(order + "H", raw, where)[0]
            else:
                tags[tag] = struct.unpack_from(order + "I", raw, at + 8)[0]
    except struct.error:
        return None
    return tags.get(258) if tags.get(339) == 3 else None


# ---------------------------------------------------------------- modes


def _normalise_mode(im: Image.Image, out: LoadedImage) -> tuple[Image.Image, np.ndarray | None]:
    """Map any Pillow mode to 8-bit L/LA/RGB/RGBA, or, for 16/32-bit and float modes, to a
    float32 (H, W) array already scaled to [0, 1] (returned as the second item)."""
    mode = im.mode
    if mode.startswith("I;16"):
        return im, np.asarray(im, dtype=np.float32) / 65535.0
    if mode in ("I", "F"):
        return im, _float_to_unit(np.asarray(im), mode, out)
    target = {"1": "L", "P": "RGBA", "PA": "RGBA", "La": "LA", "RGBa": "RGBA"}.get(mode)
    if target is None and mode not in ("L", "LA", "RGB", "RGBA"):
        target = "RGB"  # CMYK, YCbCr, LAB, HSV, RGBX ...
    return (im.convert(target) if target else im), None


def _float_to_unit(a: np.ndarray, mode: str, out: LoadedImage) -> np.ndarray:
    """A 32-bit integer or float plane in [0, 1], finite, every change said in ``out.notes``.

    Scaled in float64: with float32 extremes (-3e38 .. 2.5e38) the span ``hi - lo`` overflows
    float32 to inf and a stretch there turns the whole image into NaN, which every lesson
    would then compute with. NaN pixels become 0 and infinities the ends of the range, told.
    """
    a = np.asarray(a, dtype=np.float64)
    finite = np.isfinite(a)
    if not finite.all():
        nan, posinf, neginf = (int(n) for n in (np.isnan(a).sum(), np.isposinf(a).sum(),
                                                np.isneginf(a).sum()))
        out.note(
            f"Some pixels were not finite numbers (NaN: {nan}, infinite: {posinf + neginf}): "
            "NaN and -inf are shown as 0 (black), +inf as 1 (white).",
            f"有些像素不是有限数值（NaN：{nan} 个，无穷大：{posinf + neginf} 个）："
            "NaN 与 -inf 显示为 0（黑），+inf 显示为 1（白）。",
        )
    if not finite.any():
        return np.where(np.isposinf(a), 1.0, 0.0).astype(np.float32)
    lo, hi = float(a[finite].min()), float(a[finite].max())
    if lo >= 0 and hi <= 1 and mode == "F":
        scaled = a
    elif lo >= 0 and hi <= 255:
        scaled = a / 255.0
    elif lo >= 0 and hi <= 65535:
        scaled = a / 65535.0
    elif hi > lo:
        out.note(
            f"{mode} values spanned {lo:g}..{hi:g}; stretched to 0..1.",
            f"{mode} 模式的取值范围为 {lo:g}..{hi:g}，已拉伸到 0..1。",
        )
        # halves first: even float64 extremes (±1.7e308) keep a finite span
        scaled = (np.clip(a, lo, hi) / 2 - lo / 2) / (hi / 2 - lo / 2)
    else:
        out.note(
            f"Every pixel has the value {lo:g}, outside 0..1: shown as 0 (black).",
            f"所有像素的值都是 {lo:g}，超出 0..1：显示为 0（黑）。",
        )
        scaled = np.zeros_like(a)
    scaled = np.where(np.isposinf(a), 1.0, np.where(finite, scaled, 0.0))
    result = np.clip(scaled, 0.0, 1.0).astype(np.float32)
    if not np.isfinite(result).all():  # cannot happen after the above; never pass NaN on
        raise ImageLoadError(Text("The image's values could not be brought into 0..1.",
                                  "无法把图片的数值转换到 0..1。"), "unsupported")
    return result


def _apply_orientation(im: Image.Image, out: LoadedImage) -> Image.Image:
    """Turn a camera photo upright from its EXIF tag; a broken EXIF block is skipped."""
    try:
        orientation = im.getexif().get(0x0112, 1)
        if orientation in (1, None):
            return im
        turned = ImageOps.exif_transpose(im)
    except Exception:
        out.note(
            "The EXIF data is unreadable; orientation not applied.",
            "EXIF 数据无法读取，未调整方向。",
        )
        return im
    if orientation in (5, 6, 7, 8):
        h, w = out.original_size
        out.original_size = (w, h)
    out.note(
        "Rotated upright using the camera's orientation tag.", "已根据相机的方向标记把图片转正。"
    )
    return turned


def _to_rgb(a: np.ndarray, out: LoadedImage) -> tuple[np.ndarray, np.ndarray]:
    """(rgb, gray) from a 2-D or channel-last array, alpha composited on white."""
    if a.ndim == 2:
        gray = np.clip(a, 0, 1).astype(np.float32)
        return np.repeat(gray[..., None], 3, axis=2), gray
    if a.shape[2] in (2, 4):
        alpha = a[..., -1:]
        if float(alpha.min()) < 1.0:
            out.note("Transparent parts were filled with white.", "透明区域已用白色填充。")
        a = a[..., :-1] * alpha + (1.0 - alpha)
    a = np.clip(a, 0, 1).astype(np.float32)
    if a.shape[2] == 1:
        gray = a[..., 0]
        return np.repeat(a, 3, axis=2), gray
    rgb = np.ascontiguousarray(a[..., :3])
    return rgb, to_grayscale(rgb)


def _resize_array(a: np.ndarray, size_wh: tuple[int, int]) -> np.ndarray:
    """LANCZOS resize of a float array channel by channel (Pillow's "F" mode keeps precision)."""
    if a.ndim == 2:
        return np.asarray(Image.fromarray(a, "F").resize(size_wh, Image.Resampling.LANCZOS))
    chans = [_resize_array(np.ascontiguousarray(a[..., c]), size_wh) for c in range(a.shape[2])]
    return np.stack(chans, axis=2)


def _target_size(w: int, h: int, max_side: int) -> tuple[int, int]:
    scale = max_side / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


# ---------------------------------------------------------------- public


def load_image(data: Any, max_side: int = 256) -> LoadedImage:
    """Decode bytes / a path / an uploaded file into a ``LoadedImage`` at most ``max_side``.

    Steps: size limits from the header, first frame of animations, EXIF orientation,
    mode to RGB in [0, 1], alpha on white, LANCZOS downscale keeping the aspect ratio.
    Raises ``ImageLoadError`` (never anything else) when the data cannot be used.
    """
    try:
        return _load(data, max_side)
    except (ImageLoadError, TypeError):
        raise
    except MemoryError as e:
        raise ImageLoadError(
            Text(
                "The image is too large to decode on this server. Use a smaller image.",
                "图片太大，服务器无法解码。请使用更小的图片。",
            ),
            "too_large",
        ) from e
    except Exception as e:  # Pillow raises many types on hostile input
        raise ImageLoadError(
            Text(
                "The image data is damaged or truncated and could not be decoded. "
                "Try saving it again as PNG or JPEG.",
                "图片数据已损坏或不完整，无法解码。请重新保存为 PNG 或 JPEG 后再试。",
            ),
            "truncated",
        ) from e


def _load(data: Any, max_side: int) -> LoadedImage:
    raw, name = _read_bytes(data)
    subject = Text(name, f"{name} ") if name else Text("The file", "该文件")
    if not raw:
        raise ImageLoadError(
            Text("{s} is empty (0 bytes).", "{s}是空文件（0 字节）。").format(s=subject), "empty"
        )
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large_file(len(raw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on odd metadata
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(raw))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            found = re.search(r"\((\d+) pixels\)", str(e))
            mp = f"{int(found.group(1)) / 1e6:.0f}" if found else "?"
            raise ImageLoadError(
                Text(
                    f"The image says it has {mp} megapixels, more than the {MAX_PIXELS / 1e6:.0f} "
                    "allowed; it was refused before decoding, as it may be a decompression bomb.",
                    f"该图片声明有 {mp} 百万像素，超过上限 {MAX_PIXELS / 1e6:.0f} 百万像素；"
                    "为防止“解压炸弹”，已在解码前拒绝。",
                ),
                "too_large",
            ) from e
        except UnidentifiedImageError as e:
            bits = _tiff_float_bits(raw)
            if bits not in (None, 32):
                raise ImageLoadError(
                    Text(
                        "{s} is a TIFF of {b}-bit floating-point samples, which Pillow cannot "
                        "read. Save it as 32-bit float or 16-bit integer TIFF, or as PNG.",
                        "{s}是 {b} 位浮点采样的 TIFF，Pillow 无法读取。请另存为 32 位浮点或 "
                        "16 位整数的 TIFF，或 PNG。",
                    ).format(s=subject, b=bits),
                    "unsupported",
                ) from e
            if raw.startswith(_SIGNATURES) or raw[8:12] == b"WEBP":
                raise ImageLoadError(
                    Text(
                        "{s} starts like an image but is damaged or cut short. "
                        "Try saving or uploading it again.",
                        "{s}看起来是图片，但数据已损坏或不完整。请重新保存或上传。",
                    ).format(s=subject),
                    "truncated",
                ) from e
            raise ImageLoadError(
                Text(
                    "{s} is not an image Pillow can read (PNG, JPEG, GIF, WebP, BMP, TIFF ...).",
                    "{s}不是可识别的图片（支持 PNG、JPEG、GIF、WebP、BMP、TIFF 等）。",
                ).format(s=subject),
                "not_image",
            ) from e
        w, h = im.size
        if w < 1 or h < 1:
            raise ImageLoadError(
                Text("{s} has no pixels ({w}x{h}).", "{s}没有像素（{w}x{h}）。").format(
                    s=subject, w=w, h=h), "unsupported"
            )
        if w * h > MAX_PIXELS:
            raise _too_many_pixels(w, h)
        out = LoadedImage(
            np.zeros((0, 0, 3), np.float32),
            np.zeros((0, 0), np.float32),
            (h, w),
            format=im.format,
            mode=im.mode,
        )
        frames = int(getattr(im, "n_frames", 1) or 1)
        if frames > 1:
            im.seek(0)
            out.note(
                f"Animated or multi-page image: the first of {frames} frames is used.",
                f"动画或多页图片：使用 {frames} 帧中的第一帧。",
            )
        if im.format == "JPEG":
            # decode at a reduced scale when the file is much larger than needed
            im.draft(None, (max_side, max_side))
        im.load()
        im = _apply_orientation(im, out)
        im, a = _normalise_mode(im, out)
    ih, iw = (a.shape[0], a.shape[1]) if a is not None else (im.height, im.width)
    if max(iw, ih) > max_side:
        tw, th = _target_size(iw, ih, max_side)
        if a is None:  # 8-bit: resize before converting to float (4x less memory)
            im = im.resize((tw, th), Image.Resampling.LANCZOS)
        else:
            a = _resize_array(a, (tw, th))
        oh, ow = out.original_size
        out.note(
            f"Downscaled from {ow}x{oh} to {tw}x{th} (longer side at most {max_side} px).",
            f"已从 {ow}x{oh} 缩小到 {tw}x{th}（长边不超过 {max_side} 像素）。",
        )
    if a is None:
        a = np.asarray(im, dtype=np.float32) / 255.0
    out.rgb, out.gray = _to_rgb(a, out)
    return out


def from_array(array: np.ndarray, max_side: int = 256) -> LoadedImage:
    """A ``LoadedImage`` from an array (H, W) or (H, W, 3|4), uint8 or float in [0, 1].

    For hand-drawn grids and camera frames that arrive as arrays rather than files.
    """
    a = np.asarray(array)
    if a.dtype == np.uint8:
        a = a.astype(np.float32) / 255.0
    bad = int(np.size(a) - np.isfinite(a).sum()) if a.dtype.kind in "fc" else 0
    a = np.nan_to_num(a.astype(np.float32), nan=0.0, posinf=1.0, neginf=0.0)
    if a.ndim not in (2, 3) or a.size == 0 or (a.ndim == 3 and a.shape[2] not in (1, 3, 4)):
        raise ImageLoadError(
            Text(
                f"An image array must be (H, W) or (H, W, 3|4), got shape {a.shape}.",
                f"图像数组的形状应为 (H, W) 或 (H, W, 3|4)，当前为 {a.shape}。",
            ),
            "unsupported",
        )
    h, w = a.shape[:2]
    out = LoadedImage(np.zeros((0, 0, 3), np.float32), np.zeros((0, 0), np.float32), (h, w))
    if bad:
        out.note(f"{bad} values were NaN or infinite: NaN and -inf shown as 0, +inf as 1.",
                 f"有 {bad} 个值为 NaN 或无穷大：NaN 与 -inf 显示为 0，+inf 显示为 1。")
    if max(h, w) > max_side:
        tw, th = _target_size(w, h, max_side)
        a = _resize_array(a, (tw, th))
        out.note(f"Downscaled from {w}x{h} to {tw}x{th}.", f"已从 {w}x{h} 缩小到 {tw}x{th}。")
    out.rgb, out.gray = _to_rgb(a, out)
    return out


def ensure_min_size(img: LoadedImage, k: int, max_side: int = 256) -> LoadedImage:
    """A copy whose shorter side is at least ``k`` (a kernel must fit inside the image).

    Small images are enlarged by an integer nearest-neighbour factor, so a 1x1 pixel stays
    one flat colour; when that would push the longer side past ``max_side`` (a thin strip)
    the short side is padded by repeating its edge instead. Either way a note says so.
    """
    h, w = img.size
    if min(h, w) >= k:
        return img
    notes = list(img.notes)
    factor = math.ceil(k / min(h, w))
    if max(h, w) * factor <= max(max_side, k):
        rgb = np.repeat(np.repeat(img.rgb, factor, axis=0), factor, axis=1)
        gray = np.repeat(np.repeat(img.gray, factor, axis=0), factor, axis=1)
        notes.append(
            Text(
                f"Enlarged {factor}x (nearest neighbour) so a {k}x{k} kernel fits.",
                f"已放大 {factor} 倍（最近邻），以便放下 {k}x{k} 的卷积核。",
            )
        )
    else:
        ph, pw = max(0, k - h), max(0, k - w)
        pads = ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2))
        rgb = np.pad(img.rgb, (*pads, (0, 0)), mode="edge")
        gray = np.pad(img.gray, pads, mode="edge")
        notes.append(
            Text(
                f"Padded by repeating the edge to {rgb.shape[0]}x{rgb.shape[1]} so a "
                f"{k}x{k} kernel fits.",
                f"已重复边缘像素填充到 {rgb.shape[0]}x{rgb.shape[1]}，以便放下 {k}x{k} 的卷积核。",
            )
        )
    return replace(img, rgb=rgb, gray=gray, notes=notes)
