"""Optimisers and LR schedules against torch.optim on a tiny problem, step for step."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cnnviz import optim


class P:
    """A stand-in parameter: what optimisers need is ``.data`` and ``.grad``."""

    def __init__(self, data: np.ndarray) -> None:
        self.data = np.asarray(data, dtype=np.float32).copy()
        self.grad = np.zeros_like(self.data)


def _grad(p: np.ndarray, t: int) -> np.ndarray:
    # a non-linear gradient so that the state (moments, buffers) matters
    return (p ** 3 - 0.5 * p + 0.1 * math.sin(t + 1)).astype(np.float32)


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05,
                     initial_accumulator_value=0.1)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.02)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.05, amsgrad=True)),
]


@pytest.mark.torch
@pytest.mark.parametrize("name,kw", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_optimizer_matches_torch(name: str, kw: dict) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    inits = [rng.standard_normal((3, 4)).astype(np.float32),
             rng.standard_normal(5).astype(np.float32)]
    ours = [P(a) for a in inits]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in inits]
    opt = getattr(optim, name)(ours, **kw)
    topt = getattr(torch.optim, name)(theirs, **kw)
    for t in range(8):
        opt.zero_grad()
        topt.zero_grad()
        for p, tp in zip(ours, theirs):
            p.grad += _grad(p.data, t)
            tp.grad = torch.tensor(_grad(tp.detach().numpy(), t))
        opt.step()
        topt.step()
        for p, tp in zip(ours, theirs):
            assert p.data.dtype == np.float32
            np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_step_reads_grad_without_changing_it() -> None:
    p = P(np.ones(3))
    p.grad[:] = 2.0
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.5)
    opt.step()
    np.testing.assert_array_equal(p.grad, 2.0)
    np.testing.assert_allclose(p.data, 1 - 0.1 * (2 + 0.5), rtol=1e-6)


def test_zero_grad_and_param_groups() -> None:
    a, b = P(np.ones(2)), P(np.ones(2))
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    a.grad[:] = 1
    b.grad[:] = 1
    opt.step()
    np.testing.assert_allclose(a.data, 0.9)
    np.testing.assert_allclose(b.data, 0.5)
    opt.zero_grad()
    assert not a.grad.any() and not b.grad.any()


def test_state_dict_round_trip() -> None:
    p = P(np.arange(4.0))
    opt = optim.Adam([p], lr=0.1)
    p.grad[:] = 1.0
    opt.step()
    sd = opt.state_dict()
    assert sd["state"][0]["step"] == 1
    assert sd["param_groups"][0]["params"] == [0]
    q = P(p.data)
    opt2 = optim.Adam([q], lr=0.1)
    opt2.load_state_dict(sd)
    p.grad[:] = q.grad[:] = 0.5
    opt.step()
    opt2.step()
    np.testing.assert_array_equal(p.data, q.data)


SCHEDULES = [
    ("ConstantLR", dict(factor=0.5, total_iters=3)),
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("PolynomialLR", dict(total_iters=7, power=2.0)),
    ("CosineAnnealingLR", dict(T_max=6, eta_min=0.01)),
]


@pytest.mark.torch
@pytest.mark.parametrize("name,kw", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_scheduler_matches_torch(name: str, kw: dict) -> None:
    torch = pytest.importorskip("torch")
    p = P(np.zeros(2))
    tp = torch.nn.Parameter(torch.zeros(2))
    opt = optim.SGD([p], lr=0.2)
    topt = torch.optim.SGD([tp], lr=0.2)
    sched = getattr(optim.lr_scheduler, name)(opt, **kw)
    tsched = getattr(torch.optim.lr_scheduler, name)(topt, **kw)
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-6)
    for _ in range(10):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-6, abs=1e-9)
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"],
                                                          rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("name", optim.OPTIMIZER_NAMES)
def test_make_optimizer(name: str) -> None:
    p = P(np.ones(3))
    opt = optim.make_optimizer(name, [p], lr=0.01)
    assert opt.param_groups[0]["lr"] == 0.01
    p.grad[:] = 1.0
    opt.step()
    assert (p.data < 1).all()
    if name == "nesterov":
        assert opt.param_groups[0]["nesterov"] and opt.param_groups[0]["momentum"] > 0
    assert optim.make_optimizer(name, [P(np.ones(1))]).param_groups[0]["lr"] == \
        optim.DEFAULT_LR[name]


def test_make_optimizer_unknown() -> None:
    with pytest.raises(ValueError, match="unknown optimizer"):
        optim.make_optimizer("lion", [P(np.ones(1))])


@pytest.mark.parametrize("name", optim.SCHEDULER_NAMES)
def test_make_scheduler_over_run(name: str) -> None:
    opt = optim.SGD([P(np.ones(1))], lr=0.1)
    sched = optim.make_scheduler(name, opt, total_steps=30)
    assert sched.get_last_lr() == [pytest.approx(0.1)]
    lrs = []
    for _ in range(30):
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    assert all(a >= b - 1e-12 for a, b in zip(lrs, lrs[1:])), "schedules never increase"
    if name == "constant":
        assert lrs[-1] == pytest.approx(0.1)
    else:
        assert lrs[-1] <= 0.1 * 0.011


def _warmup_then(name: str, kw: dict, lib, opt):  # noqa: ANN001, ANN202
    sch = lib.lr_scheduler
    warm = sch.LinearLR(opt, start_factor=0.1, total_iters=4)
    main = getattr(sch, name)(opt, **kw)
    return sch.SequentialLR(opt, [warm, main], milestones=[4])


WARMUPS = [("CosineAnnealingLR", dict(T_max=8)), ("PolynomialLR", dict(total_iters=8, power=2.0)),
           ("StepLR", dict(step_size=3, gamma=0.5)), ("ExponentialLR", dict(gamma=0.8))]


@pytest.mark.torch
@pytest.mark.parametrize("name,kw", [*[("LinearLR", k) for k in (
    dict(), dict(start_factor=0.05, end_factor=0.5, total_iters=6))], *WARMUPS],
    ids=["LinearLR", "LinearLR-custom", *[f"warmup-{w[0]}" for w in WARMUPS]])
def test_warmup_schedules_match_torch(name: str, kw: dict) -> None:
    """LinearLR, and SequentialLR(LinearLR warm-up, then a schedule), step for step."""
    torch = pytest.importorskip("torch")
    opt = optim.SGD([P(np.zeros(2))], lr=0.2)
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.2)
    if name == "LinearLR":
        ours, theirs = optim.lr_scheduler.LinearLR(opt, **kw), \
            torch.optim.lr_scheduler.LinearLR(topt, **kw)
    else:
        ours, theirs = _warmup_then(name, kw, optim, opt), _warmup_then(name, kw, torch.optim,
                                                                         topt)
    for _ in range(14):
        assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-6, abs=1e-9)
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"],
                                                          rel=1e-6, abs=1e-9)
        opt.step()
        topt.step()
        ours.step()
        theirs.step()
