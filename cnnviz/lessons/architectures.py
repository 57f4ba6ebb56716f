"""The story of CNN architectures in the lecture notes, with numbers from the engine.

Each chapter names one of ``cnnviz.models``' networks; its parameter and multiply-add counts
come from ``cnnviz.summary`` (which runs the model and uses ``cnnviz.formulas``), never typed
in by hand, so the story cannot drift from the models.

"A fully connected net of the same input" is the network's *dense twin*: every convolution
replaced by a fully connected layer with the same input and output sizes (same feature-map
shapes, so the same job), everything else kept. The gap between the two counts is what local
connectivity and weight sharing save.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from cnnviz import formulas, nn
from cnnviz.i18n import pick
from cnnviz.models import build_model
from cnnviz.summary import count_parameters, total_multiply_adds, trace_layers

__all__ = ["STORIES", "ArchNumbers", "ArchStory", "ConvDense", "FirstLayerCost", "arch_numbers",
           "conv_dense_rows", "first_layer_costs", "story_rows"]

INPUT_SHAPE = (1, 28, 28)


@dataclass(frozen=True)
class ArchStory:
    """One chapter: which model tells it, and what to notice (en / zh markdown)."""

    key: str
    model: str
    year: str
    title_en: str
    title_zh: str
    text_en: str
    text_zh: str

    def title(self, lang: str) -> str:
        return pick(lang, self.title_en, self.title_zh)

    def text(self, lang: str) -> str:
        return pick(lang, self.text_en, self.text_zh)


@dataclass(frozen=True)
class ConvDense:
    """One conv layer against the dense layer that maps the same input to the same output."""

    name: str
    in_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    conv_params: int
    dense_params: int

    @property
    def ratio(self) -> float:
        return self.dense_params / self.conv_params if self.conv_params else math.nan


@dataclass(frozen=True)
class ArchNumbers:
    """Counts of one model: parameters, multiply-adds per image, and its dense twin's params."""

    model: str
    params: int
    multiply_adds: int
    conv_layers: tuple[ConvDense, ...]

    @property
    def conv_params(self) -> int:
        return sum(c.conv_params for c in self.conv_layers)

    @property
    def dense_twin_params(self) -> int:
        """Parameters if every conv were a fully connected layer of the same in/out sizes."""
        return self.params - self.conv_params + sum(c.dense_params for c in self.conv_layers)

    @property
    def ratio(self) -> float:
        return self.dense_twin_params / self.params if self.params else math.nan


STORIES: tuple[ArchStory, ...] = (
    ArchStory(
        "notes", "simple_convnet", "—",
        "The lecture notes' ConvNet", "讲义中的简单卷积网络",
        "One 5×5 conv layer of 30 filters, ReLU, 2×2 max pooling, then two fully connected "
        "layers. The conv layer has only 30·25 + 30 = 780 weights, because every filter is "
        "reused at all 24×24 positions; almost all parameters sit in the fully connected "
        "layer after it.",
        "一个有 30 个 5×5 滤波器的卷积层、ReLU、2×2 最大池化，然后是两个全连接层。卷积层只有 "
        "30·25 + 30 = 780 个权重，因为每个滤波器在 24×24 个位置上重复使用；几乎所有参数都在"
        "其后的全连接层里。"),
    ArchStory(
        "lenet_classic", "lenet5_classic", "1998",
        "LeNet-5: sigmoid and subsampling", "LeNet-5：Sigmoid 与下采样",
        "LeCun's LeNet-5 read cheques: two conv layers (6 and 16 filters of 5×5), each "
        "followed by *subsampling* (average pooling) and a **sigmoid**, then 120-84-10 fully "
        "connected units. Sigmoids saturate, so gradients shrink layer by layer and it "
        "trains slowly.",
        "LeCun 的 LeNet-5 曾用于识别支票：两个卷积层（6 个和 16 个 5×5 滤波器），每层后接"
        "*下采样*（平均池化）和 **Sigmoid**，然后是 120-84-10 的全连接层。Sigmoid 会饱和，"
        "梯度逐层变小，所以训练较慢。"),
    ArchStory(
        "lenet_modern", "lenet5", "2010s",
        "Modern CNNs: ReLU and max pooling", "现代 CNN：ReLU 与最大池化",
        "The same LeNet-5 shape with today's parts: **ReLU** (no saturation for positive "
        "inputs, so gradients pass through) and **max pooling** (keeps the strongest response "
        "in each window). Same parameter count, much faster learning: try both on the "
        "training page.",
        "同样的 LeNet-5 结构，换上今天的部件：**ReLU**（正输入不饱和，梯度能顺畅通过）和"
        "**最大池化**（保留每个窗口里最强的响应）。参数数量相同，学得快得多：在训练页面上"
        "两个都试试。"),
    ArchStory(
        "alexnet", "alexnet_small", "2012",
        "AlexNet: ReLU, LRN, dropout", "AlexNet：ReLU、LRN、Dropout",
        "AlexNet won ImageNet 2012 with five conv layers, **ReLU** everywhere, **local response "
        "normalisation** (each activation divided by the energy of its neighbouring channels), "
        "overlapping 3×3 stride-2 max pools and **dropout** (half the hidden units switched off "
        "at random in training, so none can rely on another). This is a miniature for 28×28 "
        "digits.",
        "AlexNet 以五个卷积层赢得 2012 年 ImageNet：处处使用 **ReLU**、**局部响应归一化**"
        "（每个激活值除以相邻通道的能量）、3×3 步幅 2 的重叠最大池化，以及 **Dropout**"
        "（训练时随机关闭一半隐藏单元，使它们不能相互依赖）。这里是适合 28×28 数字的迷你版。"),
    ArchStory(
        "resnet", "resnet_small", "2015",
        "ResNet: residual connections", "ResNet：残差连接",
        "A residual block computes y = F(x) + x: the layers learn only a *correction* to their "
        "input, and the shortcut carries the signal (and the gradient) straight through. That "
        "made networks of 100+ layers trainable. Here: three residual blocks, batch norm, and "
        "global average pooling instead of a big fully connected layer.",
        "残差块计算 y = F(x) + x：这些层只学习对输入的*修正*，捷径把信号（和梯度）直接传过去。"
        "这使 100 层以上的网络变得可以训练。这里：三个残差块、批归一化，以及用全局平均池化"
        "代替大的全连接层。"),
)


@dataclass(frozen=True)
class FirstLayerCost:
    """The first layer on a ``side``×``side``×``channels`` image: fully connected to
    ``hidden`` units against a k×k convolution with ``filters`` filters (formulas)."""

    side: int
    channels: int
    fc_params: int
    conv_params: int

    @property
    def ratio(self) -> float:
        return self.fc_params / self.conv_params


def first_layer_costs(
    hidden: int = 1000, filters: int = 32, k: int = 3,
    images: tuple[tuple[int, int], ...] = ((28, 1), (256, 3)),
) -> list[FirstLayerCost]:
    """Why not a plain fully connected net (the home page): one row per (side, channels)."""
    return [
        FirstLayerCost(side, ch, formulas.linear_params(side * side * ch, hidden),
                       formulas.conv_params(ch, filters, k))
        for side, ch in images
    ]


def conv_dense_rows(model: nn.Module, input_shape: tuple[int, ...] = INPUT_SHAPE
                    ) -> list[ConvDense]:
    """Every Conv2d of ``model`` (in forward order) against its same-sized dense layer."""
    seen = [row for row in trace_layers(model, input_shape) if isinstance(row[1], nn.Conv2d)]
    rows = []
    for name, m, ins, outs in seen:
        conv = int(sum(p.size for p in m.parameters(recurse=False)))
        dense = formulas.linear_params(math.prod(ins), math.prod(outs), bias=m.bias is not None)
        rows.append(ConvDense(name, ins, outs, conv, dense))
    return rows


@lru_cache(maxsize=16)
def arch_numbers(model_name: str) -> ArchNumbers:
    """Counts for a named model (built once with seed 0; counts do not depend on weights)."""
    model = build_model(model_name, seed=0)
    return ArchNumbers(model_name, count_parameters(model),
                       total_multiply_adds(model, INPUT_SHAPE),
                       tuple(conv_dense_rows(model)))


def story_rows(lang: str = "en") -> list[dict[str, object]]:
    """One table row per chapter: model, parameters, multiply-adds, dense twin, ratio."""
    rows = []
    for s in STORIES:
        n = arch_numbers(s.model)
        rows.append({
            pick(lang, "Architecture", "架构"): s.title(lang),
            pick(lang, "Year", "年份"): s.year,
            pick(lang, "Model", "模型"): s.model,
            pick(lang, "Parameters", "参数"): f"{n.params:,}",
            pick(lang, "Multiply-adds / image", "每张图乘加次数"): f"{n.multiply_adds:,}",
            pick(lang, "Fully connected twin", "全连接对应网络参数"): f"{n.dense_twin_params:,}",
            pick(lang, "× more", "倍数"): f"{n.ratio:,.0f}×",
        })
    return rows
