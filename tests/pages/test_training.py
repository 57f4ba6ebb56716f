"""Live training page under AppTest: ticks, pause/reset, divergence, weights round trip, zh.

Fragments tick only on ``.run()`` in AppTest: every run trains for one time budget. Small
training subsets keep each test to a few seconds.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import pytest

from cnnviz.concurrency import TRAINING_SLOTS
from cnnviz.data.mnist import MnistError
from cnnviz.i18n import Text
from cnnviz.models import build_model
from cnnviz.weights import save_weights
from tests.pages.apptest_helpers import ROOT, all_text, assert_ok, has_cjk, plotly_figures, run_page

PAGE = "10_training.py"


@pytest.fixture(autouse=True)
def _free_training_slots():
    """Every AppTest session here shares the process-wide slot limiter: start each test with
    all slots free, as a fresh server would (a previous test's lease lasts 10 s)."""
    TRAINING_SLOTS.reset()
    yield
    TRAINING_SLOTS.reset()


def _sess(at):
    return at.session_state["training_session"]


def _filters_png(at) -> str:
    for fig in plotly_figures(at):
        if fig.get("layout", {}).get("meta", {}).get("normalise"):
            return fig["data"][0]["source"]
    raise AssertionError("no filters figure")


def _curves(at) -> list[dict]:
    """The curves figure's traces, each with ``x`` and ``y`` decoded to NumPy arrays."""
    for fig in plotly_figures(at):
        titles = [a.get("text", "") for a in fig.get("layout", {}).get("annotations", [])]
        if any("Loss" in t or "损失" in t for t in titles):
            return [{k: _array(t.get(k)) for k in ("x", "y")} for t in fig["data"]]
    raise AssertionError("no curves figure")


def _array(v) -> np.ndarray:
    """Plotly's JSON: a list, or a typed array ``{"dtype": "f8", "bdata": base64}``."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v if v is not None else [], dtype=np.float64)


def _start(at, subset: int = 1000, batch: int = 64, epochs: int = 3):
    at.select_slider(key="train_subset").set_value(subset)
    at.select_slider(key="train_batch").set_value(batch)
    at.slider(key="train_epochs").set_value(epochs)
    at.run()
    at.button(key="train_start").click().run()
    return at


def _run_until(at, cond, max_runs: int = 40):
    for _ in range(max_runs):
        if cond():
            return
        at.run()
    assert cond()


def test_idle_page_explains_and_offers_start():
    at = run_page(PAGE)
    assert_ok(at)
    assert at.button(key="train_start")
    assert "97 %" in all_text(at)


def test_start_ticks_advance_curves_filters_then_pause_and_reset():
    at = _start(run_page(PAGE))
    assert_ok(at)
    sess = _sess(at)
    assert sess.status == "running"
    steps0 = sess.trainer.step
    png0 = _filters_png(at)
    _run_until(at, lambda: len(sess.trainer.test_history) >= 2)
    assert_ok(at)
    assert sess.trainer.step > steps0
    assert _filters_png(at) != png0  # the filters grid was redrawn from new weights
    curves = _curves(at)
    assert len(curves[1]["x"]) == len(sess.trainer.history) > 5
    assert len(curves[3]["x"]) >= 2  # test accuracy points
    first, last = sess.trainer.test_history[0], sess.trainer.test_history[-1]
    assert last.accuracy > 0.5 and last.accuracy >= first.accuracy
    assert sess.trainer.history[-1].loss_avg < sess.trainer.history[0].loss
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Step"].startswith(f"{sess.trainer.step:,} /")

    at.button(key="train_pause").click().run()
    assert_ok(at)
    assert sess.status == "paused"
    paused_at = sess.trainer.step
    at.run()
    assert sess.trainer.step == paused_at  # no ticks while paused
    text = all_text(at)
    assert "Accuracy on the first" in text
    assert any("Confusion" in str(f["layout"].get("title", "")) for f in plotly_figures(at))
    assert at.button(key="train_resume")

    at.button(key="train_reset").click().run()
    assert_ok(at)
    assert _sess(at).status == "idle" and _sess(at).trainer is None
    assert at.button(key="train_start")


def test_huge_learning_rate_stops_with_explanation_and_finite_weights():
    at = run_page(PAGE)
    at.selectbox(key="train_opt").set_value("sgd").run()
    at.select_slider(key="train_lr_sgd_scratch").set_value(100.0)
    at = _start(at, subset=1000, batch=100, epochs=1)
    sess = _sess(at)
    _run_until(at, lambda: sess.status == "stopped", max_runs=15)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "diverged" in errors
    assert "Lower the learning rate" in " ".join(w.value for w in at.warning)
    for p in sess.trainer.model.parameters():
        assert np.isfinite(p.data).all()
    curves = _curves(at)
    assert len(curves[0]["x"]) >= 1  # the steps before the blow-up are still drawn
    for trace in curves:
        assert np.isfinite(trace["y"]).all()


def test_weights_download_upload_round_trip_and_refusals(tmp_path: Path):
    at = _start(run_page(PAGE), subset=500, batch=100, epochs=1)
    sess = _sess(at)
    _run_until(at, lambda: sess.status == "done", max_runs=20)
    assert_ok(at)
    assert at.get("download_button")
    data = sess.weights_bytes()
    trained = {k: v.copy() for k, v in sess.trainer.state_dict().items()}

    at.button(key="train_reset").click().run()
    at.file_uploader(key="train_weights_upload").upload("mine.npz", data,
                                                       "application/octet-stream")
    at.run()
    assert_ok(at)
    sess = _sess(at)
    assert sess.status == "paused" and sess.trainer is not None
    for k, v in sess.trainer.state_dict().items():
        np.testing.assert_array_equal(v, trained[k])
    assert "Loaded mine.npz" in " ".join(s.value for s in at.success)

    # weights of another model: refused, the current model kept
    path = save_weights(tmp_path / "lenet.npz", build_model("lenet5", seed=1).state_dict(),
                        {"model": "lenet5"})
    at.file_uploader(key="train_weights_upload").upload("lenet.npz", path.read_bytes(),
                                                       "application/octet-stream")
    at.run()
    assert "lenet5" in " ".join(e.value for e in at.error)
    assert "current model is kept" in " ".join(i.value for i in at.info)
    for k, v in sess.trainer.state_dict().items():
        np.testing.assert_array_equal(v, trained[k])

    # a zero-byte and a broken file: refused too
    for name, blob in (("empty.npz", b""), ("broken.npz", b"PK\x03\x04 not really a zip")):
        at.file_uploader(key="train_weights_upload").upload(name, blob,
                                                           "application/octet-stream")
        at.run()
        assert not at.exception
        assert name in " ".join(e.value for e in at.error)
        assert _sess(at).trainer is sess.trainer


def test_own_digit_prediction_after_pause():
    at = _start(run_page(PAGE), subset=500, batch=100, epochs=1)
    _run_until(at, lambda: _sess(at).status == "done", max_runs=20)
    at.radio(key="train_own_digit_source").set_value("upload").run()
    png = (ROOT / "assets" / "samples" / "digit_2.png").read_bytes()
    at.file_uploader(key="train_own_digit_upload").upload("two.png", png, "image/png")
    at.run()
    assert_ok(at)
    titles = [str(f["layout"].get("title", {}).get("text", "")) for f in plotly_figures(at)]
    assert any(t.startswith("Prediction:") for t in titles)
    assert "What the network sees" in all_text(at)


def test_chinese_and_missing_mnist(monkeypatch: pytest.MonkeyPatch):
    at = _start(run_page(PAGE, lang="zh"), subset=500, batch=100, epochs=1)
    at.run()
    assert_ok(at)
    assert has_cjk(at.title[0].value) and has_cjk(all_text(at))
    assert "步数" in [m.label for m in at.metric]

    def missing(*_a, **_k):
        raise MnistError(Text("MNIST files are missing.", "找不到 MNIST 文件。"))

    import cnnviz.data.mnist as mnist
    import cnnviz.training.data as training_data

    monkeypatch.setattr(mnist, "mnist_arrays", missing)
    monkeypatch.setattr(training_data, "mnist_split", missing)
    at2 = run_page(PAGE, lang="zh")
    assert not at2.exception
    assert "找不到 MNIST 文件。" in [e.value for e in at2.error]
    at2.button(key="train_start").click().run()
    assert not at2.exception
    assert _sess(at2).trainer is None
    assert "找不到 MNIST 文件。" in [e.value for e in at2.error]


def test_uploaded_weights_reach_the_npz_format():
    """The download is a plain .npz NumPy can open (state_dict names + metadata)."""
    at = _start(run_page(PAGE), subset=500, batch=100, epochs=1)
    with np.load(io.BytesIO(_sess(at).weights_bytes())) as z:
        assert "0.weight" in z.files and z["0.weight"].shape == (30, 1, 5, 5)


@pytest.mark.skipif(not (ROOT / "assets" / "weights" / "lenet5.npz").is_file(),
                    reason="no bundled lenet5 weights")
def test_start_from_bundled_pretrained_weights():
    at = run_page(PAGE)
    at.selectbox(key="train_model").set_value("lenet5").run()
    at.radio(key="train_init").set_value("pretrained")
    at = _start(at, subset=500, batch=100, epochs=1)
    assert_ok(at)
    sess = _sess(at)
    assert sess.trainer.init_meta.get("model") == "lenet5"
    assert sess.trainer.config.lr == pytest.approx(3e-4)  # fine-tuning rate
    assert sess.trainer.evaluate(500).accuracy > 0.9  # trained already, and not knocked back


def test_waits_for_a_training_slot_and_starts_when_one_frees():
    """With every slot taken by other learners the page says so, then trains once one frees."""
    for other in ("someone", "someone else", "a third"):
        TRAINING_SLOTS.try_acquire(other)
    at = _start(run_page(PAGE), subset=500, batch=100, epochs=1)
    assert not at.exception
    assert "Waiting for a free training slot" in " ".join(i.value for i in at.info)
    assert _sess(at).trainer.step == 0
    TRAINING_SLOTS.reset()
    _run_until(at, lambda: _sess(at).trainer.step > 0, max_runs=5)
    assert not any("Waiting" in i.value for i in at.info)
