"""Download an animation for slides: the whole of it as a GIF, one step as a PNG.

Drawn by ``cnnviz.viz.export`` from the same WindowSpec the page animates, only when the
button is pressed (Streamlit runs the callable then, not on every rerun).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from cnnviz.i18n import Text
from cnnviz.lessons.window import WindowSpec
from cnnviz.ui.common import lang, t
from cnnviz.viz.export import animation_gif, frame_png

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


def animation_downloads(spec: WindowSpec, kwargs: dict[str, Any], key: str) -> None:
    """A "Save for slides" popover under an animation: GIF of every step, PNG of one."""
    titles = tuple(kwargs.get(name) for name in TITLE_ARGS)
    frame_ms = int(kwargs.get("frame_ms", 700))
    name = key.removesuffix("_anim") or "animation"
    with st.popover(t(SAVE), icon=":material/download:"):
        st.download_button(t(GIF), partial(_gif, spec, lang(), titles, frame_ms),
                           file_name=f"{name}.gif", mime="image/gif", key=f"{key}_gif",
                           on_click="ignore", icon=":material/gif_box:")
        step = int(st.number_input(t(WHICH), 1, spec.n_steps, 1, key=f"{key}_png_step"))
        st.download_button(t(PNG.format(n=step)), partial(_png, spec, step - 1, lang(), titles),
                           file_name=f"{name}_step{step}.png", mime="image/png",
                           key=f"{key}_png", on_click="ignore", icon=":material/image:")
