"""Real-browser fixtures: a Streamlit server on a free port and headless Debian Chromium.

Skips cleanly when Chromium or Playwright is absent (a user's laptop); CI installs both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app_server import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, ROOT, running_app

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "running_streamlit"]

SHOTS = ROOT / "tests" / "_screenshots"


@contextlib.contextmanager
def running_streamlit(log: Path) -> Iterator[str]:
    """The URL of a fresh app server (``tests.app_server.running_app``)."""
    with running_app(log) as (url, _proc):
        yield url


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app server shared by the browser tests (each test gets its own session)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    pytest.importorskip("playwright.sync_api")
    with running_streamlit(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright (never ``playwright install``)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (/usr/bin/chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, streamlit_url):  # noqa: ANN001 - playwright types are optional
    """A fresh browser context per test (its own Streamlit session), 1600×1000 like a projector."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, device_scale_factor=1)
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    pg.base_url = streamlit_url  # type: ignore[attr-defined]
    yield pg
    context.close()


def screenshot(pg, name: str) -> Path:  # noqa: ANN001
    """Save a full-page screenshot under tests/_screenshots for a human to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """A failed browser test leaves a screenshot (``FAILED_<test>.png``) and the page's text in
    the report: a CI log that says only "Timeout" cannot be debugged afterwards."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    for pg in (funcargs.get(name) for name in ("page", "zh_page")):
        if pg is None:
            continue
        with contextlib.suppress(Exception):
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in item.name)
            screenshot(pg, f"FAILED_{safe}")
        with contextlib.suppress(Exception):
            text = pg.evaluate("() => document.body.innerText")
            report.sections.append(("page text at the failure", text[:2500]))
    _dump_servers(report)


def _dump_servers(report: pytest.TestReport) -> None:
    """Where the app servers' threads are (py-spy, when installed): a hang shows itself."""
    import shutil
    import subprocess

    if shutil.which("py-spy") is None:
        return
    with contextlib.suppress(Exception):
        pids = subprocess.run(["pgrep", "-f", "streamlit run "], capture_output=True,
                              text=True, timeout=10).stdout.split()
        for pid in pids:
            dump = subprocess.run(["py-spy", "dump", "--pid", pid], capture_output=True,
                                  text=True, timeout=60)
            report.sections.append((f"py-spy dump of server {pid}",
                                    (dump.stdout + dump.stderr)[-12000:]))


def wait_for_app(pg, timeout_ms: int = 45_000) -> None:  # noqa: ANN001
    """Wait until Streamlit has rendered and its script has finished running.

    ``data-test-script-state`` on the app root is Streamlit's own record of the script run;
    it must read "notRunning" twice, 250 ms apart, because a widget change can queue a rerun
    just after a run ends.
    """
    pg.wait_for_selector('[data-testid="stMain"]', timeout=timeout_ms)
    for _ in range(2):
        pg.wait_for_function(IDLE_JS, timeout=timeout_ms)
        pg.wait_for_timeout(250)


def open_page(pg, url_path: str = "") -> None:  # noqa: ANN001
    """Navigate to one page of the app and wait for it to settle."""
    pg.goto(f"{pg.base_url}/{url_path}")
    wait_for_app(pg)


def assert_no_exception(pg) -> None:  # noqa: ANN001
    """A page that shows a Python traceback has failed, whatever else it drew."""
    assert pg.locator('[data-testid="stException"]').count() == 0, pg.inner_text("body")[:2000]


def choose_option(pg, combobox, option_name: str, tries: int = 4) -> None:  # noqa: ANN001
    """Pick ``option_name`` from a Streamlit selectbox. A click that lands while the app is
    rerunning (the stage probe's first report, say) can leave the list closed on a loaded
    machine: wait for the app, open the list again, as a person would."""
    option = pg.get_by_role("option", name=option_name).first
    for _ in range(tries):
        wait_for_app(pg)
        combobox.click()
        try:
            option.wait_for(timeout=15_000)
            break
        except Exception:  # noqa: BLE001 - the list did not open: close it and try again
            pg.keyboard.press("Escape")
    option.click()


def press_until(pg, button, shown, tries: int = 3, wait_ms: int = 30_000) -> None:  # noqa: ANN001
    """Press ``button`` until ``shown`` (a locator) is visible, as a person presses again when
    nothing happened. Streamlit can drop a press whose rerun another request replaced before
    it began (see cnnviz/ui/buttons.py); the last try's timeout is the test's failure."""
    for attempt in range(tries):
        if shown.count() and shown.first.is_visible():
            return
        try:
            if button.count():
                button.first.click(timeout=20_000)
            shown.first.wait_for(timeout=wait_ms if attempt == tries - 1 else 15_000)
            return
        except Exception:  # noqa: BLE001 - the press was lost or the button swapped under it
            if attempt == tries - 1:
                raise
            pg.wait_for_timeout(500)


def start_training(pg, lang: str = "en") -> None:  # noqa: ANN001
    """Press Start (开始) on the training page and wait for the live counters."""
    name = "开始" if lang == "zh" else "Start"
    press_until(pg, pg.get_by_role("button", name=name, exact=True),
                pg.locator('[data-testid="stMetric"]'), wait_ms=90_000)


def pause_training(pg, lang: str = "en") -> None:  # noqa: ANN001
    """Press Pause (暂停) until Resume (继续) shows — unless the run already stopped on its
    own (its end, or a stall on a loaded machine), which shows Resume in the same place."""
    pause = pg.get_by_role("button", name="暂停" if lang == "zh" else "Pause")
    resume = pg.get_by_role("button", name="继续" if lang == "zh" else "Resume")
    pause.or_(resume).first.wait_for(timeout=120_000)
    press_until(pg, pause, resume, wait_ms=60_000)
