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
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.models import build_model
from cnnviz.summary import count_parameters, total_multiply_adds, trace_layers

__all__ = ["STORIES", "ArchNumbers", "ArchStory", "ConvDense", "FirstLayerCost", "arch_numbers",
           "conv_dense_rows", "first_layer_costs", "story_rows"]

INPUT_SHAPE = (1, 28, 28)


@dataclass(frozen=True)
class ArchStory:
    """One chapter: which model tells it, and what to notice. The chapter's prose is entry
    ``story_<key>`` of ``cnnviz/content/explorer.toml``."""

    key: str
    model: str
    year: str
    heading: Text

    @property
    def story(self) -> Text:
        """What to notice (markdown), from the explorer's content file."""
        return entry("explorer", f"story_{self.key}")

    def title(self, lang: str) -> str:
        """The chapter's title in ``lang``."""
        return self.heading.get(lang)

    def text(self, lang: str) -> str:
        """The chapter's prose in ``lang``."""
        return self.story.get(lang)


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
    ArchStory("notes", "simple_convnet", "—",
              Text("The lecture notes' ConvNet", "讲义中的简单卷积网络")),
    ArchStory("lenet_classic", "lenet5_classic", "1998",
              Text("LeNet-5: sigmoid and subsampling", "LeNet-5：Sigmoid 与下采样")),
    ArchStory("lenet_modern", "lenet5", "2010s",
              Text("Modern CNNs: ReLU and max pooling", "现代 CNN：ReLU 与最大池化")),
    ArchStory("alexnet", "alexnet_small", "2012",
              Text("AlexNet: ReLU, LRN, dropout", "AlexNet：ReLU、LRN、Dropout")),
    ArchStory("resnet", "resnet_small", "2015",
              Text("ResNet: residual connections", "ResNet：残差连接")),
)

# the columns of ``story_rows``
COLUMNS: dict[str, Text] = {
    "title": Text("Architecture", "架构"),
    "year": Text("Year", "年份"),
    "model": Text("Model", "模型"),
    "params": Text("Parameters", "参数"),
    "multiply_adds": Text("Multiply-adds / image", "每张图乘加次数"),
    "dense_twin": Text("Fully connected twin", "全连接对应网络参数"),
    "ratio": Text("× more", "倍数"),
}


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
        """How many times more weights the fully connected layer needs."""
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
        values = {
            "title": s.title(lang),
            "year": s.year,
            "model": s.model,
            "params": f"{n.params:,}",
            "multiply_adds": f"{n.multiply_adds:,}",
            "dense_twin": f"{n.dense_twin_params:,}",
            "ratio": f"{n.ratio:,.0f}×",
        }
        rows.append({COLUMNS[key].get(lang): value for key, value in values.items()})
    return rows
