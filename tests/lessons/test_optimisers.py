"""Lesson 13 (optimisers): the race is cnnviz.optim itself, the same paths as torch.optim, and
the written-out step, the table and the quizzes show the engine's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz import optim
from cnnviz.lessons import optimisers as opt
from cnnviz.lessons.optimiser_rules import num, rule_lines, vec
from cnnviz.lessons.quizzes import Question

TORCH_CLASSES = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}),
                 "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
                 "adagrad": ("Adagrad", {}), "rmsprop": ("RMSprop", {}),
                 "adadelta": ("Adadelta", {}), "adam": ("Adam", {})}


def _torch_surface(torch, key: str, x, y):  # noqa: ANN001, ANN202
    if key == "bowl":
        return x * x / 20 + y * y
    if key == "saddle":
        return x * x + y ** 4 / 4 - y * y / 2
    return (1 - x) ** 2 + 10 * (y - x * x) ** 2


@pytest.mark.parametrize("surface", list(opt.SURFACES))
def test_gradients_match_torch_autograd(surface: str) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(-2, 2, (5, 2)):
        tx = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(y, dtype=torch.float64, requires_grad=True)
        loss = _torch_surface(torch, surface, tx, ty)
        loss.backward()
        f, g = opt.SURFACES[surface].fn(np.float64(x), np.float64(y))
        assert f == pytest.approx(loss.item(), rel=1e-12)
        np.testing.assert_allclose(g, [tx.grad.item(), ty.grad.item()], rtol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("surface", list(opt.SURFACES))
def test_race_paths_match_torch_optim(surface: str) -> None:
    """Every optimiser's path equals torch.optim's, fed the same gradients, step for step."""
    torch = pytest.importorskip("torch")
    s = opt.SURFACES[surface]
    runs = opt.race(surface, 25)
    for key, r in runs.items():
        name, extra = TORCH_CLASSES[key]
        p = torch.nn.Parameter(torch.tensor(s.start, dtype=torch.float32))
        topt = getattr(torch.optim, name)([p], lr=s.lrs[key], **extra)
        path = [p.detach().numpy().copy()]
        for _ in range(25):
            topt.zero_grad()
            x, y = (np.float64(v) for v in p.detach().numpy())
            p.grad = torch.tensor(np.asarray(s.fn(x, y)[1], dtype=np.float32))
            topt.step()
            path.append(p.detach().numpy().copy())
        np.testing.assert_allclose(r.path, np.array(path), rtol=1e-4, atol=1e-5,
                                   err_msg=f"{surface}/{key}")


def test_race_uses_the_engines_optimisers() -> None:
    p = opt.Parameter(np.zeros(2, np.float32))
    assert isinstance(opt.make("adam", p, 0.1), optim.Adam)
    assert opt.make("nesterov", p, 0.1).param_groups[0]["nesterov"]
    assert set(opt.race("bowl", 3)) == set(optim.OPTIMIZER_NAMES)


@pytest.mark.parametrize("key", list(optim.OPTIMIZER_NAMES))
def test_written_step_is_the_runs_step(key: str) -> None:
    """The written-out step t starts where the race was at t − 1 and ends where it is at t."""
    r = opt.run("rosenbrock", key, 6)
    for t in (1, 2, 6):
        rec = opt.step_record("rosenbrock", key, t)
        np.testing.assert_array_equal(rec.theta, r.path[t - 1])
        np.testing.assert_array_equal(rec.theta_new, r.path[t])
        for i in (0, 1):
            lines = rule_lines(rec, i)
            assert vec(rec.grad) in lines[0]
            assert lines[-1].startswith(f"{'xy'[i]}_{{{t}}} = ")
            assert lines[-1].endswith(rf"\approx {num(r.path[t][i])}")


def test_sgd_step_checks_out_by_hand() -> None:
    rec = opt.step_record("bowl", "sgd", 1)
    by_hand = rec.theta - rec.lr * rec.grad.astype(np.float64)
    np.testing.assert_allclose(rec.theta_new, by_hand, rtol=1e-6)
    for i in (0, 1):
        assert rule_lines(rec, i)[-1].endswith(num(by_hand[i]))


def test_adam_written_out_recomputes_the_engines_step() -> None:
    """m̂ / (√v̂ + ε) from the printed state gives the engine's move (to print precision)."""
    rec = opt.step_record("saddle", "adam", 7)
    b1, b2 = rec.group["betas"]
    m, v = rec.after["exp_avg"].astype(float), rec.after["exp_avg_sq"].astype(float)
    step = rec.lr * (m / (1 - b1 ** 7)) / (np.sqrt(v / (1 - b2 ** 7)) + rec.group["eps"])
    np.testing.assert_allclose(rec.theta - step, rec.theta_new, rtol=1e-5, atol=1e-6)


def test_divergence_stops_the_run_cleanly() -> None:
    r = opt.run("bowl", "sgd", 50, lr_scale=2.0)  # η = 1.9 > 2 / 2: |1 − 2η| > 1 across
    assert r.diverged_at is not None and r.diverged_at < 50
    assert np.isfinite(r.path).all() and len(r.path) == r.diverged_at
    assert opt.step_record("bowl", "sgd", 49, 2.0) is None
    assert opt.ranking(opt.race("bowl", 50, 2.0), "bowl")[-1] == "sgd"


def test_num_formats_powers_of_ten() -> None:
    assert num(1e-8) == "10^{-8}"
    assert num(2.5e-6) == r"2.5 \times 10^{-6}"
    assert num(0.3) == "0.3" and num(0) == "0"


def _check(q: Question, numeric: bool) -> None:
    assert len(set(map(str, q.options))) == len(q.options) >= 4
    if numeric:
        values = [float(o) for o in q.options]
        assert values == sorted(values)


@pytest.mark.parametrize("surface", list(opt.SURFACES))
def test_quizzes_from_current_settings(surface: str) -> None:
    runs = opt.race(surface, 40)
    q = opt.winner_question(runs, surface, 40)
    _check(q, numeric=False)
    assert q.options[q.correct] == opt.OPTIMISER_NAMES[opt.ranking(runs, surface)[0]]
    q = opt.sgd_step_question(surface)
    _check(q, numeric=True)
    assert float(q.options[q.correct]) == pytest.approx(opt.run(surface, "sgd", 1).path[1][0],
                                                        abs=1e-3)
