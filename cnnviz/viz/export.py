"""A window animation as an animated GIF, or one of its steps as a PNG, for slides.

Drawn with Pillow from the same steps the browser animates: ``step_terms`` gives what each
step highlights and fills in (as the animator's ``frame_state`` does), ``equation_lines``
the written-out sum (its total is the engine's value). No Streamlit and no plotly here, so
a teacher's script can call it too::

    gif = animation_gif(spec, lang="zh")          # bytes of an endless-loop GIF
    png = frame_png(spec, step=5, lang="zh")      # bytes of step 6 as a PNG
    gif = scatter_gif(x, kernel, sc.partial, sc.stamps, sc.anchors, sc.keep, stride=2)

(the last: a transposed convolution's scatter view, stamp by stamp, from ``scatter_steps``).

Labels are in the learner's language when a CJK font is installed (fonts-noto-cjk), else
in English; numbers are drawn large (22 px in cells of at least 56 px) to stay legible.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from cnnviz.i18n import DEFAULT_LANG, common
from cnnviz.lessons.window import WindowSpec, step_terms
from cnnviz.viz.equation import equation_lines
from cnnviz.viz.fit import digit_chars
from cnnviz.viz.style import HIGHLIGHT, NOT_YET, PAD_OUTLINE, auto_decimals, fmt
from cnnviz.viz.transposed import OUTPUT_TITLE, ScatterStamps, scatter_stamps

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
CJK_NAMES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSerifCJK-Regular.ttc",
             "wqy-microhei.ttc", "wqy-zenhei.ttc")
SANS_NAMES = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
MONO_NAMES = ("DejaVuSansMono.ttf", "LiberationMono-Regular.ttf")
FONT_PX = 22  # digits in the cells and the written-out sum
TITLE_PX = 24
MARGIN = 24
GAP = 40  # between two grids
INK = (20, 20, 20)
GRID_TOP = MARGIN + TITLE_PX + 16  # the grids' top edge


@lru_cache(maxsize=16)
def _find(names: tuple[str, ...]) -> Path | None:
    """The first installed font file among ``names`` (searched under the system font dirs)."""
    for name in names:
        for root in FONT_DIRS:
            hits = sorted(root.rglob(name)) if root.is_dir() else []
            if hits:
                return hits[0]
    return None


def cjk_font() -> Path | None:
    """An installed font with Chinese glyphs, or None (labels then stay English)."""
    return _find(CJK_NAMES)


@lru_cache(maxsize=32)
def _font(kind: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font of ``kind`` ("sans", "mono", "cjk") at ``size`` px, else Pillow's own."""
    path = {"sans": _find(SANS_NAMES), "mono": _find(MONO_NAMES), "cjk": cjk_font()}[kind]
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size)


def label_language(lang: str) -> str:
    """``lang`` when a CJK font is installed (it draws every language's labels), else the
    default language, English."""
    return lang if cjk_font() is not None else DEFAULT_LANG


def _draws(text: str) -> bool:
    """Whether ``text`` can be drawn with the fonts installed (no CJK without a CJK font)."""
    return cjk_font() is not None or all(ord(ch) < 0x2E80 for ch in text)


@dataclass(frozen=True)
class _Grid:
    """One grid of the picture: its values, their text, where it sits and how it is tinted."""

    title: str
    values: np.ndarray
    decimals: int
    left: int
    signed: bool

    def box(self, r: int, c: int, cell: int, top: int) -> tuple[int, int, int, int]:
        """Pixel box of cell (r, c)."""
        x, y = self.left + c * cell, top + r * cell
        return x, y, x + cell, y + cell


def _tint(value: float, lo: float, hi: float, signed: bool) -> tuple[int, int, int]:
    """A pale cell colour (dark digits stay readable on it): blue-white-orange for signed
    values, white to pale blue for inputs."""
    if not np.isfinite(value):
        return 235, 235, 235
    if signed:
        amax = max(abs(lo), abs(hi), 1e-9)
        t = float(np.clip(value / amax, -1.0, 1.0))
        return (255, int(255 - 90 * t), int(255 - 150 * t)) if t >= 0 else (
            int(255 + 120 * t), int(255 + 70 * t), 255)
    t = float(np.clip((value - lo) / (hi - lo if hi > lo else 1.0), 0.0, 1.0))
    return int(255 - 110 * t), int(255 - 70 * t), int(255 - 25 * t)


def _titles(spec: WindowSpec, lang: str, given: tuple[str | None, str | None, str | None]
            ) -> list[str]:
    """Input / kernel / output titles: the page's when drawable, else the common ones."""
    keys = ("padded_input" if any(spec.pad) else "input", "kernel", "output")
    return [g if g and _draws(g) else common(lang, k) for g, k in zip(given, keys)]


def _grids(spec: WindowSpec, titles: list[str], cell: int) -> list[_Grid]:
    """Input | kernel (if any) | output, placed left to right."""
    signed_out = bool(np.nanmin(spec.output) < 0) or (
        spec.kernel is not None and bool(np.min(spec.kernel) < 0))
    parts = [(titles[0], spec.padded, auto_decimals(spec.padded), False)]
    if spec.kernel is not None:
        parts.append((titles[1], spec.kernel, auto_decimals(spec.kernel, 3), True))
    parts.append((titles[2], spec.output, auto_decimals(spec.output), signed_out))
    grids, left = [], MARGIN
    for title, values, decimals, signed in parts:
        grids.append(_Grid(title, np.asarray(values, dtype=np.float64), decimals, left, signed))
        left += values.shape[1] * cell + GAP
    return grids


def _cell_text(value: float, decimals: int) -> str:
    return fmt(value, decimals) if np.isfinite(value) else "−∞"


def _draw_grid(draw: ImageDraw.ImageDraw, g: _Grid, cell: int, top: int,
               shown: np.ndarray | None, span: tuple[float, float] | None = None) -> None:
    """The cells of ``g`` with their numbers; cells not in ``shown`` are grey and blank.
    ``span``: the colour range (default: ``g``'s own values)."""
    finite = g.values[np.isfinite(g.values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    lo, hi = span or (lo, hi)
    font = _font("sans", FONT_PX)
    for (r, c), v in np.ndenumerate(g.values):
        box = g.box(r, c, cell, top)
        if shown is not None and not shown[r, c]:
            draw.rectangle(box, fill=NOT_YET, outline="white")
            continue
        draw.rectangle(box, fill=_tint(float(v), lo, hi, g.signed), outline=(200, 200, 200))
        draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), _cell_text(float(v), g.decimals),
                  fill=INK, font=font, anchor="mm")


def _outline(draw: ImageDraw.ImageDraw, g: _Grid, cells: np.ndarray, cell: int, top: int,
             colour: str, width: int) -> None:
    for r, c in np.asarray(cells).reshape(-1, 2):
        draw.rectangle(g.box(int(r), int(c), cell, top), outline=colour, width=width)


def _padding_outline(draw: ImageDraw.ImageDraw, spec: WindowSpec, g: _Grid, cell: int,
                     top: int) -> None:
    """The original (unpadded) area outlined in the padding colour, as the figure does."""
    left, right, top_pad, bottom = spec.pad
    hp, wp = spec.padded.shape
    x0, y0 = g.left + left * cell, top + top_pad * cell
    x1, y1 = g.left + (wp - right) * cell, top + (hp - bottom) * cell
    draw.rectangle((x0, y0, x1, y1), outline=PAD_OUTLINE, width=3)


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _draw_line(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str) -> None:
    """One line of a written-out sum: monospace, with Chinese runs (the engine's note, where
    a stamp lands) in the CJK font, so none is drawn as empty boxes."""
    mono = _font("mono", FONT_PX)
    cjk = _font("cjk", FONT_PX) if cjk_font() is not None else mono
    x, y = xy
    runs = [[text[0], _wide(text[0])]] if text else []
    for ch in text[1:]:
        if _wide(ch) == runs[-1][1]:
            runs[-1][0] += ch
        else:
            runs.append([ch, _wide(ch)])
    for run, wide in runs:
        font = cjk if wide else mono
        draw.text((x, y + FONT_PX), run, fill=INK, font=font, anchor="ls")  # one baseline
        x += int(font.getlength(run))


def _line_px(text: str) -> int:
    """Width of ``_draw_line``'s line in px."""
    mono = _font("mono", FONT_PX)
    cjk = _font("cjk", FONT_PX) if cjk_font() is not None else mono
    return int(sum((cjk if _wide(ch) else mono).getlength(ch) for ch in text))


def cell_size(spec: WindowSpec) -> int:
    """Pixels a cell needs so its longest number fits at ``FONT_PX`` with room to spare."""
    return max(56, int(digit_chars(spec) * 0.62 * FONT_PX) + 14)


def cell_box(spec: WindowSpec, grid: str, r: int, c: int) -> tuple[int, int, int, int]:
    """Pixel box of cell (r, c) of ``grid`` ("input", "kernel" or "output") in a frame."""
    cell = cell_size(spec)
    grids = _grids(spec, ["", "", ""], cell)
    index = {"input": 0, "kernel": 1, "output": len(grids) - 1}[grid]
    return grids[index].box(r, c, cell, GRID_TOP)


def frame_image(spec: WindowSpec, step: int, *, lang: str = "en",
                titles: tuple[str | None, str | None, str | None] = (None, None, None)
                ) -> Image.Image:
    """Step ``step`` (0-based) as a picture: the grids, the window, the output so far and
    the written-out sum under them."""
    lang = label_language(lang)
    cell = cell_size(spec)
    grids = _grids(spec, _titles(spec, lang, titles), cell)
    terms = step_terms(spec, step)
    lines = equation_lines(spec, step, lang)
    title_font = _font("cjk" if cjk_font() is not None else "sans", TITLE_PX)
    rows = max(g.values.shape[0] for g in grids)
    eq_top = GRID_TOP + rows * cell + 24
    text_w = max(_line_px(line) for line in lines)
    width = max(grids[-1].left + grids[-1].values.shape[1] * cell, MARGIN + text_w) + MARGIN
    height = eq_top + len(lines) * int(FONT_PX * 1.4) + MARGIN
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    done = terms.out_cell[0] * spec.output.shape[1] + terms.out_cell[1]  # raster order
    filled = (np.arange(spec.n_steps) <= done).reshape(spec.output.shape)
    for i, g in enumerate(grids):
        draw.text((g.left, MARGIN), g.title, fill=INK, font=title_font)
        _draw_grid(draw, g, cell, GRID_TOP, filled if i == len(grids) - 1 else None)
    if any(spec.pad):
        _padding_outline(draw, spec, grids[0], cell, GRID_TOP)
    _outline(draw, grids[0], terms.cells, cell, GRID_TOP, HIGHLIGHT, 4)
    _outline(draw, grids[-1], np.array([terms.out_cell]), cell, GRID_TOP, HIGHLIGHT, 4)
    for n, line in enumerate(lines):
        _draw_line(draw, (MARGIN, eq_top + n * int(FONT_PX * 1.4)), line)
    return img


def frame_png(spec: WindowSpec, step: int, **kwargs: object) -> bytes:
    """``frame_image`` as PNG bytes."""
    buf = io.BytesIO()
    frame_image(spec, step, **kwargs).save(buf, format="PNG", optimize=True)  # type: ignore[arg-type]
    return buf.getvalue()


def _gif(images: list[Image.Image], frame_ms: int) -> bytes:
    """Frames as one looping GIF (``frame_ms`` each, the last held twice as long).

    One palette for all frames, taken from the first and last (between them they hold every
    colour: the grey not-yet cells and the whole output), so no frame is quantised alone.
    """
    first, last = images[0], images[-1]
    both = Image.new("RGB", (first.width + last.width, max(first.height, last.height)), "white")
    both.paste(first, (0, 0))
    both.paste(last, (first.width, 0))
    palette = both.quantize(colors=96, method=Image.Quantize.FASTOCTREE)
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    durations = [frame_ms] * (len(frames) - 1) + [frame_ms * 2]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0)
    return buf.getvalue()


def animation_gif(spec: WindowSpec, *, frame_ms: int = 700, **kwargs: object) -> bytes:
    """Every step as one looping GIF (``_gif``)."""
    return _gif([frame_image(spec, s, **kwargs) for s in range(spec.n_steps)],  # type: ignore[arg-type]
                frame_ms)


# ------------------------------------------------------------------ the scatter view


def _scatter_grids(sc: ScatterStamps, lang: str, cell: int) -> list[_Grid]:
    """Input | kernel | output buffer (its final values: the frames only hide cells)."""
    titles = [common(lang, "input"), common(lang, "kernel"), OUTPUT_TITLE.get(lang)]
    parts = [(sc.x, sc.decimals[0], False), (sc.kernel, sc.decimals[1], True),
             (sc.partial[-1], sc.decimals[2], bool(sc.partial.min() < 0))]
    grids, left = [], MARGIN
    for title, (values, decimals, signed) in zip(titles, parts):
        grids.append(_Grid(title, np.asarray(values, dtype=np.float64), decimals, left, signed))
        left += values.shape[1] * cell + GAP
    return grids


def scatter_cell_size(sc: ScatterStamps) -> int:
    """Pixels a cell of the scatter's pictures needs (``cell_size``'s rule)."""
    chars = max(len(fmt(float(v), d)) for a, d in zip((sc.x, sc.kernel, sc.partial),
                                                        sc.decimals) for v in a.reshape(-1))
    return max(56, int(chars * 0.62 * FONT_PX) + 14)


def scatter_cell_box(sc: ScatterStamps, r: int, c: int) -> tuple[int, int, int, int]:
    """Pixel box of buffer cell (r, c) in a scatter frame."""
    cell = scatter_cell_size(sc)
    return _scatter_grids(sc, "en", cell)[2].box(r, c, cell, GRID_TOP)


def scatter_frame_image(sc: ScatterStamps, t: int, keep: tuple[int, int, int, int], *,
                        stride: int = 1, lang: str = "en") -> Image.Image:
    """Stamp ``t`` of the scatter view as a picture, as the figure shows it: input pixel t,
    the kernel, the buffer after stamps 0..t (unreached cells grey, the kept output
    outlined in the padding colour) and the stamp written out row by row."""
    lang = label_language(lang)
    cell = scatter_cell_size(sc)
    grids = _scatter_grids(sc, lang, cell)
    lines = sc.lines(t, stride, lang)
    rows = max(g.values.shape[0] for g in grids)
    eq_top = GRID_TOP + rows * cell + 24
    width = max(grids[-1].left + grids[-1].values.shape[1] * cell,
                MARGIN + max(_line_px(line) for line in lines)) + MARGIN
    img = Image.new("RGB", (width, eq_top + len(lines) * int(FONT_PX * 1.4) + MARGIN), "white")
    draw = ImageDraw.Draw(img)
    title_font = _font("cjk" if cjk_font() is not None else "sans", TITLE_PX)
    final = sc.partial[-1]
    for i, g in enumerate(grids):
        draw.text((g.left, MARGIN), g.title, fill=INK, font=title_font)
        if i < 2:
            _draw_grid(draw, g, cell, GRID_TOP, None)
    buffer = replace(grids[2], values=sc.partial[t])
    _draw_grid(draw, buffer, cell, GRID_TOP, sc.reached(t),
               span=(float(final.min()), float(final.max())))
    top, left, ho, wo = keep
    x0, y0 = buffer.left + left * cell, GRID_TOP + top * cell
    draw.rectangle((x0, y0, x0 + wo * cell, y0 + ho * cell), outline=PAD_OUTLINE, width=3)
    _outline(draw, grids[0], np.array([divmod(t, sc.x.shape[1])]), cell, GRID_TOP,
             HIGHLIGHT, 4)
    _outline(draw, buffer, sc.cells(t), cell, GRID_TOP, HIGHLIGHT, 4)
    for n, line in enumerate(lines):
        _draw_line(draw, (MARGIN, eq_top + n * int(FONT_PX * 1.4)), line)
    return img


def scatter_gif(x: np.ndarray, kernel: np.ndarray, partial: np.ndarray, stamps: np.ndarray,
                anchors: np.ndarray, keep: tuple[int, int, int, int], *, stride: int = 1,
                dilation: int = 1, lang: str = "en", frame_ms: int = 900,
                **_figure_only: object) -> bytes:
    """The scatter view (``scatter_animation_figure``'s arguments) as a GIF: one frame per
    stamp, from the same arrays."""
    sc = scatter_stamps(x, kernel, partial, stamps, anchors, dilation)
    return _gif([scatter_frame_image(sc, t, keep, stride=stride, lang=lang)
                 for t in range(sc.partial.shape[0])], frame_ms)


def scatter_png(x: np.ndarray, kernel: np.ndarray, partial: np.ndarray, stamps: np.ndarray,
                anchors: np.ndarray, keep: tuple[int, int, int, int], step: int, *,
                stride: int = 1, dilation: int = 1, lang: str = "en",
                **_figure_only: object) -> bytes:
    """Stamp ``step`` (0-based) of the scatter view as PNG bytes."""
    sc = scatter_stamps(x, kernel, partial, stamps, anchors, dilation)
    buf = io.BytesIO()
    scatter_frame_image(sc, step, keep, stride=stride, lang=lang).save(buf, format="PNG")
    return buf.getvalue()
