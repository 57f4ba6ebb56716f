"""The style sheet that replaces Streamlit's English in 简体中文 (issue 13, defect 10).

The browser test (tests/browser/test_streamlit_strings.py) checks it in Chromium; this one
checks the sheet itself: nothing in English, every replacement drawn in Chinese, strings
safely quoted, each uploader's limits line naming its own types.
"""

from __future__ import annotations

import pytest

from cnnviz.i18n import Text
from cnnviz.ui.image_picker import UPLOAD_TYPES
from cnnviz.ui.streamlit_strings import Replacement, css, replacements, upload_types_text

UPLOADS = [UPLOAD_TYPES, ["npz"]]


def test_english_needs_no_sheet() -> None:
    assert css("en", 20, UPLOADS) == ""


@pytest.mark.parametrize("rep", replacements(20, UPLOADS), ids=lambda r: r.text.en[:30])
def test_every_string_is_replaced_in_chinese(rep: Replacement) -> None:
    rule = rep.rule("zh")
    assert f"{rep.selector} {{ font-size: 0 !important;" in rule
    assert f'content: "{rep.text.zh}"' in rule and rep.text.en not in rule.split("content")[1]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rep.text.zh)


def test_limits_line_names_each_uploaders_types() -> None:
    sheet = css("zh", 20, UPLOADS)
    assert "每个文件不超过 20MB • PNG、JPG、GIF、WEBP、BMP、TIF" in sheet
    assert "每个文件不超过 20MB • NPZ" in sheet
    assert upload_types_text(["jpg", "jpeg", ".TIFF"]) == Text("JPG, TIF", "JPG、TIF")


def test_quotes_and_backslashes_cannot_end_the_css_string() -> None:
    rule = Replacement("p", Text("x", '引号"}\\ body{display:none}')).rule("zh")
    assert 'content: "引号\\"}\\\\ body{display:none}"' in rule
