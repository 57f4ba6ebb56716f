"""Two cnnviz replicas behind nginx with sticky sessions, on this machine: docs/DEPLOY.md, run.

Starts two ``streamlit run app.py`` replicas on free 127.0.0.1 ports with one shared
``server.cookieSecret`` (``tests.app_server.running_app``), and Debian's nginx in front of
them with a configuration generated from ``deploy/nginx.conf`` (its cookie-sticky upstream,
the ``server`` lines pointed at the replicas, logs in a temporary folder, an access log that
records ``$upstream_addr`` per request). Then headless-Chromium learners
(``benchmarks.load_test``'s sessions) come in through nginx:

``class`` (default 20 learners): each opens the app, uploads its own barcoded picture on the
convolution page, trains briefly, comes back to its picture and stays. Then one replica is
killed (SIGKILL) mid-class. Its learners must reconnect to the other replica and see the
"you were moved to another server" notice in their browser's language
(``cnnviz.ui.session_memory``), upload again without error; the other replica's learners
must notice nothing (no notice, their websocket never leaves CONNECTED, their picture still
shown). nginx's access log proves stickiness: every ``/_stcore/upload_file`` and
``/_stcore/stream`` request of one browser (its ``cnnviz_lb`` cookie) that started before the
kill reached one replica, and the moved browsers' later ones the other.

``hold`` (default 30 learners, 10 minutes): is a replica's memory flat while a class works
through the lessons? First the teacher's rehearsal, on each replica directly: every lesson
opened and its setting changed once in English and once in Chinese (a server's first visit of
a page imports its modules and fills its caches once, for everyone; the report gives RSS
before and after it, and ``--no-rehearse`` leaves it out). Then the learners arrive, 3 s apart
(a class opening the link), and go from lesson to lesson: open the next lesson, change its
setting (the registry's ``demo``), read for ``--think`` seconds (uniformly 0.5–1.5 × 40 s),
next. Each replica's RSS is sampled, and its own account of what it keeps
(``/_stcore/metrics``: cached results, figure specs, media files); the report gives
both minute by minute, the slope of RSS over the second half, and the CPU the replicas and
the whole machine used.

Why that pacing: a lesson is prose, a stepped animation and a quiz; a learner who opens a
new one and changes its setting every 40 s is moving briskly (two reruns each time). The
learners' 30 headless Chromium run on the replicas' own two cores, and their drawing costs
several times the servers' CPU (the report shows both); in a real class it happens on the
learners' laptops. Until 2026-11-30 a learner moved on every 10 s and arrived 1 s apart: 30
browsers kept both cores saturated, pages took 70 s to settle and 13 of 160 changes timed out
(at 30 s: 94 % of both cores busy, the replicas 10 % of one core each, 11 timeouts), which
measured this machine's browsers, not the app.

    python benchmarks/replicas.py class [--sessions 20] [--train-seconds 8]
    python benchmarks/replicas.py hold [--sessions 30] [--minutes 10]
    (--output benchmarks/LOAD.md rewrites its own section; - prints only)

Needs ``nginx`` (``apt-get install nginx-light``) and ``/usr/bin/chromium``; only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make cnnviz and tests importable
    sys.path.insert(0, str(ROOT))
from benchmarks.load_test import (  # noqa: E402
    MemorySampler,
    SessionResult,
    count_tracebacks,
    exceptions,
    lesson_paths,
    navigate,
    run_all,
    settle,
    shown_markers,
    tree_rss_mb,
    upload,
    write_section,
)
from tests.app_server import CHROMIUM, free_port, running_app  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEMPLATE = ROOT / "deploy" / "nginx.conf"
LB_COOKIE = "cnnviz_lb"
NOTICE_SEL = ".st-key-cnnviz_moved_notice"
NOTICE_WORDS = {"en": "another server", "zh": "另一台服务器"}
STATEFUL = ("/_stcore/upload_file", "/_stcore/stream")  # what must stay on one replica
# every change of the app's connection state, recorded in the page (a survivor has none)
WATCH_CONNECTION_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__cnnvizStates = [];
  new MutationObserver(() => window.__cnnvizStates.push(
      app.getAttribute('data-test-connection-state')))
    .observe(app, {attributes: true, attributeFilter: ['data-test-connection-state']});
}"""


def locale_of(number: int) -> str:
    """Every third learner's browser is Chinese: the notice must follow it."""
    return "zh-CN" if number % 3 == 0 else "en-US"


def even_cookies(cluster: Cluster, tries: int = 64) -> list[str]:
    """One ``cnnviz_lb`` value per replica, found by asking nginx and reading its log.

    For small runs (a CI test) that must have learners on every replica: a browser that
    arrives with one of these cookies is sent to that replica by the deployed hash.
    """
    import urllib.request

    sent = [secrets.token_hex(16) for _ in range(tries)]
    for value in sent:
        req = urllib.request.Request(f"{cluster.url}/healthz",
                                     headers={"Cookie": f"{LB_COOKIE}={value}"})
        with urllib.request.urlopen(req, timeout=10):
            pass
    found: dict[str, str] = {}
    for hit in read_access_log(cluster.workdir / "access.log"):
        if hit.uri == "/healthz" and hit.cookie in sent and hit.upstreams:
            found.setdefault(hit.upstreams[-1], hit.cookie)
    return [found[cluster.addr(i)] for i in range(len(cluster.replicas))
            if cluster.addr(i) in found]


def context_options(number: int, cookies: list[str], url: str) -> dict[str, Any]:
    """Browser settings of learner ``number``: its locale, and a seeded cookie if given."""
    options: dict[str, Any] = {"locale": locale_of(number)}
    if cookies:
        host = url.split("//", 1)[1].split(":", 1)[0]
        options["storage_state"] = {"origins": [], "cookies": [{
            "name": LB_COOKIE, "value": cookies[number % len(cookies)], "domain": host,
            "path": "/", "httpOnly": True, "secure": False, "sameSite": "Lax",
            "expires": -1}]}
    return options


def lang_of(number: int) -> str:
    return "zh" if locale_of(number).startswith("zh") else "en"


# ----------------------------------------------------------------------------- nginx


def nginx_conf(ports: list[int], listen: int, workdir: Path) -> str:
    """deploy/nginx.conf with the replicas on ``ports``, listening on 127.0.0.1:``listen``.

    Everything else (sticky cookie, hash, websocket headers, timeouts, upload size) is the
    deployed file's own; only the paths a non-packaged nginx needs and an access log that
    names the upstream of each request are added.
    """
    text = TEMPLATE.read_text(encoding="utf-8")
    servers = re.findall(r"^(\s*)server app\d+:\d+(.*);$", text, flags=re.M)
    if not servers:
        raise ValueError(f"no `server appN:PORT ...;` lines in {TEMPLATE}")
    indent, options = servers[0]
    text = re.sub(r"^\s*server app\d+:\d+.*;\n", "", text, flags=re.M)
    upstream = "".join(f"{indent}server 127.0.0.1:{p}{options};\n" for p in ports)
    wd = workdir
    edits = {
        "hash $cnnviz_lb_key consistent;\n": "hash $cnnviz_lb_key consistent;\n" + upstream,
        "worker_processes auto;": f"worker_processes 1;\npid {wd}/nginx.pid;\n"
                                  f"error_log {wd}/error.log warn;",
        "listen 80;": f"listen 127.0.0.1:{listen};",
        "http {\n": "http {\n"
                    "    log_format replicas '$msec $request_time $cookie_cnnviz_lb "
                    "\"$upstream_addr\" $request_method $uri $status';\n"
                    f"    access_log {wd}/access.log replicas;\n"
                    + "".join(f"    {k}_temp_path {wd}/{k};\n"
                              for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")),
    }
    for old, new in edits.items():
        if old not in text:
            raise ValueError(f"{TEMPLATE} changed: {old!r} not found")
        text = text.replace(old, new, 1)
    return text


@contextlib.contextmanager
def running_nginx(ports: list[int], workdir: Path) -> Iterator[str]:
    """nginx in front of ``ports``; yields its URL; stopped (logs flushed) on exit."""
    workdir.chmod(0o755)  # nginx's workers (user nobody) write request bodies below it
    listen = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_conf(ports, listen, workdir), encoding="utf-8")
    cmd = [NGINX, "-p", str(workdir), "-c", str(conf)]
    check = subprocess.run([*cmd, "-t"], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx -t failed: {check.stderr}")
    with open(workdir / "stderr.log", "w") as err:
        proc = subprocess.Popen([*cmd, "-g", "daemon off;"], stderr=err,
                                start_new_session=True)
    url = f"http://127.0.0.1:{listen}"
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(OSError):
                import urllib.request
                with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start (see {workdir})")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGQUIT)  # graceful: finishes and logs open requests
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass
class Hit:
    """One request in nginx's access log."""

    start: float  # epoch seconds the request began ($msec - $request_time)
    cookie: str
    upstreams: list[str]  # tried in order; the last one answered
    method: str
    uri: str
    status: str


LOG_RE = re.compile(r'^(\S+) (\S+) (\S+) "([^"]*)" (\S+) (\S+) (\S+)$')


def read_access_log(path: Path) -> list[Hit]:
    hits = []
    for line in path.read_text(errors="replace").splitlines():
        m = LOG_RE.match(line)
        if m:
            ups = [u.strip() for u in re.split(r"[,:] (?=\d)", m[4]) if u.strip() not in "-"]
            hits.append(Hit(float(m[1]) - float(m[2]), m[3], ups, m[5], m[6], m[7]))
    return hits


def replicas_by_cookie(hits: list[Hit], before: float = float("inf"),
                       after: float = float("-inf")) -> dict[str, set[str]]:
    """For each browser: the replicas that answered its uploads and websockets in a window."""
    out: dict[str, set[str]] = {}
    for h in hits:
        if h.uri.startswith(STATEFUL) and h.upstreams and after <= h.start < before:
            out.setdefault(h.cookie, set()).add(h.upstreams[-1])
    return out


# ----------------------------------------------------------------------------- the cluster


@dataclass
class Cluster:
    """Two replicas (their URL, process, log) and nginx's URL and folder."""

    replicas: list[tuple[str, subprocess.Popen, Path]]
    url: str
    workdir: Path

    def addr(self, i: int) -> str:
        return self.replicas[i][0].removeprefix("http://")

    def kill(self, i: int) -> float:
        """SIGKILL replica ``i`` (no goodbye, as a crash or a pulled plug); its time."""
        proc = self.replicas[i][1]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return time.time()


@contextlib.contextmanager
def running_cluster(n: int, workdir: Path, max_trainings: int) -> Iterator[Cluster]:
    """``n`` replicas sharing one cookie secret, behind nginx; all stopped on exit."""
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
           "CNNVIZ_MAX_TRAININGS": str(max_trainings)}
    with contextlib.ExitStack() as stack:
        replicas = []
        for i in range(n):
            log = workdir / f"replica{i + 1}.log"
            url, proc = stack.enter_context(running_app(log, env=env))
            replicas.append((url, proc, log))
        url = stack.enter_context(running_nginx([int(r[0].rsplit(":", 1)[1])
                                                 for r in replicas], workdir))
        yield Cluster(replicas, url, workdir)


# ----------------------------------------------------------------------------- class + kill


@dataclass
class ClassRun:
    """What the learners and the conductor share during a ``class`` run."""

    sessions: int
    window_s: float
    timeout_s: float
    ready: int = 0
    all_ready: asyncio.Event = field(default_factory=asyncio.Event)
    killed: asyncio.Event = field(default_factory=asyncio.Event)
    kill_t: float | None = None
    expected_moved: int = 0  # browsers whose uploads went to the killed replica (nginx's log)
    moved_seen: int = 0
    all_moved: asyncio.Event = field(default_factory=asyncio.Event)
    workdir: Path = Path(tempfile.gettempdir())  # screenshots of the moved learners


async def stay_and_survive(page: Any, res: SessionResult, run: ClassRun) -> None:
    """After the walk: note the sticky cookie, wait for the kill, then check what it did."""
    cookies = await page.context.cookies()
    res.notes["lb"] = next((c["value"] for c in cookies if c["name"] == LB_COOKIE), "")
    await page.evaluate(WATCH_CONNECTION_JS)
    run.ready += 1
    if run.ready == run.sessions:
        run.all_ready.set()
    await run.killed.wait()
    if run.kill_t is None:
        return
    notice = page.locator(NOTICE_SEL)
    deadline = time.monotonic() + run.window_s
    # a moved learner waits for its notice; a staying one until every moved one has it
    while (time.monotonic() < deadline and not await notice.count()
           and not run.all_moved.is_set()):
        await asyncio.sleep(1.0)
    if not await notice.count():
        await asyncio.sleep(3.0)  # the staying learner goes on a little after the failover
    text = notice.locator('[data-testid="stMarkdownContainer"]').first
    res.notes["notice"] = (await text.inner_text()) if await notice.count() else ""
    res.notes["states"] = await page.evaluate("() => window.__cnnvizStates || []")
    if await exceptions(page) or "Traceback" in await page.inner_text("body"):
        res.errors.append("exception or traceback shown after the kill")
    if res.notes["notice"]:  # moved: the new replica takes an upload (same cookie secret)
        res.notes["reconnect_s"] = time.time() - run.kill_t
        run.moved_seen += 1
        if run.moved_seen >= run.expected_moved:
            run.all_moved.set()
        await settle(page, run.timeout_s)
        await page.screenshot(path=str(run.workdir / f"moved_{res.number:02d}.png"))
        res.uploaded = False
        try:
            await upload(page, res, run.timeout_s)
        except Exception as err:  # noqa: BLE001 - counted, the run goes on
            res.errors.append(f"upload after the move: {type(err).__name__}: {err}"[:160])
        res.notes["reuploaded"] = res.uploaded
    else:  # stayed: still my picture, never disconnected
        res.notes["own_after"] = res.number in await shown_markers(page)


async def conduct(run: ClassRun, cluster: Cluster, victim: int, limit_s: float) -> None:
    """Wait until every learner has walked (or ``limit_s``), then kill replica ``victim``."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(run.all_ready.wait(), timeout=limit_s)
    await asyncio.sleep(3.0)  # a quiet moment: every websocket open and idle
    run.kill_t = await asyncio.to_thread(cluster.kill, victim)
    uploads = replicas_by_cookie(read_access_log(cluster.workdir / "access.log"))
    run.expected_moved = sum(reps == {cluster.addr(victim)} for reps in uploads.values())
    if run.expected_moved == 0:
        run.all_moved.set()
    run.killed.set()


def check_class(results: list[SessionResult], hits: list[Hit], cluster: Cluster,
                kill_t: float | None, victim: int) -> dict[str, Any]:
    """Per-learner verdicts from the browser and from nginx's log; totals."""
    before = replicas_by_cookie(hits, before=kill_t or float("inf"))
    after = replicas_by_cookie(hits, after=kill_t) if kill_t else {}
    dead = cluster.addr(victim)
    problems: list[str] = []
    for r in results:
        if "lb" not in r.notes:
            problems.append(f"#{r.number}: stopped before the kill (see its errors)")
            continue
        lb = r.notes["lb"]
        r.notes["before"] = sorted(before.get(lb, set()))
        r.notes["after"] = sorted(after.get(lb, set()))
        if len(r.notes["before"]) != 1:
            problems.append(f"#{r.number}: uploads/websocket on {r.notes['before'] or 'none'}")
        if kill_t is None:
            continue
        moved = r.notes["before"] == [dead]
        r.notes["moved"] = moved
        text = r.notes.get("notice", "")
        if moved and NOTICE_WORDS[lang_of(r.number)] not in text:
            problems.append(f"#{r.number}: moved but no notice in {lang_of(r.number)}")
        if moved and (dead in r.notes["after"] or not r.notes.get("reuploaded")):
            problems.append(f"#{r.number}: not working on the other replica after the move")
        if not moved and (text or r.notes.get("states") or not r.notes.get("own_after")):
            problems.append(f"#{r.number}: on the surviving replica but noticed something")
    per_replica = {cluster.addr(i): sum(r.notes.get("before") == [cluster.addr(i)]
                                        for r in results) for i in range(len(cluster.replicas))}
    return {"problems": problems, "per_replica": per_replica,
            "errors": sum(len(r.errors) for r in results),
            "moved": sum(bool(r.notes.get("moved")) for r in results)}


def one_line(text: str, most: int = 200) -> str:
    """An error message for a Markdown table cell: no newlines or pipes, bounded."""
    return " ".join(text.replace("|", "/").split())[:most]


def class_report(results: list[SessionResult], verdict: dict[str, Any], cluster: Cluster,
                 args: argparse.Namespace, wall: float, peaks: list[float]) -> str:
    reconnects = [r.notes["reconnect_s"] for r in results if "reconnect_s" in r.notes]
    rows = []
    for r in results:
        states = r.notes.get("states") or []
        steps = (r.trained_steps if r.trained_steps is not None
                 else "queued" if r.waited_for_slot else "–")
        rows.append(
            f"| {r.number} | {locale_of(r.number)} | "
            f"{', '.join(r.notes.get('before', [])) or '–'} | "
            f"{steps} | "
            f"{'yes' if r.notes.get('moved') else 'no'} | "
            f"{(r.notes.get('notice') or '–')[:40].replace(chr(10), ' ')} | "
            f"{', '.join(r.notes.get('after', [])) or '–'} | "
            f"{'yes' if r.notes.get('reuploaded') or r.notes.get('own_after') else 'no'} | "
            f"{'→'.join(states) or 'never'} | {one_line('; '.join(r.errors)) or '0'} |")
    kill_line = (f"replica 1 ({cluster.addr(0)}) killed with SIGKILL once all had walked; "
                 f"{verdict['moved']} learners moved, reconnected with the notice after "
                 f"{min(reconnects):.1f}–{max(reconnects):.1f} s" if reconnects else
                 "no kill" if args.no_kill else "replica 1 killed; nobody reconnected")
    return "\n".join([
        "## Two replicas behind nginx: a class, and one replica killed",
        "",
        "Produced by `benchmarks/replicas.py class` (see its docstring).",
        "",
        f"- run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, `python benchmarks/replicas.py "
        f"{' '.join(sys.argv[1:])}`; "
        f"wall time {wall:.0f} s; 2 cores shared with other work",
        "- learners per replica (from nginx's log): "
        + ", ".join(f"{a}: {n}" for a, n in verdict["per_replica"].items()),
        f"- errors: **{verdict['errors']}**; problems: **{len(verdict['problems'])}**"
        + (f" ({'; '.join(verdict['problems'])})" if verdict["problems"] else ""),
        f"- failover: {kill_line}",
        f"- peak RSS per replica: {', '.join(f'{p:.0f} MB' for p in peaks)}; tracebacks in "
        f"the replicas' logs: {sum(count_tracebacks(r[2]) for r in cluster.replicas)}",
        "",
        "| learner | browser | uploads + websocket before the kill on | trained steps | moved | "
        "notice | after the kill on | own picture after | connection changes | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
    ]) + "\n"


def run_class(args: argparse.Namespace, workdir: Path) -> tuple[str, bool]:
    lessons = [p for p in lesson_paths() if p in args.pages.split(",")]
    timeout_s = args.timeout
    t0 = time.monotonic()
    with running_cluster(2, workdir, args.max_trainings) as cluster:
        samplers = [MemorySampler(r[1].pid) for r in cluster.replicas]
        for s in samplers:
            s.start()
        run = ClassRun(args.sessions, args.window, timeout_s, workdir=workdir)
        cookies = even_cookies(cluster) if args.even else []

        async def after(page: Any, res: SessionResult) -> None:
            await stay_and_survive(page, res, run)

        async def conductor() -> None:
            if args.no_kill:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(run.all_ready.wait(), args.max_minutes * 60)
                run.killed.set()
                return
            await conduct(run, cluster, 0, args.max_minutes * 60)

        deadline = time.monotonic() + args.max_minutes * 60
        results = asyncio.run(asyncio.wait_for(
            run_all(cluster.url, args.sessions, lessons, args.train_seconds, timeout_s,
                    args.stagger, deadline=deadline, after=after,
                    options=lambda n: context_options(n, cookies, cluster.url),
                    alongside=conductor()),
            timeout=args.max_minutes * 60 + args.window + 4 * timeout_s))
        for s in samplers:
            s.stop()
    hits = read_access_log(workdir / "access.log")
    verdict = check_class(results, hits, cluster, run.kill_t, 0)
    report = class_report(results, verdict, cluster, args, time.monotonic() - t0,
                          [s.peak_mb for s in samplers])
    return report, verdict["errors"] == 0 and not verdict["problems"]


# ----------------------------------------------------------------------------- hold


async def change_setting(page: Any, slug: str, lang: str, timeout_s: float) -> None:
    """Change the lesson's demo setting as a learner does: arrow key on a slider, or a click."""
    from cnnviz.lessons.registry import by_slug

    demo = by_slug(slug).demo
    if demo is None:
        return
    kind = "stSlider" if demo.kind == "slider" else "stRadio"
    widget = page.locator(f'[data-testid="stMain"] [data-testid="{kind}"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(
            demo.label.get(lang), exact=True)).first
    if demo.kind == "slider":
        thumb = widget.get_by_role("slider").first
        value, top = await thumb.get_attribute("aria-valuenow"), await thumb.get_attribute(
            "aria-valuemax")
        await thumb.focus(timeout=timeout_s * 1000)
        await thumb.press("ArrowLeft" if value == top else "ArrowRight",
                          timeout=timeout_s * 1000)
    else:
        option = demo.value_label.get(lang) if demo.value_label else str(demo.value)
        await widget.locator('[data-testid="stRadioOption"]').filter(
            has_text=option).first.click(timeout=timeout_s * 1000)
    await settle(page, timeout_s, need_figure=True)


def demo_slugs() -> list[str]:
    """The lessons with a setting to change (the registry's ``demo``), in menu order."""
    from cnnviz.lessons.registry import LESSONS

    return [lesson.slug for lesson in LESSONS if lesson.demo is not None]


async def visit(page: Any, res: SessionResult, slug: str, timeout_s: float) -> float | None:
    """Open ``slug`` and change its setting; the seconds it took, or None (error noted)."""
    t0 = time.perf_counter()
    try:
        await navigate(page, slug, timeout_s)
        await change_setting(page, slug, lang_of(res.number), timeout_s)
    except Exception as err:  # noqa: BLE001 - counted, the learner goes on
        res.errors.append(f"{slug}: {type(err).__name__}: {str(err)[:100]}")
        return None
    finally:
        if await exceptions(page):
            res.errors.append(f"{slug}: Streamlit exception shown")
    return time.perf_counter() - t0


async def hold_lessons(page: Any, res: SessionResult, end: float, think_s: float,
                       timeout_s: float) -> None:
    """Until ``end``: next lesson, change its setting, read for ``think_s`` seconds."""
    slugs = demo_slugs()
    times: list[float] = []
    i = res.number
    while time.monotonic() < end:
        took = await visit(page, res, slugs[i % len(slugs)], timeout_s)
        i += 1
        if took is not None:
            times.append(took)
        await asyncio.sleep(think_s * (0.5 + (i * 7919 % 100) / 100))  # 0.5–1.5 × think
    res.notes["actions"] = times
    cookies = await page.context.cookies()
    res.notes["lb"] = next((c["value"] for c in cookies if c["name"] == LB_COOKIE), "")


async def rehearse(cluster: Cluster, timeout_s: float) -> list[SessionResult]:
    """The teacher's rehearsal before class, on each replica directly: every lesson opened
    and its setting changed once in English and once in Chinese (two tabs per replica)."""
    async def tour(page: Any, res: SessionResult) -> None:
        for slug in demo_slugs():
            await visit(page, res, slug, timeout_s)

    runs = [run_all(url, 2, ["home"], 0.0, timeout_s, 0.0, first_number=2,  # 2: en, 3: zh
                    options=lambda n: {"locale": locale_of(n)}, after=tour)
            for url, _proc, _log in cluster.replicas]
    return [r for rs in await asyncio.gather(*runs) for r in rs]


METRIC_RE = re.compile(r'^cache_memory_bytes\{cache_type="([^"]*)",cache="([^"]*)"\} (\d+)$', re.M)


def cache_mb(url: str) -> dict[str, float]:
    """A replica's own account of what it keeps, MB per cache: Streamlit's
    ``/_stcore/metrics`` family ``cache_memory_bytes`` (pickled bytes of every
    ``st.cache_data`` entry, media files and uploads). Session state is left out: without
    ``server.enableExpensiveMemoryStats`` Streamlit reports its number of keys there."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics?families=cache_memory_bytes",
                                timeout=30) as r:
        text = r.read().decode()
    out: dict[str, float] = {}
    for kind, name, size in METRIC_RE.findall(text):
        if kind == "st_session_state":
            continue
        label = name.rsplit(".", 1)[-1] if name else kind
        out[label] = out.get(label, 0.0) + int(size) / 2**20
    return out


class CacheSampler(threading.Thread):
    """``cache_mb`` of one replica every ``period`` seconds: (seconds since start, MB per cache)."""

    def __init__(self, url: str, period: float = 30.0) -> None:
        super().__init__(daemon=True)
        self.url, self.period = url, period
        self.samples: list[tuple[float, dict[str, float]]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self._stop_event.wait(self.period):
            with contextlib.suppress(OSError, ValueError):
                self.samples.append((time.monotonic() - t0, cache_mb(self.url)))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(35)


def minute_table(samplers: list[MemorySampler], caches: list[CacheSampler],
                 names: list[str]) -> list[str]:
    """RSS per replica, mean of each minute since the first learner arrived, and what the
    replica itself accounts for in its caches (``cache_mb``, summed) in that minute."""
    lines = ["| minute | " + " | ".join(f"{n} RSS (MB)" for n in names) + " | total (MB) | "
             + " | ".join(f"{n} caches (MB)" for n in names) + " |",
             "| --- | " + " | ".join("---" for _ in names) + " | --- | "
             + " | ".join("---" for _ in names) + " |"]
    minutes = int(max(t for s in samplers for t, _ in s.samples) // 60) + 1
    for m in range(minutes):
        means = [statistics.mean([mb for t, mb in s.samples if m * 60 <= t < (m + 1) * 60]
                                 or [0.0]) for s in samplers]
        kept = [statistics.mean([sum(c.values()) for t, c in s.samples
                                 if m * 60 <= t < (m + 1) * 60] or [float("nan")])
                for s in caches]
        lines.append(f"| {m + 1} | " + " | ".join(f"{v:.0f}" for v in means)
                     + f" | {sum(means):.0f} | " + " | ".join(f"{v:.1f}" for v in kept) + " |")
    return lines


def cache_line(caches: list[CacheSampler], names: list[str]) -> str:
    """The last account of each replica's caches, largest first."""
    parts = []
    for n, s in zip(names, caches):
        last = s.samples[-1][1] if s.samples else {}
        top = sorted(last.items(), key=lambda kv: -kv[1])
        parts.append(f"{n}: " + ", ".join(f"{k} {v:.1f}" for k, v in top[:6]))
    return "- what the replicas keep at the end (MB, their own accounting): " + "; ".join(parts)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores have spent not idle so far, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def slope_mb_per_min(samples: list[tuple[float, float]]) -> float:
    """Least-squares growth of RSS over the second half of the run (MB per minute)."""
    half = samples[len(samples) // 2:]
    if len(half) < 2:
        return 0.0
    ts, ms = [t / 60 for t, _ in half], [mb for _, mb in half]
    mt, mm = statistics.mean(ts), statistics.mean(ms)
    den = sum((t - mt) ** 2 for t in ts)
    return sum((t - mt) * (m - mm) for t, m in zip(ts, ms)) / den if den else 0.0


@dataclass
class Held:
    """What a ``hold`` run measured: the learners, and each replica's memory and CPU."""

    results: list[SessionResult]
    samplers: list[MemorySampler]
    caches: list[CacheSampler]
    cpu_s: list[float]  # CPU seconds each replica used while the class was there
    busy_s: float  # CPU seconds the whole machine used meanwhile (browsers, nginx, others)
    wall_s: float
    rehearsal: list[SessionResult] = field(default_factory=list)
    rehearsal_s: float = 0.0
    rss_mb: dict[str, list[float]] = field(default_factory=dict)  # "started", "rehearsed"


def hold_class(args: argparse.Namespace, cluster: Cluster) -> Held:
    """The learners on the lesson pages for ``args.minutes``, memory and CPU sampled."""
    pids = [r[1].pid for r in cluster.replicas]
    rss = {"started": [tree_rss_mb(p) for p in pids]}
    t_rehearse = time.monotonic()
    rehearsal = asyncio.run(rehearse(cluster, args.timeout)) if args.rehearse else []
    rehearsal_s = time.monotonic() - t_rehearse
    rss["rehearsed"] = [tree_rss_mb(p) for p in pids]
    samplers = [MemorySampler(pid) for pid in pids]
    caches = [CacheSampler(r[0]) for r in cluster.replicas]
    for s in [*samplers, *caches]:
        s.start()
    cpu0, busy0, t0 = [cpu_seconds(p) for p in pids], machine_busy_seconds(), time.monotonic()
    arrive = args.sessions * args.stagger
    end = time.monotonic() + args.minutes * 60 + arrive

    async def after(page: Any, res: SessionResult) -> None:
        await hold_lessons(page, res, end, args.think, args.timeout)

    results = asyncio.run(asyncio.wait_for(
        run_all(cluster.url, args.sessions, ["home"], 0.0, args.timeout, args.stagger,
                options=lambda n: {"locale": locale_of(n)}, after=after),
        timeout=args.minutes * 60 + arrive + 4 * args.timeout))
    cpu = [cpu_seconds(p) - c for p, c in zip(pids, cpu0)]
    held = Held(results, samplers, caches, cpu, machine_busy_seconds() - busy0,
                time.monotonic() - t0, rehearsal, rehearsal_s, rss)
    for s in [*samplers, *caches]:
        s.stop()
    return held


def rehearsal_line(held: Held) -> str:
    """RSS of each replica at start and after the rehearsal (what the class then finds)."""
    started, rehearsed = held.rss_mb.get("started", []), held.rss_mb.get("rehearsed", [])
    rss = ", ".join(f"{a:.0f} → {b:.0f} MB" for a, b in zip(started, rehearsed))
    if not held.rehearsal:
        return f"- no rehearsal (--no-rehearse): RSS at start {rss}"
    return (f"- before class, the teacher's rehearsal ({held.rehearsal_s:.0f} s; every lesson "
            f"and its setting once in each language, on each replica): RSS {rss}; errors "
            f"{sum(len(r.errors) for r in held.rehearsal)}")


def hold_report(held: Held, cluster: Cluster, wall_s: float) -> tuple[str, bool]:
    """LOAD.md's section for a ``hold`` run, and whether it passed (no error, sticky)."""
    results, samplers, caches = held.results, held.samplers, held.caches
    names = [f"replica {i + 1}" for i in range(len(cluster.replicas))]
    by_cookie = replicas_by_cookie(read_access_log(cluster.workdir / "access.log"))
    per = {cluster.addr(i): sum(by_cookie.get(r.notes.get("lb", ""), set()) ==
                                {cluster.addr(i)} for r in results)
           for i in range(len(cluster.replicas))}
    errors = sum(len(r.errors) for r in [*results, *held.rehearsal])
    actions = [t for r in results for t in r.notes.get("actions", [])]
    cores = os.cpu_count() or 1
    lines = [
        "## Two replicas behind nginx: a class held for a while on the lesson pages",
        "",
        "Produced by `benchmarks/replicas.py hold` (see its docstring).",
        "",
        f"- run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, `python benchmarks/replicas.py "
        f"{' '.join(sys.argv[1:])}`; "
        f"wall time {wall_s:.0f} s; {cores} cores shared with other work",
        "- learners per replica (from nginx's log; every browser's websocket on one "
        "replica): " + ", ".join(f"{a}: {n}" for a, n in per.items())
        + f"; not on exactly one: {len(results) - sum(per.values())}",
        f"- setting changes: {len(actions)} (a lesson opened and its setting changed, until the "
        f"page settled: median {statistics.median(actions) if actions else 0:.1f} s, worst "
        f"{max(actions) if actions else 0:.1f} s); errors: **{errors}**",
        f"- CPU while the class was there ({held.wall_s:.0f} s): the replicas "
        + ", ".join(f"{c / held.wall_s:.0%}" for c in held.cpu_s)
        + f" of one core; the whole machine {held.busy_s / held.wall_s / cores:.0%} of its "
        f"{cores} cores (the rest: the learners' Chromium, nginx, other work)",
        rehearsal_line(held),
        f"- tracebacks in the replicas' logs: "
        f"{sum(count_tracebacks(r[2]) for r in cluster.replicas)}",
        "- RSS growth over the second half (least squares): "
        + ", ".join(f"{n}: {slope_mb_per_min(s.samples):+.1f} MB/min"
                    for n, s in zip(names, samplers))
        + "; peak: " + ", ".join(f"{n}: {s.peak_mb:.0f} MB" for n, s in zip(names, samplers)),
        cache_line(caches, names),
        "",
        *minute_table(samplers, caches, names),
    ]
    if errors:
        lines += ["", "Errors: " + "; ".join(f"#{r.number} {one_line(e, 120)}"
                                              for r in [*held.rehearsal, *results]
                                              for e in r.errors)]
    return "\n".join(lines) + "\n", errors == 0 and sum(per.values()) == len(results)


def run_hold(args: argparse.Namespace, workdir: Path) -> tuple[str, bool]:
    t0 = time.monotonic()
    with running_cluster(2, workdir, args.max_trainings) as cluster:
        held = hold_class(args, cluster)
    return hold_report(held, cluster, time.monotonic() - t0)


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["class", "hold"], nargs="?", default="class")
    ap.add_argument("--sessions", type=int, default=None, help="learners (class 20, hold 30)")
    ap.add_argument("--train-seconds", type=float, default=8.0, help="class: training time")
    ap.add_argument("--no-kill", action="store_true", help="class: kill no replica")
    ap.add_argument("--even", action="store_true",
                    help="class: seed the sticky cookies so learners alternate between the "
                         "replicas (small runs); default: each browser gets nginx's random one")
    ap.add_argument("--pages", default="home,convolution,training",
                    help="class: the pages each learner walks (uploads on convolution)")
    ap.add_argument("--window", type=float, default=90.0,
                    help="class: seconds after the kill a moved learner may take to reconnect")
    ap.add_argument("--minutes", type=float, default=10.0, help="hold: how long")
    ap.add_argument("--think", type=float, default=40.0,
                    help="hold: seconds a learner reads between two lessons (mean; see the "
                         "docstring)")
    ap.add_argument("--no-rehearse", dest="rehearse", action="store_false",
                    help="hold: no rehearsal before the class (the minute table then "
                         "includes each replica's first visit of every page)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds a page may take")
    ap.add_argument("--stagger", type=float, default=None,
                    help="seconds between arrivals (class 1, hold 3)")
    ap.add_argument("--max-minutes", type=float, default=8.0,
                    help="class: bound on the walk (then the replica is killed anyway)")
    ap.add_argument("--max-trainings", type=int, default=1,
                    help="CNNVIZ_MAX_TRAININGS per replica (two replicas share 2 cores)")
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "LOAD.md"),
                    help="Markdown report (its own section is rewritten), or - for stdout")
    args = ap.parse_args(argv)
    args.sessions = args.sessions or (20 if args.mode == "class" else 30)
    if args.stagger is None:
        args.stagger = 1.0 if args.mode == "class" else 3.0
    for need in (NGINX, CHROMIUM):
        if not Path(need).exists():
            print(f"{need} not found: apt-get install nginx-light chromium", file=sys.stderr)
            return 2
    workdir = Path(tempfile.mkdtemp(prefix=f"cnnviz_replicas_{args.mode}_"))
    report, ok = (run_class if args.mode == "class" else run_hold)(args, workdir)
    report += f"\nLogs (nginx access log, replica logs): `{workdir}`.\n"
    print(report)
    if args.output != "-":
        write_section(Path(args.output), f"replicas-{args.mode}", report)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
