"""Two replicas behind nginx, two learners, one replica killed (docs/DEPLOY.md, issue 13).

A suite-sized run of ``benchmarks/replicas.py class``: nginx (config generated from
deploy/nginx.conf) with cookie-sticky sessions in front of two ``streamlit run`` replicas
sharing one cookie secret; each learner uploads its picture; replica 1 is killed. Its
learners must reconnect to replica 2 with the "moved to another server" notice and upload
again; the other learners must notice nothing; nginx's access log must show each browser's
uploads and websocket on one replica. Skips without nginx or Chromium.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_server import CHROMIUM, ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(330)]


def test_two_replicas_sticky_and_a_kill() -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    pytest.importorskip("playwright.async_api")
    proc = subprocess.run(
        [sys.executable, "benchmarks/replicas.py", "class", "--sessions", "2", "--even",
         "--pages", "home,convolution", "--train-seconds", "0", "--stagger", "0.5",
         "--window", "60", "--timeout", "120", "--max-minutes", "4", "--output", "-"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-2000:]
    assert "errors: **0**; problems: **0**" in out, out
    assert "killed with SIGKILL" in out, out
    assert "tracebacks in the replicas' logs: 0" in out, out
