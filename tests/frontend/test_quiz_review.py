"""The quiz review: a code problem's explanation holds its model solution, so it waits for an AC."""

from __future__ import annotations

import pytest
from django.test import Client

from problems.services.attempts import attempt_finish, attempt_start
from tests.factories import (
    make_choice_problem,
    make_code_problem,
    make_graded_submission,
    make_quiz,
    make_user,
)

pytestmark = pytest.mark.django_db

MODEL_SOLUTION = "Model solution: `return 2 * x`"


def _finished_review(user, problems):
    # given a quiz with a code problem, started and finished at once
    attempt = attempt_finish(attempt=attempt_start(user=user, quiz=make_quiz(problems)))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    # when the learner reads the review
    return client.get(f"/attempts/{attempt.pk}/review/")


def test_it_hides_a_code_problems_model_solution_from_a_learner_who_has_not_solved_it():
    learner = make_user()
    code = make_code_problem(explanation_en=MODEL_SOLUTION)
    choice = make_choice_problem(explanation_en="Two is right because one plus one.")
    response = _finished_review(learner, [code, choice])
    body = response.content.decode()
    # then the model solution is absent, the choice problem's explanation is still there
    assert response.status_code == 200
    assert "return 2 * x" not in body
    assert "Two is right because one plus one." in body


@pytest.mark.parametrize("verdict, visible_only", [("WA", False), ("AC", True)])
def test_it_hides_the_solution_after_a_wrong_or_visible_only_submission(verdict, visible_only):
    learner = make_user()
    code = make_code_problem(explanation_en=MODEL_SOLUTION)
    make_graded_submission(learner, code, verdict=verdict, visible_only=visible_only)
    body = _finished_review(learner, [code]).content.decode()
    assert "return 2 * x" not in body


def test_it_shows_the_explanation_to_a_learner_whose_submission_was_accepted():
    learner = make_user()
    code = make_code_problem(explanation_en=MODEL_SOLUTION)
    make_graded_submission(learner, code, verdict="AC")
    body = _finished_review(learner, [code]).content.decode()
    assert "return 2 * x" in body


def test_another_learners_accepted_submission_does_not_reveal_it():
    learner, other = make_user(), make_user()
    code = make_code_problem(explanation_en=MODEL_SOLUTION)
    make_graded_submission(other, code, verdict="AC")
    body = _finished_review(learner, [code]).content.decode()
    assert "return 2 * x" not in body
