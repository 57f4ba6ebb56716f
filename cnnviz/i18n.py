"""English and 简体中文 text without Streamlit, so that figures and tests can use it too.

Strings are written inline where they are used as bilingual pairs (``pick(lang, "Stride",
"步幅")``) so a reader sees both languages side by side and a missing translation is
obvious in review. ``COMMON`` holds the few strings that many pages repeat.
"""

from __future__ import annotations

LANGUAGES: dict[str, str] = {"en": "English", "zh": "简体中文"}
DEFAULT_LANG = "en"

# key -> (english, chinese); for strings repeated across pages
COMMON: dict[str, tuple[str, str]] = {
    "input": ("Input", "输入"),
    "padded_input": ("Padded input", "填充后的输入"),
    "kernel": ("Kernel", "卷积核"),
    "output": ("Output", "输出"),
    "result": ("Result", "结果"),
    "stride": ("Stride", "步幅"),
    "padding": ("Padding", "填充"),
    "dilation": ("Dilation", "膨胀率"),
    "kernel_size": ("Kernel size", "卷积核尺寸"),
    "bias": ("Bias", "偏置"),
    "channel": ("Channel", "通道"),
    "filter": ("Filter", "滤波器"),
    "play": ("▶ Play", "▶ 播放"),
    "pause": ("■ Pause", "■ 暂停"),
    "fast": ("▶▶ Fast", "▶▶ 快速"),
    "step": ("Step", "步骤"),
    "explanation": ("Explanation", "讲解"),
    "check": ("Check your understanding", "检验你的理解"),
    "correct": ("Correct!", "回答正确！"),
    "wrong": ("Not quite.", "不太对。"),
    "animation": ("Animation", "动画"),
    "full_result": ("Full result on the whole image", "整幅图像上的完整结果"),
    "output_size": ("Output size", "输出尺寸"),
    "image": ("Image", "图像"),
    "language": ("Language", "语言"),
    "classroom": ("Classroom mode", "课堂模式"),
    "mnist_credit": (
        "MNIST by Yann LeCun, Corinna Cortes and Christopher Burges, CC BY-SA 3.0.",
        "MNIST 数据集由 Yann LeCun、Corinna Cortes 和 Christopher Burges 创建，"
        "采用 CC BY-SA 3.0 许可。",
    ),
}


def pick(lang: str, en: str, zh: str) -> str:
    """The string for ``lang``; anything but "zh" falls back to English."""
    return zh if lang == "zh" else en


def common(lang: str, key: str) -> str:
    """A string from ``COMMON`` in ``lang``."""
    en, zh = COMMON[key]
    return pick(lang, en, zh)
