"""A step-wise MNIST Trainer shared by the command line and the live training page.

The page drives training from a ``st.fragment(run_every=...)``: every tick it calls
``trainer.run(seconds=0.3)``, draws what came back and returns, so the browser stays live.
That is why the Trainer advances in bounded chunks, keeps all its state between calls
(plain NumPy arrays and dataclasses: no threads, no open files, fine in ``st.session_state``)
and never imports Streamlit.

    cfg = TrainConfig(model="simple_convnet", optimizer="adam", lr=1e-3, epochs=1)
    trainer = Trainer(cfg)
    while not trainer.done:
        events = trainer.run(seconds=0.5)
    result = trainer.evaluate()          # accuracy, confusion matrix, mistakes ...
    trainer.save("simple_convnet.npz")

On the live page (issue 4), roughly::

    if "trainer" not in st.session_state:                  # Start / Reset: a new Trainer
        st.session_state.trainer = Trainer(TrainConfig(model=..., init="pretrained" or None))

    @st.fragment(run_every=0.5)
    def live():
        t = st.session_state.trainer
        if running and not t.done:
            t.run(seconds=0.3)                            # bounded: the page stays live
        cols = t.history_columns()                        # loss, loss_avg, accuracy, test curve
        t.first_layer_weights(), t.initial_first_layer    # filters now and at the start
        t.feature_maps(digit)                             # [(layer name, (1, C, H, W))]
        if t.stopped_reason: st.error(t.stopped_reason.text(lang))   # diverged: weights restored
        if paused or t.done: r = t.evaluate()             # confusion, per-class, mistakes

Uploads: ``t.load(file)`` raises WeightsError (``.message``/``.message_zh``) and keeps the
current weights; ``t.to_bytes()`` is the download.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz import nn, optim
from cnnviz.models import MNIST_MEAN, MNIST_STD, build_model

__all__ = [
    "EvalResult",
    "ProgressEvent",
    "StopReason",
    "TestPoint",
    "TrainConfig",
    "Trainer",
    "WeightsError",
    "WEIGHTS_DIR",
    "load_weights",
    "load_model",
    "pretrained_path",
    "save_weights",
]

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "weights"
_META_KEY = "__cnnviz_meta__"
# A weight this large means the optimiser is blowing up even if the loss is still finite.
_EXPLODE_ABS = 1e6

ACTIVATIONS = ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "ELU", "GELU")


# ----------------------------------------------------------------------------- configuration


@dataclass
class TrainConfig:
    """Everything that defines a training run; two runs with equal configs are identical.

    ``hyper`` holds the optimiser's extra arguments with PyTorch's names (``momentum``,
    ``betas``, ``weight_decay``, ``alpha``, ``rho``, ``eps`` ...). ``init`` is ``None`` (fresh
    PyTorch-style initialisation from ``seed``), ``"pretrained"`` (the bundled weights for
    ``model``), a path to a ``.npz`` file, or a state_dict mapping.

    ``standardize``: the model maps its [0, 1] pixels to ``(x - MNIST_MEAN) / MNIST_STD``
    before the first layer (see ``cnnviz.models``). It applies to a fresh model and to a plain
    state_dict ``init``; weights read from a file (``"pretrained"``, a path, or a mapping from
    ``load_weights``) bring their own setting, off for files that do not record it.
    """

    model: str = "simple_convnet"
    optimizer: str = "adam"
    lr: float = 1e-3
    hyper: dict[str, Any] = field(default_factory=dict)
    schedule: str = "constant"
    batch_size: int = 100
    epochs: int = 1
    train_limit: int | None = None
    test_limit: int | None = 1000
    eval_every: int = 100
    seed: int = 0
    augment: bool = False
    init: Any = None
    ema: float = 0.95
    standardize: bool = True

    def to_json(self) -> dict[str, Any]:
        """The settings as plain JSON values (a state_dict ``init`` is summarised)."""
        d = asdict(self) if not isinstance(self.init, Mapping) else {
            **asdict(replace(self, init=None)), "init": "state_dict"}
        if isinstance(d.get("init"), Path):
            d["init"] = str(d["init"])
        return d


@dataclass
class ProgressEvent:
    """One training step, as the page plots it and the CLI prints it."""

    step: int  # steps done so far (1-based after the first step)
    epoch: int  # 0-based epoch this step belongs to
    epoch_progress: float  # epochs done, fractional (0.5 = half of the first epoch)
    loss: float
    loss_avg: float  # exponential moving average of the loss (bias-corrected)
    batch_accuracy: float
    images_per_second: float  # smoothed over recent steps
    lr: float  # the learning rate used for this step
    seconds: float  # training time so far (periodic evaluation excluded)
    test_accuracy: float | None = None  # set on steps where the test subset was evaluated
    test_loss: float | None = None


@dataclass
class TestPoint:
    """Accuracy on the fixed test subset at some step (the test curve)."""

    step: int
    epoch_progress: float
    accuracy: float
    loss: float


@dataclass
class StopReason:
    """Why training stopped early, in English and 简体中文, with what to try next."""

    code: str
    message: str
    message_zh: str
    suggestion: str
    suggestion_zh: str
    step: int = 0

    def text(self, lang: str = "en") -> str:
        if lang.startswith("zh"):
            return f"{self.message_zh} {self.suggestion_zh}"
        return f"{self.message} {self.suggestion}"


@dataclass
class EvalResult:
    """A test-set evaluation: the numbers behind the confusion matrix and mistakes gallery."""

    accuracy: float
    loss: float
    n: int
    predictions: np.ndarray  # (n,) int64
    labels: np.ndarray  # (n,) int64
    confusion: np.ndarray  # (10, 10) int64, rows = true digit, columns = predicted
    per_class_accuracy: np.ndarray  # (10,) float, NaN for a digit absent from the subset
    mistakes: np.ndarray  # indices into the evaluated images where prediction != label
    probabilities: np.ndarray  # (n, 10) float32 softmax outputs


class WeightsError(Exception):
    """A weights file that is missing, broken or for another model (message in en and zh)."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def _diverged(step: int, what: str, lr: float, optimizer: str) -> StopReason:
    usual = optim.DEFAULT_LR.get(optimizer.lower(), 1e-3)
    try_lr = usual if lr > 10 * usual else lr / 10
    return StopReason(
        code="diverged",
        message=(f"Training stopped at step {step}: the {what} became too large "
                 f"(the optimisation diverged). The last good weights were restored."),
        message_zh=(f"训练在第 {step} 步停止：{ {'loss': '损失', 'weights': '权重'}[what] }"
                    f"变得过大（优化发散）。已恢复最后一组正常的权重。"),
        suggestion=(f"Lower the learning rate (try {try_lr:g}) or pick a gentler optimiser, "
                    "then start again."),
        suggestion_zh=f"请降低学习率（例如 {try_lr:g}）或换一个更稳的优化器，然后重新开始。",
        step=step,
    )


# ----------------------------------------------------------------------------- data


_DATA: dict[tuple[str, int | None], tuple[np.ndarray, np.ndarray]] = {}


def _mnist(split: str, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST arrays shared (read-only) by every Trainer in the process: one copy, not one each.

    A subset is a view of the full split when that is already loaded.
    """
    if (split, None) in _DATA:
        x, y = _DATA[(split, None)]
        return (x, y) if limit is None else (x[:limit], y[:limit])
    if (split, limit) not in _DATA:
        from cnnviz.data.mnist import mnist_arrays

        x, y = mnist_arrays(split, limit=limit)
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.asarray(y, dtype=np.int64)
        x.flags.writeable = False
        y.flags.writeable = False
        _DATA[(split, limit)] = (x, y)
    return _DATA[(split, limit)]


def _shift_batch(x: np.ndarray, rng: np.random.Generator, max_shift: int = 2) -> np.ndarray:
    """Move each image by up to ``max_shift`` pixels (zero fill): cheap, label-preserving."""
    n, c, h, w = x.shape
    s = max_shift
    padded = np.zeros((n, c, h + 2 * s, w + 2 * s), dtype=x.dtype)
    padded[:, :, s:s + h, s:s + w] = x
    dy = rng.integers(0, 2 * s + 1, size=n)
    dx = rng.integers(0, 2 * s + 1, size=n)
    rows = dy[:, None] + np.arange(h)[None, :]  # (n, h)
    cols = dx[:, None] + np.arange(w)[None, :]  # (n, w)
    out = padded[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None],
                 rows[:, None, :, None], cols[:, None, None, :]]
    return np.ascontiguousarray(out, dtype=np.float32)


def _as_images(x: np.ndarray) -> np.ndarray:
    """Accept (28, 28), (1, 28, 28) or (N, 1, 28, 28); return float32 (N, 1, 28, 28)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[:, None] if x.shape[0] != 1 else x[None]
    if x.ndim != 4:
        raise ValueError(f"expected images shaped (28, 28), (1, 28, 28) or (N, 1, 28, 28), "
                         f"got {x.shape}")
    return np.ascontiguousarray(x)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# ----------------------------------------------------------------------------- weights files


def pretrained_path(model: str) -> Path:
    """Where the bundled weights of ``model`` live (they may not exist for every model)."""
    return WEIGHTS_DIR / f"{model}.npz"


def save_weights(path: str | Path, state: Mapping[str, np.ndarray],
                 meta: Mapping[str, Any]) -> Path:
    """Write a state_dict plus JSON metadata (model name, accuracy ...) to one ``.npz``."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.asarray(v) for k, v in state.items()}
    arrays[_META_KEY] = np.array(json.dumps(dict(meta), default=str))
    with open(path, "wb") as fh:  # np.savez_compressed appends .npz to str names only
        np.savez_compressed(fh, **arrays)
    return path


def load_weights(source: str | Path | Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a weights file (path or file-like, e.g. an upload) → (state_dict, metadata).

    The state_dict is an ``nn.StateDict`` whose ``.metadata`` is the metadata too, so passing
    it on (``TrainConfig(init=state)``) keeps the file's input standardisation. Raises
    ``WeightsError`` with a bilingual message for a missing or unreadable file, never a
    NumPy/zipfile traceback.
    """
    name = str(getattr(source, "name", source))
    if isinstance(source, (str, Path)) and not Path(source).is_file():
        raise WeightsError(f"Weights file not found: {name}", f"找不到权重文件：{name}")
    try:
        with np.load(source, allow_pickle=False) as data:
            arrays = {k: np.array(data[k]) for k in data.files}
    except Exception as exc:  # zipfile.BadZipFile, ValueError, OSError, EOFError ...
        raise WeightsError(
            f"{name} is not a readable cnnviz weights file (.npz): {exc}",
            f"{name} 不是可读取的 cnnviz 权重文件（.npz）：{exc}",
        ) from exc
    meta: dict[str, Any] = {}
    if _META_KEY in arrays:
        try:
            meta = json.loads(str(arrays.pop(_META_KEY)))
        except ValueError:
            meta = {}
    if not arrays:
        raise WeightsError(f"{name} holds no weights.", f"{name} 中没有权重。")
    if not isinstance(meta, dict):
        meta = {}
    return nn.StateDict(arrays, metadata=meta), meta


def _input_stats(meta: Mapping[str, Any], name: str) -> tuple[float | None, float | None]:
    """The (mean, std) a model must standardise with for weights with this metadata.

    (None, None) when the file says it was trained on raw pixels or does not say (files older
    than the setting); WeightsError when its numbers are unusable (a hostile upload).
    """
    try:
        return nn.input_stats_from_metadata(dict(meta), default=(MNIST_MEAN, MNIST_STD))
    except ValueError as exc:
        raise WeightsError(f"{name} has an unusable input standardisation: {exc}",
                           f"{name} 的输入标准化设置无效：{exc}") from exc


def _load_into(model: nn.Module, state: Mapping[str, np.ndarray], name: str,
               model_name: str) -> None:
    """Load ``state`` into ``model`` or raise a WeightsError saying what does not fit."""
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    extra = [k for k in state if k not in own]
    wrong = [k for k in own if k in state and tuple(np.shape(state[k])) != tuple(own[k].shape)]
    if missing or extra or wrong:
        detail = ", ".join(missing[:3] + extra[:3] + wrong[:3])
        raise WeightsError(
            f"{name} does not fit the model {model_name} (mismatched: {detail}).",
            f"{name} 与模型 {model_name} 不匹配（不一致的参数：{detail}）。",
        )
    model.load_state_dict({k: np.asarray(v, dtype=own[k].dtype) for k, v in state.items()})


def load_model(source: str | Path | Any, model: str | None = None
               ) -> tuple[nn.Module, dict[str, Any]]:
    """Build the model a weights file was saved from and load it → (model in eval mode, meta).

    ``model`` overrides (or supplies, for files without metadata) the architecture name;
    a file saved from another architecture raises WeightsError. The model standardises its
    input as the file says (``input_standardize``; off when the file does not say).
    """
    from cnnviz.models import MODEL_NAMES

    state, meta = load_weights(source)
    name = str(getattr(source, "name", source))
    saved = meta.get("model")
    if model is not None and saved is not None and saved != model:
        raise WeightsError(
            f"{name} holds weights for {saved}, not {model}.",
            f"{name} 保存的是 {saved} 的权重，而不是 {model}。",
        )
    arch = model or saved
    if arch is None or arch not in MODEL_NAMES:
        raise WeightsError(
            f"{name} does not say which model it belongs to ({arch!r}).",
            f"{name} 没有注明所属的模型（{arch!r}）。",
        )
    stats = _input_stats(meta, name)
    net = build_model(arch, seed=0)
    _load_into(net, state, name, arch)
    net.set_input_standardization(*stats)
    net.eval()
    return net, meta


# ----------------------------------------------------------------------------- model walking


def _conv_types() -> tuple[type, ...]:
    return tuple(t for t in (getattr(nn, "Conv2d", None),) if t is not None)


def _contains_conv(m: nn.Module) -> bool:
    return any(isinstance(sub, _conv_types()) for sub in m.modules())


def _named_children(m: nn.Module) -> list[tuple[str, nn.Module]]:
    if hasattr(m, "named_children"):
        return list(m.named_children())
    return [(str(i), c) for i, c in enumerate(m.children())]


def _flatten_sequential(m: nn.Module, prefix: str = "") -> list[tuple[str, nn.Module]] | None:
    """Modules run one after another, nested Sequentials opened; None if ``m`` is not a chain.

    The chain starts after ``m``'s own input standardisation (the caller applies
    ``m.standardize``); a nested Sequential that standardises its input stays one module.
    """
    if not isinstance(m, nn.Sequential):
        return None
    out: list[tuple[str, nn.Module]] = []
    for name, child in _named_children(m):
        full = f"{prefix}{name}"
        opens = isinstance(child, nn.Sequential) and not child.input_standardize
        inner = _flatten_sequential(child, full + ".") if opens else None
        out.extend(inner if inner is not None else [(full, child)])
    return out


# ----------------------------------------------------------------------------- the Trainer


class Trainer:
    """Trains one named model on MNIST in bounded chunks; see the module docstring.

    ``train_data`` / ``test_data`` (images (N, 1, 28, 28) float32 in [0, 1], int labels) replace
    MNIST, e.g. for tests; by default the arrays come from ``cnnviz.data.mnist`` and are shared
    between Trainers in one process.
    """

    def __init__(self, config: TrainConfig | None = None, *,
                 train_data: tuple[np.ndarray, np.ndarray] | None = None,
                 test_data: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.config = cfg = config or TrainConfig()
        if cfg.batch_size < 1 or cfg.epochs < 1:
            raise ValueError("batch_size and epochs must be at least 1")
        self._train_data = train_data
        self._test_data = test_data
        self._shared_data = (train_data is None, test_data is None)
        self.model: nn.Sequential = build_model(cfg.model, seed=cfg.seed,
                                                standardize=cfg.standardize)
        # dropout draws from the trainer's own generator, not the engine's global one, so two
        # trainers stepping in turn (two browser sessions) each stay repeatable
        self._dropout_rng = np.random.default_rng([cfg.seed, 1])
        for m in self.model.modules():
            if type(m).__name__ == "Dropout":
                m.rng = self._dropout_rng
        self.init_meta: dict[str, Any] = {}
        if cfg.init is not None:
            self._load_init(cfg.init)
            # the weights' own setting wins: the config (and so saved files) says what runs
            self.config = cfg = replace(cfg, standardize=self.standardize)
        self.model.train()
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = optim.make_optimizer(cfg.optimizer, list(self.model.parameters()),
                                              cfg.lr, **cfg.hyper)
        n = self.train_size
        self.steps_per_epoch = max(1, math.ceil(n / cfg.batch_size))
        self.total_steps = self.steps_per_epoch * cfg.epochs
        self.scheduler = optim.make_scheduler(cfg.schedule, self.optimizer, self.total_steps)
        self._rng = np.random.default_rng(cfg.seed)
        self._order = self._rng.permutation(n)
        self.step = 0
        self.seconds = 0.0  # time spent in training steps only
        self.images_seen = 0
        self.history: list[ProgressEvent] = []
        self.test_history: list[TestPoint] = []
        self.stopped_reason: StopReason | None = None
        self._loss_ema = 0.0
        self._step_seconds = 0.0  # smoothed seconds per step, for time budgets
        self._good = {k: np.array(v, copy=True) for k, v in self.model.state_dict().items()}
        self.initial_first_layer = self.first_layer_weights()

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the shared MNIST arrays (reloaded on demand): kilobytes, not 200 MB."""
        state = self.__dict__.copy()
        if self._shared_data[0]:
            state["_train_data"] = None
        if self._shared_data[1]:
            state["_test_data"] = None
        return state

    # ------------------------------------------------------------------ data access

    def _train_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self._train_data is None:
            self._train_data = _mnist("train", self.config.train_limit)
        x, y = self._train_data
        if self.config.train_limit is not None and len(x) > self.config.train_limit:
            x, y = x[: self.config.train_limit], y[: self.config.train_limit]
        return x, y

    def test_arrays(self, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The first ``limit`` test images and labels (the fixed subset the curves use)."""
        if self._test_data is None:
            self._test_data = _mnist("test", None)
        x, y = self._test_data
        if limit is not None:
            x, y = x[:limit], y[:limit]
        return x, y

    @property
    def train_size(self) -> int:
        return len(self._train_arrays()[1])

    # ------------------------------------------------------------------ state

    @property
    def done(self) -> bool:
        """True when every epoch has run or training was stopped (see ``stopped_reason``)."""
        return self.stopped_reason is not None or self.step >= self.total_steps

    @property
    def epoch(self) -> int:
        return min(self.step // self.steps_per_epoch, self.config.epochs - 1)

    @property
    def epoch_progress(self) -> float:
        return self.step / self.steps_per_epoch

    @property
    def lr(self) -> float:
        """The learning rate the next step will use (the schedule moves it)."""
        groups = getattr(self.optimizer, "param_groups", None)
        if groups:
            return float(groups[0]["lr"])
        return float(self.optimizer.lr)

    @property
    def images_per_second(self) -> float:
        """Average training throughput so far (evaluation time excluded)."""
        return self.images_seen / self.seconds if self.seconds > 0 else 0.0

    def parameter_count(self) -> int:
        return int(sum(p.data.size for p in self.model.parameters()))

    @property
    def standardize(self) -> bool:
        """Whether the model standardises its input (MNIST mean/std) before the first layer."""
        return self.model.input_standardize

    def _load_init(self, init: Any) -> None:
        name = self.config.model
        if isinstance(init, Mapping):
            meta = getattr(init, "metadata", None)  # a StateDict from load_weights / nn.load
            stats = None if meta is None else _input_stats(meta, "state_dict")
            _load_into(self.model, init, "state_dict", name)
            if stats is not None:
                self.model.set_input_standardization(*stats)
                self.init_meta = dict(meta)
            return
        source = pretrained_path(name) if init == "pretrained" else init
        state, meta = load_weights(source)
        saved = meta.get("model")
        label = str(getattr(source, "name", source))
        if saved is not None and saved != name:
            raise WeightsError(f"{label} holds weights for {saved}, not {name}.",
                               f"{label} 保存的是 {saved} 的权重，而不是 {name}。")
        stats = _input_stats(meta, label)
        _load_into(self.model, state, label, name)
        self.model.set_input_standardization(*stats)
        self.init_meta = meta

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of the model's weights and buffers (PyTorch key names)."""
        return {k: np.array(v, copy=True) for k, v in self.model.state_dict().items()}

    def metadata(self) -> dict[str, Any]:
        """What a weights file records beside the arrays: model, settings, progress, accuracy."""
        last = self.test_history[-1] if self.test_history else None
        return {
            "model": self.config.model,
            "config": self.config.to_json(),
            "steps": self.step,
            "epochs_done": round(self.epoch_progress, 4),
            "train_seconds": round(self.seconds, 3),
            "test_accuracy_subset": None if last is None else last.accuracy,
            "stopped": None if self.stopped_reason is None else self.stopped_reason.code,
            **nn.input_metadata(self.model),
        }

    def save(self, path: str | Path, **extra: Any) -> Path:
        """Save weights + metadata to ``.npz`` (loadable by ``load_model`` and ``init=path``)."""
        return save_weights(path, self.model.state_dict(), {**self.metadata(), **extra})

    def to_bytes(self, **extra: Any) -> bytes:
        """The ``.npz`` file as bytes, for a download button."""
        import io

        buf = io.BytesIO()
        arrays = {k: np.asarray(v) for k, v in self.model.state_dict().items()}
        arrays[_META_KEY] = np.array(json.dumps({**self.metadata(), **extra}, default=str))
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    def load(self, source: str | Path | Any) -> dict[str, Any]:
        """Load weights (path or uploaded file) into this trainer's model; returns the metadata.

        On any problem raises WeightsError and leaves the current weights untouched, so a page
        can show the message and carry on with the model it had. The model's input
        standardisation becomes the file's (off for files that do not record it).
        """
        state, meta = load_weights(source)
        saved = meta.get("model")
        label = str(getattr(source, "name", source))
        if saved is not None and saved != self.config.model:
            raise WeightsError(f"{label} holds weights for {saved}, not {self.config.model}.",
                               f"{label} 保存的是 {saved} 的权重，而不是 {self.config.model}。")
        stats = _input_stats(meta, label)
        _load_into(self.model, state, label, self.config.model)
        self.model.set_input_standardization(*stats)
        self.config = replace(self.config, standardize=self.standardize)
        self._snapshot()
        return meta

    def change_lr(self, lr: float) -> None:
        """Continue (e.g. after a divergence) with a fresh optimiser at ``lr`` for the steps left.

        Clears ``stopped_reason``; the weights are the last good ones already restored.
        """
        self.config = replace(self.config, lr=float(lr))
        self.optimizer = optim.make_optimizer(self.config.optimizer,
                                              list(self.model.parameters()), float(lr),
                                              **self.config.hyper)
        self.scheduler = optim.make_scheduler(self.config.schedule, self.optimizer,
                                              max(1, self.total_steps - self.step))
        self.stopped_reason = None

    def history_columns(self) -> dict[str, list[float]]:
        """The history as columns, ready for a plot: train curves and the test curve."""
        h = self.history
        return {
            "step": [e.step for e in h],
            "epoch": [e.epoch_progress for e in h],
            "loss": [e.loss for e in h],
            "loss_avg": [e.loss_avg for e in h],
            "batch_accuracy": [e.batch_accuracy for e in h],
            "images_per_second": [e.images_per_second for e in h],
            "lr": [e.lr for e in h],
            "test_step": [p.step for p in self.test_history],
            "test_epoch": [p.epoch_progress for p in self.test_history],
            "test_accuracy": [p.accuracy for p in self.test_history],
            "test_loss": [p.loss for p in self.test_history],
        }

    # ------------------------------------------------------------------ training

    def _batch(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._train_arrays()
        bs = self.config.batch_size
        i = self.step % self.steps_per_epoch
        if i == 0 and self.step > 0:
            self._order = self._rng.permutation(len(y))
        idx = np.sort(self._order[i * bs:(i + 1) * bs])  # sorted: faster gather, same set
        xb, yb = x[idx], y[idx]
        if self.config.augment:
            xb = _shift_batch(xb, self._rng)
        return xb, yb

    def _live_arrays(self) -> list[tuple[str, np.ndarray]]:
        """The model's parameter and buffer arrays themselves (not copies, unlike state_dict)."""
        arrays = [(k, p.data) for k, p in self.model.named_parameters()]
        return arrays + [(k, b) for k, b in self.model.named_buffers()
                         if k in self._good and b is not None]

    def _snapshot(self) -> None:
        """Copy the current weights into preallocated buffers: cheap next to a training step."""
        for k, v in self._live_arrays():
            np.copyto(self._good[k], v)

    def _restore(self) -> None:
        self.model.load_state_dict({k: v.copy() for k, v in self._good.items()})

    def _weights_ok(self) -> bool:
        total = 0.0
        for p in self.model.parameters():
            m = float(np.abs(p.data).max()) if p.data.size else 0.0
            total = max(total, m)
        return math.isfinite(total) and total < _EXPLODE_ABS

    def train_step(self) -> ProgressEvent | None:
        """One optimisation step; None (and ``stopped_reason`` set) if it diverged."""
        if self.done:
            return None
        t0 = time.perf_counter()
        xb, yb = self._batch()
        lr = self.lr
        self.model.train()
        logits = self.model(xb)
        loss = float(self.loss_fn(logits, yb))
        if not math.isfinite(loss) or loss > 1e4:
            self._restore()
            self.stopped_reason = _diverged(self.step + 1, "loss", lr, self.config.optimizer)
            return None
        self._snapshot()  # these weights gave a finite loss: the last good ones
        self.optimizer.zero_grad()
        self.model.backward(self.loss_fn.backward())
        self.optimizer.step()
        self.scheduler.step()
        if not self._weights_ok():
            self._restore()
            self.stopped_reason = _diverged(self.step + 1, "weights", lr, self.config.optimizer)
            return None
        dt = time.perf_counter() - t0
        self.step += 1
        self.seconds += dt
        self.images_seen += len(yb)
        acc = float((logits.argmax(axis=1) == yb).mean())
        beta = self.config.ema
        self._loss_ema = beta * self._loss_ema + (1 - beta) * loss
        avg = self._loss_ema / (1 - beta ** self.step)
        self._step_seconds = dt if self.step == 1 else 0.8 * self._step_seconds + 0.2 * dt
        ips = len(yb) / self._step_seconds if self._step_seconds > 0 else 0.0
        event = ProgressEvent(
            step=self.step, epoch=(self.step - 1) // self.steps_per_epoch,
            epoch_progress=self.epoch_progress, loss=loss, loss_avg=float(avg),
            batch_accuracy=acc, images_per_second=float(ips), lr=lr, seconds=self.seconds,
        )
        if self.config.eval_every and (self.step % self.config.eval_every == 0 or self.done):
            self._record_test(event)
        self.history.append(event)
        return event

    def _record_test(self, event: ProgressEvent) -> None:
        if self.config.test_limit == 0:
            return
        acc, loss = self.quick_test()
        event.test_accuracy, event.test_loss = acc, loss
        self.test_history.append(TestPoint(event.step, event.epoch_progress, acc, loss))

    def run(self, steps: int | None = None, seconds: float | None = None) -> list[ProgressEvent]:
        """Advance by at most ``steps`` steps and/or about ``seconds`` seconds, then return.

        With neither, runs to the end. At least one step runs if training is not done; a step is
        not started when the smoothed step time says it would overshoot the budget.
        """
        events: list[ProgressEvent] = []
        start = time.perf_counter()
        while not self.done:
            if steps is not None and len(events) >= steps:
                break
            if seconds is not None and events:
                elapsed = time.perf_counter() - start
                if elapsed + self._step_seconds > seconds:
                    break
            event = self.train_step()
            if event is None:
                break
            events.append(event)
        return events

    # ------------------------------------------------------------------ inference

    def _logits(self, x: np.ndarray, chunk: int = 500) -> np.ndarray:
        was_training = getattr(self.model, "training", True)
        self.model.eval()
        try:
            x = _as_images(x)
            outs = [np.asarray(self.model(x[i:i + chunk])) for i in range(0, len(x), chunk)]
        finally:
            if was_training:
                self.model.train()
        return np.concatenate(outs, axis=0) if outs else np.zeros((0, 10), np.float32)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Softmax probabilities (N, 10) for images (28, 28), (1, 28, 28) or (N, 1, 28, 28)."""
        return _softmax(self._logits(x).astype(np.float64)).astype(np.float32)

    def quick_test(self) -> tuple[float, float]:
        """Accuracy and loss on the fixed test subset (``test_limit`` images): the live curve."""
        x, y = self.test_arrays(self.config.test_limit)
        logits = self._logits(x).astype(np.float64)
        return _accuracy_and_loss(logits, y)

    def evaluate(self, limit: int | None = None, x: np.ndarray | None = None,
                 y: np.ndarray | None = None) -> EvalResult:
        """Full evaluation on the first ``limit`` test images (or on ``x``, ``y``)."""
        if x is None or y is None:
            x, y = self.test_arrays(limit)
        return evaluate_model(self.model, x, y)

    def first_layer_weights(self) -> np.ndarray:
        """A copy of the first conv layer's weight (C_out, C_in, kH, kW): the filters grid."""
        for m in self.model.modules():
            if isinstance(m, _conv_types()):
                return np.array(m.weight.data, copy=True)
        raise ValueError(f"{self.config.model} has no convolution layer")

    def feature_maps(self, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """[(layer name, activations)] after each conv layer (and its activation) for ``x``."""
        return feature_maps(self.model, x)


def _accuracy_and_loss(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    if len(y) == 0:
        return 0.0, 0.0
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = float(-logp[np.arange(len(y)), y].mean())
    acc = float((logits.argmax(axis=1) == y).mean())
    return acc, loss


def evaluate_model(model: nn.Module, x: np.ndarray, y: np.ndarray,
                   chunk: int = 500) -> EvalResult:
    """Evaluate any engine model on labelled images (eval mode; train mode restored after)."""
    was_training = getattr(model, "training", False)
    model.eval()
    try:
        x = _as_images(x)
        outs = [np.asarray(model(x[i:i + chunk])) for i in range(0, len(x), chunk)]
    finally:
        if was_training:
            model.train()
    y = np.asarray(y, dtype=np.int64)
    logits = (np.concatenate(outs) if outs else np.zeros((0, 10), np.float32)).astype(np.float64)
    acc, loss = _accuracy_and_loss(logits, y)
    pred = logits.argmax(axis=1).astype(np.int64) if len(y) else np.zeros(0, np.int64)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (y, pred), 1)
    support = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(support > 0, np.diag(confusion) / np.maximum(support, 1), np.nan)
    probs = _softmax(logits).astype(np.float32) if len(y) else np.zeros((0, 10), np.float32)
    return EvalResult(
        accuracy=acc, loss=loss, n=int(len(y)), predictions=pred, labels=y,
        confusion=confusion, per_class_accuracy=per_class,
        mistakes=np.flatnonzero(pred != y), probabilities=probs,
    )


def feature_maps(model: nn.Module, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Run ``x`` through ``model`` and collect each conv stage's output after its activation.

    The model is walked as a chain of modules (nested Sequentials opened). A conv layer's
    output is taken after the activation that follows it (skipping BatchNorm / LRN in between);
    a composite block that contains convolutions (residual, depthwise-separable) counts as one
    stage, its output taken after the activation that follows it, if any.
    """
    x = _as_images(x)
    chain = _flatten_sequential(model)
    was_training = getattr(model, "training", False)
    model.eval()
    maps: list[tuple[str, np.ndarray]] = []
    try:
        if chain is None:  # not a chain: fall back to the final output only
            return [("output", np.asarray(model(x)))]
        pending: str | None = None
        h = model.standardize(x)  # what forward does first (a no-op unless standardising)
        for name, m in chain:
            kind = type(m).__name__
            if pending is not None and (_contains_conv(m) or kind not in (
                    *ACTIVATIONS, "BatchNorm2d", "LocalResponseNorm")):
                maps.append((pending, prev))  # noqa: F821 - set with pending
                pending = None
            h = np.asarray(m(h))
            if _contains_conv(m):
                pending, prev = f"{name}: {kind}", h
            elif pending is not None:
                prev = h
                if kind in ACTIVATIONS:
                    maps.append((pending, prev))
                    pending = None
        if pending is not None:
            maps.append((pending, prev))
    finally:
        if was_training:
            model.train()
    return [(n, np.array(a, copy=True)) for n, a in maps]
