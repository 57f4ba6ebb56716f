"""Weights files: the one ``.npz`` format, and the one check that a file fits a model.

A weights file is a NumPy ``.npz`` archive: one ``.npy`` member per state_dict entry
(PyTorch's key names, ``0.weight``, ``1.running_mean`` ...) and a ``__cnnviz_meta__`` member
holding a JSON object (a 0-d unicode array, so no pickle is ever needed)::

    {"format": "cnnviz-weights-1", "model": "simple_convnet", "cnnviz_version": "0.1.0",
     "input_standardize": true, "input_mean": 0.1307, "input_std": 0.3081,
     "config": {...}, "steps": 600, ...}

The engine (``cnnviz.nn``) knows nothing of this: its ``load_state_dict`` has PyTorch's plain
semantics. Model names and the input standardisation are application rules, so they live here.

Why the file is read member by member instead of with ``np.load``: uploads come from anyone.
``np.load`` decompresses a member before anyone can look at it, so a 2 MB file declaring
600 M zeros would take gigabytes. Here each member's ``.npy`` header (dtype, shape) is read
first and compared with the model; data is read only when every header fits, and every value
is then checked (finite float32/float64 within ``MAX_ABS``), so what loads is weights.

Compatibility: files written before this module (``cnnviz.train.save_weights``, the bundled
``assets/weights``; ``nn.save``'s ``cnnviz-state-1``) are the same archive with fewer metadata
keys; a file that does not record ``input_standardize`` was trained on raw pixels and loads
with standardisation off.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.lib import format as npy_format

from cnnviz import nn
from cnnviz.i18n import LocalizedError, Text
from cnnviz.models import MNIST_MEAN, MNIST_STD, MODEL_NAMES, build_model

__all__ = [
    "FORMAT", "MAX_ABS", "MAX_ELEMENTS", "META_KEY", "WEIGHTS_DIR", "StateDict", "WeightsError",
    "check_fits", "input_metadata", "input_stats", "load_into", "load_model", "load_weights",
    "model_metadata", "plain_text", "pretrained_path", "save_model", "save_weights",
    "weights_bytes",
]

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "assets" / "weights"
META_KEY = "__cnnviz_meta__"
FORMAT = "cnnviz-weights-1"
# A weight beyond this is not a trained weight (the Trainer's divergence guard uses it too).
MAX_ABS = 1e6
# Ten times the largest model's state (simple_convnet: 433,890 values): a file declaring more
# is refused from its headers alone, before any data is decompressed.
MAX_ELEMENTS = 4_000_000
_MAX_META_CHARS = 100_000
_MAX_MEMBERS = 512
_COUNTER_KEYS = ("num_batches_tracked",)  # the engine's only integer state (BatchNorm)

Source = Any  # a path, a file-like object (an upload), bytes, or a state_dict mapping


class WeightsError(LocalizedError, ValueError):
    """A weights file that is missing, broken, unsafe or for another model (en and zh).

    ``reason``: ``not_found``, ``unreadable``, ``no_weights``, ``too_large``, ``other_model``,
    ``unknown_model``, ``mismatch``, ``bad_values``, ``bad_standardisation``.
    """


class StateDict(OrderedDict):
    """A state_dict read from a file, with the file's ``metadata`` (model, standardisation)."""

    metadata: dict[str, Any]

    def __init__(self, *args: Any, metadata: Mapping[str, Any] | None = None,
                 **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.metadata = dict(metadata or {})


def pretrained_path(model: str) -> Path:
    """Where the bundled weights of ``model`` live (they may not exist for every model)."""
    return WEIGHTS_DIR / f"{model}.npz"


# ----------------------------------------------------------------------------- metadata


def input_metadata(model: nn.Module) -> dict[str, Any]:
    """What a file records about the model's input standardisation (off for non-Sequentials)."""
    std = getattr(model, "input_std", None)
    return {"input_standardize": std is not None,
            "input_mean": None if std is None else float(model.input_mean),
            "input_std": None if std is None else float(std)}


def model_metadata(model: nn.Module, name: str | None = None) -> dict[str, Any]:
    """The metadata every file carries: format, model name, version, standardisation."""
    from cnnviz import __version__

    return {"format": FORMAT, "model": name or getattr(model, "name", None),
            "cnnviz_version": __version__, **input_metadata(model)}


def input_stats(meta: Mapping[str, Any], label: str = "state_dict"
                ) -> tuple[float | None, float | None]:
    """(mean, std) a model loaded with these weights standardises with; (None, None): off.

    A file without ``input_standardize`` (older than the setting) was trained on raw pixels:
    off. The flag on without numbers means MNIST's. Unusable numbers: a WeightsError.
    """
    if not meta.get("input_standardize", False):
        return None, None
    mean, std = meta.get("input_mean"), meta.get("input_std")
    if mean is None and std is None:
        mean, std = MNIST_MEAN, MNIST_STD
    try:
        m, s = float(mean), float(std)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        m, s = math.nan, math.nan
    if not (math.isfinite(m) and math.isfinite(s) and s > 0):
        raise WeightsError(Text(
            f"{label} has an unusable input standardisation (mean {mean!r}, std {std!r}; "
            "it needs a finite mean and a std > 0).",
            f"{label} 的输入标准化设置无效（均值 {mean!r}，标准差 {std!r}；均值须为有限数，"
            "标准差须大于 0）。"), "bad_standardisation")
    return m, s


def _clean_meta(raw: Any, label: str) -> dict[str, Any]:
    """The metadata object, its model name a short string or absent (a file is untrusted)."""
    meta = dict(raw) if isinstance(raw, dict) else {}
    name = meta.get("model")
    if name is not None and not (isinstance(name, str) and 0 < len(name) <= 64):
        raise WeightsError(Text(f"{label} has unreadable metadata (its model name).",
                                f"{label} 的元数据无法读取（模型名称）。"), "unreadable")
    return meta


# ----------------------------------------------------------------------------- writing


def weights_bytes(state: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> bytes:
    """The ``.npz`` file of ``state`` + ``meta`` as bytes (a download button serves these)."""
    arrays = {k: np.asarray(v) for k, v in state.items()}
    arrays[META_KEY] = np.array(json.dumps(dict(meta), default=str))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def save_weights(path: str | Path, state: Mapping[str, np.ndarray],
                 meta: Mapping[str, Any]) -> Path:
    """Write ``state`` + ``meta`` to exactly ``path`` (no suffix added); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(weights_bytes(state, meta))
    return path


def save_model(model: nn.Module, path: str | Path, **extra: Any) -> Path:
    """``model.state_dict()`` with its metadata (name, standardisation) and ``extra`` keys."""
    return save_weights(path, model.state_dict(), {**model_metadata(model), **extra})


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Member:
    """One array member as its ``.npy`` header declares it (nothing decompressed yet)."""

    name: str  # the zip member
    shape: tuple[int, ...]
    dtype: np.dtype


def _label(source: Source) -> str:
    """How messages name the source: its file name (not a server path), or what it is."""
    if isinstance(source, Mapping):
        return "state_dict"
    name = source if isinstance(source, (str, Path)) else getattr(source, "name", None)
    return Path(str(name)).name if name else "weights"


def _unreadable(label: str) -> WeightsError:
    return WeightsError(Text(
        f"{label} is not a readable weights file (.npz): it is damaged or not a NumPy archive.",
        f"{label} 不是可读取的权重文件（.npz）：文件已损坏，或不是 NumPy 压缩包。"), "unreadable")


@contextmanager
def _archive(source: Source, label: str) -> Iterator[zipfile.ZipFile]:
    if isinstance(source, (str, Path)) and not Path(source).is_file():
        raise WeightsError(Text(f"Weights file not found: {source}",
                                f"找不到权重文件：{source}"), "not_found")
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise _unreadable(label) from exc
    with zf:
        yield zf


def _header(zf: zipfile.ZipFile, member: str, label: str) -> _Member:
    """Read only the ``.npy`` header of ``member``: its dtype and declared shape."""
    try:
        with zf.open(member) as fp:
            version = npy_format.read_magic(fp)
            read = (npy_format.read_array_header_1_0 if version == (1, 0)
                    else npy_format.read_array_header_2_0)
            shape, _fortran, dtype = read(fp)
    except Exception as exc:  # bad magic, bad header, a broken zip stream ...
        raise _unreadable(label) from exc
    return _Member(member, tuple(int(n) for n in shape), np.dtype(dtype))


def _data(zf: zipfile.ZipFile, m: _Member, label: str) -> np.ndarray:
    try:
        with zf.open(m.name) as fp:
            return np.asarray(npy_format.read_array(fp, allow_pickle=False))
    except Exception as exc:
        raise _unreadable(label) from exc


def _members(zf: zipfile.ZipFile, label: str) -> tuple[dict[str, _Member], _Member | None]:
    names = zf.namelist()
    if len(names) > _MAX_MEMBERS or len(set(names)) != len(names) or not all(
            n.endswith(".npy") for n in names):
        raise _unreadable(label)
    members = {n[:-4]: _header(zf, n, label) for n in names}
    return members, members.pop(META_KEY, None)


def _read_meta(zf: zipfile.ZipFile, m: _Member | None, label: str) -> dict[str, Any]:
    if m is None:
        return {}
    if m.dtype.kind != "U" or m.shape != () or m.dtype.itemsize > 4 * _MAX_META_CHARS:
        raise WeightsError(Text(f"{label} has unreadable metadata.",
                                f"{label} 的元数据无法读取。"), "unreadable")
    try:
        raw = json.loads(str(_data(zf, m, label)))
    except ValueError:
        raw = {}
    return _clean_meta(raw, label)


def _check_size(members: Mapping[str, _Member], label: str) -> None:
    total = sum(math.prod(m.shape) for m in members.values())
    if total > MAX_ELEMENTS:
        raise WeightsError(Text(
            f"{label} declares {total:,} numbers, more than any model here has "
            f"({MAX_ELEMENTS:,} at most): refused before reading them.",
            f"{label} 声明了 {total:,} 个数，超过这里任何模型的参数量（最多 {MAX_ELEMENTS:,}）："
            "未读取即拒绝。"), "too_large")


# ----------------------------------------------------------------------------- the checks


def _value_problem(key: str, dtype: np.dtype) -> Text | None:
    """Why an array of ``dtype`` cannot be the state entry ``key`` (None if it can)."""
    if key.endswith(_COUNTER_KEYS):
        if dtype.kind in "iu":
            return None
        return Text(f"a {dtype.name} array where a whole-number counter belongs",
                    f"一个 {dtype.name} 数组，而这里应是整数计数")
    if dtype in (np.float32, np.float64):
        return None
    kinds = {"c": Text("complex numbers", "复数"), "b": Text("true/false values", "布尔值"),
             "i": Text("whole numbers", "整数"), "u": Text("whole numbers", "整数"),
             "f": Text("low-precision floats", "低精度浮点数")}
    what = kinds.get(dtype.kind, Text("data that is not numbers", "不是数值的数据"))
    return Text(f"{what.en} ({dtype.name}), not float32/float64 weights",
                f"{what.zh}（{dtype.name}），而不是 float32/float64 权重")


def _range_problem(key: str, a: np.ndarray) -> Text | None:
    """Why the values of ``a`` are not weights: NaN/inf, or beyond ``MAX_ABS``."""
    if a.size == 0:
        return None
    if key.endswith(_COUNTER_KEYS):
        lo, hi = int(a.min()), int(a.max())
        bad = lo if lo < 0 else hi
        return None if lo >= 0 and hi <= 2**53 else Text(f"a counter out of range ({bad})",
                                                         f"超出范围的计数（{bad}）")
    if not np.isfinite(a).all():
        return Text("NaN or infinite values", "NaN 或无穷大的值")
    biggest = float(np.abs(a).max())
    if biggest > MAX_ABS:
        return Text(f"a value of size {biggest:.3g}, beyond ±{MAX_ABS:g}",
                    f"绝对值为 {biggest:.3g} 的数，超出 ±{MAX_ABS:g}")
    return None


def _bad_values(label: str, key: str, why: Text) -> WeightsError:
    return WeightsError(Text(f"{label} is refused: {key} holds ", f"{label} 被拒绝：{key} 中是")
                        + why + Text(".", "。"), "bad_values")


def check_fits(model: nn.Module, shapes: Mapping[str, tuple[int, ...]], *, label: str,
               model_name: str, saved_name: str | None = None) -> None:
    """The one "does this file fit this model" check: model name, then keys and shapes.

    ``shapes`` are the arrays' shapes, declared (file headers) or real (a mapping), so a file
    can be refused before its data is read. Raises WeightsError naming what does not fit.
    """
    if saved_name is not None and saved_name != model_name:
        raise WeightsError(Text(
            f"{label} holds weights for {saved_name}, not {model_name}. Choose {saved_name} "
            "as the model to load it.",
            f"{label} 保存的是 {saved_name} 的权重，而不是 {model_name}。请选择模型 "
            f"{saved_name} 再加载它。"), "other_model")
    own = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    missing = [k for k in own if k not in shapes]
    extra = [f"{k} {tuple(shapes[k])}" for k in shapes if k not in own]
    wrong = [f"{k} {tuple(shapes[k])} ≠ {own[k]}" for k in own
             if k in shapes and tuple(shapes[k]) != own[k]]
    if missing or extra or wrong:
        en, zh = _listed(missing, extra, wrong)
        raise WeightsError(Text(f"{label} does not fit the model {model_name} ({en}).",
                                f"{label} 与模型 {model_name} 不匹配（{zh}）。"), "mismatch")


def _listed(missing: list[str], extra: list[str], wrong: list[str]) -> tuple[str, str]:
    """What does not fit, a few of each kind, in English and Chinese."""
    def few(items: list[str]) -> str:
        return ", ".join(items[:3]) + (", …" if len(items) > 3 else "")

    kinds = [(missing, "missing", "缺少"), (extra, "unexpected", "多余"),
             (wrong, "wrong shape", "形状不符")]
    return ("; ".join(f"{en} {few(ks)}" for ks, en, _ in kinds if ks),
            "；".join(f"{zh} {few(ks)}" for ks, _, zh in kinds if ks))


def _checked(state: Mapping[str, Any], label: str) -> StateDict:
    """The arrays as a StateDict, refusing anything that is not weights (key and reason)."""
    out = StateDict(metadata=getattr(state, "metadata", None))
    for key, value in state.items():
        a = np.asarray(value)
        why = _value_problem(key, a.dtype) or _range_problem(key, a)
        if why is not None:
            raise _bad_values(label, key, why)
        out[key] = a
    return out


def _read(zf: zipfile.ZipFile, label: str, model: nn.Module | None = None,
          model_name: str | None = None) -> StateDict:
    """Headers and metadata first, checks, and only then the data (see the module docstring)."""
    members, meta_member = _members(zf, label)
    meta = _read_meta(zf, meta_member, label)
    if not members:
        raise WeightsError(Text(f"{label} holds no weights.", f"{label} 中没有权重。"),
                           "no_weights")
    if model is not None:  # the model's own shapes bound what is read
        check_fits(model, {k: m.shape for k, m in members.items()}, label=label,
                   model_name=model_name or str(getattr(model, "name", "")),
                   saved_name=meta.get("model"))
    else:
        _check_size(members, label)
    for key, m in members.items():
        why = _value_problem(key, m.dtype)
        if why is not None:
            raise _bad_values(label, key, why)
    arrays = {k: _data(zf, m, label) for k, m in members.items()}
    return _checked(StateDict(arrays, metadata=meta), label)


def load_weights(source: Source) -> tuple[StateDict, dict[str, Any]]:
    """Read a weights file (path, file-like or bytes) → (state_dict, metadata), every value
    checked. The StateDict carries the metadata, so ``TrainConfig(init=state)`` keeps the
    file's standardisation. Raises WeightsError (en and zh), never a NumPy/zipfile traceback.
    """
    label = _label(source)
    with _archive(source, label) as zf:
        state = _read(zf, label)
    return state, state.metadata


def load_into(model: nn.Module, source: Source, model_name: str,
              label: str | None = None) -> dict[str, Any]:
    """Load a file or a state_dict mapping into ``model`` (a ``model_name``); → metadata.

    Everything is checked before anything changes, so on a WeightsError the model keeps its
    weights. The model standardises its input as the weights say; a plain mapping without
    metadata leaves that setting alone (as PyTorch's ``load_state_dict`` would).
    """
    label = label or _label(source)
    if isinstance(source, Mapping):
        meta = getattr(source, "metadata", None)
        check_fits(model, {k: np.shape(v) for k, v in source.items()}, label=label,
                   model_name=model_name, saved_name=(meta or {}).get("model"))
        state = _checked(source, label)
    else:
        with _archive(source, label) as zf:
            state = _read(zf, label, model, model_name)
        meta = state.metadata
    stats = None if meta is None else input_stats(meta, label)
    own = model.state_dict()
    model.load_state_dict({k: np.asarray(v, dtype=own[k].dtype) for k, v in state.items()})
    if stats is not None and hasattr(model, "set_input_standardization"):
        model.set_input_standardization(*stats)
    return dict(meta or {})


def load_model(source: Source, model: str | None = None) -> tuple[nn.Sequential, dict[str, Any]]:
    """Build the model a weights file was saved from and load it → (model in eval mode, meta).

    ``model`` supplies the architecture for files that do not name one; a file naming another
    architecture is refused.
    """
    label = _label(source)
    with _archive(source, label) as zf:
        members, meta_member = _members(zf, label)
        saved = _read_meta(zf, meta_member, label).get("model")
        arch = model or saved
        if arch is None or arch not in MODEL_NAMES:
            raise WeightsError(Text(f"{label} does not say which model it belongs to ({arch!r}).",
                                    f"{label} 没有注明所属的模型（{arch!r}）。"), "unknown_model")
        net = build_model(arch, seed=0)
        state = _read(zf, label, net, arch)
    meta = load_into(net, state, arch, label)
    return net.eval(), meta


def plain_text(s: str) -> str:
    """``s`` with every Markdown character escaped: file names and metadata come from
    strangers, so a page shows them as typed, never as links, images or formatting."""
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"([\\`*_{}\[\]()#+\-!|<>~$:@=^&])", r"\\\1", s)
    s = re.sub(r"^(\s*\d+)\.", r"\1\\.", s)  # "1. " would start a numbered list
    return re.sub(r"(?i)(www)\.", r"\1\\.", s)

