"""Download an animation for slides: the whole of it as a GIF, one step as a PNG.

Drawn by ``cnnviz.viz.export`` from the same WindowSpec the page animates (or, for the
transposed convolution's scatter view, from the same stamps), only when the button is
pressed (Streamlit runs the callable then, not on every rerun).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import streamlit as st

from cnnviz.i18n import Text
from cnnviz.lessons.window import WindowSpec
from cnnviz.ui.common import lang, t
from cnnviz.viz.export import animation_gif, frame_png, scatter_gif, scatter_png
from cnnviz.viz.transposed import scatter_animation_figure

SAVE = Text("Save for slides", "保存用于幻灯片")
GIF = Text("Animation as GIF", "动画（GIF）")
PNG = Text("Step {n} as PNG", "第 {n} 步（PNG）")
WHICH = Text("Step to save as a picture", "要保存为图片的步骤")

TITLE_ARGS = ("input_title", "kernel_title", "output_title")


def _gif(spec: WindowSpec, lang_code: str, titles: tuple[str | None, ...],
         frame_ms: int) -> bytes:
    return animation_gif(spec, lang=lang_code, titles=titles, frame_ms=frame_ms)


def _png(spec: WindowSpec, step: int, lang_code: str, titles: tuple[str | None, ...]) -> bytes:
    return frame_png(spec, step, lang=lang_code, titles=titles)


def _popover(name: str, key: str, n_steps: int, gif: Callable[[], bytes],
             png: Callable[[int], bytes]) -> None:
    """"Save for slides": the GIF of every step, and a PNG of the step the teacher picks."""
    with st.popover(t(SAVE), icon=":material/download:"):
        st.download_button(t(GIF), gif, file_name=f"{name}.gif", mime="image/gif",
                           key=f"{key}_gif", on_click="ignore", icon=":material/gif_box:")
        step = int(st.number_input(t(WHICH), 1, n_steps, 1, key=f"{key}_png_step"))
        st.download_button(t(PNG.format(n=step)), partial(png, step - 1),
                           file_name=f"{name}_step{step}.png", mime="image/png",
                           key=f"{key}_png", on_click="ignore", icon=":material/image:")


def animation_downloads(spec: WindowSpec, kwargs: dict[str, Any], key: str) -> None:
    """A "Save for slides" popover under an animation: GIF of every step, PNG of one."""
    titles = tuple(kwargs.get(name) for name in TITLE_ARGS)
    frame_ms = int(kwargs.get("frame_ms", 700))
    name = key.removesuffix("_anim") or "animation"
    _popover(name, key, spec.n_steps, partial(_gif, spec, lang(), titles, frame_ms),
             lambda step: _png(spec, step, lang(), titles))


def scatter_downloads(args: tuple, kwargs: dict[str, Any], key: str) -> None:
    """The same popover for the scatter view (``scatter_animation_figure``'s arguments):
    one frame per stamp, drawn from the same stamps."""
    options = {k: v for k, v in kwargs.items() if k in ("stride", "dilation", "lang")}
    frame_ms = int(kwargs.get("frame_ms", 900))
    n_steps = len(args[2])  # partial: one buffer per stamp
    _popover(key.replace("_anim", "") or "scatter", key, n_steps,
             partial(scatter_gif, *args, frame_ms=frame_ms, **options),
             lambda step: scatter_png(*args, step, **options))


# figures that are not a WindowSpec's animation but can still be saved for slides
FIGURE_DOWNLOADS: dict[Callable[..., Any], Callable[[tuple, dict[str, Any], str], None]] = {
    scatter_animation_figure: scatter_downloads,
}
