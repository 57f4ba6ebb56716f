"""Choosing a trained network for a page: the one trained on the training page this session,
the bundled pretrained ones, or a fresh random one (loaded once per process, cached)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import streamlit as st

from cnnviz import nn
from cnnviz.models import MODEL_NAMES, build_model
from cnnviz.ui.common import show_error, t
from cnnviz.ui.training_session import STATE_KEY
from cnnviz.weights import WeightsError, load_model, pretrained_path


@dataclass(frozen=True)
class ChosenModel:
    """The model, its architecture's name, a cache token that changes when its weights do
    (file time, or training steps), and the lock to hold while reading a session model."""

    model: nn.Module
    name: str
    token: str
    lock: Any

    def reading(self) -> Any:
        """A context that holds the training session's lock (a no-op for other models)."""
        return self.lock or contextlib.nullcontext()


@st.cache_resource(show_spinner=False, max_entries=8)
def pretrained_model(name: str, mtime: float) -> nn.Module:
    """Bundled weights, loaded once per process (``mtime`` renews it when the file changes)."""
    model, _ = load_model(pretrained_path(name), name)
    return model


@st.cache_resource(show_spinner=False, max_entries=8)
def untrained_model(name: str) -> nn.Module:
    return build_model(name, seed=0).eval()


def choose_model(key: str, first: tuple[str, ...] = ("simple_convnet", "lenet5")) -> ChosenModel:
    """A select box of networks (session-trained first, then pretrained, then random)."""
    sess = st.session_state.get(STATE_KEY)
    trained = getattr(sess, "trainer", None)
    choices = ["session"] if trained is not None and trained.step > 0 else []
    order = sorted(MODEL_NAMES, key=lambda m: first.index(m) if m in first else len(first))
    choices += [f"pretrained:{m}" for m in order if pretrained_path(m).is_file()]
    choices += [f"random:{m}" for m in order]
    labels = {}
    for c in choices:
        if c == "session":
            labels[c] = t(f"Trained on the training page ({trained.config.model}, "
                          f"{trained.step} steps)",
                          f"在训练页面训练的网络（{trained.config.model}，{trained.step} 步）")
        else:
            kind, name = c.split(":")
            labels[c] = (t(f"{name} — pretrained", f"{name} — 预训练") if kind == "pretrained"
                         else t(f"{name} — untrained (random weights)",
                                f"{name} — 未训练（随机权重）"))
    choice = st.selectbox(t("Network", "网络"), choices, format_func=labels.__getitem__,
                          key=f"{key}_net")
    if choice == "session":
        return ChosenModel(trained.model, trained.config.model,
                           f"session:{id(trained)}:{trained.step}", getattr(sess, "lock", None))
    kind, name = choice.split(":")
    if kind == "pretrained":
        path = pretrained_path(name)
        try:
            mtime = path.stat().st_mtime
            return ChosenModel(pretrained_model(name, mtime), name, f"{choice}:{mtime}", None)
        except WeightsError as err:
            show_error(err)
    return ChosenModel(untrained_model(name), name, f"random:{name}", None)
