"""The step-wise Trainer: determinism, learning, budgets, divergence, evaluation, weights files."""

from __future__ import annotations

import io
import json
import math
import pickle
import time

import numpy as np
import pytest

from cnnviz.data.mnist import mnist_arrays
from cnnviz.train import (
    WEIGHTS_DIR,
    TrainConfig,
    Trainer,
    WeightsError,
    evaluate_model,
    load_model,
    load_weights,
)


@pytest.fixture(scope="module")
def train_small() -> tuple[np.ndarray, np.ndarray]:
    return mnist_arrays("train", limit=1000)


@pytest.fixture(scope="module")
def test_small() -> tuple[np.ndarray, np.ndarray]:
    return mnist_arrays("test", limit=300)


def _trainer(train_small, test_small, **kw) -> Trainer:
    cfg = TrainConfig(**{"batch_size": 50, "eval_every": 0, "test_limit": 300, **kw})
    return Trainer(cfg, train_data=train_small, test_data=test_small)


@pytest.fixture(scope="module")
def trained(train_small, test_small) -> Trainer:
    """simple_convnet after 40 Adam steps of 50 images (shared by the read-only tests)."""
    t = _trainer(train_small, test_small, seed=1, eval_every=20, epochs=2)
    t.run(steps=40)
    return t


def test_same_seed_same_losses(train_small, test_small):
    a = _trainer(train_small, test_small, seed=3, train_limit=200, epochs=2)
    b = _trainer(train_small, test_small, seed=3, train_limit=200, epochs=2)
    la = [e.loss for e in a.run(steps=6)]
    lb = [e.loss for e in b.run(steps=6)]
    assert len(la) == 6
    assert la == lb
    c = _trainer(train_small, test_small, seed=4, train_limit=200, epochs=2)
    assert [e.loss for e in c.run(steps=6)] != la


def test_loss_falls_and_accuracy_beats_chance(trained):
    losses = [e.loss for e in trained.history]
    assert len(losses) == 40 and trained.step == 40
    assert np.mean(losses[-5:]) < 0.6 * np.mean(losses[:5])
    assert trained.evaluate().accuracy > 0.5  # chance is 0.1
    assert all(math.isfinite(e.loss_avg) and e.images_per_second > 0 for e in trained.history)
    assert [p.step for p in trained.test_history] == [20, 40]
    assert trained.history[19].test_accuracy == trained.test_history[0].accuracy


def test_events_carry_progress(trained):
    e = trained.history[-1]
    assert e.step == 40 and e.epoch == 1  # 20 steps per epoch of 1000 images
    assert e.epoch_progress == pytest.approx(2.0)
    assert e.lr == pytest.approx(1e-3)
    assert 0.0 <= e.batch_accuracy <= 1.0
    assert e.seconds == pytest.approx(trained.seconds)


def test_step_and_time_budgets(train_small, test_small):
    t = _trainer(train_small, test_small, epochs=3)
    start = time.perf_counter()
    assert len(t.run(steps=3)) == 3
    step = (time.perf_counter() - start) / 3  # this machine's pace now (it may be busy)
    start = time.perf_counter()
    events = t.run(seconds=0.4)
    took = time.perf_counter() - start
    # the budget stops the run after the step that crosses it: at most a step or two over
    assert events and took < 0.4 + 3 * step + 1.0
    assert t.step == 3 + len(events)


def test_done_after_epochs(train_small, test_small):
    t = _trainer(train_small, test_small, train_limit=100, epochs=2, eval_every=1000)
    events = t.run()
    assert len(events) == 4 and t.done and t.stopped_reason is None
    assert t.run() == [] and t.run(seconds=1) == []
    assert len(t.test_history) == 1  # the final point is always recorded


def test_huge_learning_rate_stops_and_restores(train_small, test_small):
    t = _trainer(train_small, test_small, optimizer="sgd", lr=1e6)
    t.run(steps=50)
    r = t.stopped_reason
    assert r is not None and r.code == "diverged" and t.done
    assert "learning rate" in r.suggestion.en and "学习率" in r.suggestion.zh
    assert r.message.en and r.message.zh
    assert all(np.isfinite(p.data).all() for p in t.model.parameters())
    assert all(math.isfinite(e.loss) and math.isfinite(e.loss_avg) for e in t.history)
    assert np.isfinite(t.predict_proba(test_small[0][:5])).all()
    assert t.run() == []
    t.change_lr(1e-3)  # the page's "try again with a lower rate"
    assert t.stopped_reason is None and len(t.run(steps=2)) == 2
    assert all(math.isfinite(x) for x in t.history_columns()["loss"])


def test_evaluation_is_consistent(trained, test_small):
    r = trained.evaluate()
    assert r.n == 300 and r.confusion.shape == (10, 10)
    assert r.confusion.sum() == r.n
    assert np.trace(r.confusion) / r.n == pytest.approx(r.accuracy)
    assert len(r.mistakes) == r.n - np.trace(r.confusion)
    assert (r.predictions[r.mistakes] != r.labels[r.mistakes]).all()
    support = r.confusion.sum(axis=1)
    np.testing.assert_allclose(r.per_class_accuracy[support > 0],
                               np.diag(r.confusion)[support > 0] / support[support > 0])
    np.testing.assert_allclose(r.probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert trained.evaluate(limit=50).n == 50


def test_inspection_helpers(trained, test_small):
    w = trained.first_layer_weights()
    assert w.shape == (30, 1, 5, 5)
    w[...] = 0  # a copy: the model is untouched
    assert np.abs(trained.first_layer_weights()).sum() > 0
    assert not np.array_equal(trained.initial_first_layer, trained.first_layer_weights())
    maps = trained.feature_maps(test_small[0][0])
    assert len(maps) >= 1
    name, a = maps[0]
    assert a.shape == (1, 30, 24, 24) and (a >= 0).all() and isinstance(name, str)
    p = trained.predict_proba(test_small[0][:7])
    assert p.shape == (7, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)


def test_trainer_pickles(trained):
    """st.session_state may pickle: no open files, locks or generators inside."""
    clone = pickle.loads(pickle.dumps(trained))
    assert clone.step == trained.step and len(clone.history) == len(trained.history)


def test_save_load_round_trip(trained, test_small, tmp_path):
    path = trained.save(tmp_path / "w.npz")
    model, meta = load_model(path)
    assert meta["model"] == "simple_convnet" and meta["steps"] == 40
    x, y = test_small
    ours = evaluate_model(model, x, y)
    assert ours.accuracy == pytest.approx(trained.evaluate().accuracy)
    again = Trainer(TrainConfig(init=path, eval_every=0), train_data=(x, y),
                    test_data=(x, y))
    np.testing.assert_array_equal(again.first_layer_weights(), trained.first_layer_weights())
    state, _ = load_weights(io.BytesIO(trained.to_bytes()))
    assert set(state) == set(trained.state_dict())


def test_bad_weights_files(trained, tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_model(tmp_path / "missing.npz")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(WeightsError) as info:
        load_model(broken)
    assert info.value.message("zh")
    path = trained.save(tmp_path / "w.npz")
    with pytest.raises(WeightsError, match="lenet5"):
        load_model(path, model="lenet5")
    with pytest.raises(WeightsError):
        Trainer(TrainConfig(model="lenet5", init=path))
    other = Trainer(TrainConfig(model="lenet5", eval_every=0), train_data=(np.zeros(
        (4, 1, 28, 28), np.float32), np.zeros(4, np.int64)))
    before = other.first_layer_weights()
    with pytest.raises(WeightsError):
        other.load(path)  # an upload of the wrong model: message, current weights kept
    np.testing.assert_array_equal(other.first_layer_weights(), before)


def test_augmented_batches_keep_shape_and_determinism(train_small, test_small):
    a = _trainer(train_small, test_small, augment=True, seed=2)
    b = _trainer(train_small, test_small, augment=True, seed=2)
    assert [e.loss for e in a.run(steps=2)] == [e.loss for e in b.run(steps=2)]


def _manifest() -> dict:
    path = WEIGHTS_DIR / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize("name", sorted(_manifest().get("models", {})))
def test_bundled_weights_reach_recorded_accuracy(name):
    entry = _manifest()["models"][name]
    model, meta = load_model(WEIGHTS_DIR / entry["file"])
    assert meta["model"] == name
    x, y = mnist_arrays("test", limit=2000)
    acc = evaluate_model(model, x, y).accuracy
    assert acc == pytest.approx(entry["test_accuracy_first_2000"], abs=0.01)
    assert (WEIGHTS_DIR / entry["file"]).stat().st_size < 2 * 2**20


@pytest.mark.parametrize("name", ["lenet5_classic", "alexnet_small", "resnet_small",
                                  "separable_net", "convnet_bn"])
def test_feature_maps_of_every_architecture(name):
    from cnnviz.models import build_model
    from cnnviz.train import feature_maps

    model = build_model(name, seed=0)
    maps = feature_maps(model, np.random.default_rng(0).random((28, 28), dtype=np.float32))
    assert len(maps) >= 2
    assert all(a.ndim == 4 and a.shape[0] == 1 for _, a in maps)
    assert model.training  # put back in training mode


@pytest.mark.skipif(not (WEIGHTS_DIR / "convnet_bn.npz").exists(), reason="no bundled weights")
def test_start_from_pretrained(test_small):
    x, y = test_small
    t = Trainer(TrainConfig(model="convnet_bn", init="pretrained", test_limit=200,
                            eval_every=0), train_data=(x, y), test_data=(x, y))
    assert t.init_meta["model"] == "convnet_bn"
    assert not t.standardize  # bundled weights: trained on raw [0, 1] pixels
    assert t.quick_test()[0] > 0.97


# ------------------------------------------------------------------------ input standardisation


def test_fresh_trainer_standardises_its_input(trained, test_small):
    assert TrainConfig().standardize is True
    assert trained.standardize and trained.model.input_standardize
    assert trained.metadata()["input_standardize"] is True
    assert trained.metadata()["config"]["standardize"] is True
    x, _ = test_small
    raw = _trainer(*[test_small] * 2, standardize=False)
    assert not raw.standardize and raw.metadata()["input_standardize"] is False
    # the same seed gives the same weights either way: only the input differs
    np.testing.assert_array_equal(raw.first_layer_weights(),
                                  _trainer(*[test_small] * 2).first_layer_weights())
    # every inference path sees the standardised input, not just forward
    from cnnviz.models import MNIST_MEAN, MNIST_STD

    maps = trained.feature_maps(x[0])
    z = (x[:1] - np.float32(MNIST_MEAN)) / np.float32(MNIST_STD)
    np.testing.assert_allclose(maps[0][1], np.maximum(trained.model[0](z), 0), rtol=1e-6)
    logits = trained.model.eval()(x[:5])
    trained.model.train()
    np.testing.assert_allclose(trained.predict_proba(x[:5]).argmax(1), logits.argmax(1))


def test_standardisation_round_trip_through_files(trained, test_small, tmp_path):
    from dataclasses import replace

    x, y = test_small
    path = trained.save(tmp_path / "on.npz")
    model, meta = load_model(path)
    assert meta["input_standardize"] is True and model.input_standardize
    assert evaluate_model(model, x, y).accuracy == pytest.approx(trained.evaluate().accuracy)
    again = Trainer(TrainConfig(init=path, standardize=False, eval_every=0),
                    train_data=(x, y), test_data=(x, y))
    assert again.standardize and again.config.standardize  # the file's setting wins
    # the download, uploaded again: load_weights' state carries the metadata (the upload path)
    state, meta = load_weights(io.BytesIO(trained.to_bytes()))
    assert meta["input_standardize"] is True and state.metadata["input_standardize"] is True
    up = Trainer(replace(TrainConfig(eval_every=0), standardize=False, init=state),
                 train_data=(x, y), test_data=(x, y))
    assert up.standardize
    assert up.evaluate().accuracy == pytest.approx(trained.evaluate().accuracy)
    # a raw model's file loads raw, into a Trainer or over a standardising one
    raw = _trainer(*[test_small] * 2, standardize=False)
    raw.run(steps=2)
    raw_path = raw.save(tmp_path / "off.npz")
    assert not load_model(raw_path)[0].input_standardize
    fresh = _trainer(*[test_small] * 2)
    assert fresh.standardize
    assert fresh.load(raw_path)["input_standardize"] is False
    assert not fresh.standardize and not fresh.config.standardize
    assert fresh.evaluate().accuracy == pytest.approx(raw.evaluate().accuracy)
    assert fresh.metadata()["input_standardize"] is False
    fresh.load(path)
    assert fresh.standardize
    # a plain state_dict has no setting: the config's applies
    plain = Trainer(TrainConfig(init=trained.state_dict(), standardize=False, eval_every=0),
                    train_data=(x, y), test_data=(x, y))
    assert not plain.standardize


def _strip_flag(src, dst, **meta_update):
    with np.load(src) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["__cnnviz_meta__"]))
    for key in ("input_standardize", "input_mean", "input_std"):
        meta.pop(key, None)
    meta.update(meta_update)
    arrays["__cnnviz_meta__"] = np.array(json.dumps(meta))
    with open(dst, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return dst


def test_old_files_without_the_flag_load_raw(trained, test_small, tmp_path):
    x, y = test_small
    old = _strip_flag(trained.save(tmp_path / "on.npz"), tmp_path / "old.npz")
    model, meta = load_model(old)
    assert "input_standardize" not in meta and not model.input_standardize
    t = Trainer(TrainConfig(init=old, eval_every=0), train_data=(x, y), test_data=(x, y))
    assert not t.standardize and t.metadata()["input_standardize"] is False
    state, _ = load_weights(old)
    assert not Trainer(TrainConfig(init=state, eval_every=0), train_data=(x, y),
                       test_data=(x, y)).standardize
    fresh = _trainer(*[test_small] * 2)
    fresh.load(old)
    assert not fresh.standardize
    # the flag on without numbers: MNIST's; unusable numbers: a WeightsError, nothing changed
    bare = _strip_flag(old, tmp_path / "bare.npz", input_standardize=True)
    assert load_model(bare)[0].input_std == pytest.approx(0.3081)
    bad = _strip_flag(old, tmp_path / "bad.npz", input_standardize=True, input_mean=0.1,
                      input_std="zero")
    with pytest.raises(WeightsError, match="standardisation"):
        load_model(bad)
    before = fresh.first_layer_weights()
    with pytest.raises(WeightsError):
        fresh.load(bad)
    assert not fresh.standardize
    np.testing.assert_array_equal(fresh.first_layer_weights(), before)


@pytest.mark.skipif(not (WEIGHTS_DIR / "simple_convnet.npz").exists(), reason="no bundled weights")
def test_trainer_from_bundled_weights_keeps_them_raw():
    """Most bundled files were trained on raw pixels and say nothing: the Trainer follows them;
    simple_convnet and lenet5 were retrained standardised (issue 10) and say so."""
    entry = _manifest()["models"]["lenet5_classic"]
    t = Trainer(TrainConfig(model="lenet5_classic", init="pretrained", eval_every=0))
    assert not t.standardize and not t.config.standardize
    assert "input_standardize" not in t.init_meta
    assert t.metadata()["input_standardize"] is False
    assert t.evaluate(limit=2000).accuracy == pytest.approx(entry["test_accuracy_first_2000"],
                                                            abs=0.01)
    s = Trainer(TrainConfig(model="simple_convnet", init="pretrained", eval_every=0,
                            standardize=False))
    assert s.standardize and s.init_meta["input_standardize"] is True
