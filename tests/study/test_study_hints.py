"""Hints one at a time, in the request's language, counted by the next review; none in a timed exam."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from problems.models import Quiz, QuizItem
from problems.services.attempts import attempt_start
from study import clock
from study.models import HintUse, Rating, ReviewLog
from tests.factories import make_choice_problem

pytestmark = pytest.mark.django_db

HINTS = [
    {"ja": "ゲートの数を数えましょう。", "en": "Count the gates."},
    {"ja": "LSTM のゲートは 4 つです。", "en": "An LSTM has four gates."},
]


@pytest.fixture
def learner(api_learner):
    return api_learner


def hint(client, problem, n, language="ja"):
    return client.get(f"/api/problems/{problem.slug}/hints/{n}/", HTTP_ACCEPT_LANGUAGE=language)


def test_hints_come_one_at_a_time_in_the_request_language(learner):
    problem = make_choice_problem(hints=HINTS)
    skipped = hint(learner, problem, 2)
    assert skipped.status_code == 409 and "ヒント 1" in skipped.json()["detail"]
    first = hint(learner, problem, 1)
    assert first.status_code == 200
    assert first.json() == {"n": 1, "count": 2, "text": "ゲートの数を数えましょう。"}
    assert hint(learner, problem, 2, "en").json()["text"] == "An LSTM has four gates."
    missing = hint(learner, problem, 3, "en")
    assert missing.status_code == 404 and "hints 1 to 2" in missing.json()["detail"]
    assert hint(learner, make_choice_problem(), 1).status_code == 404


def test_a_right_answer_after_a_hint_is_hard_and_the_hint_counts_once(learner):
    problem = make_choice_problem(hints=HINTS)
    t0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    with clock.frozen(t0):
        hint(learner, problem, 1)
        hint(learner, problem, 1)
        learner.post(f"/api/problems/{problem.slug}/answers/", {"answer": "2"}, format="json")
    with clock.frozen(t0 + timedelta(minutes=10)):
        learner.post(f"/api/problems/{problem.slug}/answers/", {"answer": "2"}, format="json")
    logs = list(ReviewLog.objects.order_by("id"))
    assert [(log.hints_used, log.rating) for log in logs] == [(1, Rating.HARD), (0, Rating.GOOD)]
    assert HintUse.objects.filter(counted=False).count() == 0


def test_no_hints_during_a_timed_exam(learner):
    problem = make_choice_problem(hints=HINTS)
    quiz = Quiz.objects.create(
        course=problem.section.course,
        slug="mock",
        title_ja="模擬試験",
        title_en="Mock exam",
        time_limit_minutes=60,
    )
    QuizItem.objects.create(quiz=quiz, problem=problem, order=0)
    attempt_start(user=learner.user, quiz=quiz)
    refused = hint(learner, problem, 1)
    assert refused.status_code == 409 and "模擬試験" in refused.json()["detail"]
    assert not HintUse.objects.exists()


def test_hints_are_checked_when_an_author_saves_them():
    problem = make_choice_problem()
    problem.hints = [{"ja": "日本語だけ"}]
    with pytest.raises(ValidationError, match="Hint 1"):
        problem.full_clean()
    problem.hints = HINTS
    problem.full_clean()


def test_anonymous_learners_get_no_hints():
    problem = make_choice_problem(hints=HINTS)
    assert APIClient().get(f"/api/problems/{problem.slug}/hints/1/").status_code in (401, 403)


def test_hints_round_trip_through_a_content_pack(tmp_path):
    from problems.content.exporter import export_files, export_to_directory
    from problems.content.loader import load_content
    from problems.models import Course, Problem
    from tests.factories import load_content_problems

    (problem,) = load_content_problems("cnn-output-size")
    Problem.objects.filter(pk=problem.pk).update(hints=HINTS)
    course = Course.objects.get()
    first = export_files(course=course)
    exported = next(text for name, text in first.items() if name.endswith("cnn-output-size.yaml"))
    assert "LSTM のゲートは 4 つです。" in exported
    export_to_directory(course=course, root=tmp_path / "pack")
    Problem.objects.filter(pk=problem.pk).update(hints=[])
    load_content(tmp_path / "pack")
    assert Problem.objects.get(pk=problem.pk).hints == HINTS
    assert export_files(course=course) == first
