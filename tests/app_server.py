"""Start the app as a learner's server would run, for browser tests and benchmarks.

One place for ``streamlit run app.py`` on a free loopback port: wait for its health check,
stop it by its process group. Used by tests/browser, benchmarks/ and scripts/.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package; never `playwright install`
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    """A port nothing listens on now (127.0.0.1 only)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode} (see {log})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} (see {log})")


@contextlib.contextmanager
def running_app(log: Path, *, env: dict[str, str] | None = None,
                timeout: float = 90.0) -> Iterator[tuple[str, subprocess.Popen]]:
    """``(url, process)`` of a headless ``streamlit run app.py``; stopped by PID on exit.

    No file watcher, as in production (docs/DEPLOY.md): a watcher would reload modules
    mid-run whenever a file in the working tree changes.
    """
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log, timeout)
        yield url, proc
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


# Browser-side probes (Playwright ``evaluate`` / ``wait_for_function``), from the app's own
# markers: Streamlit's script and connection state, the page title, plotly's slider.
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const main = document.querySelector('[data-testid="stMain"]');
  return !!(app && main && main.querySelector('h1')
            && app.getAttribute('data-test-script-state') === 'notRunning'
            && app.getAttribute('data-test-connection-state') === 'CONNECTED'
            && !document.querySelector('[data-testid="stStatusWidget"]'));
}"""
TITLE_JS = """() => { const h = document.querySelector('[data-testid="stMain"] h1');
                     return h ? h.innerText : ''; }"""
# on a plotly figure element: the frame its animation shows, and how many frames it has
ACTIVE_FRAME_JS = """el => {
  const s = el._fullLayout && el._fullLayout.sliders && el._fullLayout.sliders[0];
  return s ? (s.active || 0) : null;
}"""
FRAME_COUNT_JS = """el => {
  const s = el._fullLayout && el._fullLayout.sliders && el._fullLayout.sliders[0];
  return s ? s.steps.length : 0;
}"""
