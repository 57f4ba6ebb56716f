"""Parameter, Module and Sequential: the bookkeeping half of PyTorch's ``torch.nn``.

A Module registers its Parameters, buffers and sub-modules on attribute assignment, as
torch does, so ``named_parameters()`` and ``state_dict()`` produce torch's key names
(``features.3.weight``, ``bn.running_mean``) and weights can be compared one to one.
Unlike torch there is no autograd: ``forward`` keeps what ``backward(dy)`` needs, and
``backward`` returns dL/dx and *adds* into each parameter's ``.grad``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Parameter", "Module", "Sequential", "Identity", "Flatten", "IncompatibleKeys"]


class Parameter:
    """A learnable array: ``.data`` (float32) and ``.grad`` (zeros until accumulated)."""

    def __init__(self, data: Any) -> None:
        self.data = np.array(data, dtype=np.float32, copy=True)
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return int(self.data.size)

    def numel(self) -> int:
        """Number of elements (torch's name)."""
        return int(self.data.size)

    def numpy(self) -> np.ndarray:
        """The data array itself (not a copy), as ``tensor.numpy()``."""
        return self.data

    def zero_grad(self) -> None:
        self.grad[...] = 0.0

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __repr__(self) -> str:
        return f"Parameter containing:\n{self.data!r}"


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` could not match (torch's return value)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class _HookHandle:
    def __init__(self, hooks: dict[int, Callable], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)


def _addindent(s: str, n: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


class Module:
    """Base class of every layer: registration, traversal, train/eval, state dicts, repr."""

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------------ registration

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("call Module.__init__() before assigning attributes")
        params, bufs, mods = self._parameters, self._buffers, self._modules
        if isinstance(value, Parameter):
            bufs.pop(name, None)
            mods.pop(name, None)
            self.__dict__.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            bufs.pop(name, None)
            self.__dict__.pop(name, None)
            mods[name] = value
        elif name in params or name in mods:
            if value is not None:
                raise TypeError(f"cannot assign {type(value).__name__} to {name!r}: "
                                "a Parameter/Module (or None) is expected")
            (params if name in params else mods)[name] = None  # e.g. bias = None
        elif name in bufs:
            bufs[name] = None if value is None else np.asarray(value)
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                return
        object.__delattr__(self, name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register a Parameter (or None, e.g. a missing bias) under ``name``."""
        self.__dict__.pop(name, None)
        self._parameters[name] = param

    def register_buffer(self, name: str, array: np.ndarray | None,
                        persistent: bool = True) -> None:
        """A non-learnable array saved in ``state_dict`` (BatchNorm's running statistics)."""
        self.__dict__.pop(name, None)
        self._buffers[name] = None if array is None else np.asarray(array)
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child under ``name`` (Sequential uses "0", "1", ...)."""
        self.__dict__.pop(name, None)
        self._modules[name] = module

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> _HookHandle:
        """Call ``hook(module, inputs, output)`` after each forward (how pages grab feature maps).

        A hook that returns something other than None replaces the output, as in torch.
        """
        key = id(hook) ^ len(self._forward_hooks) ^ id(self)
        while key in self._forward_hooks:
            key += 1
        self._forward_hooks[key] = hook
        return _HookHandle(self._forward_hooks, key)

    # ------------------------------------------------------------------ compute

    def forward(self, *args: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no forward")

    def backward(self, dy: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} has no backward")

    def backward_params(self, dy: np.ndarray) -> None:
        """Accumulate the parameters' gradients only, when nobody needs dL/dinput (a
        training step: the images' gradient is thrown away). Layers that can skip the
        input-gradient work override this (Conv2d, Sequential)."""
        self.backward(dy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            res = hook(self, args, out)
            if res is not None:
                out = res
        return out

    # ------------------------------------------------------------------ traversal

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, m in self._modules.items():
            if m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, memo: set[int] | None = None,
                      prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Every module, depth first, self first with name "" (torch's order)."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, m in self.named_children():
            yield from m.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "",
                         recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter), each shared Parameter once."""
        seen: set[int] = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mprefix, m in mods:
            for name, p in m._parameters.items():
                if p is None or id(p) in seen:
                    continue
                seen.add(id(p))
                yield (f"{mprefix}.{name}" if mprefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "",
                      recurse: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mprefix, m in mods:
            for name, b in m._buffers.items():
                if b is not None:
                    yield (f"{mprefix}.{name}" if mprefix else name), b

    def buffers(self, recurse: bool = True) -> Iterator[np.ndarray]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------ modes, grads

    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops, BatchNorm uses batch statistics); returns self."""
        for m in self.modules():
            object.__setattr__(m, "training", bool(mode))
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to zeros (gradients accumulate otherwise)."""
        for p in self.parameters():
            p.grad[...] = 0.0

    def num_parameters(self) -> int:
        """Total number of learnable scalars."""
        return sum(p.size for p in self.parameters())

    # ------------------------------------------------------------------ state dict

    def state_dict(self, prefix: str = "") -> OrderedDict[str, np.ndarray]:
        """Copies of parameters then buffers per module, with torch's key names and order."""
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for mprefix, m in self.named_modules(prefix=prefix.rstrip(".")):
            head = f"{mprefix}." if mprefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[head + name] = p.data.copy()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    out[head + name] = np.array(b, copy=True)
        return out

    def _state_slots(self) -> OrderedDict[str, tuple[Module, str, bool]]:
        slots: OrderedDict[str, tuple[Module, str, bool]] = OrderedDict()
        for mprefix, m in self.named_modules():
            head = f"{mprefix}." if mprefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    slots[head + name] = (m, name, True)
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent:
                    slots[head + name] = (m, name, False)
        return slots

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays into this module's parameters and buffers, as PyTorch does.

        ``strict``: every key must match (missing and unexpected keys are errors); shapes must
        match always. Raises ValueError naming each offending key; nothing changes unless
        everything fits, so a failed load leaves a working model. Model names and the input
        standardisation of weights files are the application's (``cnnviz.weights``).
        """
        slots = self._state_slots()
        missing = [k for k in slots if k not in state_dict]
        unexpected = [k for k in state_dict if k not in slots]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(map(str, unexpected)))
        wrong = []
        for k, slot in slots.items():
            if k in state_dict:
                have, got = tuple(self._slot_array(*slot).shape), tuple(np.shape(state_dict[k]))
                if have != got:
                    wrong.append(f"{k}: saved {got}, model has {have}")
        if wrong:
            problems.append("shape mismatch: " + "; ".join(wrong))
        if problems:
            raise ValueError(f"cannot load state dict into {type(self).__name__}: "
                             + " | ".join(problems))
        for k, (m, name, is_param) in slots.items():
            if k not in state_dict:
                continue
            value = np.asarray(state_dict[k])
            if is_param:
                m._parameters[name].data[...] = value.astype(np.float32)
            else:
                old = m._buffers[name]
                m._buffers[name] = np.array(value, dtype=old.dtype, copy=True)
        return IncompatibleKeys(missing, unexpected)

    @staticmethod
    def _slot_array(m: Module, name: str, is_param: bool) -> np.ndarray:
        return m._parameters[name].data if is_param else m._buffers[name]

    # ------------------------------------------------------------------ repr

    def extra_repr(self) -> str:
        """The settings shown inside the parentheses of ``repr`` (torch's hook)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({k}): " + _addindent(repr(m), 2) for k, m in self._modules.items()]
        lines = extra_lines + child_lines
        s = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                s += extra_lines[0]
            else:
                s += "\n  " + "\n  ".join(lines) + "\n"
        return s + ")"


class Sequential(Module):
    """Modules applied in order; backward runs them in reverse. Indexable like torch's.

    Beyond torch: ``input_mean`` / ``input_std`` (None by default) fold an input
    standardisation ``(x - input_mean) / input_std`` into the model, applied before the first
    module (and ``dx`` scaled by ``1 / input_std`` in backward). Callers keep feeding raw input
    (MNIST pixels in [0, 1]) whether or not a model standardises. Why attributes of Sequential
    rather than a first layer or a subclass: a layer would shift every index and state_dict key
    (``0.weight`` -> ``1.weight``) away from torch's and from the bundled files; buffers would
    add keys too; a subclass would change the class name seen by repr, summaries and the torch
    twins. Plain attributes change none of that, and hooks, ``summarize`` and slices that start
    at the first module (``model[:3]``) see what forward sees. Weights files record them in
    their metadata and restore them on loading (``cnnviz.weights``, not the engine).
    """

    input_mean: float | None = None
    input_std: float | None = None

    def __init__(self, *modules: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, m in modules[0].items():
                self.add_module(name, m)
        else:
            for i, m in enumerate(modules):
                self.add_module(str(i), m)

    @property
    def input_standardize(self) -> bool:
        """True when forward standardises its input (``input_std`` is set)."""
        return self.input_std is not None

    def set_input_standardization(self, mean: float | None, std: float | None) -> Sequential:
        """Standardise the input as ``(x - mean) / std`` from now on; ``None, None``: don't.

        Raises ValueError (model unchanged) unless both are finite numbers with ``std > 0``.
        """
        self.input_mean, self.input_std = _checked_stats(mean, std)
        return self

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """The input as the first module sees it (unchanged when not standardising)."""
        if self.input_std is None:
            return x
        x = np.asarray(x, dtype=np.float32)
        return (x - np.float32(self.input_mean)) / np.float32(self.input_std)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = self.standardize(x)
        for m in self.children():
            x = m(x)
        return x

    def backward_params(self, dy: np.ndarray) -> None:
        """As backward, but the first layer skips dL/dinput (see Module.backward_params)."""
        children = list(self.children())
        for m in reversed(children[1:]):
            dy = m.backward(dy)
        if children:
            children[0].backward_params(dy)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        for m in reversed(list(self.children())):
            dy = m.backward(dy)
        if self.input_std is not None:
            dy = np.asarray(dy, dtype=np.float32) / np.float32(self.input_std)
        return dy

    def extra_repr(self) -> str:
        if self.input_std is None:
            return ""
        return f"input_mean={self.input_mean:g}, input_std={self.input_std:g}"

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self._modules)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(idx, slice):
            part = Sequential(OrderedDict(items[idx]))
            picked = range(len(items))[idx]
            if len(picked) and picked[0] == 0:  # starts with the first module: same input
                part.set_input_standardization(self.input_mean, self.input_std)
            return part
        n = len(items)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range")
        return items[idx % n][1]


def _checked_stats(mean: Any, std: Any) -> tuple[float | None, float | None]:
    """(mean, std) as floats, or (None, None); ValueError unless finite with std > 0."""
    if mean is None and std is None:
        return None, None
    try:
        m, s = float(mean), float(std)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"input mean/std must be numbers, got {mean!r}, {std!r}") from exc
    if not (np.isfinite(m) and np.isfinite(s) and s > 0):
        raise ValueError(f"input standardisation needs a finite mean and a std > 0, "
                         f"got mean={mean!r}, std={std!r}")
    return m, s


class Identity(Module):
    """Returns its input (a residual block's shortcut when shapes already match)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy


class Flatten(Module):
    """Reshape dims ``start_dim..end_dim`` into one: from feature maps to a vector."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim
        self._in_shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        self._in_shape = x.shape
        s = self.start_dim % x.ndim
        e = self.end_dim % x.ndim
        return x.reshape(x.shape[:s] + (-1,) + x.shape[e + 1:])

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return np.asarray(dy, dtype=np.float32).reshape(self._in_shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

