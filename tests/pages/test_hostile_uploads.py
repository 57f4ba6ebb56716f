"""An upload with extreme float values and a Markdown file name, on every registered page
(issue 13, defects 1 and 9), in both languages.

Before: a float32 TIFF spanning -3e38 .. 2.5e38 was stored as NaN, so every lesson wrote
``nan·(−1) + …`` and pooling and backprop raised on every visit; and the image's name was
rendered as Markdown, putting a live link and a remote image (a tracking pixel) into the
picker's "In use" caption. Now each page runs cleanly, says in the learner's language that
the values were stretched, and shows the name as typed.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from cnnviz.lessons.registry import LESSONS as REGISTERED
from tests.pages.apptest_helpers import PAGES, assert_ok, has_cjk, run_page

HOSTILE_NAME = ("**BOLD** [a link](http://evil.example/phish) "
                "![x](http://evil.example/track.png).tiff")
# what Markdown would turn into a link or an image from the file name: its "](http://evil"
# or a bare URL left unescaped (the page's own links, e.g. "Link to this view", are fine)
LIVE_MARKDOWN = re.compile(r"(?<!\\)\]\(http://evil|(?<!\\)\bhttp://evil")


def extreme_float_tiff() -> bytes:
    """A 24x20 float32 TIFF whose values reach -3e38 and 2.5e38 (finite, but extreme)."""
    a = np.linspace(-1, 1, 24 * 20, dtype=np.float64).reshape(20, 24)
    a = np.where(a < 0, a * 3e38, a * 2.5e38).astype(np.float32)
    buf = io.BytesIO()
    Image.fromarray(a, "F").save(buf, "TIFF")
    return buf.getvalue()


TIFF = extreme_float_tiff()
STATE = {"img_source": "upload", "img_bytes": TIFF, "img_name": HOSTILE_NAME}
# the pages with an image picker (the training-half lessons have a demo but no picker)
PICKER_PAGES = {lesson.page for lesson in REGISTERED
                if "image_picker(" in (PAGES / lesson.page).read_text(encoding="utf-8")}


def _rendered(at) -> list[str]:  # noqa: ANN001 - AppTest
    """Every Markdown-rendered string: markdown, captions, alerts, titles, labels."""
    values: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "success", "error"):
        values += [str(e.value) for e in getattr(at, kind)]
    for kind in ("radio", "slider", "selectbox", "toggle", "number_input"):
        values += [str(w.label) for w in getattr(at, kind)]
    return values


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", [lesson.page for lesson in REGISTERED])
def test_extreme_float_upload_with_a_markdown_name(page: str, lang: str) -> None:
    # the explorer shows its image picker once "Any image" is chosen
    extra = {"explorer_src": "image"} if page == "11_explorer.py" else {}
    at = run_page(page, lang=lang, state={**STATE, **extra})
    assert_ok(at)
    rendered = _rendered(at)
    live = [v for v in rendered if LIVE_MARKDOWN.search(v)]
    assert not live, f"a file name reached the page as Markdown: {live}"
    if page not in PICKER_PAGES:
        return
    captions = [str(c.value) for c in at.caption]
    in_use = [c for c in captions if "BOLD" in c]
    assert in_use and all(r"\*\*BOLD\*\*" in c for c in in_use), in_use
    stretched = [c for c in captions if ("stretched" in c if lang == "en" else "拉伸" in c)]
    assert stretched, f"no note that the values were stretched: {captions}"
    assert has_cjk(" ".join(stretched)) == (lang == "zh")
