"""cnnviz.concurrency: training slots (limit, FIFO, leases, threads) and the BLAS thread cap."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from cnnviz import concurrency
from cnnviz.concurrency import TrainingSlots, training_threads, waiting_message


class FakeClock:
    """A clock the test moves by hand, so lease expiry needs no sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(max_slots: int = 2, **kw: float) -> tuple[TrainingSlots, FakeClock]:
    clock = FakeClock()
    return TrainingSlots(max_slots, lease_seconds=10.0, clock=clock, **kw), clock


def test_acquire_up_to_the_limit_then_refuse() -> None:
    slots, _ = make(2)
    assert slots.try_acquire("a") and slots.try_acquire("b")
    assert not slots.try_acquire("c")
    assert slots.holder_count() == 2
    assert slots.waiting_count() == 1
    assert slots.try_acquire("a"), "a holder keeps its slot on every chunk"
    assert slots.holds("a") and not slots.holds("c")


def test_fifo_positions_and_release_hands_over_in_order() -> None:
    slots, _ = make(1)
    assert slots.try_acquire("a")
    for sid in ("b", "c", "d"):
        assert not slots.try_acquire(sid)
    assert [slots.waiting_position(s) for s in "abcd"] == [None, 1, 2, 3]
    assert not slots.try_acquire("c"), "polling again keeps the place, not the slot"
    assert slots.waiting_position("c") == 2
    slots.release("a")
    assert not slots.try_acquire("d"), "a free slot goes to the head of the queue, not to d"
    assert not slots.try_acquire("c")
    assert slots.try_acquire("b")
    assert [slots.waiting_position(s) for s in "bcd"] == [None, 1, 2]
    slots.release("c")  # leaving the queue moves the others up
    assert slots.waiting_position("d") == 1
    slots.release("nobody")  # harmless


def test_newcomer_gets_a_free_slot_when_nobody_waits() -> None:
    slots, _ = make(2)
    assert slots.try_acquire("a")
    slots.release("a")
    assert slots.try_acquire("b") and slots.try_acquire("a")


def test_lease_expires_when_a_session_stops_ticking() -> None:
    slots, clock = make(1)
    assert slots.try_acquire("gone")  # this tab is closed and never ticks again
    assert not slots.try_acquire("next")
    clock.now += 9.0
    assert not slots.try_acquire("next")  # renews next's place in the queue
    assert slots.holder_count() == 1
    clock.now += 1.5  # gone: 10.5 s without renewal
    assert slots.holder_count() == 0
    assert slots.try_acquire("next")
    assert not slots.holds("gone")
    assert not slots.try_acquire("gone"), "an expired holder has to queue again"
    assert slots.waiting_position("gone") == 1


def test_renewal_keeps_a_long_training_alive() -> None:
    slots, clock = make(1)
    assert slots.try_acquire("a")
    for _ in range(20):  # 20 chunks, 5 s apart: 100 s, never 10 s without renewal
        clock.now += 5.0
        assert slots.try_acquire("a")
    clock.now += 5.0
    assert slots.renew("a") and not slots.renew("b")
    assert slots.holder_count() == 1


def test_waiter_that_leaves_loses_its_place() -> None:
    slots, clock = make(1)
    assert slots.try_acquire("a")
    assert not slots.try_acquire("ghost")
    clock.now += 6.0
    assert slots.try_acquire("a")
    assert not slots.try_acquire("b")
    assert slots.waiting_position("b") == 2
    clock.now += 5.0  # ghost silent for 11 s
    assert slots.try_acquire("a")
    assert slots.waiting_position("ghost") is None
    assert slots.waiting_position("b") == 1


def test_turns_rotate_holders_only_when_others_wait() -> None:
    slots, clock = make(1, turn_seconds=30.0)
    assert slots.try_acquire("a")
    for _ in range(8):  # 40 s of chunks, lease renewed every 5 s
        clock.now += 5.0
        assert slots.try_acquire("a"), "nobody waits: the turn does not end"
    assert not slots.try_acquire("b")
    clock.now += 1.0
    assert not slots.try_acquire("a"), "a has had its turn and b is waiting"
    assert slots.waiting_position("a") == 2
    assert slots.try_acquire("b")
    assert slots.waiting_position("a") == 1


def test_env_configures_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_MAX_TRAININGS", "3")
    monkeypatch.setenv("CNNVIZ_TRAIN_THREADS", "2")
    assert TrainingSlots().max_slots == 3
    assert concurrency.default_train_threads() == 2
    monkeypatch.setenv("CNNVIZ_MAX_TRAININGS", "lots")
    monkeypatch.setenv("CNNVIZ_TRAIN_THREADS", "0")
    assert TrainingSlots().max_slots == concurrency._cores()
    assert concurrency.default_train_threads() == 1
    with pytest.raises(ValueError):
        TrainingSlots(0)


def test_singleton_is_shared() -> None:
    from cnnviz.concurrency import TRAINING_SLOTS

    assert TRAINING_SLOTS is concurrency.TRAINING_SLOTS
    assert TRAINING_SLOTS.max_slots >= 1


def test_thread_safety_under_a_thread_pool() -> None:
    slots = TrainingSlots(3, lease_seconds=60.0)
    inside = 0
    peak = 0
    counter_lock = threading.Lock()
    granted = 0

    def session(i: int) -> None:
        nonlocal inside, peak, granted
        sid = f"s{i}"
        for _ in range(200):
            if slots.try_acquire(sid):
                with counter_lock:
                    inside += 1
                    granted += 1
                    peak = max(peak, inside)
                with counter_lock:
                    inside -= 1
                slots.release(sid)
            else:
                pos = slots.waiting_position(sid)
                assert pos is None or pos >= 1
        slots.release(sid)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(session, range(16)))
    assert peak <= 3
    assert granted > 0
    assert slots.holder_count() == 0 and slots.waiting_count() == 0


def test_holders_never_exceed_the_limit_under_contention() -> None:
    slots = TrainingSlots(2, lease_seconds=60.0)
    seen: list[int] = []

    def session(i: int) -> None:
        for _ in range(100):
            slots.try_acquire(f"s{i}")
            seen.append(slots.holder_count())

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(session, range(6)))
    assert max(seen) <= 2
    assert slots.holder_count() == 2 and slots.waiting_count() == 4


def test_waiting_message_in_both_languages() -> None:
    assert waiting_message(3, "en") == "Waiting for a free training slot (position 3)"
    assert waiting_message(3, "zh") == "等待空闲的训练名额（第 3 位）"
    assert "1" in waiting_message(1)


try:
    import threadpoolctl
except ImportError:  # requirements.txt has it; without it the cap is a documented no-op
    threadpoolctl = None
needs_threadpoolctl = pytest.mark.skipif(threadpoolctl is None, reason="threadpoolctl missing")


def _blas_counts() -> list[int]:
    return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]


@needs_threadpoolctl
def test_training_threads_caps_blas_inside_and_restores_after() -> None:
    before = _blas_counts()
    assert before, "NumPy's BLAS is visible to threadpoolctl"
    with training_threads(1) as cap:
        assert cap == 1
        assert _blas_counts() == [1] * len(before)
        a = np.ones((64, 64), np.float32)
        assert float((a @ a)[0, 0]) == 64.0  # BLAS still works with one thread
    assert _blas_counts() == before


@needs_threadpoolctl
def test_training_threads_default_comes_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNNVIZ_TRAIN_THREADS", "1")
    with training_threads():
        assert set(_blas_counts()) == {1}


@needs_threadpoolctl
def test_overlapping_sessions_share_the_cap_and_restore_once() -> None:
    """Two sessions' chunks overlapping must not leave the cap on, nor lift it too early.

    Session A's thread stays alive after its chunk (as a Streamlit script thread does), which
    is when threadpoolctl 3.8 would otherwise ignore B's restore.
    """
    before = _blas_counts()
    a_in, b_in, a_out, b_out = (threading.Event() for _ in range(4))
    seen_b: list[list[int]] = []

    def session_a() -> None:
        with training_threads(1):
            a_in.set()
            b_in.wait(5)
        a_out.set()
        b_out.wait(5)

    def session_b() -> None:
        a_in.wait(5)
        with training_threads(1):
            b_in.set()
            a_out.wait(5)
            seen_b.append(_blas_counts())  # a has left; b is still inside
        seen_b.append(_blas_counts())  # b has left, a's thread still alive
        b_out.set()

    ta, tb = threading.Thread(target=session_a), threading.Thread(target=session_b)
    ta.start()
    tb.start()
    ta.join(10)
    tb.join(10)
    assert seen_b and set(seen_b[0]) == {1}, "the cap stays while any chunk runs"
    assert seen_b[1] == before, "and is lifted when the last one leaves"
    assert _blas_counts() == before


# ----------------------------------------------------------------------------- deployment files
# No Docker engine on the build machines: these keep the recipe consistent with the code.

ROOT = Path(__file__).resolve().parent.parent


def test_every_cnnviz_env_var_is_documented() -> None:
    used = set()
    for path in (ROOT / "cnnviz").rglob("*.py"):
        used |= set(re.findall(r"CNNVIZ_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))
    doc = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    assert {"CNNVIZ_MAX_TRAININGS", "CNNVIZ_TRAIN_THREADS", "CNNVIZ_MNIST_DIR"} <= used
    assert not {v for v in used if f"`{v}`" not in doc}, "document it in docs/DEPLOY.md"


def test_dockerfile_copies_what_the_app_needs() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    for src in re.findall(r"^COPY (\S+)", text, flags=re.M):
        assert (ROOT / src).exists(), f"Dockerfile copies {src}, which is not in the repo"
    for needed in ("app.py", "cnnviz/", "pages/", "assets/", "requirements.txt"):
        assert f"COPY {needed}" in text
    assert "USER cnnviz" in text and "/_stcore/health" in text
    assert "--server.address\", \"0.0.0.0" in text
    assert sorted((ROOT / "assets" / "mnist").glob("*-ubyte.gz")), "MNIST is bundled"


def test_nginx_allows_uploads_streamlit_accepts_and_upgrades_websockets() -> None:
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "proxy_set_header Upgrade $http_upgrade" in conf
    assert "hash $cnnviz_lb_key consistent" in conf
    body_mb = int(re.search(r"client_max_body_size (\d+)m", conf).group(1))
    cfg = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    found = re.search(r"maxUploadSize\s*=\s*(\d+)", cfg)
    upload_mb = int(found.group(1)) if found else 200
    assert body_mb >= upload_mb
    compose = (ROOT / "deploy" / "compose.yaml").read_text(encoding="utf-8")
    for name in re.findall(r"server (app\d+):8501", conf):
        assert f"  {name}:" in compose, f"{name} is in nginx.conf but not in compose.yaml"


@needs_threadpoolctl
def test_training_gives_the_engine_its_threads_and_takes_them_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With one BLAS thread the engine splits its own work over the cores (or
    $CNNVIZ_ENGINE_THREADS); a BLAS cap above one leaves the engine on one thread."""
    from cnnviz import nn
    from cnnviz.concurrency import default_engine_threads

    monkeypatch.delenv("CNNVIZ_ENGINE_THREADS", raising=False)
    assert nn.get_num_threads() == 1
    with training_threads(1):
        assert nn.get_num_threads() == default_engine_threads(1) >= 1
        with training_threads(1):  # an overlapping session shares the setting
            assert nn.get_num_threads() == default_engine_threads(1)
        assert nn.get_num_threads() == default_engine_threads(1)
    assert nn.get_num_threads() == 1
    monkeypatch.setenv("CNNVIZ_ENGINE_THREADS", "3")
    with training_threads(1):
        assert nn.get_num_threads() == 3
    with training_threads(2):
        assert nn.get_num_threads() == 3  # the variable wins
    monkeypatch.delenv("CNNVIZ_ENGINE_THREADS")
    with training_threads(2):
        assert nn.get_num_threads() == 1
    assert nn.get_num_threads() == 1
