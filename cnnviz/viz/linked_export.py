"""A linked-grids animation (``linked_animation``) as a GIF, or one step as a PNG, for slides.

Drawn with Pillow from the same grids and steps the browser animates, in the style of
``export`` (pale cells, dark 22-px digits, orange outlines, magenta accents, the step's lines
underneath). No Streamlit and no plotly here.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw

from cnnviz.viz.export import FONT_PX, GAP, GRID_TOP, INK, MARGIN, TITLE_PX, _font, _tint, cjk_font
from cnnviz.viz.linked_animation import ACCENT, LinkedGrid, LinkedStep
from cnnviz.viz.style import HIGHLIGHT, auto_decimals, fmt

IMAGE_PX = 320  # an image grid (no numbers) is drawn this wide


def _drawable(text: str) -> str:
    """``text`` itself, or "" when it needs a CJK font that is not installed."""
    return text if cjk_font() is not None or all(ord(ch) < 0x2E80 for ch in text) else ""


def _cells(grids: Sequence[LinkedGrid]) -> list[int]:
    """Each grid's cell size: room for its longest number, or a fixed width for an image."""
    out = []
    for g in grids:
        v = np.asarray(g.values, dtype=np.float64)
        if not g.numbers:
            out.append(max(3, IMAGE_PX // v.shape[1]))
            continue
        d = auto_decimals(v)
        chars = max((len(fmt(float(x), d)) for x in v[np.isfinite(v)]), default=1)
        out.append(max(48, int(chars * 0.62 * FONT_PX) + 14))
    return out


def _box(left: int, cell: int, r: int, c: int) -> tuple[int, int, int, int]:
    return left + c * cell, GRID_TOP + r * cell, left + (c + 1) * cell, GRID_TOP + (r + 1) * cell


def _draw_grid(draw: ImageDraw.ImageDraw, g: LinkedGrid, z: np.ndarray, left: int,
               cell: int) -> None:
    v = np.asarray(g.values, dtype=np.float64)
    lo = float(np.nanmin(v)) if g.vmin is None else g.vmin
    hi = float(np.nanmax(v)) if g.vmax is None else g.vmax
    if g.signed:
        lo, hi = -max(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    d = auto_decimals(v)
    font = _font("sans", FONT_PX)
    for (r, c), x in np.ndenumerate(np.asarray(z, dtype=np.float64)):
        box = _box(left, cell, r, c)
        draw.rectangle(box, fill=_tint(float(x), lo, hi, g.signed),
                       outline=(200, 200, 200) if g.numbers else None)
        if g.numbers and np.isfinite(x):
            draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), fmt(float(x), d),
                      fill=INK, font=font, anchor="mm")


def _outline(draw: ImageDraw.ImageDraw, cells: np.ndarray, left: int, cell: int,
             colour: str, width: int, inset: int = 0) -> None:
    cells = np.asarray(cells).reshape(-1, 2)
    (r0, c0), (r1, c1) = cells.min(0), cells.max(0)
    if len(cells) == (r1 - r0 + 1) * (c1 - c0 + 1):  # a block: one rectangle
        x0, y0, _, _ = _box(left, cell, r0, c0)
        _, _, x1, y1 = _box(left, cell, r1, c1)
        draw.rectangle((x0 + inset, y0 + inset, x1 - inset, y1 - inset), outline=colour,
                       width=width)
        return
    for r, c in cells:
        x0, y0, x1, y1 = _box(left, cell, int(r), int(c))
        draw.rectangle((x0 + inset, y0 + inset, x1 - inset, y1 - inset), outline=colour,
                       width=width)


def linked_frame_image(grids: Sequence[LinkedGrid], steps: Sequence[LinkedStep],
                       step: int) -> Image.Image:
    """Step ``step`` (0-based) as a picture: the grids, their outlines, the lines under them."""
    s = steps[step]
    cells = _cells(grids)
    lefts, left = [], MARGIN
    for g, cell in zip(grids, cells):
        lefts.append(left)
        left += np.asarray(g.values).shape[1] * cell + GAP
    text_font = _font("cjk" if cjk_font() is not None else "mono", FONT_PX)
    lines = [_drawable(line) for line in s.lines]
    bottom = max(GRID_TOP + np.asarray(g.values).shape[0] * c for g, c in zip(grids, cells))
    text_w = max((int(text_font.getlength(line)) for line in lines), default=0)
    width = max(left - GAP, MARGIN + text_w) + MARGIN
    height = bottom + 24 + len(lines) * int(FONT_PX * 1.4) + MARGIN
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    title_font = _font("cjk" if cjk_font() is not None else "sans", TITLE_PX)
    for i, (g, x0, cell) in enumerate(zip(grids, lefts, cells)):
        draw.text((x0, MARGIN), _drawable(g.title), fill=INK, font=title_font)
        _draw_grid(draw, g, s.values.get(i, g.values), x0, cell)
        if i in s.marks and len(s.marks[i]):
            _outline(draw, s.marks[i], x0, cell, HIGHLIGHT, 4)
        if i in s.accents and len(s.accents[i]):
            _outline(draw, s.accents[i], x0, cell, ACCENT, 4, inset=max(cell // 8, 2))
    for n, line in enumerate(lines):
        draw.text((MARGIN, bottom + 24 + n * int(FONT_PX * 1.4)), line, fill=INK, font=text_font)
    return img


def linked_png(grids: Sequence[LinkedGrid], steps: Sequence[LinkedStep], step: int) -> bytes:
    """``linked_frame_image`` as PNG bytes."""
    buf = io.BytesIO()
    linked_frame_image(grids, steps, step).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def linked_gif(grids: Sequence[LinkedGrid], steps: Sequence[LinkedStep], *,
               frame_ms: int = 900) -> bytes:
    """Every step as one looping GIF (one palette for all frames, the last held longer)."""
    images = [linked_frame_image(grids, steps, k) for k in range(len(steps))]
    w, h = max(im.width for im in images), max(im.height for im in images)
    sheet = Image.new("RGB", (w * 2, h), "white")
    sheet.paste(images[0], (0, 0))
    sheet.paste(images[-1], (w, 0))
    palette = sheet.quantize(colors=96, method=Image.Quantize.FASTOCTREE)
    frames = []
    for im in images:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(im, (0, 0))
        frames.append(canvas.quantize(palette=palette, dither=Image.Dither.NONE))
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   duration=[frame_ms] * (len(frames) - 1) + [frame_ms * 2], loop=0)
    return buf.getvalue()
