"""The training page's weights uploader (issue 13): the label and the check name the same model
(13.8), and what comes from a file is shown as plain text, never as Markdown (13.9); in both
languages, with files the tests generate.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest

from cnnviz.concurrency import TRAINING_SLOTS
from cnnviz.models import build_model
from cnnviz.train import TrainConfig
from cnnviz.ui.training_session import TrainingSession
from tests.pages.apptest_helpers import run_page

PAGE = "10_training.py"
MD_SPECIAL = set("[]()!<>`*_")


@pytest.fixture(autouse=True)
def _free_training_slots():
    TRAINING_SLOTS.reset()
    yield
    TRAINING_SLOTS.reset()


def _finished_session() -> TrainingSession:
    """A simple_convnet run that has finished (status "done": the settings are unlocked)."""
    sess = TrainingSession()
    assert sess.start(TrainConfig(train_limit=100, batch_size=100, epochs=1, test_limit=50,
                                  eval_every=0))
    while sess.status == "running":
        sess.tick(1.0)
    assert sess.status == "done" and sess.trainer.config.model == "simple_convnet"
    return sess


def _file(arch: str, **meta) -> bytes:
    """A weights file of ``arch`` written with NumPy alone (its metadata overridden by ``meta``)."""
    arrays = dict(build_model(arch, seed=3).state_dict())
    arrays["__cnnviz_meta__"] = np.array(json.dumps({"model": arch, "steps": 7, **meta}))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def _upload(at, name: str, data: bytes) -> None:
    at.file_uploader(key="train_weights_upload").upload(name, data, "application/octet-stream")
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def _uploader_label(at) -> str:
    return at.file_uploader(key="train_weights_upload").proto.label


def _as_read(body: str) -> str:
    """What a learner reads: Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", body)


def _unescaped(body: str) -> list[str]:
    """Markdown characters in ``body`` not escaped by a backslash (each could format)."""
    out, i = [], 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] in MD_SPECIAL:
            out.append(body[i])
        i += 1
    return out


# (chosen in the settings after the run, the file's model, loads?)
AFTER_A_RUN = [("lenet5", "lenet5", True), ("lenet5", "simple_convnet", False)]
TEXTS = {"en": ("Load weights saved from {m}", "Loaded w.npz (7 steps of training).",
                "holds weights for {f}, not {m}"),
         "zh": ("加载 {m} 保存的权重", "已加载 w.npz（训练了 7 步）。",
                "保存的是 {f} 的权重，而不是 {m}")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("chosen,saved,loads", AFTER_A_RUN)
def test_uploader_label_and_check_name_the_same_model(lang, chosen, saved, loads):
    """13.8: after a run, choosing another model relabels the uploader; the check follows."""
    label, loaded, refused = TEXTS[lang]
    at = run_page(PAGE, lang=lang, state={"training_session": _finished_session()})
    at.selectbox(key="train_model").set_value(chosen).run()
    assert label.format(m=chosen) in _uploader_label(at)
    _upload(at, "w.npz", _file(saved))
    sess = at.session_state["training_session"]
    if loads:
        assert [_as_read(s.value) for s in at.success] == [loaded]
        assert sess.status == "paused" and sess.trainer.config.model == chosen
    else:
        errors = " ".join(_as_read(e.value) for e in at.error)
        assert refused.format(f=saved, m=chosen) in errors, errors
        assert sess.trainer.config.model == "simple_convnet"  # the finished run is kept


# (case, uploaded file name, extra metadata, loads?)
STRANGERS = [
    ("links and images in the file name",
     "[click](http://evil.example)![x](http://evil.example/x.png).npz", {}, True),
    ("an image as the step count", "w.npz", {"steps": "![t](http://evil.example/t.png)"}, True),
    ("a link as the model name", "w.npz", {"model": "[lenet5](http://evil.example)"}, False),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("case,name,meta,loads", STRANGERS, ids=[s[0] for s in STRANGERS])
def test_what_comes_from_a_file_is_plain_text(lang, case, name, meta, loads):
    """13.9: file names and metadata are shown as typed, never rendered as Markdown."""
    at = run_page(PAGE, lang=lang)
    _upload(at, name, _file("simple_convnet", **meta))
    boxes = at.success if loads else at.error
    assert len(boxes) == 1, (case, [b.value for b in at.success], [b.value for b in at.error])
    body = boxes[0].value
    assert not _unescaped(body), (body, _unescaped(body))
    assert not re.search(r"[^\\]://", body)  # no bare URL to autolink either
    if "steps" in meta:
        assert "evil" not in body  # a count that is not a number is not shown at all
    else:
        assert "evil" in body  # what was typed is shown, escaped
