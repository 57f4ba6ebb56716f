"""A digit for the network to read: drawn on a canvas, a photo, or an MNIST test digit.

Drawn and photographed digits go through ``preprocess_digit`` (MNIST's own preparation:
ink bright on black, box scaled to 20 px, centred by mass in 28×28), because a network
trained on MNIST only reads digits prepared that way. The canvas component is imported
inside :func:`_draw` only: ``streamlit_drawable_canvas`` registers itself on import and
fails outside a running Streamlit server (tests, the CLI).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz.data.digits import BlankDigitError, preprocess_digit
from cnnviz.data.images import ImageLoadError, load_image
from cnnviz.ui.common import lang, t
from cnnviz.ui.image_picker import UPLOAD_TYPES

SOURCES = ("draw", "upload", "mnist")
CANVAS_PX = 280


@dataclass(frozen=True)
class Digit:
    """A 28×28 float32 input in [0, 1] (white ink on black) and where it came from."""

    image: np.ndarray
    source: str
    label: int | None = None  # known for MNIST digits only
    raw: np.ndarray | None = None  # the drawing / photo before preprocessing (gray)


def _message(err: BlankDigitError | ImageLoadError) -> str:
    return err.message(lang())


def canvas_to_gray(rgba: np.ndarray) -> np.ndarray:
    """Canvas RGBA (white ink on a black or transparent background) → gray in [0, 1]."""
    a = np.asarray(rgba, dtype=np.float32) / 255.0
    if a.ndim == 2:
        return a
    ink = a[..., :3].max(axis=-1)
    if a.shape[-1] == 4:
        ink = ink * a[..., 3]
    return ink


# The canvas's own toolbar (undo, redo, edit, reset, send) speaks English in tooltips a style
# sheet cannot reach (the component draws in a shadow root, titles are native tooltips), so
# it is hidden there and the page offers Undo and Clear as Streamlit buttons in the learner's
# language. The script adds one style to each isolated component's shadow root.
_HIDE_TOOLBAR_JS = """<script>
(() => {
  const css = ".dc-toolbar { display: none !important; }";
  const hide = () => document.querySelectorAll('[data-testid="stBidiComponentIsolated"]')
    .forEach((host) => {
      const root = host.shadowRoot;
      if (!root || root.querySelector("style[data-cnnviz-toolbar]")) return;
      const style = document.createElement("style");
      style.setAttribute("data-cnnviz-toolbar", "");
      style.textContent = css;
      root.appendChild(style);
    });
  hide();
  if (!window.__cnnvizToolbarObserver) {
    window.__cnnvizToolbarObserver = new MutationObserver(hide);
    window.__cnnvizToolbarObserver.observe(document.body, {childList: true, subtree: true});
  }
})();
</script>"""


def _set_drawing(state_key: str, objects: list) -> None:
    """Load ``objects`` into the canvas (the revision makes even an equal drawing reload)."""
    state = st.session_state[state_key]
    state["rev"] += 1
    state["drawing"] = {"objects": objects, "cnnviz_rev": state["rev"]}


def _draw(key: str) -> Digit | None:
    from streamlit_drawable_canvas import st_canvas  # registers itself: only inside Streamlit

    st.caption(t("Draw one digit, large, in the middle.", "在中间写一个大大的数字。"))
    state_key = f"{key}_canvas_state"
    state = st.session_state.setdefault(state_key, {"rev": 0, "drawing": None})
    result = st_canvas(stroke_width=22, stroke_color="#ffffff", background_color="#000000",
                       height=CANVAS_PX, width=CANVAS_PX, drawing_mode="freedraw",
                       initial_drawing=state["drawing"], return_image_data=True,
                       key=f"{key}_canvas")
    objects = list(((result.json_data if result is not None else None) or {}).get("objects", []))
    undo, clear = st.columns(2)
    undo.button(t("Undo", "撤销"), icon=":material/undo:", key=f"{key}_canvas_undo",
                disabled=not objects, on_click=_set_drawing, args=(state_key, objects[:-1]),
                width="stretch")
    clear.button(t("Clear", "清除"), icon=":material/delete:", key=f"{key}_canvas_clear",
                 disabled=not objects, on_click=_set_drawing, args=(state_key, []),
                 width="stretch")
    st.html(_HIDE_TOOLBAR_JS, unsafe_allow_javascript=True)
    data = getattr(result, "image_data", None) if result is not None and objects else None
    if data is None:
        return None
    gray = canvas_to_gray(data)
    if float(gray.max()) <= 0.02:
        return None
    try:
        return Digit(preprocess_digit(gray), "draw", raw=gray)
    except BlankDigitError:
        return None


def _upload(key: str) -> Digit | None:
    f = st.file_uploader(t("A photo or picture of one digit", "一个数字的照片或图片"),
                         type=UPLOAD_TYPES, key=f"{key}_digit_upload")
    if f is None:
        return None
    try:
        img = load_image(f.getvalue(), max_side=512)
        return Digit(preprocess_digit(img.gray), "upload", raw=img.gray)
    except (ImageLoadError, BlankDigitError) as err:
        st.error(_message(err))
        return None


def _mnist(key: str, test_images: Callable[[], tuple[np.ndarray, np.ndarray]]) -> Digit | None:
    x, y = test_images()
    i = int(st.number_input(t("Test digit number", "测试数字编号"), 0, len(y) - 1, 0,
                            key=f"{key}_mnist_index"))
    return Digit(np.asarray(x[i]).reshape(28, 28), "mnist", int(y[i]))


def digit_input(key: str, test_images: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None,
                sources: Sequence[str] = SOURCES, default: str = "draw") -> Digit | None:
    """Choose draw / upload / MNIST, return the preprocessed 28×28 digit or None if none yet.

    ``test_images()`` returns MNIST test (images, labels); without it "mnist" is not offered.
    """
    options = [s for s in sources if s != "mnist" or test_images is not None]
    labels = {"draw": t("Draw", "手写"), "upload": t("Upload a photo", "上传照片"),
              "mnist": t("MNIST test digit", "MNIST 测试数字")}
    source = st.radio(t("Digit", "数字"), options, index=options.index(default)
                      if default in options else 0, format_func=labels.__getitem__,
                      horizontal=True, key=f"{key}_digit_source")
    if source == "draw":
        return _draw(key)
    if source == "upload":
        return _upload(key)
    assert test_images is not None
    return _mnist(key, test_images)
