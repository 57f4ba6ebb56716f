"""The server caps glibc's malloc arenas (cnnviz.ui.server_memory), measured by glibc itself.

Without the cap, 20 threads that allocate at once get 16 arenas on two cores (8 per core);
each keeps what its threads freed. ``malloc_stats`` lists the arenas the process has.
"""

from __future__ import annotations

import ctypes.util
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THREADS = """
import ctypes, sys, threading, time
from cnnviz.ui.server_memory import cap_malloc_arenas
print(cap_malloc_arenas(), flush=True)
def work():
    kept = [ctypes.create_string_buffer(5000) for _ in range(200)]
    time.sleep(0.3)
threads = [threading.Thread(target=work) for _ in range(20)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL("libc.so.6").malloc_stats()
"""

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or "glibc" not in " ".join(platform.libc_ver()),
    reason="malloc arenas are glibc's")


def _arenas(env: dict[str, str]) -> tuple[str, int]:
    out = subprocess.run([sys.executable, "-c", THREADS], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip(), sum(line.startswith("Arena ") for line in out.stderr.splitlines())


def test_the_cap_holds_for_many_threads() -> None:
    assert ctypes.util.find_library("c")
    took, arenas = _arenas({k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"})
    assert took == "True"
    assert arenas <= 2


def test_an_operators_setting_wins() -> None:
    took, arenas = _arenas({**os.environ, "MALLOC_ARENA_MAX": "3"})
    assert took == "False"
    assert arenas <= 3
