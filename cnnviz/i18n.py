"""English and 简体中文: one kind of object for every text a learner can see (no Streamlit).

A ``Text`` holds a message in both languages; code that knows the learner's language asks
it with ``text.get(lang)`` (the ui layer's ``ui.t`` does that for pages). Long lesson prose
lives in per-lesson content files (``cnnviz/content/<slug>.toml``, see ``cnnviz.content``)
that a teacher can edit without touching Python. Errors a learner may see are
``LocalizedError``s carrying a ``Text``, so a page shows them in the learner's language.

Why not gettext catalogs: with two languages written by the same authors, keeping each
pair side by side (in code or in one TOML entry) makes a missing or stale translation
obvious in review and in a test, needs no compile step, and keeps placeholders checked
together; a .po catalog would separate every sentence from its translation.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANG = "en"


@dataclass(frozen=True)
class Text:
    """One message in English and Chinese."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        """The message in ``lang``; anything but "zh" falls back to English."""
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> Text:
        """Both languages with ``{name}`` placeholders filled in; a value that is itself a
        ``Text`` (a channel's or a mode's name) goes in in each language."""

        def filled(lang: str) -> dict[str, object]:
            return {k: v.get(lang) if isinstance(v, Text) else v for k, v in values.items()}

        return Text(self.en.format(**filled("en")), self.zh.format(**filled("zh")))

    def __add__(self, other: Text) -> Text:
        """Concatenate language by language (a sentence built from parts)."""
        return Text(self.en + other.en, self.zh + other.zh)

    def placeholders(self) -> tuple[set[str], set[str]]:
        """The ``{names}`` used in each language (a test checks they agree)."""
        def names(s: str) -> set[str]:
            return {f for _, f, _, _ in string.Formatter().parse(s) if f}

        return names(self.en), names(self.zh)


class LocalizedError(Exception):
    """An error a learner may see: its message in both languages and a short ``reason`` code.

    ``str(error)`` is the English message (logs, tracebacks); pages show
    ``error.message(lang)``.
    """

    def __init__(self, text: Text, reason: str = "") -> None:
        super().__init__(text.en)
        self.text = text
        self.reason = reason

    def message(self, lang: str) -> str:
        """The message in the learner's language."""
        return self.text.get(lang)


# strings many pages repeat
COMMON: dict[str, Text] = {
    "input": Text("Input", "输入"),
    "padded_input": Text("Padded input", "填充后的输入"),
    "kernel": Text("Kernel", "卷积核"),
    "output": Text("Output", "输出"),
    "result": Text("Result", "结果"),
    "stride": Text("Stride", "步幅"),
    "padding": Text("Padding", "填充"),
    "dilation": Text("Dilation", "膨胀率"),
    "kernel_size": Text("Kernel size", "卷积核尺寸"),
    "bias": Text("Bias", "偏置"),
    "channel": Text("Channel", "通道"),
    "filter": Text("Filter", "滤波器"),
    "play": Text("▶ Play", "▶ 播放"),
    "pause": Text("■ Pause", "■ 暂停"),
    "fast": Text("▶▶ Fast", "▶▶ 快速"),
    "step": Text("Step", "步骤"),
    "explanation": Text("Explanation", "讲解"),
    "check": Text("Check your understanding", "检验你的理解"),
    "correct": Text("Correct!", "回答正确！"),
    "wrong": Text("Not quite.", "不太对。"),
    "animation": Text("Animation", "动画"),
    "full_result": Text("Full result on the whole image", "整幅图像上的完整结果"),
    "output_size": Text("Output size", "输出尺寸"),
    "image": Text("Image", "图像"),
    "language": Text("Language", "语言"),
    "classroom": Text("Classroom mode", "课堂模式"),
    "mnist_credit": Text(
        "MNIST by Yann LeCun, Corinna Cortes and Christopher Burges, CC BY-SA 3.0.",
        "MNIST 数据集由 Yann LeCun、Corinna Cortes 和 Christopher Burges 创建，"
        "采用 CC BY-SA 3.0 许可。",
    ),
}


def common(lang: str, key: str) -> str:
    """A string from ``COMMON`` in ``lang``."""
    return COMMON[key].get(lang)
