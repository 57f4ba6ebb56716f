"""Streamlit's own English, replaced by CSS when the learner reads 简体中文.

Streamlit (1.67) has no locale setting: its file uploader ("Upload", "20MB per file • PNG,
JPG…", "Drag and drop a file here", "File must be 20.0MB or smaller.", "… files are not
allowed."), its number input ("Number is outside the allowed range…") and its camera ("Take
Photo", "Clear photo", "This app would like to use your camera.") speak English on a Chinese
page. Each string here is hidden (its element's font size set to 0) and Chinese is drawn in
its place with ``::after``, keyed on the ``data-testid`` selectors Streamlit renders; every
selector was checked in the real DOM with Chromium (``tests/browser/test_streamlit_strings.py``
fails when an update renames one). Tooltips live in a layer of their own, so they are keyed
on what the pointer is over (``body:has(…:hover)``). Sizes are in rem, so classroom mode's
larger type applies.

What CSS cannot reach stays as it is: screen-reader-only text and ``aria-label``s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import streamlit as st

from cnnviz.i18n import Text

__all__ = ["Replacement", "css", "inject", "replacements", "upload_types_text"]

_UPLOADER = '[data-testid="stFileUploader"]'
_DROPZONE = '[data-testid="stFileUploaderDropzone"]'
_CAMERA = '[data-testid="stCameraInputButton"]'
_ERROR_TIP = '[data-testid="stTooltipErrorContent"]'
_TIP = '[data-testid="stTooltipContent"] p'
_WEBCAM = '[data-testid="stCameraInputWebcamComponent"] > div > p'
# Streamlit lists accepted types once: .jpeg is shown as JPG, .tiff as TIF
_SAME_TYPE = {"jpeg": "jpg", "tiff": "tif"}


@dataclass(frozen=True)
class Replacement:
    """Where Streamlit shows ``text.en``, show ``text`` in the learner's language instead."""

    selector: str
    text: Text
    size: str = "0.875rem"  # the original's size (measured in Chromium), in rem
    where: str = "after"  # "before" when the element goes on with a child (a link)
    hide_children: bool = False  # also hide child elements (a bold "Error" inside the text)

    def rule(self, lang: str) -> str:
        """CSS that hides the original and draws the text ("" when nothing changes)."""
        shown = self.text.get(lang)
        if shown == self.text.en:
            return ""
        # white-space: a Chinese line longer than the English must wrap, not be cut off
        hide = (f"{self.selector} {{ font-size: 0 !important; white-space: normal !important; "
                "text-overflow: clip !important; }\n")
        if self.hide_children:
            hide += f"{self.selector} > * {{ display: none !important; }}\n"
        return (hide + f"{self.selector}::{self.where} {{ content: {_string(shown)}; "
                f"font-size: {self.size}; line-height: 1.6; }}\n")


def _string(s: str) -> str:
    """``s`` as a CSS string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ") + '"'


def upload_types_text(types: Iterable[str]) -> Text:
    """The accepted types as Streamlit lists them ("PNG, JPG, GIF")."""
    shown: list[str] = []
    for ext in types:
        name = _SAME_TYPE.get(ext.lower().lstrip("."), ext.lower().lstrip(".")).upper()
        if name not in shown:
            shown.append(name)
    return Text(", ".join(shown), "、".join(shown))


def _uploader(limit_mb: int, uploads: Sequence[Sequence[str]]) -> list[Replacement]:
    """The uploader's button, limits line, drag hint and refusals."""
    limits = Text("{mb}MB per file", "每个文件不超过 {mb}MB").format(mb=limit_mb)
    instructions = '[data-testid="stFileUploaderDropzoneInstructions"] span'
    out = [
        Replacement(f'{_DROPZONE} [data-testid="stBaseButton-secondary"] p',
                    Text("Upload", "上传")),
        Replacement(f"{_DROPZONE} > div:not([data-testid]) > span:only-child",
                    Text("Drag and drop a file here", "把文件拖放到这里"), "1rem"),
        Replacement(instructions, limits),
    ]
    for types in uploads:  # one limits line per uploader, told apart by what it accepts
        first = types[0].lower().lstrip(".")
        out.append(Replacement(f'{_DROPZONE}:has(input[accept*=".{first}"]) {instructions}',
                               limits + Text(" • ", " • ") + upload_types_text(types)))
    out.append(Replacement(
        f'body:has({_UPLOADER} [data-testid="stTooltipErrorHoverTarget"]:hover) {_ERROR_TIP}',
        Text(f"File must be {limit_mb:.1f}MB or smaller. / … files are not allowed.",
             f"无法使用这个文件：只接受所列的文件类型，且每个文件不超过 {limit_mb}MB。"
             "请换一个文件。")))
    return out


def _camera() -> list[Replacement]:
    """The camera's buttons and its request for permission."""
    return [
        Replacement(f"{_CAMERA}:not(:has(*))", Text("Take Photo", "拍照"), "1rem"),
        Replacement(f"{_CAMERA}:has(> div)", Text("Uploading...", "正在上传…"), "1rem"),
        Replacement(f"{_CAMERA} > span", Text("Clear photo", "清除照片"), "1rem"),
        Replacement(_WEBCAM, Text("This app would like to use your camera.",
                                  "本应用需要使用你的摄像头。"), "1rem", "before"),
        Replacement(f"{_WEBCAM} > a", Text("Learn how to allow access.", "如何允许访问"),
                    "1rem"),
        Replacement(f'body:has([data-testid="stCameraInputSwitchButton"]:hover) {_TIP}',
                    Text("Switch camera", "切换摄像头")),
    ]


# the grid editor's toolbar tooltips (the number grid of every lesson page)
_TOOLBAR_TIPS = [Text("Show/hide columns", "显示/隐藏列"), Text("Download as CSV", "下载为 CSV"),
                 Text("Search", "搜索"), Text("Fullscreen", "全屏")]


def _tooltips() -> list[Replacement]:
    """The number input's range error and the grid editor's toolbar tooltips."""
    number = Replacement(
        f'body:has([data-testid="stNumberInput"] [data-testid="stTooltipErrorHoverTarget"]'
        f":hover) {_ERROR_TIP} p",
        Text("Error: Number is outside the allowed range. Please enter a value between …",
             "错误：数值超出允许的范围，请输入范围内的数值（可用 − / + 按钮调整）。"),
        hide_children=True)
    return [number, *(Replacement(f'body:has([data-testid="stBaseButton-elementToolbar"]'
                                  f'[aria-label="{tip.en}"]:hover) {_TIP}', tip)
                      for tip in _TOOLBAR_TIPS)]


def replacements(limit_mb: int = 20,
                 uploads: Sequence[Sequence[str]] = ()) -> list[Replacement]:
    """Every string replaced: ``uploads`` lists each uploader's accepted types (the first
    tells them apart in the page), ``limit_mb`` is ``server.maxUploadSize``."""
    return [*_uploader(limit_mb, uploads), *_camera(), *_tooltips()]


def css(lang: str, limit_mb: int = 20, uploads: Sequence[Sequence[str]] = ()) -> str:
    """The style sheet that puts ``lang`` in place of Streamlit's English ("" in English)."""
    return "".join(r.rule(lang) for r in replacements(limit_mb, uploads))


def inject(lang: str) -> None:
    """Add the style sheet to the page (no layout element: ``st.html`` of styles only)."""
    from cnnviz.ui.image_picker import UPLOAD_TYPES

    sheet = css(lang, int(st.get_option("server.maxUploadSize")), [UPLOAD_TYPES, ["npz"]])
    if sheet:
        st.html(f"<style>\n{sheet}</style>")
