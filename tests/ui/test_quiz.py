"""Quizzes: at least four distinct, sorted options; in classroom mode the class votes first and
the answer appears only after "Reveal the answer" (peer instruction)."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.lessons.quizzes import choice_options, output_size_question
from tests.pages.apptest_helpers import assert_ok, run_page


@pytest.mark.parametrize("seed", range(200))
def test_choice_options_are_four_distinct_sorted_numbers_with_the_answer(seed: int) -> None:
    rng = np.random.default_rng(seed)
    right = int(rng.integers(0, 60))
    wrong = [int(v) for v in rng.integers(-5, 70, int(rng.integers(0, 6)))] + [right] * 2
    options, correct = choice_options(right, wrong)
    numbers = [int(o) for o in options]
    assert len(numbers) >= 4 and len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)
    assert numbers[correct] == right


def test_output_size_questions_offer_four_options() -> None:
    for i, k, s, p in [(5, 3, 1, 0), (3, 3, 1, 0), (8, 2, 2, 1), (1, 1, 1, 0)]:
        q = output_size_question(i, k, s, p)
        assert len(set(q.options)) >= 4


def _quiz_feedback(at) -> list[str]:  # noqa: ANN001
    return [str(e.value) for kind in ("success", "error", "info") for e in getattr(at, kind)]


def test_classroom_votes_first_and_reveals_on_click() -> None:
    at = run_page("1_convolution.py", classroom=True)  # (AppTest reruns break zh labels)
    assert_ok(at)
    quiz = next(r for r in at.radio if r.key and r.key.startswith("conv_q1"))
    assert len(quiz.options) >= 4
    assert not _quiz_feedback(at), "no answer before the reveal"
    reveal = next(b for b in at.button if b.key == f"{quiz.key}__reveal")
    reveal.click().run()
    shown = " ".join(_quiz_feedback(at))
    assert "Answer" in shown, shown


def test_normal_mode_marks_the_answer_at_once() -> None:
    at = run_page("1_convolution.py")
    quiz = next(r for r in at.radio if r.key and r.key.startswith("conv_q1"))
    assert not any(b.key == f"{quiz.key}__reveal" for b in at.button)
    quiz.set_value(quiz.options[0]).run()
    assert _quiz_feedback(at)
