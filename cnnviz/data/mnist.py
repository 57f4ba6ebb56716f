"""MNIST: the four original IDX files, checked by MD5 and read with NumPy.

The app must train offline in a classroom, so the files ship in ``assets/mnist``. Other
folders (an argument or ``CNNVIZ_MNIST_DIR``) and a download into the user cache are
fallbacks. Every failure is an ``MnistError`` naming the file, what is wrong with it and
what to do, in English and Chinese, because a teacher in front of a class needs to fix it
without reading a traceback.

MNIST is by Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cnnviz.i18n import LocalizedError, Text

__all__ = [
    "FILES",
    "MD5",
    "MIRRORS",
    "BUNDLED_DIR",
    "MnistError",
    "ProgressCallback",
    "candidate_folders",
    "clear_cache",
    "download_file",
    "load_mnist",
    "mnist_arrays",
    "user_cache_dir",
    "verify_file",
]

FILES: dict[str, tuple[str, str]] = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
MD5: dict[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
COUNTS = {"train": 60000, "test": 10000}
# Base URLs tried in order; the files are appended. Overridden by CNNVIZ_MNIST_URL
# (one base URL, or several separated by commas or spaces).
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
BUNDLED_DIR = Path(__file__).resolve().parents[2] / "assets" / "mnist"
ENV_DIR = "CNNVIZ_MNIST_DIR"
ENV_URL = "CNNVIZ_MNIST_URL"

ProgressCallback = Callable[[str, int, "int | None"], None]
"""``progress(file_name, bytes_done, bytes_total_or_None)`` during a download."""

_LOCK = threading.RLock()
_VERDICTS: dict[tuple[str, int, int], bool] = {}
_RAW: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
_ARRAYS: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


class MnistError(LocalizedError, ValueError):
    """MNIST cannot be loaded; ``message(lang)`` says why and what to do; ``path`` is the file."""

    def __init__(self, text: Text, path: Path | str | None = None) -> None:
        super().__init__(text)
        self.path = Path(path) if path is not None else None


# ---------------------------------------------------------------- folders


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/cnnviz/mnist`` or ``~/.cache/cnnviz/mnist`` (where downloads go)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnnviz" / "mnist"


def candidate_folders(folder: str | Path | None = None) -> list[Path]:
    """Where the files are looked for, in order.

    An explicit ``folder`` (or else ``CNNVIZ_MNIST_DIR``) is the only place looked at: the
    user asked for that copy, and silently using another would hide their mistake.
    Otherwise the bundled copy, then the user cache.
    """
    if folder is not None:
        return [Path(folder).expanduser()]
    env = os.environ.get(ENV_DIR)
    if env:
        return [Path(env).expanduser()]
    return [BUNDLED_DIR, user_cache_dir()]


def _mirrors() -> list[str]:
    env = os.environ.get(ENV_URL, "").replace(",", " ").split()
    bases = env or list(MIRRORS)
    return [b if b.endswith("/") else b + "/" for b in bases]


# ---------------------------------------------------------------- checking


def _md5(path: Path) -> str:
    h = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _gunzip(path: Path) -> bytes:
    """The file's decompressed bytes, or an MnistError saying how the gzip is broken."""
    name = path.name
    try:
        return gzip.decompress(path.read_bytes())
    except EOFError as e:
        raise MnistError(
            Text(
                f"{path}: the file is truncated (the gzip stream ends early: {e}); it was probably "
                f"cut off during a download or copy. Delete {name} and copy or download it again.",
                f"{path}：文件不完整（gzip 数据提前结束），可能是下载或复制时中断。"
                f"请删除 {name} 后重新复制或下载。",
            ),
            path,
        ) from e
    except (gzip.BadGzipFile, zlib.error, OSError) as e:
        raise MnistError(
            Text(
                f"{path}: the file is corrupted or not a gzip file ({e}). "
                f"Replace {name} with the original from the MNIST distribution.",
                f"{path}：文件已损坏或不是 gzip 文件（{e}）。请用 MNIST 原始文件替换 {name}。",
            ),
            path,
        ) from e


def _parse_idx(data: bytes, path: Path, kind: str) -> np.ndarray:
    """IDX (big-endian header, then uint8 data) to an array; ``kind`` is images or labels."""
    ndim_expected = 3 if kind == "images" else 1
    magic_expected = 0x0800 + ndim_expected

    def bad(what: Text) -> MnistError:
        return MnistError(
            Text(
                f"{path}: not an MNIST {kind} file ({what.en}). Check that the file is the "
                f"original {path.name} and not renamed from another file.",
                f"{path}：不是 MNIST {'图像' if kind == 'images' else '标签'}文件（{what.zh}）。"
                f"请确认它是原始的 {path.name}，而不是改名的其他文件。",
            ),
            path,
        )

    if len(data) < 4:
        raise bad(Text(f"only {len(data)} bytes", f"只有 {len(data)} 字节"))
    magic = int.from_bytes(data[:4], "big")
    if magic != magic_expected:
        raise bad(
            Text(
                f"IDX magic number 0x{magic:08x}, expected 0x{magic_expected:08x}",
                f"IDX 魔数为 0x{magic:08x}，应为 0x{magic_expected:08x}",
            ),
        )
    header = 4 + 4 * ndim_expected
    if len(data) < header:
        raise bad(Text("the header is cut short", "文件头不完整"))
    dims = tuple(int(v) for v in np.frombuffer(data, ">u4", ndim_expected, 4))
    if kind == "images" and dims[1:] != (28, 28):
        raise bad(
            Text(
                f"images are {dims[1]}x{dims[2]}, expected 28x28",
                f"图像为 {dims[1]}x{dims[2]}，应为 28x28",
            ),
        )
    size = int(np.prod(dims))
    if len(data) - header != size:
        raise bad(
            Text(
                f"shape {dims} needs {size} data bytes, found {len(data) - header}",
                f"形状 {dims} 需要 {size} 字节数据，实际为 {len(data) - header}",
            ),
        )
    return np.frombuffer(data, np.uint8, size, header).reshape(dims)


def verify_file(path: str | Path, expected_md5: str | None = None) -> None:
    """Raise ``MnistError`` unless ``path`` exists and has its expected MD5.

    The verdict is remembered per (path, mtime, size), so checking on every load is cheap.
    On a mismatch the file is decoded to say *how* it is wrong (truncated, not gzip, not IDX).
    """
    path = Path(path)
    expected = expected_md5 or MD5.get(path.name)
    if not path.is_file():
        raise MnistError(
            Text(
                f"{path}: file missing. Put the four MNIST files ({', '.join(MD5)}) in that "
                f"folder, set {ENV_DIR} to a folder that has them, or allow the download.",
                f"{path}：文件缺失。请把四个 MNIST 文件放到该文件夹，"
                f"或把环境变量 {ENV_DIR} 设为包含它们的文件夹，或允许下载。",
            ),
            path,
        )
    if expected is None:
        return
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _LOCK:
        if _VERDICTS.get(key):
            return
    actual = _md5(path)
    if actual == expected:
        with _LOCK:
            _VERDICTS[key] = True
        return
    kind = "images" if "images" in path.name else "labels"
    _parse_idx(_gunzip(path), path, kind)  # raises the more specific diagnosis if any
    raise MnistError(
        Text(
            f"{path}: wrong checksum (MD5 {actual}, expected {expected}); the file was modified or "
            f"is a different data set. Replace {path.name} with the original MNIST file.",
            f"{path}：校验和不符（MD5 为 {actual}，应为 {expected}），文件已被修改或不是 MNIST。"
            f"请用原始 MNIST 文件替换 {path.name}。",
        ),
        path,
    )


# ---------------------------------------------------------------- download


def _text_progress(name: str, done: int, total: int | None) -> None:
    """The default progress: a one-line bar on stderr (the CLI's and the server log's)."""
    if total:
        width = 30
        filled = width * done // total
        bar = "#" * filled + "." * (width - filled)
        line = f"\r{name} [{bar}] {100 * done // total:3d}% {done / 1e6:.1f}/{total / 1e6:.1f} MB"
    else:
        line = f"\r{name} {done / 1e6:.1f} MB"
    sys.stderr.write(line + ("\n" if total and done >= total else ""))
    sys.stderr.flush()


def download_file(
    name: str,
    folder: str | Path | None = None,
    progress: ProgressCallback | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download one MNIST file into ``folder`` (the user cache by default) and return its path.

    Each mirror is tried in turn; the bytes go to a temporary file in the same folder and are
    renamed into place only when the MD5 matches, so a failed or corrupt download never leaves
    a file that a later load would trust.
    """
    if name not in MD5:
        raise ValueError(f"unknown MNIST file {name!r}; expected one of {sorted(MD5)}")
    folder = Path(folder) if folder is not None else user_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    report = progress or _text_progress
    target = folder / name
    failures: list[str] = []
    for base in _mirrors():
        url = base + name
        fd, tmp_name = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        tmp = Path(tmp_name)
        try:
            h = hashlib.md5(usedforsecurity=False)
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as r:
                length = r.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                done = 0
                report(name, 0, total)
                for chunk in iter(lambda: r.read(1 << 16), b""):
                    out.write(chunk)
                    h.update(chunk)
                    done += len(chunk)
                    report(name, done, total)
            if h.hexdigest() != MD5[name]:
                failures.append(f"{url}: MD5 {h.hexdigest()}, expected {MD5[name]}")
                continue
            os.replace(tmp, target)
            return target
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            failures.append(f"{url}: {e}")
        finally:
            tmp.unlink(missing_ok=True)
    raise MnistError(
        Text(
            f"{target}: could not download {name} ({'; '.join(failures)}). Copy the MNIST files "
            f"into {folder} or set {ENV_DIR}, or set {ENV_URL} to a reachable mirror.",
            f"{target}：无法下载 {name}（{'; '.join(failures)}）。请把 MNIST 文件复制到 {folder}，"
            f"或设置 {ENV_DIR}，或把 {ENV_URL} 设为可访问的镜像。",
        ),
        target,
    )


# ---------------------------------------------------------------- loading


def _locate(
    name: str, folder: str | Path | None, download: bool, progress: ProgressCallback | None
) -> Path:
    folders = candidate_folders(folder)
    for f in folders:
        if (f / name).is_file():
            return f / name
    explicit = folder is not None or bool(os.environ.get(ENV_DIR))
    if download and not explicit:
        return download_file(name, user_cache_dir(), progress)
    verify_file(folders[0] / name)  # raises "missing" naming the file
    raise AssertionError("unreachable")


def load_mnist(
    split: str = "train",
    folder: str | Path | None = None,
    download: bool = True,
    progress: ProgressCallback | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(images uint8 (N, 28, 28), labels uint8 (N,))`` of the ``train`` or ``test`` split.

    Search order: ``folder``, ``$CNNVIZ_MNIST_DIR``, bundled ``assets/mnist``, the user cache,
    then (if ``download``) a download into the user cache. Arrays are cached in-process and
    read-only, so callers must copy before changing them.
    """
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    paths = [_locate(name, folder, download, progress) for name in FILES[split]]
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    with _LOCK:
        if key in _RAW:
            return _RAW[key]
    for p in paths:
        verify_file(p)
    images = _parse_idx(_gunzip(paths[0]), paths[0], "images")
    labels = _parse_idx(_gunzip(paths[1]), paths[1], "labels")
    if len(images) != len(labels):
        raise MnistError(
            Text(
                f"{paths[0]} has {len(images)} images but {paths[1]} has {len(labels)} labels; "
                "the two files come from different splits.",
                f"{paths[0]} 有 {len(images)} 张图像，但 {paths[1]} 有 {len(labels)} 个标签，"
                "两个文件不属于同一划分。",
            ),
            paths[1],
        )
    images.flags.writeable = False
    labels.flags.writeable = False
    with _LOCK:
        _RAW[key] = (images, labels)
    return images, labels


def mnist_arrays(
    split: str = "train",
    limit: int | None = None,
    normalize: bool = True,
    folder: str | Path | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Engine-ready ``(float32 (N, 1, 28, 28), int64 (N,))``; values in [0, 1] if ``normalize``.

    The full split is converted once per process and cached (read-only); ``limit`` returns
    the first ``limit`` examples as a view, so the live-training page can start small cheaply.
    """
    key = (split, bool(normalize), None if folder is None else str(folder), os.environ.get(ENV_DIR))
    with _LOCK:
        cached = _ARRAYS.get(key)
    if cached is None:
        images, labels = load_mnist(split, folder)
        x = images.astype(np.float32)[:, None]
        if normalize:
            x /= 255.0
        y = labels.astype(np.int64)
        x.flags.writeable = False
        y.flags.writeable = False
        cached = (x, y)
        with _LOCK:
            _ARRAYS[key] = cached
    x, y = cached
    if limit is not None:
        x, y = x[:limit], y[:limit]
    return x, y


def clear_cache() -> None:
    """Forget cached arrays and MD5 verdicts (tests, or after replacing files)."""
    with _LOCK:
        _VERDICTS.clear()
        _RAW.clear()
        _ARRAYS.clear()
