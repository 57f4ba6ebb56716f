"""Figures of the whole-network lesson: one column per layer, hidden counts, skip arrows."""

from __future__ import annotations

import numpy as np

from cnnviz.lessons.network_insight import diagram, saliency, top_patches
from cnnviz.lessons.network_view import trace_network
from cnnviz.models import build_model
from cnnviz.viz.network_view import (
    architecture_figure,
    layers_figure,
    patches_figure,
    saliency_figure,
)

IMAGE = np.random.default_rng(0).random((28, 28)).astype(np.float32)


def test_layers_figure_titles_every_column_and_counts_the_hidden():
    traces = trace_network(build_model("simple_convnet", seed=0), IMAGE)
    fig = layers_figure(traces, selected=(0, 3))
    titles = [a.text for a in fig.layout.annotations]
    assert len(titles) == len(traces)
    assert "+22" in titles[0]  # 30 maps, 8 drawn
    assert "+4312" in titles[3]  # flatten: 4320 units, 8 drawn
    assert "+" not in titles[-1].split("<br>", 2)[-1]  # softmax: all ten shown
    assert len(fig.layout.shapes) == 2  # the column and the unit


def test_architecture_draws_residual_skips_in_both_languages():
    d = diagram(build_model("resnet_small", seed=0))
    for lang, word in (("en", "skip"), ("zh", "捷径")):
        fig = architecture_figure(d, lang=lang, classroom=True)
        assert sum(word in (a.text or "") for a in fig.layout.annotations) == 3


def test_patches_and_saliency_figures_build():
    model = build_model("lenet5", seed=0)
    p = top_patches(model, np.random.default_rng(1).random((20, 28, 28)), k=4)["3"]
    assert len(patches_figure(p, [0, 1, 2], lang="zh").layout.annotations) == 3
    z = np.arange(10, dtype=np.float64)
    s = saliency(model, IMAGE, z)
    assert s.classes == (9, 8)
    fig = saliency_figure(s, np.full(10, 0.1), lang="en")
    assert len(fig.layout.annotations) == 4
