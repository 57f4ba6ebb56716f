"""The one image picker every lesson page shares, and the crop picker for animations.

The learner's choice is kept across pages in ``st.session_state`` under shared keys (the
widgets themselves are per page, so they would be forgotten on a page switch):

==================  ====================================================================
``"img_source"``    "sample" | "upload" | "camera" | "grid"
``"img_sample"``    name of the chosen sample (``cnnviz.data.samples.SAMPLES``)
``"img_bytes"``     bytes of the last upload / photo that loaded (kept when a new one fails)
``"img_name"``      its file name
``"img_grid"``      the typed numeric grid (list of rows)
``"img_color"``     colour (True) or grayscale (False)
==================  ====================================================================

Tests can drive the picker by setting these keys before the first ``at.run()``.
Decoding is cached with ``st.cache_data`` keyed by a hash of the bytes, so reruns are cheap.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from PIL import Image, ImageDraw

from cnnviz.data.grid import parse_grid
from cnnviz.data.images import ImageLoadError, ensure_min_size, load_image
from cnnviz.i18n import Text
from cnnviz.ui import links, widgets
from cnnviz.ui.cache_budget import IMAGE_BUDGET_MB, bounded
from cnnviz.ui.common import radio, selectbox, show_error, t
from cnnviz.weights import plain_text

SOURCE_KEY = "img_source"
SAMPLE_KEY = "img_sample"
BYTES_KEY = "img_bytes"
NAME_KEY = "img_name"
DEFAULT_OWNER_KEY = "img_source_default_of"  # the page whose default the source is
GRID_KEY = "img_grid"
COLOR_KEY = "img_color"

SOURCES = ("sample", "upload", "camera", "grid")
LINKED_SOURCES = ("sample", "grid")  # an upload or a photo cannot travel in an address
NOT_IN_LINK = Text(
    "Your own picture cannot go into a link: the link opens this lesson on its default "
    "picture, with all the other settings.",
    "你自己的图片无法放进链接：打开链接时，本课显示默认图片，其他设置不变。",
)
UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff"]
WORKING_SIDE = 256  # images are downscaled so a 256x256 full result redraws fast
MIN_SIDE = 16  # the widest window any lesson allows (kernel 7, or 3 with dilation 4) fits

# A 6x6 grid in the style of the lecture notes' worked examples.
DEFAULT_GRID = [
    [3, 0, 1, 2, 7, 4],
    [1, 5, 8, 9, 3, 1],
    [2, 7, 2, 5, 1, 3],
    [0, 1, 3, 1, 7, 8],
    [4, 2, 1, 6, 2, 8],
    [2, 4, 5, 2, 3, 9],
]


@dataclass(frozen=True)
class PickedImage:
    """The picked image in working size.

    ``rgb`` (H, W, 3) and ``gray`` (H, W) are float32; in [0, 1] for pictures, the typed
    values for a grid (``is_grid``). ``color`` is the learner's colour/grayscale choice;
    ``notes`` say what loading did to an upload (rotated, downscaled, ...).
    """

    name: str
    source: str
    rgb: np.ndarray
    gray: np.ndarray
    color: bool = False
    is_grid: bool = False
    notes: tuple[Text, ...] = field(default=())

    @property
    def shape(self) -> tuple[int, int]:
        """(H, W)."""
        return int(self.gray.shape[0]), int(self.gray.shape[1])

    def channels(self) -> np.ndarray:
        """(C, H, W) float32 for the engine: 3 channels in colour, 1 in grayscale."""
        if self.color:
            return np.ascontiguousarray(self.rgb.transpose(2, 0, 1), dtype=np.float32)
        return self.gray[None].astype(np.float32)


@dataclass(frozen=True)
class Crop:
    """A zoomed crop for the animation: ``array`` and its top-left corner in the image."""

    array: np.ndarray
    top: int
    left: int


# ------------------------------------------------------------------ decoding (cached)


@bounded(IMAGE_BUDGET_MB, max_entries=32)
def _decode(
    digest: str, _data: bytes, max_side: int
) -> tuple[np.ndarray, np.ndarray, tuple[Text, ...]]:
    """Decode once per distinct file (``digest`` is the cache key; bytes are not hashed)."""
    img = ensure_min_size(load_image(_data, max_side=max_side), MIN_SIDE, max_side)
    return img.rgb, img.gray, tuple(img.notes)


def decode_bytes(
    data: bytes, max_side: int = WORKING_SIDE
) -> tuple[np.ndarray, np.ndarray, tuple[Text, ...]]:
    """(rgb, gray, notes) of an image file; raises ``ImageLoadError``."""
    digest = hashlib.sha1(data).hexdigest()
    return _decode(digest, data, max_side)


@bounded(IMAGE_BUDGET_MB, max_entries=32)
def _sample(name: str, max_side: int) -> tuple[np.ndarray, np.ndarray]:
    from cnnviz.data import samples

    img = samples.load_sample(name, max_side=max_side)
    return img.rgb, img.gray


def sample_names() -> list[str]:
    """Names of the bundled samples (empty if the samples module is unavailable)."""
    try:
        from cnnviz.data import samples
    except ImportError:  # pragma: no cover - only while the data package is being written
        return []
    return [s.name for s in samples.SAMPLES]


def _sample_label(name: str) -> str:
    from cnnviz.data import samples

    for s in samples.SAMPLES:
        if s.name == name:
            return t(s.label)
    return name


def clean_grid(rows: object) -> tuple[np.ndarray, bool]:
    """Typed grid -> float32 array and whether any cell was not used as typed.

    The reading itself (full-width digits, decimal commas, clipping) is
    ``cnnviz.data.grid.parse_grid``; its ``notices`` say what was changed.
    """
    parsed = parse_grid(rows)
    return parsed.values, parsed.changed


def show_grid_notices(notices: tuple[Text, ...]) -> None:
    """The notices of a typed grid in the learner's language, typed text shown as typed."""
    if notices:
        st.warning("  \n".join(plain_text(t(n)) for n in notices))


def _as_text(values: np.ndarray) -> list[list[str]]:
    """Cells as text for the editor: a text column hands Python exactly what was typed
    (a number column's editor drops what it does not expect: ``0,5`` arrived as 5)."""
    return [[f"{float(v):g}" for v in row] for row in values]


def grid_text(values: np.ndarray) -> str:
    """A typed grid as it stands in a link: rows split by ``;``, cells by ``,``."""
    return ";".join(",".join(f"{float(v):g}" for v in row) for row in np.asarray(values))


def parse_grid_text(raw: str) -> list[list[float]] | None:
    """A link's grid back to rows (None unless it is 3..12 rows of 3..12 numbers each, all
    within what a typed grid allows: the link gives the grid as it was, or nothing)."""
    rows = [r.split(",") for r in raw.split(";")]
    if not 3 <= len(rows) <= 12 or any(len(r) != len(rows[0]) for r in rows) \
            or not 3 <= len(rows[0]) <= 12:
        return None
    parsed = parse_grid(rows)
    return None if parsed.changed else parsed.values.tolist()


def _take_linked_choice(key: str) -> bool:
    """Apply an opened link's image choice (source, sample, grid) to the shared keys; True
    when it gave the source (the radio then takes it from Session State)."""
    used, source = links.take(f"{key}_source", t("Image", "图像"),
                              links.parse_option(LINKED_SOURCES))
    if used:
        st.session_state[SOURCE_KEY] = source
        st.session_state.pop(DEFAULT_OWNER_KEY, None)  # a link's choice, shared like one
    got_grid, grid = links.take(f"{key}_grid", t("Number grid", "数字网格"), parse_grid_text,
                                widget=False)
    if got_grid:
        st.session_state[GRID_KEY] = grid
        for k in [k for k in st.session_state if str(k).startswith(f"{key}_grid_")]:
            del st.session_state[k]  # its rows / columns / edits follow the linked grid
    return used


def _link_choice(key: str, source: str, grid: np.ndarray | None) -> None:
    """The image choice into the page's link, or the note that an upload cannot be."""
    if source not in LINKED_SOURCES:
        links.note(t(NOT_IN_LINK))
        return
    links.register(f"{key}_source", source)
    if grid is not None:
        links.register(f"{key}_grid", grid_text(grid))


# ------------------------------------------------------------------ widgets


def _source_label(code: str) -> str:
    return {
        "sample": t("Sample", "示例"),
        "upload": t("Upload", "上传"),
        "camera": t("Camera", "拍照"),
        "grid": t("Number grid", "数字网格"),
    }[code]


def _grid_widget(key: str) -> np.ndarray:
    import pandas as pd

    rows = st.session_state.get(GRID_KEY, DEFAULT_GRID)
    stored = parse_grid(rows)
    current = stored.values
    c1, c2 = st.columns(2)
    h = c1.number_input(t("Rows", "行数"), 3, 12, int(current.shape[0]), key=f"{key}_grid_h")
    w = c2.number_input(t("Columns", "列数"), 3, 12, int(current.shape[1]), key=f"{key}_grid_w")
    resized = np.zeros((int(h), int(w)), np.float32)
    hh, ww = min(h, current.shape[0]), min(w, current.shape[1])
    resized[:hh, :ww] = current[:hh, :ww]
    df = pd.DataFrame(_as_text(resized), columns=[str(j) for j in range(int(w))])
    edited = st.data_editor(df, key=f"{key}_grid_editor_{h}x{w}", hide_index=True, width="stretch")
    parsed = parse_grid(edited)
    show_grid_notices(parsed.notices or stored.notices)
    st.session_state[GRID_KEY] = parsed.values.tolist()
    return parsed.values


def _bytes_widget(key: str, source: str) -> None:
    """Upload / camera: store the bytes of a file that loads; show the error otherwise."""
    if source == "upload":
        f = st.file_uploader(
            t(
                "Your image (PNG, JPEG, GIF, WebP, BMP, TIFF)",
                "你的图片（PNG、JPEG、GIF、WebP、BMP、TIFF）",
            ),
            type=UPLOAD_TYPES,
            key=f"{key}_upload",
        )
    else:
        f = st.camera_input(t("Take a photo", "拍一张照片"), key=f"{key}_camera")
    if f is None:
        return
    data = f.getvalue()
    try:
        decode_bytes(data)
    except ImageLoadError as err:
        show_error(err)
        if st.session_state.get(BYTES_KEY):
            st.info(t("Keeping the previous image.", "保留之前的图片。"))
        return
    st.session_state[BYTES_KEY] = data
    st.session_state[NAME_KEY] = getattr(f, "name", "photo") or "photo"


def opens_on_page_default() -> bool:
    """True while the learner has picked no image (each page shows its own default)."""
    return SOURCE_KEY not in st.session_state or DEFAULT_OWNER_KEY in st.session_state


def image_picker(key: str, *, allow_color: bool = True, force_color: bool = False,
                 default_source: str | None = None) -> PickedImage:
    """Sample gallery / upload / camera / typed grid, with a colour-or-grayscale switch.

    ``key`` prefixes this page's widget keys; the choice itself is shared across pages.
    ``force_color`` (multi-channel lessons) always returns colour. ``default_source`` is
    this page's opening choice while the learner has picked nothing (lesson 1 opens on
    the notes' grid); it is not passed on: the next page opens on its own default.
    """
    names = sample_names()
    page_default = default_source or ("sample" if names else "grid")
    if st.session_state.get(DEFAULT_OWNER_KEY, key) != key:
        st.session_state.pop(SOURCE_KEY, None)  # another page's default, not a choice
        st.session_state.pop(DEFAULT_OWNER_KEY, None)
    if SOURCE_KEY not in st.session_state:
        st.session_state[DEFAULT_OWNER_KEY] = key
    linked = _take_linked_choice(key)
    source = st.session_state.get(SOURCE_KEY, page_default)
    if source not in SOURCES:
        source = "sample"
    source = radio(
        t("Image", "图像"),
        SOURCES,
        index=None if linked else SOURCES.index(source),
        format_func=_source_label,
        horizontal=True,
        key=f"{key}_source",
    )
    if source != st.session_state.get(SOURCE_KEY, page_default):
        st.session_state.pop(DEFAULT_OWNER_KEY, None)  # the learner chose: share it
    st.session_state[SOURCE_KEY] = source

    if force_color:
        color = True
        st.caption(t(
            "Colour: this lesson works on the three channels R, G and B.",
            "彩色：本课使用 R、G、B 三个通道。",
        ))
    elif allow_color:
        color = widgets.toggle(
            t("Colour", "彩色"),
            value=bool(st.session_state.get(COLOR_KEY, False)),
            key=f"{key}_color",
            help=t("Off: one grayscale channel.", "关闭：单个灰度通道。"),
        )
        st.session_state[COLOR_KEY] = color
    else:
        color = False
        st.caption(t(
            "Grayscale: this lesson slides one kernel over one channel, so a colour image "
            "is turned into brightness (0.299 R + 0.587 G + 0.114 B). Multi-channel "
            "convolution (lesson 2) uses the colours.",
            "灰度：本课用一个卷积核在单个通道上滑动，所以彩色图像会转换为亮度"
            "（0.299 R + 0.587 G + 0.114 B）。多通道卷积（第 2 课）会使用颜色。",
        ))

    if source == "grid":
        grid = _grid_widget(key)
        _link_choice(key, source, grid)
        rgb = np.repeat(grid[..., None], 3, axis=-1)
        return PickedImage(t("Number grid", "数字网格"), "grid", rgb, grid, color, True)

    _link_choice(key, source, None)
    if source in ("upload", "camera"):
        _bytes_widget(key, source)
        data = st.session_state.get(BYTES_KEY)
        if data:
            rgb, gray, notes = decode_bytes(data)
            for note in notes:
                st.caption(t(note))
            name = st.session_state.get(NAME_KEY, "image")
            # The uploader of a newly opened page is empty: say which image is in use.
            # a file name comes from a stranger: shown as typed, never as Markdown
            shown = plain_text(str(name))
            st.caption(t(f"In use: {shown} ({rgb.shape[1]}×{rgb.shape[0]})",
                         f"当前图片：{shown}（{rgb.shape[1]}×{rgb.shape[0]}）"))
            return PickedImage(name, source, rgb, gray, color, False, notes)
        st.info(t("No image yet: showing a sample.", "还没有图片：先显示一个示例。"))

    if not names:  # pragma: no cover - only while the samples module is missing
        grid, _ = clean_grid(DEFAULT_GRID)
        return PickedImage("grid", "grid", np.repeat(grid[..., None], 3, -1), grid, color, True)
    current = st.session_state.get(SAMPLE_KEY, names[0])
    if current not in names:
        current = names[0]
    label = t("Sample image", "示例图像")
    linked, _ = links.take(f"{key}_sample", label, links.parse_option(names))
    name = selectbox(
        label,
        names,
        index=None if linked else names.index(current),
        format_func=_sample_label,
        key=f"{key}_sample",
        disabled=source != "sample",
    )
    if source == "sample":
        st.session_state[SAMPLE_KEY] = name
        links.register(f"{key}_sample", name)
    rgb, gray = _sample(name, WORKING_SIDE)
    return PickedImage(name, "sample", rgb, gray, color, False)


def _thumbnail(image: np.ndarray, top: int, left: int, size: int) -> Image.Image:
    a = np.asarray(image, dtype=np.float64)
    lo, hi = float(a.min()), float(a.max())
    a = (a - lo) / (hi - lo) if hi > lo else np.zeros_like(a)
    rgb = (np.repeat(a[..., None], 3, -1) if a.ndim == 2 else a) * 255
    im = Image.fromarray(rgb.astype(np.uint8))
    scale = max(1, 240 // max(im.size))
    if scale > 1:
        im = im.resize((im.width * scale, im.height * scale), Image.NEAREST)
    draw = ImageDraw.Draw(im)
    draw.rectangle(
        [left * scale, top * scale, (left + size) * scale - 1, (top + size) * scale - 1],
        outline=(255, 140, 0),
        width=max(2, scale),
    )
    return im


def busiest_crop(image: np.ndarray, ch: int, cw: int) -> tuple[int, int]:
    """Top-left of the crop with the most contrast (a flat white crop teaches nothing).

    Searched on a coarse grid of positions, nearest the centre on ties; only picks the
    default slider position, the learner moves it freely.
    """
    a = np.asarray(image, dtype=np.float32)
    a = a.mean(-1) if a.ndim == 3 else a
    h, w = a.shape
    best, pos = -1.0, ((h - ch) // 2, (w - cw) // 2)
    step_r, step_c = max(1, (h - ch) // 12), max(1, (w - cw) // 12)
    for r in range(0, h - ch + 1, step_r):
        for c in range(0, w - cw + 1, step_c):
            score = float(a[r : r + ch, c : c + cw].std())
            centre = abs(r - (h - ch) / 2) + abs(c - (w - cw) / 2)
            if score > best + 1e-6 or (
                abs(score - best) <= 1e-6
                and centre < sum(abs(np.subtract(pos, ((h - ch) / 2, (w - cw) / 2))))
            ):
                best, pos = score, (r, c)
    return int(pos[0]), int(pos[1])


def crop_picker(image: np.ndarray, size: int, key: str) -> Crop:
    """Two sliders move a ``size`` x ``size`` crop (the animation runs on it).

    ``image`` is (H, W) or (H, W, C); the crop is taken on the first two axes. Images no
    larger than ``size`` are returned whole (no sliders).
    """
    h, w = image.shape[:2]
    ch, cw = min(size, h), min(size, w)
    top = left = 0
    top0, left0 = busiest_crop(image, ch, cw)
    # the size is in the keys: a slider kept from a larger crop could be out of range
    if h > ch:
        top = widgets.slider(t("Crop: row", "裁剪：行"), 0, h - ch, top0,
                             key=f"{key}_crop_r{ch}")
    if w > cw:
        left = widgets.slider(
            t("Crop: column", "裁剪：列"), 0, w - cw, left0, key=f"{key}_crop_c{cw}"
        )
    if h > ch or w > cw:
        st.image(
            _thumbnail(image, top, left, max(ch, cw)),
            caption=t("Orange box: the animated crop", "橙色框：动画所用的裁剪区域"),
            width=240,
        )
    return Crop(np.ascontiguousarray(image[top : top + ch, left : left + cw]), top, left)
