"""Training / explorer figures and the architecture numbers (no Streamlit)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from cnnviz import formulas
from cnnviz.lessons.architectures import STORIES, arch_numbers, conv_dense_rows, story_rows
from cnnviz.models import build_model
from cnnviz.summary import count_parameters, summarize
from cnnviz.viz.network import fc_comparison_figure, kernel_grid_figure, layer_table
from cnnviz.viz.training import (
    confusion_figure,
    curves_figure,
    feature_maps_figure,
    filter_tiles,
    filters_figure,
    grid_shape,
    mistakes_figure,
    mosaic,
    per_class_figure,
    probability_figure,
)


def _ev(step: int, loss: float) -> SimpleNamespace:
    return SimpleNamespace(step=step, loss=loss, loss_avg=loss, batch_accuracy=0.5, lr=1e-3)


def test_mosaic_layout_and_scale():
    tiles = [np.full((5, 5, 3), i * 20, np.uint8) for i in range(7)]
    rows, cols = grid_shape(7)
    out = mosaic(tiles, scale=4, gap=2)
    assert out.shape == (rows * 20 + (rows + 1) * 2, cols * 20 + (cols + 1) * 2, 3)
    assert (out[2:22, 2:22] == 0).all()  # first tile, nearest-neighbour upscaled


def test_filter_normalisation_per_filter_vs_shared():
    w = np.zeros((2, 1, 3, 3), np.float32)
    w[0, 0, 1, 1] = 1.0
    w[1, 0, 1, 1] = 0.01  # a weak filter
    per = filter_tiles(w, "per_filter")
    shared = filter_tiles(w, "shared")
    # on its own scale the weak filter's centre is as saturated as the strong one's
    assert (per[0][1, 1] == per[1][1, 1]).all()
    # on the shared scale it is almost white (close to zero)
    assert shared[1][1, 1].min() > 200 and not (shared[0][1, 1] == shared[1][1, 1]).all()


def test_filters_figure_has_now_start_change_and_a_legend():
    w = np.random.default_rng(0).normal(size=(30, 1, 5, 5)).astype(np.float32)
    fig = filters_figure(w, w * 0.1, normalise="shared", step=7)
    assert len(fig.data) == 4 and fig.layout.meta["step"] == 7  # 3 mosaics + colour bar
    assert all(d.source.startswith("data:image/png;base64,") for d in fig.data[:3])
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["now<br>(step 7)", "at the start", "what changed<br>(now − start)"]
    bar = fig.data[3].marker
    assert bar.showscale and bar.cmax == float(np.abs(w).max())  # shared: the weights' scale
    assert list(bar.colorbar.ticktext)[1] == "0"
    per = filters_figure(w, w * 0.1, lang="zh")
    assert "最大值" in per.data[3].marker.colorbar.ticktext[0]
    assert "变化" in per.layout.annotations[2].text
    grey = filters_figure(w, w * 0.1, grey=True)
    assert grey.layout.meta["grey"] and grey.data[3].marker.colorscale[0][1] == "black"
    assert grey.data[0].source != per.data[0].source
    assert len(filters_figure(w).data) == 2  # no start: "now" and the legend


def test_grey_filter_tiles_black_negative_white_positive():
    w = np.zeros((1, 1, 3, 3), np.float32)
    w[0, 0, 0, 0], w[0, 0, 2, 2] = -1.0, 1.0
    tile = filter_tiles(w, "per_filter", grey=True)[0]
    assert tile[0, 0].tolist() == [0, 0, 0] and tile[2, 2].tolist() == [255, 255, 255]
    assert tile[1, 1].tolist() == [128, 128, 128]


def test_curves_mark_changes_plot_the_rate_and_overlay_kept_runs():
    from cnnviz.training.runs import KeptRun
    from cnnviz.training.steering import Change

    hist = [SimpleNamespace(step=i, loss=1.0 / i, loss_avg=1.0 / i, batch_accuracy=0.9,
                            lr=1e-3 if i <= 5 else 1e-2) for i in range(1, 11)]
    kept = KeptRun("simple_convnet", "sgd", 0.1, 64, "cosine", 2, (1.0, 2.0), (2.0, 1.5),
                   (0.1, 0.05), (2.0,), (0.5,))
    fig = curves_figure(hist, [], changes=[Change(5, "lr", 1e-3, 1e-2)], kept=[kept])
    lr = [d for d in fig.data if d.yaxis == "y3"]
    assert list(lr[0].y) == [1e-3] * 5 + [1e-2] * 5 and fig.layout.yaxis3.type == "log"
    assert len(fig.layout.shapes) == 3 and fig.layout.shapes[0].x0 == 5  # every panel
    assert any(a.text == "lr 0.01" for a in fig.layout.annotations)
    names = [d.name for d in fig.data if d.name]
    assert "SGD, lr 0.1, batch 64, cosine (steered)" in names
    assert sum(1 for d in fig.data if d.line.dash == "dash") == 3  # loss, accuracy, rate
    zh = curves_figure(hist, [], kept=[kept], lang="zh")
    assert "SGD，学习率 0.1，批 64，余弦（调整过）" in [d.name for d in zh.data]


def test_curves_skip_non_finite_points():
    hist = [_ev(1, 2.3), _ev(2, float("nan")), _ev(3, 1.0), _ev(4, float("inf"))]
    tests = [SimpleNamespace(step=3, accuracy=0.8)]
    fig = curves_figure(hist, tests)
    for trace in fig.data:
        assert all(math.isfinite(y) for y in trace.y)
    assert list(fig.data[0].x) == [1.0, 3.0]
    assert list(fig.data[3].y) == [80.0]


def test_curves_thin_long_history():
    hist = [_ev(i, 1.0 / i) for i in range(1, 5001)]
    fig = curves_figure(hist, [], max_points=500)
    assert len(fig.data[0].x) <= 500 and fig.data[0].x[-1] == 5000


def test_feature_maps_figure_rows_per_stage():
    rng = np.random.default_rng(0)
    stages = [("0: Conv2d", rng.random((1, 30, 24, 24))),
              ("3: Conv2d", rng.random((1, 16, 10, 10)))]
    fig = feature_maps_figure(stages, max_maps=8)
    assert len(fig.data) == 1  # one stacked picture, one title per stage
    titles = [a.text for a in fig.layout.annotations]
    assert len(titles) == 2
    assert "30 maps of 24×24" in titles[0] and "first 8 shown" in titles[0]
    zh = feature_maps_figure(stages, lang="zh")
    assert "特征图" in zh.layout.annotations[0].text


def test_evaluation_figures():
    cm = np.diag([10] * 10)
    cm[4, 9] = 3
    fig = confusion_figure(cm)
    assert fig.data[0].text[4][9] == 3
    per = per_class_figure(np.array([1.0] * 9 + [np.nan]))
    assert per.data[0].y[-1] is None
    mis = mistakes_figure(np.random.rand(3, 28, 28), [9, 3, 7], [4, 5, 2])
    texts = [a.text for a in mis.layout.annotations]
    assert len(texts) == 3 and "(4)" in texts[0] and ">9<" in texts[0]
    empty = mistakes_figure(np.zeros((0, 28, 28)), [], [])
    assert "No mistakes" in empty.layout.annotations[0].text


def test_probability_figure_marks_winner():
    p = np.full(10, 0.02)
    p[7] = 0.82
    fig = probability_figure(p)
    assert "Prediction: 7" in fig.layout.title.text
    assert fig.data[0].marker.color[7] != fig.data[0].marker.color[0]


def test_kernel_grid_and_layer_table():
    model = build_model("lenet5", seed=0)
    fig = kernel_grid_figure(model[3].weight.data, title="conv 2", max_out=8, max_in=4)
    assert "8 of 16 filters × 4 of 6 input channels" in fig.layout.title.text
    rows = summarize(model)
    table = layer_table(rows)
    assert sum(r["Parameters"] for r in table) == count_parameters(model)
    assert table[0]["Output shape"] == "6×28×28"


def test_dense_twin_numbers_come_from_formulas():
    first = arch_numbers("simple_convnet").conv_layers[0]
    assert first.conv_params == formulas.conv_params(1, 30, 5) == 780
    assert first.dense_params == formulas.linear_params(28 * 28, 30 * 24 * 24)
    n = arch_numbers("lenet5")
    assert n.params == count_parameters(build_model("lenet5"))
    assert n.dense_twin_params > 50 * n.params
    # classic and modern LeNet-5 differ in activations and pooling only: same counts
    assert arch_numbers("lenet5_classic").params == n.params
    # residual blocks: every conv inside is found, shortcut included
    names = [r.name for r in conv_dense_rows(build_model("resnet_small"))]
    assert any("shortcut" in nm or "downsample" in nm for nm in names) or len(names) >= 7


def test_story_rows_and_figure_bilingual():
    en, zh = story_rows("en"), story_rows("zh")
    assert len(en) == len(STORIES) and "Parameters" in en[0] and "参数" in zh[0]
    fig = fc_comparison_figure([arch_numbers(s.model) for s in STORIES],
                               [s.model for s in STORIES])
    assert fig.layout.xaxis.type == "log" and len(fig.data) == 2  # horizontal bars
