"""Saving and loading weights: .npz round trip, metadata, and clear errors for wrong files.

The engine's ``load_state_dict`` has PyTorch's plain semantics (keys and shapes); files, model
names and the input standardisation are ``cnnviz.weights``'s.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

import cnnviz
import cnnviz.nn as nn
from cnnviz.models import build_model
from cnnviz.weights import WeightsError, load_into, load_model, load_weights, save_model


def _trained_a_little(name: str = "resnet_small") -> nn.Module:
    """A model whose BatchNorm buffers have moved away from their defaults."""
    model = build_model(name, seed=0)
    model(np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(np.float32))
    return model


def test_round_trip_through_npz(tmp_path: Path) -> None:
    model = _trained_a_little()
    path = tmp_path / "weights.npz"
    save_model(model, path, epoch=3, accuracy=0.97)
    state, _ = load_weights(path)
    assert state.metadata["model"] == "resnet_small"
    assert state.metadata["cnnviz_version"] == cnnviz.__version__
    assert state.metadata["epoch"] == 3 and state.metadata["accuracy"] == 0.97
    original = model.state_dict()
    assert list(state) == list(original)  # same keys, same order
    for k, v in original.items():
        assert state[k].dtype == v.dtype, k
        np.testing.assert_array_equal(state[k], v)
    assert state["0.weight"].dtype == np.float32
    assert state["1.num_batches_tracked"].dtype == np.int64
    assert int(state["1.num_batches_tracked"]) == 1
    fresh = build_model("resnet_small", seed=1)
    fresh.load_state_dict(state)
    x = np.random.default_rng(2).standard_normal((2, 1, 28, 28)).astype(np.float32)
    model.eval()
    fresh.eval()
    np.testing.assert_array_equal(fresh(x), model(x))


def test_save_model_writes_the_exact_path(tmp_path: Path) -> None:
    model = build_model("lenet5", seed=0)
    path = tmp_path / "no_suffix.weights"
    save_model(model, path)
    assert path.exists() and not (tmp_path / "no_suffix.weights.npz").exists()
    assert load_weights(path)[0].metadata["model"] == "lenet5"


def test_state_dict_is_a_copy() -> None:
    model = build_model("lenet5", seed=0)
    sd = model.state_dict()
    sd["0.weight"][...] = 0
    assert model[0].weight.data.any()


def test_weights_of_another_model_are_named(tmp_path: Path) -> None:
    path = tmp_path / "lenet.npz"
    save_model(build_model("lenet5", seed=0), path)
    state, _ = load_weights(path)
    with pytest.raises(ValueError, match="lenet5") as err:
        load_into(build_model("simple_convnet", seed=0), state, "simple_convnet")
    assert "simple_convnet" in str(err.value)
    # same shapes, different model: the metadata still tells them apart
    with pytest.raises(WeightsError, match="weights for lenet5, not lenet5_classic") as err:
        load_into(build_model("lenet5_classic", seed=0), path, "lenet5_classic")
    assert err.value.reason == "other_model"
    assert "lenet5_classic" in err.value.message("zh") and "权重" in err.value.message("zh")
    # the engine itself is PyTorch's: same keys and shapes load, whatever the file said
    plain = build_model("lenet5_classic", seed=0)
    plain.load_state_dict(dict(state))
    np.testing.assert_array_equal(plain.state_dict()["0.weight"], state["0.weight"])


def test_mismatch_errors_name_keys_and_shapes() -> None:
    model = build_model("simple_convnet", seed=0)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    good = model.state_dict()
    bad = dict(good)
    bad["0.weight"] = np.zeros((20, 1, 5, 5), np.float32)
    with pytest.raises(ValueError, match=r"0\.weight: saved \(20, 1, 5, 5\), model has "
                                         r"\(30, 1, 5, 5\)"):
        model.load_state_dict(bad)
    missing = {k: v for k, v in good.items() if k != "4.bias"}
    with pytest.raises(ValueError, match=r"missing keys: 4\.bias"):
        model.load_state_dict(missing)
    extra = dict(good, **{"9.weight": np.zeros(3, np.float32)})
    with pytest.raises(ValueError, match=r"unexpected keys: 9\.weight"):
        model.load_state_dict(extra)
    for k, v in model.state_dict().items():  # failed loads changed nothing
        np.testing.assert_array_equal(v, before[k])
    result = model.load_state_dict(missing, strict=False)
    assert result.missing_keys == ["4.bias"] and result.unexpected_keys == []
    with pytest.raises(ValueError, match="shape mismatch"):
        model.load_state_dict(bad, strict=False)  # shapes are checked even when not strict


def test_broken_files_are_told_apart(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file at all")
    with pytest.raises(WeightsError) as err:
        load_weights(junk)
    assert err.value.reason == "unreadable"
    good = tmp_path / "good.npz"
    save_model(build_model("lenet5", seed=0), good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:500])
    with pytest.raises(WeightsError) as err:
        load_weights(truncated)
    assert err.value.reason == "unreadable"
    plain = tmp_path / "plain.npz"
    np.savez(plain, a=np.zeros(3))
    with pytest.raises(WeightsError, match="does not say which model") as err:
        load_model(plain)  # no metadata: no model to build
    assert err.value.reason == "unknown_model"
    assert issubclass(WeightsError, ValueError)
    with pytest.raises(WeightsError) as err:
        load_weights(tmp_path / "missing.npz")
    assert err.value.reason == "not_found"


def test_saved_file_has_no_pickles(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    save_model(build_model("separable_net", seed=0), path)
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    assert "__cnnviz_meta__.npy" in names
    with np.load(path, allow_pickle=False) as data:  # readable without pickle
        assert all(data[k].dtype != object for k in data.files)


@pytest.mark.torch
def test_torch_state_dict_loads_into_engine() -> None:
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    torch.manual_seed(0)
    twin = tnn.Sequential(tnn.Conv2d(1, 30, 5), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                          tnn.Linear(4320, 100), tnn.ReLU(), tnn.Linear(100, 10))
    model = build_model("simple_convnet", seed=0, standardize=False)  # as the plain twin
    model.load_state_dict({k: v.numpy() for k, v in twin.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(model(x), twin(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)


def test_input_standardisation_round_trip(tmp_path: Path) -> None:
    on, off = build_model("lenet5", seed=0), build_model("lenet5", seed=0, standardize=False)
    save_model(on, tmp_path / "on.npz")
    save_model(off, tmp_path / "off.npz")
    meta_on = load_weights(tmp_path / "on.npz")[1]
    meta_off = load_weights(tmp_path / "off.npz")[1]
    assert meta_on["input_standardize"] is True
    assert (meta_on["input_mean"], meta_on["input_std"]) == (0.1307, 0.3081)
    assert meta_off["input_standardize"] is False and meta_off["input_std"] is None
    fresh = build_model("lenet5", seed=1)  # standardises by default
    load_into(fresh, tmp_path / "off.npz", "lenet5")
    assert not fresh.input_standardize
    load_into(fresh, load_weights(tmp_path / "on.npz")[0], "lenet5")
    assert (fresh.input_mean, fresh.input_std) == (0.1307, 0.3081)
    # a plain state dict (no metadata) leaves the setting alone, as torch's would
    load_into(fresh, off.state_dict(), "lenet5")
    assert fresh.input_standardize
    fresh.load_state_dict(off.state_dict())  # and so does the engine's, whatever it is given
    assert fresh.input_standardize


def test_files_without_the_flag_load_unstandardised(tmp_path: Path) -> None:
    """Weights saved before the setting existed were trained on raw [0, 1] pixels."""
    import json

    path = tmp_path / "old.npz"
    save_model(build_model("lenet5", seed=0), path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["__cnnviz_meta__"]))
    for key in ("input_standardize", "input_mean", "input_std"):
        del meta[key]
    arrays["__cnnviz_meta__"] = np.array(json.dumps(meta))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    model = build_model("lenet5", seed=1)
    load_into(model, path, "lenet5")
    assert not model.input_standardize
    # unusable numbers: refused like a shape mismatch, nothing changed
    meta.update(input_standardize=True, input_mean=0.5, input_std=0.0)
    arrays["__cnnviz_meta__"] = np.array(json.dumps(meta))
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    before = model.state_dict()
    with pytest.raises(ValueError, match="std > 0"):
        load_into(model, path, "lenet5")
    assert not model.input_standardize
    np.testing.assert_array_equal(model.state_dict()["0.weight"], before["0.weight"])
