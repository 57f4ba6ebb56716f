"""In 简体中文 no English from Streamlit or the canvas is visible (issue 13, defect 10), and
the training page guards a model a reload would lose (defect 6), in real Chromium.

Streamlit has no locale setting; ``cnnviz.ui.streamlit_strings`` replaces its English by CSS.
Each case opens a page as a Chinese browser would, brings the widget into the state that
shows the string (an upload refused, a pointer over an error, a drag over the drop zone, a
camera without permission) and checks that no visible text node holds Streamlit's English
while the Chinese is drawn. Skips without Chromium.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import (
    assert_no_exception,
    open_page,
    pause_training,
    start_training,
    wait_for_app,
)

pytestmark = pytest.mark.browser

ENGLISH = ["Upload", "Browse files", "Drag and drop", "per file", "files are not allowed",
           "or smaller", "allowed range", "Take Photo", "Clear photo", "Uploading...",
           "would like to use your camera", "Learn how to allow access", "Undo", "Redo",
           "Reset canvas", "Update the app with this drawing"]

# English text nodes a learner can see: rendered, not shrunk to nothing by our CSS, not an
# icon ligature, not the screen-reader-only copy of an error (a 1 px clipped box)
VISIBLE_ENGLISH_JS = """(words) => {
  const found = [];
  const visit = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode, el = node.parentElement;
      const text = node.textContent.trim();
      if (!text || !el || el.closest('[data-testid="stIconMaterial"], script, style')) continue;
      if (!words.some((w) => text.includes(w))) continue;
      const style = getComputedStyle(el), box = el.getBoundingClientRect();
      if (style.display === "none" || style.visibility === "hidden" || style.opacity === "0"
          || parseFloat(style.fontSize) === 0 || box.width <= 1 || box.height <= 1
          || el.closest("[hidden]")) continue;
      found.push(text);
    }
    root.querySelectorAll("*").forEach((e) => { if (e.shadowRoot) visit(e.shadowRoot); });
  };
  visit(document.body);
  return found;
}"""
# what ::before / ::after draw inside the page (the Chinese put in place of the English)
DRAWN_JS = """() => Array.from(document.querySelectorAll('*')).flatMap((e) =>
  ['::before', '::after'].map((p) => getComputedStyle(e, p).content))
  .filter((c) => c && c !== 'none' && c !== 'normal')"""


def _english(pg) -> list[str]:  # noqa: ANN001
    return pg.evaluate(VISIBLE_ENGLISH_JS, ENGLISH)


def _drawn(pg) -> str:  # noqa: ANN001
    return " ".join(pg.evaluate(DRAWN_JS))


def _choose(pg, label: str) -> None:  # noqa: ANN001
    pg.get_by_text(label, exact=True).first.click()
    wait_for_app(pg)


def _uploader_idle(pg) -> str:  # noqa: ANN001
    _choose(pg, "上传")
    return "上传"


def _refused(pg, name: str, mime: str, data: bytes) -> None:  # noqa: ANN001
    """Upload a file the uploader refuses and point at its chip (the reason's tooltip)."""
    _choose(pg, "上传")
    files = pg.locator('[data-testid="stFileUploader"] input[type=file]').first
    with tempfile.TemporaryDirectory() as folder:  # a path: Chromium reads it itself,
        path = Path(folder) / name                 # not 21 MB through Playwright's pipe
        path.write_bytes(data)
        files.set_input_files(str(path))
    pg.locator('[data-testid="stFileChip"]').first.wait_for()
    pg.locator('[data-testid="stFileChip"]').first.hover()
    pg.locator('[data-testid="stTooltipErrorContent"]').first.wait_for()


def _uploader_refused(pg) -> str:  # noqa: ANN001
    _refused(pg, "notes.txt", "text/plain", b"hi")
    return "无法使用这个文件"


def _uploader_too_large(pg) -> str:  # noqa: ANN001
    _refused(pg, "big.png", "image/png", b"\x89PNG" + b"0" * (21 * 2**20))
    return "不超过 20MB"


def _uploader_drag(pg) -> str:  # noqa: ANN001
    _choose(pg, "上传")
    pg.evaluate("""() => {
      const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
      const data = new DataTransfer();
      data.items.add(new File(['x'], 'a.png', {type: 'image/png'}));
      for (const kind of ['dragenter', 'dragover'])
        zone.dispatchEvent(new DragEvent(kind, {dataTransfer: data, bubbles: true}));
    }""")
    pg.get_by_text("Drag and drop a file here").first.wait_for(state="attached")
    return "把文件拖放到这里"


def _camera(pg) -> str:  # noqa: ANN001
    _choose(pg, "拍照")
    pg.locator('[data-testid="stCameraInputButton"]').first.wait_for()
    pg.wait_for_timeout(1500)  # the browser answers the camera request (no camera here)
    return "拍照"


def _number_range(pg) -> str:  # noqa: ANN001
    _choose(pg, "数字网格")
    field = pg.locator('[data-testid="stNumberInput"] input').first
    field.fill("99")
    field.press("Tab")
    target = pg.locator('[data-testid="stNumberInput"] [data-testid="stTooltipErrorHoverTarget"]')
    target.first.hover()
    pg.locator('[data-testid="stTooltipErrorContent"]').first.wait_for()
    return "超出允许的范围"


CASES: dict[str, Callable] = {
    "uploader": _uploader_idle, "refused_type": _uploader_refused,
    "too_large": _uploader_too_large, "drag": _uploader_drag, "camera": _camera,
    "number_range": _number_range,
}


@pytest.fixture
def zh_page(browser, streamlit_url):  # noqa: ANN001
    """A page of a browser that asks for Chinese (so the app opens in 简体中文)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    pg.base_url = streamlit_url
    yield pg
    context.close()


@pytest.mark.parametrize("case", list(CASES))
def test_no_streamlit_english_on_the_image_picker(zh_page, case: str) -> None:  # noqa: ANN001
    open_page(zh_page, "convolution")
    chinese = CASES[case](zh_page)
    assert_no_exception(zh_page)
    assert not _english(zh_page), _english(zh_page)
    assert chinese in _drawn(zh_page)


def test_training_page_in_chinese_and_its_reload_guard(zh_page) -> None:  # noqa: ANN001
    pg = zh_page
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    open_page(pg, "training")
    # the page itself, not only the app's frame: its idle state can be read before it began
    pg.get_by_role("button", name="开始", exact=True).wait_for(timeout=60_000)
    wait_for_app(pg)
    assert not _english(pg), _english(pg)
    assert "每个文件不超过 20MB • NPZ" in _drawn(pg)
    start_training(pg, "zh")
    pg.wait_for_timeout(1500)
    pause_training(pg, "zh")
    wait_for_app(pg)
    pg.get_by_role("button", name="撤销").wait_for()  # the canvas's own buttons, in Chinese
    pg.wait_for_timeout(500)
    assert not _english(pg), _english(pg)
    assert pg.evaluate("() => !!window.__cnnvizUnloadGuard"), "a trained model is guarded"
    with pytest.raises(Exception):  # noqa: B017, PT011 - the dismissed dialog stops the reload
        pg.reload(timeout=5000)
    assert dialogs == ["beforeunload"]
    with pg.expect_download():
        pg.get_by_role("button", name="下载训练好的权重").click()
    wait_for_app(pg)
    pg.wait_for_function("() => !window.__cnnvizUnloadGuard")
    pg.reload()
    wait_for_app(pg)
    assert dialogs == ["beforeunload"], "nothing to lose after the download: no question"
