"""Load test: N concurrent headless-Chromium sessions against ONE cnnviz Streamlit server.

A class of students opens the app on one server at once. This starts ``streamlit run app.py``
itself on a free 127.0.0.1 port, opens ``--sessions`` browser contexts (each its own Streamlit
session) spread over one or two Chromium processes, and has every session

* walk through every lesson in the registry (``cnnviz.lessons.registry``), timing each
  page until it has settled (script finished, a chart or image drawn where the page has one);
* upload, on the convolution page, its own generated PNG: a barcode of its session number
  (horizontal black/white bands, robust to the page's min/max normalisation, resizing and the
  orange crop box) beside the number drawn in digits;
* read the barcode back from every picture the later pages show (the crop picker's thumbnail)
  and count a *leak* if it ever decodes to another session's number;
* start training on the training page (if it exists) for ``--train-seconds``, then pause.

It reports errors (Streamlit exceptions ``[data-testid="stException"]``, timeouts, pages
without their figure, failed uploads; must be 0), each session's page render times (median and
worst), the server's peak RSS (whole process tree) and whether any session saw another's
upload, and writes them to ``benchmarks/LOAD.md``. Only 127.0.0.1; bounded by ``--timeout``.

    python benchmarks/load_test.py [--sessions 10] [--quick] [--train-seconds 20]
                                   [--output benchmarks/LOAD.md | -]

Uses Debian's Chromium (``/usr/bin/chromium``) through Playwright's Python package; never
``playwright install``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import logging
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make cnnviz importable
    sys.path.insert(0, str(ROOT))
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, TITLE_JS, running_app  # noqa: E402

SESSIONS_PER_BROWSER = 6  # one Chromium process per 6 contexts keeps RAM and CPU bounded
UPLOAD_PAGE = "convolution"
TRAINING_PAGE = "training"
NO_FIGURE_PAGES = {"home", TRAINING_PAGE}  # pages not required to draw a chart or image
# what a session clicks or reads, in both languages (a zh-CN browser gets the Chinese page)
UPLOAD_LABEL = re.compile("Upload|上传")
START_LABEL = re.compile("Start|开始")
PAUSE_LABEL = re.compile("Pause|暂停")
RESUME_LABEL = re.compile("Resume|继续")
STEP_LABEL = re.compile("Step|步数")
WAITING_LABEL = re.compile("Waiting for a free training slot|等待空闲的训练名额")

# ----------------------------------------------------------------------------- marker images

BANDS = 8  # band 0 white and band 7 black frame 6 bits of session number (1..62)
MAX_SESSIONS = 62


def marker_png(number: int, side: int = 256) -> bytes:
    """A PNG that says ``number`` twice: in digits (for people) and as a barcode (for code).

    The right 3/4 is ``BANDS`` horizontal bands: white, 6 bits (MSB first), black. Pure black
    and white survive grayscale conversion, min/max normalisation and resizing.
    """
    if not 1 <= number <= MAX_SESSIONS:
        raise ValueError(f"session number must be in 1..{MAX_SESSIONS}")
    a = np.full((side, side), 128, np.uint8)
    bits = [1] + [(number >> (5 - i)) & 1 for i in range(6)] + [0]
    x0 = side // 4
    for b, bit in enumerate(bits):
        a[b * side // BANDS:(b + 1) * side // BANDS, x0:] = 255 if bit else 0
    im = Image.fromarray(a).convert("RGB")
    draw = ImageDraw.Draw(im)
    try:
        font: Any = ImageFont.load_default(size=side // 6)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    draw.text((4, side // 3), f"{number:02d}", fill=(0, 0, 0), font=font)
    out = io.BytesIO()
    im.save(out, format="PNG")
    return out.getvalue()


def read_marker(data: bytes) -> int | None:
    """The session number in a picture made by :func:`marker_png`, or None if it is not one."""
    try:
        im = Image.open(io.BytesIO(data)).convert("L")
    except Exception:  # noqa: BLE001 - any undecodable picture simply carries no marker
        return None
    a = np.asarray(im, np.float64) / 255.0
    h, w = a.shape
    if h < BANDS * 4 or w < 16:
        return None
    cols = slice(int(0.40 * w), int(0.97 * w))
    values = []
    for b in range(BANDS):
        y0, y1 = b * h // BANDS, (b + 1) * h // BANDS
        pad = max(1, (y1 - y0) // 4)
        values.append(float(np.median(a[y0 + pad:y1 - pad, cols])))
    if any(0.25 < v < 0.75 for v in values) or values[0] < 0.75 or values[-1] > 0.25:
        return None
    number = 0
    for v in values[1:-1]:
        number = number * 2 + (v > 0.5)
    return number or None


# ----------------------------------------------------------------------------- server


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc (no psutil needed)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the server process tree now (psutil if present, else /proc)."""
    try:
        import psutil
    except ImportError:
        return sum(_status_kb(p, "VmRSS") for p in _tree(pid)) / 1024
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.memory_info().rss for p in procs) / 2**20
    except psutil.Error:
        return 0.0


class MemorySampler(threading.Thread):
    """Samples the server tree's RSS twice a second; ``peak_mb`` is the largest sum seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self.samples: list[tuple[float, float]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._stop_event.is_set():
            mb = tree_rss_mb(self.pid)
            self.samples.append((time.monotonic() - t0, mb))
            self.peak_mb = max(self.peak_mb, mb)
            self._stop_event.wait(0.5)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


# ----------------------------------------------------------------------------- sessions


@dataclass
class SessionResult:
    number: int
    render_s: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    own_seen: list[str] = field(default_factory=list)  # pages that showed this session's image
    others_seen: list[str] = field(default_factory=list)  # "page: #n" for another's image
    uploaded: bool = False
    trained_steps: int | None = None
    waited_for_slot: bool = False
    js_errors: int = 0
    notes: dict[str, Any] = field(default_factory=dict)  # what a caller's ``after`` records


# The pixels the browser shows, read back through a canvas (same origin, so not tainted):
# no second download of a media file that a rerun may already have replaced.
PIXELS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stImage"] img'))
  .filter(i => i.complete && i.naturalWidth > 0)
  .map(i => { const c = document.createElement('canvas');
              c.width = i.naturalWidth; c.height = i.naturalHeight;
              c.getContext('2d').drawImage(i, 0, 0);
              try { return c.toDataURL('image/png'); } catch (e) { return ''; } })
  .filter(Boolean)"""
FIGURE_SEL = ('.js-plotly-plot, [data-testid="stPlotlyChart"], [data-testid="stImage"] img, '
              '[data-testid="stPyplot"]')


async def settle(page: Any, timeout_s: float, need_figure: bool = False,
                 changed_from: str | None = None) -> None:
    """Wait until the script is idle (``data-test-script-state``) on two polls in a row.

    ``changed_from``: the previous page's title; the new page counts only once its ``h1``
    differs (the old page is still idle for a moment after a navigation click).
    """
    deadline = time.monotonic() + timeout_s
    idle = 0
    while idle < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("page did not settle")
        await asyncio.sleep(0.2)
        if changed_from is not None and await page.evaluate(TITLE_JS) == changed_from:
            idle = 0
            continue
        idle = idle + 1 if await page.evaluate(IDLE_JS) else 0
    if need_figure:
        left = max(1.0, deadline - time.monotonic())
        await page.wait_for_selector(FIGURE_SEL, timeout=left * 1000)


async def exceptions(page: Any) -> int:
    return await page.locator('[data-testid="stException"]').count()


async def shown_markers(page: Any) -> list[int]:
    """Session numbers decoded from every picture (st.image) on the page."""
    found = []
    for url in await page.evaluate(PIXELS_JS):
        n = read_marker(base64.b64decode(url.split(",", 1)[1]))
        if n is not None:
            found.append(n)
    return found


async def check_isolation(page: Any, res: SessionResult, label: str) -> None:
    for n in await shown_markers(page):
        if n == res.number:
            res.own_seen.append(label)
        else:
            res.others_seen.append(f"{label}: #{n}")


async def navigate(page: Any, path: str, timeout_s: float) -> None:
    """Click the sidebar link, as a student does: a reload would open a NEW session."""
    before = await page.evaluate(TITLE_JS)
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first
    await link.click(timeout=timeout_s * 1000)
    await settle(page, timeout_s, need_figure=path not in NO_FIGURE_PAGES,
                 changed_from=before or None)


async def upload(page: Any, res: SessionResult, timeout_s: float) -> None:
    """Switch the picker to Upload and send this session's marker PNG."""
    radio = page.locator('[data-testid="stRadio"] label').filter(has_text=UPLOAD_LABEL).first
    await radio.click(timeout=timeout_s * 1000)
    file_input = page.locator('[data-testid="stFileUploader"] input[type="file"]').first
    await file_input.wait_for(state="attached", timeout=timeout_s * 1000)
    await settle(page, timeout_s)
    await file_input.set_input_files(files=[{
        "name": f"session-{res.number:02d}.png", "mimeType": "image/png",
        "buffer": marker_png(res.number)}])
    # the upload reruns the script: wait for the thumbnail of the new picture
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        if await page.evaluate(IDLE_JS) and res.number in await shown_markers(page):
            res.uploaded = True
            res.own_seen.append(f"{UPLOAD_PAGE} (upload)")
            return
    raise TimeoutError("the uploaded image never showed")


async def train(page: Any, res: SessionResult, seconds: float, timeout_s: float) -> None:
    """Press Start, let it train, read the step counter, press Pause."""
    await page.get_by_role("button", name=START_LABEL).first.click(timeout=timeout_s * 1000)
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end:
        await asyncio.sleep(1.0)
        if await page.get_by_text(WAITING_LABEL).count():
            res.waited_for_slot = True
        if await exceptions(page):
            raise RuntimeError("exception while training")
    step = page.locator('[data-testid="stMetric"]').filter(has_text=STEP_LABEL).first
    if await step.count():
        text = await step.inner_text()
        digits = text.split("\n")[-1].split("/")[0].replace(",", "").strip()
        res.trained_steps = int(digits) if digits.isdigit() else None
    pause = page.get_by_role("button", name=PAUSE_LABEL)
    if await pause.count():
        await pause.first.click(timeout=timeout_s * 1000)
        await page.get_by_role("button", name=RESUME_LABEL).first.wait_for(
            timeout=timeout_s * 1000)
        await settle(page, timeout_s)


After = Callable[[Any, SessionResult], Awaitable[None]]  # (page, result), before the tab closes


async def run_session(browser: Any, base: str, number: int, lessons: list[str], delay: float,
                      train_seconds: float, timeout_s: float,
                      deadline: float = float("inf"), *, options: dict[str, Any] | None = None,
                      after: After | None = None) -> SessionResult:
    """One student: walk ``lessons`` (upload, train), then ``after`` with the tab still open.

    ``options``: more ``new_context`` arguments (``locale``, ``storage_state`` cookies).
    """
    res = SessionResult(number)
    await asyncio.sleep(delay)  # students arrive a little apart
    context = await browser.new_context(viewport={"width": 1400, "height": 900},
                                        **(options or {}))
    page = await context.new_page()
    page.on("pageerror", lambda _e: setattr(res, "js_errors", res.js_errors + 1))
    try:
        first, *rest = lessons
        t0 = time.perf_counter()
        # the default page lives at "/": "/home" shows "Page not found" once the server knows
        # its pages (the first visitor of a fresh server is let through)
        await page.goto(f"{base}/{'' if first == 'home' else first}", timeout=timeout_s * 1000)
        await settle(page, timeout_s, need_figure=first not in NO_FIGURE_PAGES)
        res.render_s[first] = time.perf_counter() - t0
        for path in rest:
            if time.monotonic() > deadline:
                res.errors.append(f"time bound reached before {path}")
                break
            t0 = time.perf_counter()
            try:
                await navigate(page, path, timeout_s)
            except Exception as err:  # noqa: BLE001 - every failure is counted, the walk goes on
                res.errors.append(f"{path}: {type(err).__name__}: {str(err)[:120]}")
                continue
            res.render_s[path] = time.perf_counter() - t0
            if await exceptions(page):
                res.errors.append(f"{path}: Streamlit exception shown")
            try:
                if path == UPLOAD_PAGE and not res.uploaded:
                    await upload(page, res, timeout_s)
                elif path == TRAINING_PAGE and train_seconds > 0:
                    await train(page, res, train_seconds, timeout_s)
                else:
                    await check_isolation(page, res, path)
            except Exception as err:  # noqa: BLE001
                res.errors.append(f"{path}: {type(err).__name__}: {str(err)[:120]}")
            if await exceptions(page):
                res.errors.append(f"{path}: Streamlit exception after interaction")
        # come back at the end: still my picture?
        if UPLOAD_PAGE in rest[:-1] and time.monotonic() < deadline:
            await navigate(page, UPLOAD_PAGE, timeout_s)
            before = len(res.own_seen)
            await check_isolation(page, res, f"{UPLOAD_PAGE} (again)")
            if res.uploaded and len(res.own_seen) == before:
                res.errors.append("own upload not shown on return to the convolution page")
        if after is not None:
            await after(page, res)
    except Exception as err:  # noqa: BLE001
        res.errors.append(f"session: {type(err).__name__}: {str(err)[:160]}")
    finally:
        await context.close()
    return res


async def run_all(base: str, sessions: int, lessons: list[str], train_seconds: float,
                  timeout_s: float, stagger: float, first_number: int = 1,
                  deadline: float = float("inf"), *,
                  options: Callable[[int], dict[str, Any]] = lambda _n: {},
                  after: After | None = None,
                  alongside: Awaitable[Any] | None = None) -> list[SessionResult]:
    """Every session in its own browser context; ``alongside`` runs beside them (a conductor)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        n_browsers = max(1, min(2, -(-sessions // SESSIONS_PER_BROWSER)))
        browsers = [await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                    for _ in range(n_browsers)]
        try:
            tasks = [run_session(browsers[i % n_browsers], base, first_number + i, lessons,
                                 i * stagger, train_seconds, timeout_s, deadline,
                                 options=options(first_number + i), after=after)
                     for i in range(sessions)]
            if alongside is None:
                return list(await asyncio.gather(*tasks))
            *results, _ = await asyncio.gather(*tasks, alongside)
            return list(results)
        finally:
            for b in browsers:
                await b.close()


# ----------------------------------------------------------------------------- report


def lesson_paths() -> list[str]:
    """URL paths of the lessons whose page file exists, in menu order."""
    # importing cnnviz.ui outside `streamlit run` logs "No runtime found" per cached function
    logging.disable(logging.WARNING)
    try:
        from cnnviz.lessons.registry import LESSONS
    finally:
        logging.disable(logging.NOTSET)

    return [lesson.slug for lesson in LESSONS]


def summarise(results: list[SessionResult], peak_mb: float, base_mb: float, warm_mb: float,
              hwm_mb: float, args: argparse.Namespace, lessons: list[str], wall: float,
              warm_errors: list[str]) -> tuple[str, dict]:
    all_times = [t for r in results for t in r.render_s.values()]
    errors = sum(len(r.errors) for r in results) + len(warm_errors)
    leaks = sum(len(r.others_seen) for r in results)
    summary = {
        "sessions": len(results), "errors": errors, "leaks": leaks,
        "median_render_s": statistics.median(all_times) if all_times else None,
        "worst_render_s": max(all_times) if all_times else None,
        "peak_rss_mb": peak_mb, "baseline_rss_mb": base_mb, "server_vmhwm_mb": hwm_mb,
        "warm_rss_mb": warm_mb,
        "per_session_mb": (peak_mb - warm_mb) / max(1, len(results)),
        "uploads_ok": sum(r.uploaded for r in results), "wall_s": wall,
    }
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        "## One server: concurrent browser sessions",
        "",
        "Produced by `benchmarks/load_test.py` (see its docstring); rerun it to refresh.",
        "",
        f"- run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"`python benchmarks/load_test.py --sessions {args.sessions}"
        f"{' --quick' if args.quick else ''} --train-seconds {args.train_seconds:g}`",
        f"- machine: {cpus} cores (shared with other work during the run), Python "
        f"{platform.python_version()}, one `streamlit run app.py` on 127.0.0.1, "
        f"{min(2, -(-args.sessions // SESSIONS_PER_BROWSER))} headless Chromium process(es)",
        f"- pages walked per session: {', '.join(lessons)} (+ the convolution page again)",
        f"- wall time: {wall:.0f} s",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| sessions | {len(results)} |",
        f"| errors (exceptions, timeouts, missing figures, failed uploads) | **{errors}** |",
        f"| sessions that saw another session's upload | "
        f"**{sum(bool(r.others_seen) for r in results)}** ({leaks} sightings) |",
        f"| uploads shown back to their own session | {summary['uploads_ok']} / {len(results)} |",
        f"| page render time, median over all | {summary['median_render_s'] or 0:.2f} s |",
        f"| page render time, worst | {summary['worst_render_s'] or 0:.2f} s |",
        f"| server RSS at start (no session yet) | {base_mb:.0f} MB |",
        f"| server RSS after one warm-up session (MNIST loaded, caches, imports) | "
        f"{warm_mb:.0f} MB |",
        f"| server peak RSS (process tree, sampled 2/s) | {peak_mb:.0f} MB |",
        f"| server VmHWM (main process) | {hwm_mb:.0f} MB |",
        f"| memory per concurrent session ((peak − warm) / sessions) | "
        f"{summary['per_session_mb']:.0f} MB |",
        "",
        "| session | pages | render median (s) | render worst (s) | own image seen on | "
        "other's image seen | trained steps | waited for slot | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        times = list(r.render_s.values())
        lines.append(
            f"| {r.number} | {len(times)} | "
            f"{statistics.median(times) if times else 0:.2f} | {max(times) if times else 0:.2f} | "
            f"{len(r.own_seen)} pages | {', '.join(r.others_seen) or 'none'} | "
            f"{'–' if r.trained_steps is None else r.trained_steps} | "
            f"{'yes' if r.waited_for_slot else 'no'} | {'; '.join(r.errors) or '0'} |")
    if warm_errors:
        lines += ["", "Warm-up session errors: " + "; ".join(warm_errors)]
    slowest = sorted(((t, r.number, p) for r in results for p, t in r.render_s.items()),
                     reverse=True)[:5]
    if slowest:
        lines += ["", "Slowest page loads: " + ", ".join(
            f"{p} (session {n}) {t:.1f} s" for t, n, p in slowest) + "."]
    return "\n".join(lines) + "\n", summary


def write_section(path: Path, name: str, text: str) -> None:
    """Put ``text`` into ``path`` between ``<!-- begin name -->`` / ``<!-- end name -->``.

    LOAD.md holds the reports of several benchmarks; each rewrites only its own section
    (appended at the end the first time).
    """
    begin, end = f"<!-- begin {name} -->", f"<!-- end {name} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = (old.rstrip() + "\n\n" if old.strip() else "") + block + "\n"
    path.write_text(new, encoding="utf-8")


def count_tracebacks(log: Path) -> int:
    """Python tracebacks a server wrote to its log (0 is the goal)."""
    try:
        return log.read_text(errors="replace").count("Traceback (most recent call last)")
    except OSError:
        return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--quick", action="store_true",
                    help="3 sessions, 5 s of training, shorter timeouts")
    ap.add_argument("--train-seconds", type=float, default=None,
                    help="seconds each session trains (default 20, quick 5; 0 = skip)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds one page may take to settle (default 120, quick 60)")
    ap.add_argument("--max-minutes", type=float, default=15.0, help="hard bound on the run")
    ap.add_argument("--stagger", type=float, default=0.5, help="seconds between arrivals")
    ap.add_argument("--max-trainings", type=int, default=None,
                    help="CNNVIZ_MAX_TRAININGS for the server (default: its own default)")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false",
                    help="skip the single warm-up session (then memory per session includes "
                         "MNIST and imports, which all sessions share)")
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "LOAD.md"),
                    help="Markdown report path, or - for stdout only")
    args = ap.parse_args(argv)
    if args.quick and "--sessions" not in " ".join(argv or sys.argv[1:]):
        args.sessions = 3
    args.train_seconds = args.train_seconds if args.train_seconds is not None else (
        5.0 if args.quick else 20.0)
    timeout_s = args.timeout or (60.0 if args.quick else 120.0)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        ap.error(f"--sessions must be in 1..{MAX_SESSIONS}")
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found: install Debian's chromium package", file=sys.stderr)
        return 2

    lessons = lesson_paths()
    log = Path(tempfile.gettempdir()) / f"cnnviz_load_test_{os.getpid()}.log"
    env = {"CNNVIZ_MAX_TRAININGS": str(args.max_trainings)} if args.max_trainings else None
    t0 = time.monotonic()
    warm_errors: list[str] = []
    with running_app(log, env=env) as (base, proc):
        sampler = MemorySampler(proc.pid)
        try:
            time.sleep(1.0)
            base_mb = tree_rss_mb(proc.pid)
            sampler.start()
            warm_mb = base_mb
            if args.warmup:  # one student first: loads MNIST, caches, imports (shared by all)
                warm = asyncio.run(asyncio.wait_for(
                    run_all(base, 1, lessons, min(args.train_seconds, 5.0), timeout_s, 0.0,
                            first_number=MAX_SESSIONS), timeout=args.max_minutes * 60))
                warm_errors = [e for r in warm for e in r.errors]
                time.sleep(1.0)
                warm_mb = tree_rss_mb(proc.pid)
            # sessions stop walking at the bound (and report it); the hard stop leaves slack
            deadline = time.monotonic() + args.max_minutes * 60
            results = asyncio.run(asyncio.wait_for(
                run_all(base, args.sessions, lessons, args.train_seconds, timeout_s,
                        args.stagger, deadline=deadline),
                timeout=args.max_minutes * 60 + 2 * timeout_s + 60))
            hwm_mb = sum(_status_kb(p, "VmHWM") for p in _tree(proc.pid)) / 1024
        finally:
            sampler.stop()
    report, summary = summarise(results, sampler.peak_mb, base_mb, warm_mb, hwm_mb, args,
                                lessons, time.monotonic() - t0, warm_errors)
    report += f"\nServer log: `{log}` ({count_tracebacks(log)} tracebacks).\n"
    print(report)
    if args.output != "-":
        write_section(Path(args.output), "one-server", report)
    return 0 if summary["errors"] == 0 and summary["leaks"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
