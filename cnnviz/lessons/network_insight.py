"""Beyond one forward pass: the architecture drawn from the model object, what each conv
channel's favourite MNIST patches are, and why the network chose its answer (saliency).
NumPy and the engine only; no plotting, no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import formulas, nn
from cnnviz.summary import trace_layers
from cnnviz.training.data import as_images

__all__ = ["Box", "Diagram", "Patches", "Saliency", "diagram", "receptive_fields",
           "saliency", "top_patches"]


# ----------------------------------------------------------------------------- diagram
@dataclass(frozen=True)
class Box:
    """One layer of the diagram: its name, kind, output shape and the row it is drawn in."""

    name: str
    kind: str  # class name, or "Add" for a residual block's sum
    detail: str  # "5×5", "2×2/2", "784→100" ...
    out_shape: tuple[int, ...]
    row: int  # boxes of a residual block share a row, others wrap
    params: int = 0


@dataclass(frozen=True)
class Diagram:
    """Boxes in forward order and the skip connections (from box index, to box index, what
    the shortcut does on the way)."""

    boxes: tuple[Box, ...]
    skips: tuple[tuple[int, int, str], ...]


def _detail(m: nn.Module) -> str:
    if isinstance(m, nn.Conv2d):
        kh, kw = (m.kernel_size, m.kernel_size) if np.isscalar(m.kernel_size) else m.kernel_size
        s = m.stride if np.isscalar(m.stride) else m.stride[0]
        g = f" g{m.groups}" if m.groups > 1 else ""
        return f"{kh}×{kw}" + (f"/{s}" if s != 1 else "") + g
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        k = m.kernel_size if np.isscalar(m.kernel_size) else m.kernel_size[0]
        s = m.stride if np.isscalar(m.stride) else m.stride[0]
        return f"{k}×{k}/{s}"
    if isinstance(m, nn.Linear):
        return f"{m.in_features}→{m.out_features}"
    return ""


def _own_params(m: nn.Module) -> int:
    return int(sum(p.size for p in m.parameters(recurse=False)))


def diagram(model: nn.Module, per_row: int = 7) -> Diagram:
    """The model's boxes walked from its modules: top-level layers wrap every ``per_row``; a
    residual block gets a row of its own, its shortcut a skip arrow into an "Add" box."""
    shapes = {name: out for name, _, _, out in trace_layers(model)}
    boxes: list[Box] = []
    skips: list[tuple[int, int, str]] = []
    row, in_row = 0, 0
    for name, child in model.named_children():
        if type(child).__name__ in ("Dropout", "Identity"):
            continue
        if isinstance(child, nn.ResidualBlock):
            row, in_row = row + (in_row > 0), 0
            start = len(boxes) - 1
            for sub in ("conv1", "bn1", "relu1", "conv2", "bn2"):
                m = getattr(child, sub)
                boxes.append(Box(f"{name}.{sub}", type(m).__name__, _detail(m),
                                 shapes[f"{name}.{sub}"], row, _own_params(m)))
            short = child.shortcut
            conv = next((m for m in short.modules() if isinstance(m, nn.Conv2d)), None)
            label = f"1×1/{child.stride} conv + BN" if conv is not None else "identity"
            boxes.append(Box(f"{name}.add", "Add", "", shapes[f"{name}.relu"], row,
                             sum(_own_params(m) for m in short.modules())))
            skips.append((start, len(boxes) - 1, label))
            boxes.append(Box(f"{name}.relu", "ReLU", "", shapes[f"{name}.relu"], row))
            row, in_row = row + 1, 0
            continue
        leaves = [(n, m) for n, m in child.named_modules() if not list(m.children())]
        for sub, m in leaves:
            if in_row == per_row:
                row, in_row = row + 1, 0
            full = f"{name}.{sub}" if sub else name
            boxes.append(Box(full, type(m).__name__, _detail(m), shapes[full], row,
                             _own_params(m)))
            in_row += 1
    return Diagram(tuple(boxes), tuple(skips))


# ----------------------------------------------------------------------------- receptive fields
@dataclass(frozen=True)
class Field:
    """Where output (r, c) of a layer looks in the 28×28 input: top-left ``start + r·jump``."""

    size: int
    jump: int
    start: int


def _spatial(m: nn.Module) -> tuple[int, int, int, int] | None:
    """(kernel, stride, dilation, padding) of a layer that moves the window, else None."""
    def first(v: object) -> int:
        return int(v if np.isscalar(v) else v[0])  # type: ignore[index]
    if isinstance(m, nn.Conv2d):
        return (first(m.kernel_size), first(m.stride), first(m.dilation), first(m.padding))
    if isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
        return (first(m.kernel_size), first(m.stride), first(getattr(m, "dilation", 1)),
                first(m.padding))
    return None


def receptive_fields(model: nn.Module) -> dict[str, Field]:
    """Each conv layer's receptive field along the main path (a shortcut's is smaller), from
    ``formulas.receptive_field``; ``start`` walks the paddings (negative: off the image)."""
    chain: list[tuple[str, tuple[int, int, int, int]]] = []
    for name, m in model.named_modules():
        if list(m.children()) or ".shortcut" in name:
            continue
        geo = _spatial(m)
        if geo is not None:
            chain.append((name, geo))
    sizes = formulas.receptive_field([(k, s, d) for _, (k, s, d, _) in chain])
    out: dict[str, Field] = {}
    modules = dict(model.named_modules())
    start, jump = 0, 1
    for (name, (_, s, _, p)), rf in zip(chain, sizes):
        start -= p * jump
        jump *= s
        if isinstance(modules.get(name), nn.Conv2d):
            out[name] = Field(rf.size, rf.jump, start)
    return out


@dataclass(frozen=True)
class Patches:
    """For each channel of one conv layer, the input crops that excite it most."""

    layer: str
    field: Field
    crops: np.ndarray  # (C, k, size, size) pixels in [0, 1]; zeros off the image
    values: np.ndarray  # (C, k) the activations
    images: np.ndarray  # (C, k) test image indices
    where: np.ndarray  # (C, k, 2) output (row, col)


def crop(image: np.ndarray, f: Field, r: int, c: int) -> np.ndarray:
    """The receptive field of output (r, c) cut from a 28×28 image (zeros off the image)."""
    pad = max(0, -f.start, f.size)
    big = np.pad(np.asarray(image, np.float32).reshape(28, 28), pad)
    top, left = f.start + r * f.jump + pad, f.start + c * f.jump + pad
    return big[top:top + f.size, left:left + f.size]


def top_patches(model: nn.Module, images: np.ndarray, k: int = 6,
                chunk: int = 250) -> dict[str, Patches]:
    """Each conv layer's channels' ``k`` best test crops: one (the strongest place) per image,
    found with forward hooks over ``images`` in chunks (eval mode, restored)."""
    fields = receptive_fields(model)
    convs = {n: m for n, m in model.named_modules() if n in fields}
    x = as_images(images)
    best: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {n: [] for n in convs}
    caught: dict[str, np.ndarray] = {}
    handles = [m.register_forward_hook(
        lambda mod, inp, out, _n=n: caught.__setitem__(_n, np.asarray(out)))
        for n, m in convs.items()]
    was = model.training
    model.eval()
    try:
        for i in range(0, len(x), chunk):
            model(x[i:i + chunk])
            for n, out in caught.items():
                flat = out.reshape(out.shape[0], out.shape[1], -1)
                pos = flat.argmax(axis=2)  # (N, C)
                best[n].append((flat.max(axis=2), pos, np.arange(i, i + len(out))))
    finally:
        for h in handles:
            h.remove()
        if was:
            model.train()
    result: dict[str, Patches] = {}
    for n, parts in best.items():
        vals = np.concatenate([p[0] for p in parts])  # (N, C)
        pos = np.concatenate([p[1] for p in parts])
        ids = np.concatenate([p[2] for p in parts])
        w = caught[n].shape[3]
        top = np.argsort(-vals, axis=0, kind="stable")[:k].T  # (C, k) rows of vals
        f = fields[n]
        where = np.stack(np.divmod(np.take_along_axis(pos.T, top, 1), w), axis=-1)
        crops = np.array([[crop(x[j, 0], f, *where[ch, q]) for q, j in enumerate(row)]
                          for ch, row in enumerate(top)], np.float32)
        result[n] = Patches(n, f, crops, np.take_along_axis(vals.T, top, 1), ids[top], where)
    return result


# ----------------------------------------------------------------------------- saliency
@dataclass(frozen=True)
class Saliency:
    """d(class score)/d(input pixel) for the two likeliest classes (the engine's backward)."""

    classes: tuple[int, int]
    gradients: np.ndarray  # (2, 28, 28)
    image: np.ndarray  # (28, 28)

    def evidence(self, i: int) -> np.ndarray:
        """Gradient × input: how much each inked pixel pushes class ``i``'s score up (+)."""
        return self.gradients[i] * self.image


def input_gradient(model: nn.Module, image: np.ndarray, cls: int) -> np.ndarray:
    """The engine's gradient of logit ``cls`` w.r.t. the 28×28 input, in eval mode; the
    parameters' accumulated gradients and the mode are left as they were."""
    x = as_images(image)[:1]
    saved = [np.array(p.grad, copy=True) for p in model.parameters()]
    was = model.training
    model.eval()
    try:
        z = np.asarray(model(x))
        one_hot = np.zeros_like(z)
        one_hot[0, cls] = 1.0
        dx = np.asarray(model.backward(one_hot))
    finally:
        for p, g in zip(model.parameters(), saved):
            p.grad[...] = g
        if was:
            model.train()
    return dx.reshape(28, 28).astype(np.float64)


def saliency(model: nn.Module, image: np.ndarray, logits: np.ndarray) -> Saliency:
    """Gradients of the two highest logits' scores w.r.t. the input image."""
    order = np.argsort(-np.asarray(logits, np.float64), kind="stable")[:2]
    classes = (int(order[0]), int(order[1]))
    grads = np.stack([input_gradient(model, image, c) for c in classes])
    return Saliency(classes, grads, np.asarray(image, np.float64).reshape(28, 28))
