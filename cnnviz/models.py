"""Named architectures for 1×28×28 MNIST digits and 10 classes.

Each is a ``Sequential`` of engine layers with PyTorch's state-dict names, small enough
(≤ ~4M multiply-adds per image forward) that training stays live on a laptop CPU. They
span the lecture notes' history of CNNs: the notes' own simple ConvNet, LeNet-5 (classic
and modern), a miniature AlexNet, a small ResNet, a depthwise-separable net, and a
batch-normalised ConvNet tuned for accuracy.

Input is always MNIST pixels in [0, 1]. A model built with ``standardize=True`` (the
default) first maps them to ``(x - MNIST_MEAN) / MNIST_STD`` inside its own forward, as
PyTorch's MNIST example does in its data transform: zero-mean, unit-variance inputs train
faster (simple_convnet after one epoch of Adam at lr 1e-3: 98.07 % instead of 97.42 %).
Keeping the step in the model rather than in the data pipeline means every path (training,
evaluation, the explorer, a drawn digit, the CLI) feeds the same raw pixels and cannot forget
it; weights files record the setting (``input_standardize``) and files without it load with
it off, as they were trained.
"""

from __future__ import annotations

from collections.abc import Callable

from . import nn

__all__ = ["MODEL_NAMES", "MODEL_INFO", "MNIST_MEAN", "MNIST_STD", "NOTES_INIT_STD",
           "build_model", "model_description", "notes_init", "set_standardize"]

# Mean and standard deviation of MNIST's training pixels scaled to [0, 1] (the constants of
# PyTorch's MNIST example, transforms.Normalize((0.1307,), (0.3081,))).
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


NOTES_INIT_STD = 0.01  # the lecture notes' SimpleConvNet: weight_init_std=0.01


def notes_init(model: nn.Module, std: float = NOTES_INIT_STD, layers: int | None = None,
               he_after: bool = False) -> nn.Module:
    """Start as the lecture notes' SimpleConvNet does: weights N(0, std²), biases 0.

    ``layers`` limits it to the first so many conv / linear layers; the rest keep PyTorch's
    default, or with ``he_after`` get He's N(0, 2 / fan_in) and zero biases (the notes' advice
    for layers that feed a ReLU). Why a small first layer: PyTorch's default start for a 5×5
    first layer is uniform ±0.2, larger than what a run of a few hundred steps writes into it,
    so its filters stay noise to the eye; from a 0.01 start, what the filters show is what the
    data taught them (bars and edges within ~50 steps of Adam; ``cnnviz.training.structure``
    measures it). Draws from the engine's generator, so ``build_model(seed=...)`` stays
    repeatable; ``nn.init``'s defaults are untouched (the engine still matches PyTorch).
    """
    found = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for i, m in enumerate(found):
        small = layers is None or i < layers
        if not (small or he_after):
            continue
        if small:
            nn.init.normal_(m.weight, 0.0, std)
        else:
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    return model


def _simple_convnet() -> nn.Sequential:
    # "Deep Learning from Scratch" ch. 7 / the lecture notes: conv 30@5x5, pool, 100, 10.
    # The conv layer starts as the notes' SimpleConvNet does, N(0, 0.01²) and bias 0; the
    # fully connected layers get He's start (the notes' ch. 6 advice for ReLU nets). Measured
    # (benchmarks/filter_structure.py, Adam lr 1e-3, one epoch): the notes' 0.01 everywhere
    # gives 97.2 %, 0.01 first and PyTorch's default after 97.9 %, this 98.4 %
    return notes_init(nn.Sequential(
        nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(30 * 12 * 12, 100), nn.ReLU(), nn.Linear(100, 10)),
        layers=1, he_after=True)


def _lenet5(act: Callable[[], nn.Module], pool: Callable[[], nn.Module]) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), act(), pool(),
        nn.Conv2d(6, 16, 5), act(), pool(),
        nn.Flatten(), nn.Linear(16 * 5 * 5, 120), act(), nn.Linear(120, 84), act(),
        nn.Linear(84, 10))


def _lenet5_classic() -> nn.Sequential:
    return _lenet5(nn.Sigmoid, lambda: nn.AvgPool2d(2))


def _lenet5_modern() -> nn.Sequential:
    # the first layer starts small as the notes' nets do (its filters then show what the data
    # taught them); the deeper layers keep PyTorch's default, so the signal gets through
    return notes_init(_lenet5(nn.ReLU, lambda: nn.MaxPool2d(2)), layers=1)


def _alexnet_small() -> nn.Sequential:
    # AlexNet's recipe at MNIST scale: 5 convs, ReLU, LRN after the first two, overlapping
    # 3/2 max pools, dropout before the two hidden fully connected layers (~2.9M MACs)
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.LocalResponseNorm(5),
        nn.MaxPool2d(3, 2),                                      # 28 -> 13
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.LocalResponseNorm(5),
        nn.MaxPool2d(3, 2),                                      # 13 -> 6
        nn.Conv2d(32, 48, 3, padding=1), nn.ReLU(),
        nn.Conv2d(48, 48, 3, padding=1), nn.ReLU(),
        nn.Conv2d(48, 32, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(3, 2),                                      # 6 -> 2
        nn.Flatten(),
        nn.Dropout(0.5), nn.Linear(32 * 2 * 2, 256), nn.ReLU(),
        nn.Dropout(0.5), nn.Linear(256, 256), nn.ReLU(),
        nn.Linear(256, 10))


def _resnet_small() -> nn.Sequential:
    # stem, then residual stages 16@14x14 -> 32@7x7 -> 64@4x4, global average pool (~2.6M)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.ResidualBlock(16, 16),
        nn.ResidualBlock(16, 32, stride=2),
        nn.ResidualBlock(32, 64, stride=2),
        nn.GlobalAvgPool2d(), nn.Flatten(), nn.Linear(64, 10))


def _separable_net() -> nn.Sequential:
    # MobileNet-style: one full conv, then depthwise-separable blocks (~1.5M MACs)
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.DepthwiseSeparableConv2d(16, 32, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.DepthwiseSeparableConv2d(32, 64, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.DepthwiseSeparableConv2d(64, 128, bias=False), nn.BatchNorm2d(128), nn.ReLU(),
        nn.GlobalAvgPool2d(), nn.Flatten(), nn.Linear(128, 10))


def _convnet_bn() -> nn.Sequential:
    # the accuracy model: ≥ 99.2 % on MNIST in a few epochs of Adam (~3.0M MACs).
    # No conv bias: the BatchNorm right after subtracts any constant anyway.
    return nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2, bias=False), nn.BatchNorm2d(16), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25), nn.Flatten(),
        nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(128, 10))


_BUILDERS: dict[str, Callable[[], nn.Sequential]] = {
    "simple_convnet": _simple_convnet,
    "lenet5_classic": _lenet5_classic,
    "lenet5": _lenet5_modern,
    "alexnet_small": _alexnet_small,
    "resnet_small": _resnet_small,
    "separable_net": _separable_net,
    "convnet_bn": _convnet_bn,
}

MODEL_NAMES: tuple[str, ...] = tuple(_BUILDERS)

MODEL_INFO: dict[str, dict[str, str]] = {
    "simple_convnet": {
        "en": "The lecture notes' ConvNet: one 5×5 conv layer (30 filters), max pool, "
              "a 100-unit hidden layer.",
        "zh": "讲义中的简单卷积网络：一个 5×5 卷积层（30 个滤波器）、最大池化、"
              "100 个单元的隐藏层。",
    },
    "lenet5_classic": {
        "en": "LeNet-5 as in 1998: sigmoid activations and average pooling.",
        "zh": "1998 年原版 LeNet-5：Sigmoid 激活与平均池化。",
    },
    "lenet5": {
        "en": "LeNet-5 with modern parts: ReLU and max pooling.",
        "zh": "现代化的 LeNet-5：ReLU 激活与最大池化。",
    },
    "alexnet_small": {
        "en": "A miniature AlexNet: five convs, ReLU, local response normalisation, "
              "overlapping 3×3/2 max pools, dropout.",
        "zh": "迷你 AlexNet：五个卷积层、ReLU、局部响应归一化、3×3 步幅 2 的重叠最大池化、"
              "Dropout。",
    },
    "resnet_small": {
        "en": "A small ResNet: residual blocks with batch norm and shortcuts, "
              "global average pooling.",
        "zh": "小型 ResNet：带批归一化和捷径连接的残差块，全局平均池化。",
    },
    "separable_net": {
        "en": "A MobileNet-style net of depthwise-separable convolutions: few parameters "
              "and multiply-adds.",
        "zh": "MobileNet 风格的深度可分离卷积网络：参数和乘加次数都很少。",
    },
    "convnet_bn": {
        "en": "Two conv layers with batch norm and dropout: reaches ≥ 99.2 % on MNIST in a "
              "few epochs with Adam.",
        "zh": "两层卷积加批归一化和 Dropout：用 Adam 训练几轮即可在 MNIST 上达到 99.2% 以上。",
    },
}


def set_standardize(model: nn.Sequential, on: bool) -> nn.Sequential:
    """Make ``model`` standardise its [0, 1] input with MNIST's mean and std (or not)."""
    return model.set_input_standardization(*((MNIST_MEAN, MNIST_STD) if on else (None, None)))


def build_model(name: str, seed: int | None = None, standardize: bool = True) -> nn.Sequential:
    """A fresh model by name (see MODEL_NAMES); ``seed`` makes its initial weights repeatable.

    The result carries ``.name`` so saved weights remember which model they belong to, and
    with ``standardize`` (default) it standardises its input: ``input_mean`` = MNIST_MEAN,
    ``input_std`` = MNIST_STD, applied at the start of forward (input stays pixels in [0, 1]).
    """
    if name not in _BUILDERS:
        raise ValueError(f"unknown model {name!r}; choose from {', '.join(MODEL_NAMES)}")
    if seed is not None:
        nn.manual_seed(seed)
    model = _BUILDERS[name]()
    model.name = name
    return set_standardize(model, standardize)


def model_description(name: str, lang: str = "en") -> str:
    """The one-line description of a model in "en" or "zh" (English as fallback)."""
    info = MODEL_INFO[name]
    return info.get(lang, info["en"])
