"""Size, receptive-field and cost formulas: hand examples, then PyTorch's actual shapes."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import formulas as fm


# ---------------------------------------------------------------- hand examples
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((4, 3), 2),  # conv_arithmetic fig 2.1: no padding, unit stride
        ((5, 4, 1, 2), 6),  # fig 2.2: arbitrary padding
        ((5, 3, 1, 1), 5),  # fig 2.3: half (same) padding
        ((5, 3, 1, 2), 7),  # fig 2.4: full padding
        ((5, 3, 2, 0), 2),  # fig 2.6: no padding, stride 2
        ((5, 3, 2, 1), 3),  # fig 2.7: padding 1, stride 2
        ((6, 3, 2, 1), 3),  # fig 2.8
        ((7, 3, 1, 0, 2), 3),  # fig 5.1: dilation 2
        ((28, 5), 24),  # LeNet's first layer
    ],
)
def test_conv_output_size_hand(args: tuple[int, ...], expected: int) -> None:
    assert fm.conv_output_size(*args) == expected


def test_conv_output_size_forms() -> None:
    assert fm.conv_output_size((28, 32), (5, 3), stride=(1, 2), padding=(2, 1)) == (28, 16)
    assert fm.conv_output_size(5, 3, padding=(1, 0)) == 4  # asymmetric (before, after)
    assert fm.conv_output_size(28, (3, 1), padding=(1, 0)) == (28, 28)  # 2-D: (h, w) padding
    assert fm.conv_output_size(np.int64(28), np.int64(5)) == 24
    assert fm.conv_output_size(7, (3, 1), padding="same") == (7, 7)
    assert fm.conv_output_size(7, 4, padding="same") == 7
    assert fm.conv_output_size((7, 9), 4, padding="same") == (7, 9)
    assert fm.conv_output_size(7, 3, padding="valid") == 5
    with pytest.raises(ValueError):
        fm.conv_output_size(7, 3, stride=2, padding="same")
    with pytest.raises(ValueError):
        fm.conv_output_size(7, 3, padding="full")


def test_conv_transpose_hand() -> None:
    assert fm.conv_transpose_output_size(3, 3, 2, 1) == 5
    assert fm.conv_transpose_output_size(3, 3, 2, 1, 1) == 6
    assert fm.conv_transpose_output_size(2, 3) == 4  # fig 4.1
    assert fm.conv_transpose_output_size((3, 4), 3, 2, 1, (0, 1)) == (5, 8)


def test_effective_kernel_and_same_padding() -> None:
    assert fm.effective_kernel_size(3) == 3
    assert fm.effective_kernel_size(3, 2) == 5
    assert fm.effective_kernel_size((3, 1), 2) == (5, 1)
    assert fm.same_padding(3) == (1, 1)
    assert fm.same_padding(4) == (1, 2)
    assert fm.same_padding(3, dilation=2) == (2, 2)
    for k in range(1, 8):
        for d in range(1, 4):
            assert fm.conv_output_size(11, k, 1, fm.same_padding(k, d), d) == 11


def test_pool_output_size_hand() -> None:
    assert fm.pool_output_size(4, 2) == 2  # stride defaults to kernel
    assert fm.pool_output_size(5, 2) == 2
    assert fm.pool_output_size(5, 2, ceil_mode=True) == 3
    assert fm.pool_output_size(5, 2, 2, 1, ceil_mode=True) == 3  # window in padding dropped
    assert fm.pool_output_size((5, 6), (2, 3), None, 1) == (3, 2)


def test_receptive_field() -> None:
    rf = fm.receptive_field([(3, 1, 1)] * 3)
    assert [r.size for r in rf] == [3, 5, 7]
    assert rf[-1] == (7, 1)
    rf = fm.receptive_field([(3, 2), (3, 2), (3, 1, 2)])
    assert rf == [(3, 2), (7, 4), (23, 4)]
    with pytest.raises(ValueError):
        fm.receptive_field([(3, 1, 1, 1)])


def test_counts() -> None:
    assert fm.conv_params(3, 6, 5) == 6 * 3 * 25 + 6
    assert fm.conv_params(4, 8, (3, 1), groups=2, bias=False) == 8 * 2 * 3
    assert fm.conv_multiply_adds(1, 6, 5, 24) == 6 * 24 * 24 * 25
    assert fm.linear_params(400, 120) == 48120
    assert fm.linear_multiply_adds(400, 120) == 48000
    with pytest.raises(ValueError):
        fm.conv_params(3, 6, 3, groups=2)
    ds = fm.depthwise_separable_counts(32, 64, 3, 14)
    assert ds.standard.params == 64 * 32 * 9
    assert [p.name for p in ds.parts] == ["depthwise", "pointwise"]
    assert ds.params == 32 * 9 + 32 * 64
    assert ds.multiply_add_ratio == pytest.approx(1 / 64 + 1 / 9)
    fc = fm.factorised_counts(16, 16, 3, (8, 8))
    assert fc.param_ratio == pytest.approx(2 / 3)
    assert fc.multiply_adds == 2 * 16 * 16 * 3 * 64
    gc = fm.grouped_counts(16, 32, 3, 10, groups=4)
    assert gc.param_ratio == pytest.approx(1 / 4)
    assert gc.parts[0].multiply_adds == gc.standard.multiply_adds // 4


def test_valid_settings() -> None:
    ok, why = fm.valid_conv_settings(28, 5, 1, 0, 1)
    assert ok and why.en == "" and why.zh == ""
    ok, why = fm.valid_conv_settings(3, 3, 1, 0, 2)
    assert not ok and "5" in why.en and "empty" in why.en and "输出将为空" in why.zh
    for bad in [
        (0, 3, 1, 0, 1),
        (5, 0, 1, 0, 1),
        (5, 3, 0, 0, 1),
        (5, 3, 1, -1, 1),
        (5, 3, 1, 0, 0),
    ]:
        ok, why = fm.valid_conv_settings(*bad)
        assert not ok and why.en and why.zh
    assert not fm.valid_pool_settings(5, 2, 2, 2)[0]
    assert fm.valid_pool_settings(5, 2, None, 1)[0]


def test_valid_settings_agree_with_size() -> None:
    for i in range(1, 9):
        for k in range(1, 6):
            for p in range(3):
                for d in range(1, 4):
                    ok = fm.valid_conv_settings(i, k, 1, p, d)[0]
                    assert ok == (fm.conv_output_size(i, k, 1, p, d) >= 1)


def test_latex() -> None:
    assert fm.conv_output_size_latex(i=28, k=5, s=1, p=0, d=1) == (
        r"o = \lfloor (28 + 2\cdot 0 - 1\cdot(5-1) - 1) / 1 \rfloor + 1 = 24"
    )
    assert fm.conv_transpose_output_size_latex(3, 3, 2, 1, 1).endswith("= 6")
    assert fm.pool_output_size_latex(5, 2, ceil_mode=True).startswith(r"o = \lceil")
    assert fm.pool_output_size_latex(5, 2, 2, 1, ceil_mode=True).endswith(r"= 4 \to 3")
    assert fm.effective_kernel_size_latex(3, 2) == r"k' = 2\cdot(3-1) + 1 = 5"
    assert fm.formula_text("conv") == r"o = \lfloor (i + 2p - d(k-1) - 1) / s \rfloor + 1"
    assert fm.formula_text("conv_transpose", i=3, k=3, s=2, p=1) == (
        fm.conv_transpose_output_size_latex(3, 3, 2, 1)
    )
    with pytest.raises(ValueError):
        fm.formula_text("nope")


# ---------------------------------------------------------------- against PyTorch
@pytest.mark.torch
def test_sizes_match_torch() -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    checked = 0
    while checked < 150:
        i, k = int(rng.integers(1, 14)), int(rng.integers(1, 6))
        s, p, d = int(rng.integers(1, 4)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
        x = torch.zeros(1, 1, i, i + 1)
        w = torch.zeros(1, 1, k, k)
        o = fm.conv_output_size((i, i + 1), k, s, p, d)
        if min(o) >= 1:
            assert fm.valid_conv_settings(i, k, s, p, d)[0]
            assert tuple(F.conv2d(x, w, stride=s, padding=p, dilation=d).shape[2:]) == o
            checked += 1
        else:
            with pytest.raises(RuntimeError):
                F.conv2d(x, w, stride=s, padding=p, dilation=d)
        # transposed: output_padding must be < max(stride, dilation)
        a = int(rng.integers(0, max(s, d)))
        ot = fm.conv_transpose_output_size((i, i + 1), k, s, p, a, d)
        if min(ot) >= 1:
            y = F.conv_transpose2d(x, w, stride=s, padding=p, output_padding=a, dilation=d)
            assert tuple(y.shape[2:]) == ot
        # pooling: padding must be <= k / 2
        if 2 * p <= k:
            for ceil in (False, True):
                op = fm.pool_output_size((i, i + 1), k, s, p, d, ceil)
                if min(op) >= 1:
                    y = F.max_pool2d(x, k, s, p, d, ceil_mode=ceil)
                    assert tuple(y.shape[2:]) == op, (i, k, s, p, d, ceil)
                    if d == 1:
                        y = F.avg_pool2d(x, k, s, p, ceil_mode=ceil)
                        assert tuple(y.shape[2:]) == op


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_same_padding_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    for k in range(1, 7):
        for d in (1, 2, 3):
            x = torch.arange(1.0, 12.0).reshape(1, 1, 1, 11)
            w = torch.rand(1, 1, 1, k, generator=torch.Generator().manual_seed(k))
            ref = torch.nn.functional.conv2d(x, w, padding="same", dilation=d)
            before, after = fm.same_padding(k, d)
            xp = torch.nn.functional.pad(x, (before, after))
            ours = torch.nn.functional.conv2d(xp, w, dilation=d)
            torch.testing.assert_close(ours, ref)


@pytest.mark.torch
def test_counts_match_torch() -> None:
    torch = pytest.importorskip("torch")
    for c_in, c_out, k, g, bias in [
        (3, 6, 5, 1, True),
        (8, 16, (3, 1), 4, False),
        (4, 4, 3, 4, True),
    ]:
        m = torch.nn.Conv2d(c_in, c_out, k, groups=g, bias=bias)
        assert fm.conv_params(c_in, c_out, k, g, bias) == sum(p.numel() for p in m.parameters())
    m = torch.nn.Linear(7, 5)
    assert fm.linear_params(7, 5) == sum(p.numel() for p in m.parameters())
