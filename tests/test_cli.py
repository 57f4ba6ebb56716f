"""`python -m cnnviz train|evaluate` as a user runs it: JSON last line, clear errors, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cnnviz", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def trained_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "tiny.npz"
    proc = _run("train", "--model", "simple_convnet", "--epochs", "1", "--batch-size", "100",
                "--optimizer", "adam", "--lr", "0.001", "--limit", "500", "--test-limit", "500",
                "--seed", "0", "--out", str(out))
    return out, proc


def test_train_prints_json_summary_last(trained_file):
    out, proc = trained_file
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("test_accuracy", "train_seconds", "images_per_second", "model", "epochs",
                "params"):
        assert key in summary
    assert summary["model"] == "simple_convnet" and summary["steps"] == 5
    assert summary["standardize"] is True  # fresh models standardise their input by default
    assert summary["test_images"] == 500 and 0.1 < summary["test_accuracy"] <= 1.0
    assert summary["images_per_second"] > 0 and out.exists()
    assert "%" in proc.stderr  # the progress bar
    assert summary["engine_threads"] >= 1  # as the live page: the engine's own threads


def test_evaluate_saved_file(trained_file):
    out, proc = trained_file
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    ev = _run("evaluate", str(out), "--limit", "500")
    assert ev.returncode == 0, ev.stderr
    assert "test accuracy" in ev.stdout
    result = json.loads(ev.stdout.strip().splitlines()[-1])
    assert result["test_accuracy"] == pytest.approx(summary["test_accuracy"])
    assert result["input_standardize"] is True  # read back from the file


def test_train_without_standardisation(tmp_path):
    out = tmp_path / "raw.npz"
    proc = _run("train", "--limit", "200", "--test-limit", "200", "--no-standardize",
                "--quiet", "--threads", "3", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["standardize"] is False
    assert summary["engine_threads"] == 3
    ev = _run("evaluate", str(out), "--limit", "200")
    assert json.loads(ev.stdout.strip().splitlines()[-1])["input_standardize"] is False


def test_missing_and_corrupt_files_exit_2(tmp_path):
    ev = _run("evaluate", str(tmp_path / "nope.npz"))
    assert ev.returncode == 2 and "not found" in ev.stderr and "Traceback" not in ev.stderr
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    ev = _run("evaluate", str(bad))
    assert ev.returncode == 2 and "Traceback" not in ev.stderr and "bad.npz" in ev.stderr


def test_mnist_error_is_a_message(monkeypatch, capsys, tmp_path):
    from cnnviz import cli, train
    from cnnviz.data.mnist import MnistError
    from cnnviz.i18n import Text
    from cnnviz.training import data

    def broken(split, limit=None):
        raise MnistError(Text("MNIST file t10k-images-idx3-ubyte.gz is truncated",
                              "MNIST 文件 t10k-images-idx3-ubyte.gz 不完整"))

    monkeypatch.setattr(data, "mnist_split", broken)
    path = tmp_path / "w.npz"
    train.Trainer(train.TrainConfig(eval_every=0), train_data=(
        np.zeros((10, 1, 28, 28), np.float32),
        np.zeros(10, np.int64))).save(path)
    code = cli.main(["evaluate", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "truncated" in err and "不完整" in err
