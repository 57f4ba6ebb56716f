"""The benchmark scripts run in their quick modes and print their table / JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_train_speed_quick_prints_table():
    # one BLAS thread: on a busy shared machine two threads can be many times slower
    proc = subprocess.run([sys.executable, "benchmarks/train_speed.py", "--quick", "--threads",
                           "1", "--batch", "20", "--nets", "simple_convnet", "lenet5",
                           "separable_net"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "| net |" in out and "cnnviz img/s" in out
    for net in ("simple_convnet", "lenet5", "separable_net"):
        assert f"| {net} |" in out
    assert "threads: 1" in out


def test_memory_script_small_run():
    proc = subprocess.run([sys.executable, "benchmarks/memory.py", "--limit", "200"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 0 < result["peak_rss_mb"] < 1024 and result["train_images"] == 200
