"""Lesson 14 (learning rate and schedules): the rates are cnnviz.optim's schedulers (as
torch.optim's), the written-out formulas give the scheduler's value, the runs are SGD's."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnviz.lessons import schedules as sch
from cnnviz.lessons.optimiser_rules import num

SETTINGS = [sch.Schedule(k, warmup=w) for k in sch.KINDS for w in (0, 10)]


def _torch_lrs(torch, s: sch.Schedule) -> np.ndarray:  # noqa: ANN001
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=s.base_lr)
    L = torch.optim.lr_scheduler
    main = {"fixed": lambda: L.ConstantLR(opt, factor=1.0, total_iters=0),
            "step": lambda: L.StepLR(opt, step_size=s.step_size, gamma=s.step_gamma),
            "exponential": lambda: L.ExponentialLR(opt, gamma=s.exp_gamma),
            "polynomial": lambda: L.PolynomialLR(opt, total_iters=s.horizon, power=s.power),
            "cosine": lambda: L.CosineAnnealingLR(opt, T_max=s.horizon)}[s.kind]
    if s.warmup:
        warm = L.LinearLR(opt, start_factor=sch.WARMUP_START, total_iters=s.warmup)
        sched = L.SequentialLR(opt, [warm, main()], milestones=[s.warmup])
    else:
        sched = main()
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(s.total):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return np.array(lrs)


@pytest.mark.torch
@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: f"{s.kind}-w{s.warmup}")
def test_schedules_match_torch(s: sch.Schedule) -> None:
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(sch.schedule_lrs(s), _torch_lrs(torch, s), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: f"{s.kind}-w{s.warmup}")
def test_filled_formula_ends_with_the_schedulers_rate(s: sch.Schedule) -> None:
    lrs = sch.schedule_lrs(s)
    for t in (0, 5, 37, 99, 100):
        line = sch.filled_formula(s, t, float(lrs[t]))[-1]
        assert line.endswith(num(lrs[t])), (t, line)


@pytest.mark.parametrize("t", [0, 29, 30, 61, 100])
def test_closed_forms_by_hand(t: int) -> None:
    """The notes' formulas, evaluated here by hand, give the engine's rates."""
    lrs = sch.all_schedules(sch.Schedule("fixed"))
    assert lrs["fixed"][t] == pytest.approx(0.1)
    assert lrs["step"][t] == pytest.approx(0.1 * 0.5 ** (t // 30))
    assert lrs["exponential"][t] == pytest.approx(0.1 * 0.97 ** t)
    assert lrs["polynomial"][t] == pytest.approx(0.1 * (1 - min(t, 100) / 100) ** 2, abs=1e-12)
    assert lrs["cosine"][t] == pytest.approx(0.1 * (1 + math.cos(math.pi * t / 100)) / 2,
                                             abs=1e-12)


def test_warmup_climbs_then_hands_over() -> None:
    lrs = sch.schedule_lrs(sch.Schedule("cosine", warmup=10))
    assert lrs[0] == pytest.approx(0.01) and lrs[10] == pytest.approx(0.1)
    assert (np.diff(lrs[:11]) > 0).all() and (np.diff(lrs[10:]) <= 1e-12).all()


def test_three_rates_and_the_limit() -> None:
    assert sch.curvatures() == pytest.approx([0.1, 2.0], rel=1e-6)
    assert sch.stability_limit() == pytest.approx(1.0, rel=1e-6)
    runs = sch.rate_runs({"small": 0.1, "right": 0.9, "large": 1.05}, 40)
    final = {k: r.loss[-1] for k, r in runs.items()}
    assert final["right"] < final["small"] < runs["small"].loss[0] < final["large"]
    assert all(r.diverged_at is None for r in runs.values())
    huge = sch.rate_runs({"small": 0.1, "right": 0.9, "large": 3.0}, 40)["large"]
    assert huge.diverged_at is not None and np.isfinite(huge.loss).all()


def _check(q) -> None:  # noqa: ANN001
    values = [float(o) for o in q.options]
    assert len(set(values)) == len(values) >= 4 and values == sorted(values)


@pytest.mark.parametrize("s", SETTINGS, ids=lambda s: f"{s.kind}-w{s.warmup}")
def test_rate_question(s: sch.Schedule) -> None:
    lrs = sch.schedule_lrs(s)
    q = sch.rate_question(s, 37, lrs)
    _check(q)
    assert float(q.options[q.correct]) == pytest.approx(lrs[37], rel=1e-3)


@pytest.mark.parametrize("large", [0.5, 1.05, 1.5, 3.0])
def test_growth_question_from_the_run(large: float) -> None:
    runs = sch.rate_runs({"small": 0.1, "right": 0.9, "large": large}, 20)
    q = sch.growth_question(runs, large)
    _check(q)
    assert float(q.options[q.correct]) == pytest.approx((1 - 2 * large) ** 5, rel=2e-3)
