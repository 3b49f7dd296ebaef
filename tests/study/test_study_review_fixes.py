"""Defects an independent review found in the learning loop, each shown to fail before its fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from problems.models import Problem, Quiz, QuizItem
from problems.services.attempts import attempt_start
from study import clock
from study.models import Card, ReviewLog
from study.selectors import review_count, review_queue
from tests.factories import make_choice_problem, make_logged_in_client, make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


@pytest.fixture
def learner():
    return make_logged_in_client()


def _timed_quiz(problem, minutes=60):
    quiz = Quiz.objects.create(
        course=problem.section.course,
        slug=f"q-{problem.pk}",
        title_ja="模擬",
        title_en="Mock",
        time_limit_minutes=minutes,
    )
    QuizItem.objects.create(quiz=quiz, problem=problem, order=0)
    return quiz


def test_answering_again_right_away_does_not_walk_a_mistake_out_of_its_steps(learner):
    # given a wrong answer, then the right one clicked again and again within seconds
    problem = make_choice_problem()
    for seconds, key in ((0, "1"), (1, "2"), (2, "2"), (3, "2")):
        with clock.frozen(T0 + timedelta(seconds=seconds)):
            learner.post(f"/problems/{problem.slug}/", {"answer": key})
    card = Card.objects.get(problem=problem)
    # then it is still in its learning steps, due within minutes; the extra answers are practice
    assert card.due_at - T0 < timedelta(minutes=15)
    assert list(ReviewLog.objects.order_by("id").values_list("practice", flat=True)) == [
        False,
        False,
        True,
        True,
    ]


def test_a_leech_shows_no_explanation_while_a_quiz_holds_it(learner):
    problem = make_choice_problem(explanation_ja="正解は 2 です SECRET", explanation_en="SECRET")
    Card.objects.create(
        user=learner.user, problem=problem, due_at=T0, added_at=T0, introduced_at=T0, is_leech=True
    )
    attempt_start(user=learner.user, quiz=_timed_quiz(problem))
    for url in (f"/problems/{problem.slug}/?review=1", f"/problems/{problem.slug}/"):
        body = learner.get(url).content.decode()
        assert "SECRET" not in body and "data-leech" not in body


def test_the_review_does_not_serve_a_problem_held_by_an_open_quiz(learner):
    held, free = make_choice_problem(), make_choice_problem()
    for problem in (held, free):
        Card.objects.create(
            user=learner.user, problem=problem, due_at=T0, added_at=T0, introduced_at=T0
        )
    attempt_start(user=learner.user, quiz=_timed_quiz(held))
    with clock.frozen(T0 + timedelta(minutes=1)):
        assert [d.slug for d in review_queue(user=learner.user)] == [free.slug]
        assert review_count(user=learner.user) == 1
        assert learner.get("/review/next/")["Location"] == f"/problems/{free.slug}/?review=1"


def test_unpublished_problems_are_in_neither_the_count_the_forecast_nor_the_notebook(learner):
    problem = make_choice_problem(title_en="DRAFTTITLE")
    with clock.frozen(T0):
        learner.post(f"/problems/{problem.slug}/", {"answer": "1"})
    Problem.objects.filter(pk=problem.pk).update(is_published=False)
    with clock.frozen(T0 + timedelta(minutes=5)):
        assert review_count(user=learner.user) == len(review_queue(user=learner.user)) == 0
        notebook = learner.get("/mistakes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        forecast = APIClient()
        forecast.force_authenticate(learner.user)
        days = forecast.get("/api/progress/").json()["forecast"]
    assert "DRAFTTITLE" not in notebook
    assert sum(day["due"] for day in days) == 0


def test_a_give_up_is_recorded_once(learner):
    from problems.models import Submission, SubmissionStatus
    from study.models import ReviewSource
    from tests.factories import make_code_problem

    problem = make_code_problem()
    for _ in range(3):
        Submission.objects.create(
            user=learner.user,
            problem=problem,
            problem_version=problem.versions.get(),
            code="def double(x):\n    return x\n",
            status=SubmissionStatus.DONE,
            verdict="WA",
        )
    for _ in range(3):
        learner.post(f"/problems/{problem.slug}/solution/")
    assert ReviewLog.objects.filter(source=ReviewSource.GIVE_UP).count() == 1


@pytest.mark.parametrize("until", ["1" * 500, "11111111", "2026-12-03", "2026-13-40T10:00:00"])
def test_until_takes_only_an_extended_iso_datetime(until):
    client = APIClient()
    client.force_authenticate(make_user())
    response = client.get("/api/review/", {"until": until})
    assert response.status_code == 400 and "ISO 8601" in response.content.decode()


def test_the_answer_endpoints_sentences_are_in_japanese():
    problem = make_choice_problem()
    client = APIClient()
    client.force_authenticate(make_user())
    url = f"/api/problems/{problem.slug}/answers/"
    both = client.post(
        url, {"answer": "2", "dont_know": True}, format="json", HTTP_ACCEPT_LANGUAGE="ja"
    )
    none = client.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert "両方は送れません" in both.content.decode()
    assert "必須" in none.content.decode()


def test_cards_and_reviews_in_the_admin_need_the_learner_work_permission():
    from django.contrib.auth.models import Group, Permission

    staff = make_user("card-staff", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_card", "view_reviewlog"])
    )
    reviewer = make_user("card-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="reviewer"))
    reviewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_card", "view_reviewlog"])
    )
    for user, status in ((staff, 403), (reviewer, 200)):
        client = Client()
        client.force_login(user)
        for url in ("/admin/study/card/", "/admin/study/reviewlog/"):
            assert client.get(url).status_code == status, (user.username, url)
