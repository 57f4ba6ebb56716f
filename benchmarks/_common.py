"""Helpers shared by the benchmarks: thread counts and a cnnviz → PyTorch model copier.

The PyTorch twin of a cnnviz model is built by walking the cnnviz module tree (same class
names, same constructor arguments, same child names), so its state_dict keys are cnnviz's and
the initial weights copy over one to one. A cnnviz Sequential that standardises its input
(``input_mean`` / ``input_std``, as ``build_model`` does by default) becomes a torch Sequential
that does the same before its first child, keys unchanged. ``check_same_output`` proves the
twin is identical before any timing is trusted.
"""

from __future__ import annotations

import ctypes
import os
import time
from typing import Any

import numpy as np


def _openblas_fn(names: tuple[str, ...]) -> Any:
    """A function of the OpenBLAS that NumPy loaded, found through /proc/self/maps."""
    try:
        with open("/proc/self/maps") as fh:
            libs = {line.split()[-1] for line in fh if "openblas" in line.lower()}
    except OSError:
        libs = set()
    for lib in sorted(libs):
        try:
            handle = ctypes.CDLL(lib)
        except OSError:
            continue
        for name in names:
            fn = getattr(handle, name, None)
            if fn is not None:
                return fn
    return None


def set_blas_threads(n: int) -> bool:
    """Make NumPy's OpenBLAS use ``n`` threads from now on; False if it cannot be reached."""
    fn = _openblas_fn(("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                       "openblas_set_num_threads"))
    if fn is None:
        return False
    fn(ctypes.c_int(n))
    return True


def blas_threads() -> int:
    """How many threads NumPy's OpenBLAS uses (asked from the loaded library when possible)."""
    fn = _openblas_fn(("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                       "openblas_get_num_threads"))
    if fn is not None:
        fn.restype = ctypes.c_int
        return int(fn())
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def use_threads(n: int | None, engine: bool = True) -> str:
    """Give cnnviz ``n`` threads and say how: the engine's own ``n`` workers over ONE BLAS
    thread (``engine``; the products are split with the rest of the work), or ``n`` BLAS
    threads with the engine on the calling thread (cnnviz before its worker threads).
    ``None`` leaves NumPy's defaults."""
    from cnnviz.nn import set_num_threads

    if n is None:
        set_num_threads(1)
        return f"NumPy's default ({blas_threads()} BLAS threads)"
    if engine:
        set_num_threads(n)
        if not set_blas_threads(1):
            return f"{n} engine threads; NumPy's BLAS could not be set to 1 thread"
        return f"{n} (cnnviz.nn.set_num_threads, 1 BLAS thread; torch.set_num_threads)"
    set_num_threads(1)
    if not set_blas_threads(n):
        return "NumPy's default: its BLAS threads could not be set"
    return f"{n} (NumPy's OpenBLAS, engine on one thread; torch.set_num_threads)"


# seconds to wait before each timed run: long enough for the other side's idle worker
# threads to stop spinning (OpenMP's spin-wait after a parallel region, OpenBLAS's after a
# call), which would otherwise take the cores from whatever runs next
SETTLE_SECONDS = 0.02


def settle() -> None:
    """Wait until the last run's worker threads have gone to sleep (not timed)."""
    time.sleep(SETTLE_SECONDS)


def _pair(v: Any) -> Any:
    return tuple(v) if isinstance(v, (tuple, list)) else v


def _standardizing_sequential(mean: float, std: float) -> Any:
    """A ``torch.nn.Sequential`` computing ``(x - mean) / std`` before its first child."""
    import torch

    class StandardizingSequential(torch.nn.Sequential):
        def forward(self, x: Any) -> Any:
            return super().forward((x - mean) / std)

    seq = StandardizingSequential()
    seq.input_mean, seq.input_std = mean, std
    return seq


def to_torch(module: Any) -> Any:
    """The PyTorch module equivalent to a cnnviz module (recursively), weights not copied."""
    import torch

    tnn = torch.nn
    kind = type(module).__name__
    if kind == "Conv2d":
        return tnn.Conv2d(module.in_channels, module.out_channels, _pair(module.kernel_size),
                          stride=_pair(module.stride), padding=_pair(module.padding),
                          dilation=_pair(module.dilation), groups=module.groups,
                          bias=module.bias is not None,
                          padding_mode=getattr(module, "padding_mode", "zeros"))
    if kind == "Linear":
        return tnn.Linear(module.in_features, module.out_features, bias=module.bias is not None)
    if kind in ("MaxPool2d", "AvgPool2d"):
        cls = getattr(tnn, kind)
        stride = getattr(module, "stride", None)
        return cls(_pair(module.kernel_size), stride=_pair(stride) if stride else None,
                   padding=_pair(getattr(module, "padding", 0)))
    if kind in ("ReLU", "Sigmoid", "Tanh", "Flatten"):
        return getattr(tnn, kind)()
    if kind == "LeakyReLU":
        return tnn.LeakyReLU(getattr(module, "negative_slope", 0.01))
    if kind == "Dropout":
        return tnn.Dropout(module.p)
    if kind in ("BatchNorm2d", "BatchNorm1d"):
        return getattr(tnn, kind)(module.num_features, eps=getattr(module, "eps", 1e-5),
                                  momentum=getattr(module, "momentum", 0.1))
    if kind == "LocalResponseNorm":
        return tnn.LocalResponseNorm(module.size, alpha=module.alpha, beta=module.beta,
                                     k=module.k)
    if kind == "GlobalAvgPool2d":
        return tnn.AdaptiveAvgPool2d(1)
    if kind in ("AdaptiveAvgPool2d",):
        return tnn.AdaptiveAvgPool2d(module.output_size)
    children = list(module.named_children())
    if kind == "Sequential" or children:
        # a composite block whose forward runs its children in order (checked afterwards)
        std = getattr(module, "input_std", None)
        seq = tnn.Sequential() if std is None else _standardizing_sequential(
            float(module.input_mean), float(std))
        for name, child in children:
            seq.add_module(name, to_torch(child))
        return seq
    raise NotImplementedError(f"no PyTorch twin for cnnviz module {kind}")


def copy_weights(src: Any, dst: Any) -> None:
    """Copy a cnnviz model's state_dict into its PyTorch twin (same keys)."""
    import torch

    state = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in src.state_dict().items()}
    missing, unexpected = dst.load_state_dict(state, strict=False)
    real_missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if real_missing or unexpected:
        raise RuntimeError(f"state_dict mismatch: missing {real_missing}, unexpected {unexpected}")


def torch_twin(model: Any) -> Any:
    """A PyTorch copy of ``model`` with identical weights, verified on a random batch."""
    twin = to_torch(model)
    copy_weights(model, twin)
    check_same_output(model, twin)
    return twin


def check_same_output(model: Any, twin: Any, atol: float = 1e-3) -> None:
    import torch

    x = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    model.eval()
    twin.eval()
    ours = np.asarray(model(x))
    with torch.no_grad():
        theirs = twin(torch.from_numpy(x)).numpy()
    model.train()
    twin.train()
    if ours.shape != theirs.shape or not np.allclose(ours, theirs, atol=atol, rtol=1e-3):
        raise RuntimeError(f"the PyTorch twin of {type(model).__name__} computes something "
                           f"else (max diff {np.abs(ours - theirs).max():.3g})")
