"""The learning loop through its API, with the study clock moved by the test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from rest_framework.test import APIClient

from study import clock
from study.models import Card, Rating, ReviewLog
from tests.factories import make_choice_problem, make_section, make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.fixture
def at():
    """`at(t)` moves the study clock (and what the API sees as now) to `t`."""
    stack = []

    def move(t: datetime):
        if stack:
            stack.pop().__exit__(None, None, None)
        frozen = clock.frozen(t)
        frozen.__enter__()
        stack.append(frozen)

    move(T0)
    yield move
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def learner(api_learner):
    return api_learner


def answer(client, problem, key: str | None = None, **extra):
    body = {"answer": key, **extra} if key is not None else extra
    response = client.post(f"/api/problems/{problem.slug}/answers/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def due(client, until: datetime) -> list[dict]:
    response = client.get(f"/api/review/?until={quote(until.isoformat())}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["results"])
    return body["results"]


def test_mistakes_come_back_within_minutes_and_everything_within_eight_days(learner, at):
    # given ten problems, the right key of each is "2"
    problems = [make_choice_problem() for _ in range(10)]
    # when a new learner answers them outside a quiz, three of them wrong
    wrong = {p.slug for p in problems[:3]}
    for problem in problems:
        answer(learner, problem, "1" if problem.slug in wrong else "2")
    # then exactly the three mistakes are due within five minutes, as mistakes
    soon = due(learner, T0 + timedelta(minutes=5))
    assert {d["slug"] for d in soon} == wrong
    assert {d["reason"] for d in soon} == {"mistake"}
    # and all ten within eight days
    assert {d["slug"] for d in due(learner, T0 + timedelta(days=8))} == {p.slug for p in problems}


def test_a_mistake_answered_right_leaves_the_learning_steps_within_three_answers(learner, at):
    problem = make_choice_problem()
    first = answer(learner, problem, "1")
    due_at = datetime.fromisoformat(first["next_due_at"])
    assert due_at - T0 <= timedelta(minutes=5)
    now, rights = T0, 0
    while due_at - now <= timedelta(hours=12):
        assert rights < 3, "still in the learning steps after three right answers"
        now = due_at
        at(now)
        due_at = datetime.fromisoformat(answer(learner, problem, "2")["next_due_at"])
        rights += 1
    assert due_at - now > timedelta(hours=12)
    assert [d["slug"] for d in due(learner, now + timedelta(hours=12))] == []


def test_i_dont_know_counts_as_wrong_and_is_due_within_minutes(learner, at):
    problem = make_choice_problem()
    body = answer(learner, problem, dont_know=True)
    assert body["correct"] is False and body["score"] == 0
    assert datetime.fromisoformat(body["next_due_at"]) - T0 <= timedelta(minutes=10)
    log = ReviewLog.objects.get()
    assert log.dont_know and log.rating == Rating.AGAIN
    assert [d["slug"] for d in due(learner, T0 + timedelta(minutes=10))] == [problem.slug]


def test_a_week_later_due_cards_come_back_and_the_forecast_predicted_them(learner, at):
    # given four problems answered right twice, out of the learning steps
    problems = [make_choice_problem() for _ in range(4)]
    for problem in problems:
        answer(learner, problem, "2")
    at(T0 + timedelta(minutes=10))
    for problem in problems:
        answer(learner, problem, "2")
    forecast = learner.get("/api/progress/").json()["forecast"]
    assert len(forecast) == 7 and forecast[0]["date"] == "2026-12-03"  # the learner's Tokyo day
    predicted = sum(day["due"] for day in forecast)
    assert predicted == 4 and forecast[0]["due"] == 0
    assert due(learner, T0 + timedelta(hours=12)) == []
    # when the clock moves a week on
    at(T0 + timedelta(days=7))
    back = due(learner, clock.now())
    assert {d["slug"] for d in back} == {p.slug for p in problems}
    assert {d["reason"] for d in back} == {"scheduled"}
    assert predicted == len(back)


def test_confidence_and_dont_know_are_checked_with_sentences(learner, at):
    problem = make_choice_problem()
    url = f"/api/problems/{problem.slug}/answers/"
    bad = learner.post(url, {"answer": "2", "confidence": "sure"}, format="json")
    both = learner.post(
        url, {"answer": "2", "dont_know": True}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    neither = learner.post(url, {}, format="json")
    until = learner.get("/api/review/?until=tomorrow")
    assert bad.status_code == both.status_code == neither.status_code == until.status_code == 400
    assert "either an answer" in both.content.decode()
    assert "ISO 8601" in until.content.decode()
    assert ReviewLog.objects.count() == 0


def test_an_unencoded_plus_in_until_is_read_as_the_offset(learner, at):
    problem = make_choice_problem()
    answer(learner, problem, "1")
    response = learner.get("/api/review/?until=2026-12-03T10:05:00+09:00")
    assert [d["slug"] for d in response.json()["results"]] == [problem.slug]


@pytest.mark.parametrize(
    ("until", "status"),
    [
        ("0247-02-26T02:22:01.97%2B19:20", 200),  # PostgreSQL refuses the offset: was a 500
        ("0001-01-01T00:00:00%2B09:00", 400),  # before year 1 in UTC
        ("9999-12-31T23:59:59-09:00", 400),  # after 9999 in UTC
    ],
)
def test_an_until_is_read_in_utc_and_refused_beyond_the_calendar(learner, at, until, status):
    response = learner.get(f"/api/review/?until={until}")
    assert response.status_code == status
    if status == 400:
        assert "ISO 8601" in response.content.decode()


def test_a_learner_sees_only_their_own_cards(learner, at):
    problem = make_choice_problem()
    answer(learner, problem, "1")
    stranger = APIClient()
    stranger.force_authenticate(make_user())
    assert stranger.get("/api/review/?until=2027-01-01T00:00:00Z").json()["count"] == 0
    assert APIClient().get("/api/review/").status_code in (401, 403)
    assert APIClient().get("/api/progress/").status_code in (401, 403)


def test_weak_areas_follow_the_evidence(learner, at):
    weak, strong = make_section("weak-section"), make_section("strong-section")
    for _ in range(3):
        answer(learner, make_choice_problem(section=weak), "1")
        answer(learner, make_choice_problem(section=strong), "2")
    body = learner.get("/api/progress/").json()
    areas = [(a["kind"], a["slug"]) for a in body["weak_areas"]]
    assert ("section", "weak-section") in areas
    assert ("section", "strong-section") not in areas
    rows = {row["slug"]: row for row in body["sections"]}
    assert rows["weak-section"]["first_try_correct"] == 0
    assert rows["strong-section"]["first_try_correct"] == 3
    assert rows["weak-section"]["retention"] < rows["strong-section"]["retention"]
    assert rows["weak-section"]["due"] == 0  # a minute has not passed yet
    weak_area = next(a for a in body["weak_areas"] if a["slug"] == "weak-section")
    assert len(weak_area["problems"]) == 3


def test_answers_in_a_quiz_become_reviews_once_when_it_is_finished(learner, at):
    from problems.models import Quiz, QuizItem
    from problems.services.answers import answer_create
    from problems.services.attempts import attempt_finish, attempt_start

    problems = [make_choice_problem() for _ in range(3)]
    quiz = Quiz.objects.create(
        course=problems[0].section.course, slug="q", title_ja="小テスト", title_en="Quiz"
    )
    for order, problem in enumerate(problems):
        QuizItem.objects.create(quiz=quiz, problem=problem, order=order)
    attempt = attempt_start(user=learner.user, quiz=quiz)
    answer_create(user=learner.user, problem=problems[0], response="1", attempt=attempt)
    answer_create(user=learner.user, problem=problems[1], response="2", attempt=attempt)
    assert ReviewLog.objects.count() == 0  # a quiz in progress schedules nothing
    attempt_finish(attempt=attempt)
    attempt_finish(attempt=attempt)  # a second click
    logs = ReviewLog.objects.order_by("problem_id")
    assert [(log.problem_id, log.correct) for log in logs] == [
        (problems[0].pk, False),
        (problems[1].pk, True),
    ]
    assert not Card.objects.filter(problem=problems[2]).exists()  # unanswered: no evidence
