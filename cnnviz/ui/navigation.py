"""The lesson table: one row per page file, used by app.py's navigation and the home map.

Pages that do not exist yet are skipped (no placeholder pages), so a lesson appears as soon
as its file lands. To add a page, add a row here with its file under ``pages/``; the
``url_path`` stays fixed whatever the language, so links survive a language switch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from cnnviz.ui.common import t

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Lesson:
    """One page: section, file (relative to the repo root), bilingual title, icon, URL."""

    section: str  # "basics" | "operations" | "networks"
    file: str
    title_en: str
    title_zh: str
    icon: str
    url_path: str
    blurb_en: str = ""
    blurb_zh: str = ""


SECTIONS: dict[str, tuple[str, str]] = {
    "basics": ("Basics", "基础"),
    "operations": ("Operations", "运算"),
    "networks": ("Networks", "网络"),
}

LESSONS: list[Lesson] = [
    Lesson("basics", "pages/home.py", "What is a CNN?", "什么是卷积神经网络？",
           ":material/home:", "home"),
    Lesson("basics", "pages/1_convolution.py", "1 · Convolution", "1 · 卷积",
           ":material/grid_on:", "convolution",
           "A kernel slides over the image: multiply, add, move.",
           "卷积核在图像上滑动：相乘、相加、移动。"),
    Lesson("basics", "pages/2_multichannel.py", "2 · Multi-channel convolution",
           "2 · 多通道卷积", ":material/layers:", "multichannel",
           "RGB in, one kernel per channel, partial sums plus bias.",
           "RGB 输入，每个通道一个卷积核，部分和加偏置。"),
    Lesson("basics", "pages/3_padding.py", "3 · Padding", "3 · 填充",
           ":material/border_outer:", "padding",
           "Zero, replicate, reflect, circular: what happens at the border.",
           "零填充、复制、反射、循环：边界处发生了什么。"),
    Lesson("basics", "pages/4_stride.py", "4 · Stride", "4 · 步幅",
           ":material/footprint:", "stride",
           "Skipping positions: a smaller output, and what it loses.",
           "跳过位置：更小的输出，以及丢失了什么。"),
    Lesson("operations", "pages/5_pooling.py", "5 · Pooling", "5 · 池化",
           ":material/filter_center_focus:", "pooling",
           "Max and average pooling, and what stays invariant.",
           "最大池化与平均池化，以及保持不变的东西。"),
    Lesson("operations", "pages/6_dilation.py", "6 · Dilation", "6 · 膨胀卷积",
           ":material/open_in_full:", "dilation",
           "Kernels with gaps: a wider view for the same weights.",
           "带间隔的卷积核：同样的权重，更大的视野。"),
    Lesson("operations", "pages/7_transposed.py", "7 · Transposed convolution",
           "7 · 转置卷积", ":material/zoom_out_map:", "transposed",
           "Upsampling by convolution, and its checkerboard.",
           "用卷积上采样，以及棋盘格伪影。"),
    Lesson("operations", "pages/8_separable.py", "8 · Separable, grouped, factorised",
           "8 · 可分离、分组与分解卷积", ":material/call_split:", "separable",
           "The same job with far fewer parameters.", "用少得多的参数完成同样的工作。"),
    Lesson("operations", "pages/9_backprop.py", "9 · Backpropagation", "9 · 反向传播",
           ":material/undo:", "backprop",
           "Gradients through a convolution, step by step.", "逐步计算卷积的梯度。"),
    Lesson("networks", "pages/10_training.py", "Live MNIST training", "MNIST 实时训练",
           ":material/model_training:", "training",
           "Train a real CNN and watch its filters learn.", "训练一个真实的 CNN，观察滤波器学习。"),
    Lesson("networks", "pages/11_explorer.py", "Network explorer", "网络探索",
           ":material/account_tree:", "explorer",
           "Feature maps layer by layer; CNN vs fully connected.",
           "逐层查看特征图；CNN 与全连接网络对比。"),
]


def available_lessons(root: Path = ROOT) -> list[Lesson]:
    """The lessons whose file exists (so unfinished pages never show)."""
    return [lesson for lesson in LESSONS if (root / lesson.file).is_file()]


def section_title(section: str) -> str:
    """Bilingual section header in the current language."""
    en, zh = SECTIONS[section]
    return t(en, zh)


def build_pages(root: Path = ROOT) -> dict[str, list[st.Page]]:
    """``{section title: [st.Page, ...]}`` for ``st.navigation``; home is the default."""
    pages: dict[str, list[st.Page]] = {}
    for lesson in available_lessons(root):
        page = st.Page(
            root / lesson.file,
            title=t(lesson.title_en, lesson.title_zh),
            icon=lesson.icon,
            url_path=lesson.url_path,
            default=lesson.url_path == "home",
        )
        pages.setdefault(section_title(lesson.section), []).append(page)
    return pages
