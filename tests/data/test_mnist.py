"""MNIST loader: the bundled files, broken copies, the env var and a local download server."""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from cnnviz.data import mnist
from cnnviz.data.mnist import FILES, MnistError, load_mnist, mnist_arrays

TEST_FILES = FILES["test"]


@pytest.fixture(autouse=True)
def _fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test sees no env overrides and a private user cache."""
    monkeypatch.delenv(mnist.ENV_DIR, raising=False)
    monkeypatch.delenv(mnist.ENV_URL, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    yield
    mnist.clear_cache()


def _copy_test_split(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in TEST_FILES:
        shutil.copy(mnist.BUNDLED_DIR / name, folder / name)
    return folder


def test_load_shapes_and_counts() -> None:
    x, y = load_mnist("test")
    assert x.shape == (10000, 28, 28) and x.dtype == np.uint8
    assert y.shape == (10000,) and y.dtype == np.uint8
    hist = np.bincount(y, minlength=10)
    # the published test-set label histogram
    assert hist.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert not x.flags.writeable
    xt, yt = load_mnist("train")
    assert xt.shape == (60000, 28, 28) and yt.shape == (60000,)
    assert np.bincount(yt).tolist()[:2] == [5923, 6742]
    assert load_mnist("test")[0] is x  # cached


def test_mnist_arrays() -> None:
    x, y = mnist_arrays("test", limit=100)
    assert x.shape == (100, 1, 28, 28) and x.dtype == np.float32
    assert y.dtype == np.int64 and y.shape == (100,)
    assert x.min() >= 0.0 and x.max() == pytest.approx(1.0)
    raw, labels = load_mnist("test")
    np.testing.assert_allclose(x[:, 0] * 255, raw[:100], atol=1e-4)
    np.testing.assert_array_equal(y, labels[:100])
    x255, _ = mnist_arrays("test", limit=5, normalize=False)
    assert x255.max() == 255.0
    assert mnist_arrays("test")[0].shape == (10000, 1, 28, 28)


def test_bad_split() -> None:
    with pytest.raises(ValueError):
        load_mnist("valid")


def _break(folder: Path, how: str) -> Path:
    target = folder / TEST_FILES[0]
    data = target.read_bytes()
    if how == "missing":
        target.unlink()
    elif how == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif how == "flipped":
        b = bytearray(data)
        b[len(b) // 2] ^= 0xFF
        target.write_bytes(bytes(b))
    elif how == "magic":
        raw = bytearray(gzip.decompress(data))
        raw[3] = 1  # claims a 1-D file
        target.write_bytes(gzip.compress(bytes(raw)))
    elif how == "notgzip":
        target.write_bytes(b"<html>404 not found</html>")
    elif how == "other_data":  # a valid IDX file, but not MNIST's
        raw = bytearray(gzip.decompress(data))
        raw[-1] ^= 0x01
        target.write_bytes(gzip.compress(bytes(raw)))
    return target


@pytest.mark.parametrize(
    ("how", "words_en", "words_zh"),
    [
        ("missing", "missing", "缺失"),
        ("truncated", "truncated", "不完整"),
        ("flipped", "corrupted", "损坏"),
        ("magic", "magic", "魔数"),
        ("notgzip", "not a gzip", "不是 gzip"),
        ("other_data", "wrong checksum", "校验和"),
    ],
)
def test_broken_files_name_the_file(tmp_path: Path, how: str, words_en: str, words_zh: str) -> None:
    folder = _copy_test_split(tmp_path / "m")
    target = _break(folder, how)
    with pytest.raises(MnistError) as info:
        load_mnist("test", folder=folder)
    err = info.value
    assert target.name in str(err) and target.name in err.message("zh")
    assert words_en in err.message("en"), err.message("en")
    assert words_zh in err.message("zh"), err.message("zh")
    assert err.path == target
    assert isinstance(err, ValueError)


def test_flipped_byte_after_successful_load_is_caught(tmp_path: Path) -> None:
    folder = _copy_test_split(tmp_path / "m")
    load_mnist("test", folder=folder)
    mnist.clear_cache()
    _break(folder, "flipped")
    with pytest.raises(MnistError):
        load_mnist("test", folder=folder)


def test_verdict_is_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_test_split(tmp_path / "m")
    calls: list[Path] = []
    real = mnist._md5
    monkeypatch.setattr(mnist, "_md5", lambda p: calls.append(p) or real(p))
    for name in TEST_FILES:
        mnist.verify_file(folder / name)
        mnist.verify_file(folder / name)
    assert len(calls) == 2


def test_env_var_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _copy_test_split(tmp_path / "env")
    monkeypatch.setenv(mnist.ENV_DIR, str(folder))
    assert mnist.candidate_folders() == [folder]
    x, y = load_mnist("test")
    assert x.shape == (10000, 28, 28)
    (folder / TEST_FILES[1]).unlink()
    mnist.clear_cache()
    with pytest.raises(MnistError, match="t10k-labels"):
        load_mnist("test")  # an explicit folder is never silently replaced


def test_search_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert mnist.candidate_folders(tmp_path) == [tmp_path]
    assert mnist.candidate_folders() == [mnist.BUNDLED_DIR, tmp_path / "xdg" / "cnnviz" / "mnist"]
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert mnist.user_cache_dir() == Path.home() / ".cache" / "cnnviz" / "mnist"


# ---------------------------------------------------------------- download


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server on a free port, serving a folder the test fills."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_download_into_cache(
    server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, root = server
    _copy_test_split(root)
    monkeypatch.setattr(mnist, "BUNDLED_DIR", tmp_path / "no-bundle")
    monkeypatch.setenv(mnist.ENV_URL, url)
    seen: list[tuple[str, int, int | None]] = []
    x, y = load_mnist("test", progress=lambda n, d, t: seen.append((n, d, t)))
    assert x.shape == (10000, 28, 28) and y.shape == (10000,)
    cache = mnist.user_cache_dir()
    assert sorted(p.name for p in cache.iterdir()) == sorted(TEST_FILES)
    assert seen[-1][1] == seen[-1][2] == (root / TEST_FILES[1]).stat().st_size
    assert {n for n, _, _ in seen} == set(TEST_FILES)
    # second load uses the cache: no server needed
    mnist.clear_cache()
    monkeypatch.setenv(mnist.ENV_URL, "http://127.0.0.1:9/")
    assert load_mnist("test")[0].shape == (10000, 28, 28)


def test_download_falls_back_to_next_mirror(
    server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, root = server
    _copy_test_split(root)
    monkeypatch.setenv(mnist.ENV_URL, f"{url}missing/, {url}")
    path = mnist.download_file(TEST_FILES[1], tmp_path / "dl", progress=lambda *a: None)
    assert path.read_bytes() == (root / TEST_FILES[1]).read_bytes()


def test_corrupt_download_rejected(
    server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, root = server
    _copy_test_split(root)
    _break(root, "flipped")
    monkeypatch.setattr(mnist, "BUNDLED_DIR", tmp_path / "no-bundle")
    monkeypatch.setenv(mnist.ENV_URL, url)
    with pytest.raises(MnistError) as info:
        load_mnist("test", progress=lambda *a: None)
    assert TEST_FILES[0] in str(info.value) and "MD5" in str(info.value)
    assert info.value.message("zh")
    cache = mnist.user_cache_dir()
    assert not cache.exists() or list(cache.iterdir()) == []


def test_no_download_when_not_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mnist, "BUNDLED_DIR", tmp_path / "no-bundle")
    with pytest.raises(MnistError, match="missing"):
        load_mnist("test", download=False)


def test_text_progress(capsys: pytest.CaptureFixture[str]) -> None:
    mnist._text_progress("f.gz", 50, 100)
    mnist._text_progress("f.gz", 100, 100)
    mnist._text_progress("g.gz", 2_000_000, None)
    err = capsys.readouterr().err
    assert "50%" in err and "100%" in err and "2.0 MB" in err
