"""Twenty simultaneous answers to one question of one attempt (a double-click is enough
for two): each is recorded or replaced, none is a server error, one answer remains."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from problems.models import Answer, Quiz, QuizItem
from problems.services.answers import answer_create
from problems.services.attempts import attempt_start
from tests.factories import make_choice_problem, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_answers_to_one_question_of_an_attempt_leave_one_answer():
    learner = make_user("double-clicker")
    problem = make_choice_problem()
    quiz = Quiz.objects.create(
        course=problem.section.course, slug="concurrent", title_ja="確認", title_en="Check"
    )
    QuizItem.objects.create(quiz=quiz, problem=problem, order=0)
    attempt = attempt_start(user=learner, quiz=quiz)
    errors: list[BaseException] = []
    start = threading.Barrier(20)

    def answer(key):
        try:
            start.wait()
            answer_create(user=learner, problem=problem, response=key, attempt=attempt)
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(str(1 + i % 4),)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Answer.objects.filter(attempt=attempt, problem=problem).count() == 1
