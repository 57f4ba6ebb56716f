"""Download a linked-grids animation for slides: the whole of it as a GIF, one step as a PNG
(``cnnviz.viz.linked_export``, drawn only when a button is pressed)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import streamlit as st

from cnnviz.ui.common import t
from cnnviz.ui.downloads import GIF, PNG, SAVE, WHICH
from cnnviz.viz.linked_animation import LinkedGrid, LinkedStep
from cnnviz.viz.linked_export import linked_gif, linked_png


def linked_downloads(grids: Sequence[LinkedGrid], steps: Sequence[LinkedStep], key: str,
                     frame_ms: int = 900) -> None:
    """A "Save for slides" popover under a linked animation: GIF of every step, PNG of one."""
    name = key.removesuffix("_anim") or "animation"
    with st.popover(t(SAVE), icon=":material/download:"):
        st.download_button(t(GIF), partial(linked_gif, grids, steps, frame_ms=frame_ms),
                           file_name=f"{name}.gif", mime="image/gif", key=f"{key}_gif",
                           on_click="ignore", icon=":material/gif_box:")
        step = int(st.number_input(t(WHICH), 1, len(steps), 1, key=f"{key}_png_step"))
        st.download_button(t(PNG.format(n=step)), partial(linked_png, grids, steps, step - 1),
                           file_name=f"{name}_step{step}.png", mime="image/png",
                           key=f"{key}_png", on_click="ignore", icon=":material/image:")
