"""Scheduling with a fixed clock: the rating map, leeches, new cards a day, the learner's day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from problems.models import Submission, SubmissionStatus
from problems.services.answers import answer_create
from study import clock, scheduling
from study.models import Card, CardState, HintUse, Rating, ReviewLog, StudyPreferences
from study.scheduling import Event, rating_for
from study.selectors import forecast, learner_day_start, review_due, review_queue, streak
from study.services import cards_add, hint_open, review_record
from tests.factories import make_choice_problem, make_user

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo


@pytest.mark.parametrize(
    ("event", "rating"),
    [
        (Event(correct=False), Rating.AGAIN),
        (Event(correct=False, confidence="high"), Rating.AGAIN),
        (Event(correct=True, dont_know=True), Rating.AGAIN),
        (Event(correct=True, gave_up=True), Rating.AGAIN),
        (Event(correct=True, hints_used=1), Rating.HARD),
        (Event(correct=True, confidence="low"), Rating.HARD),
        (Event(correct=True, after_failures=True), Rating.HARD),
        (Event(correct=True), Rating.GOOD),
        (Event(correct=True, confidence="high"), Rating.GOOD),  # confident but not timed
        (Event(correct=True, confidence="high", duration=timedelta(seconds=60)), Rating.GOOD),
        (Event(correct=True, confidence="high", duration=timedelta(seconds=8)), Rating.EASY),
        (Event(correct=True, duration=timedelta(seconds=8)), Rating.GOOD),  # quick, not sure
        (Event(correct=True, confidence="high", hints_used=2, duration=timedelta(1)), Rating.HARD),
    ],
)
def test_the_rating_map(event, rating):
    assert rating_for(event) == rating


def _review(user, problem, correct, at, **kwargs):
    with clock.frozen(at):
        return review_record(user=user, problem=problem, correct=correct, source="answer", **kwargs)


@pytest.mark.django_db
def test_six_lapses_make_a_leech_served_first():
    user, leech, other = make_user(), make_choice_problem(), make_choice_problem()
    at = T0
    _review(user, other, False, at)

    def card():
        return Card.objects.filter(user=user, problem=leech).first()

    for lapse in range(scheduling.LEECH_LAPSES):
        # learn it: right at each due time until it is out of the (re)learning steps
        while card() is None or card().state != CardState.REVIEW:
            at = max(at, card().due_at) if card() else at
            _review(user, leech, True, at)
        assert not card().is_leech
        # then forget it at its due date
        at = card().due_at
        _review(user, leech, False, at)
        assert card().lapses == lapse + 1
    card = Card.objects.get(user=user, problem=leech)
    assert card.is_leech
    with clock.frozen(at + timedelta(hours=1)):
        queue = review_queue(user=user)
    assert [d.reason for d in queue][:2] == ["leech", "mistake"]
    assert queue[0].slug == leech.slug


@pytest.mark.django_db
def test_new_cards_are_served_up_to_the_daily_limit():
    user = make_user()
    StudyPreferences.objects.create(user=user, new_cards_per_day=3)
    problems = [make_choice_problem() for _ in range(5)]
    with clock.frozen(T0):
        assert cards_add(user=user, problems=problems) == 5
        assert cards_add(user=user, problems=problems) == 0  # added once
        first = review_due(user=user)
    assert [d.reason for d in first] == ["new"] * 3
    # two of them reviewed today: one more new card is left for today
    _review(user, problems[0], True, T0 + timedelta(minutes=1))
    _review(user, problems[1], True, T0 + timedelta(minutes=1))
    with clock.frozen(T0 + timedelta(minutes=2)):
        assert [d.reason for d in review_due(user=user)] == ["new"]
    # the learner's next day (Tokyo midnight is 15:00 UTC) gives three again
    with clock.frozen(datetime(2026, 12, 3, 15, 30, tzinfo=UTC)):
        assert [d.reason for d in review_due(user=user)].count("new") == 3


@pytest.mark.django_db
def test_never_attempted_problems_are_not_due():
    user = make_user()
    make_choice_problem()
    with clock.frozen(T0 + timedelta(days=30)):
        assert review_due(user=user) == []


@pytest.mark.django_db
def test_a_day_is_the_learners_day():
    user = make_user()
    late_evening_utc = datetime(2026, 12, 3, 14, 59, tzinfo=UTC)  # 23:59 in Tokyo
    after_midnight = datetime(2026, 12, 3, 15, 1, tzinfo=UTC)  # 00:01 next day in Tokyo
    assert learner_day_start(user, late_evening_utc).date().isoformat() == "2026-12-03"
    assert learner_day_start(user, after_midnight).date().isoformat() == "2026-12-04"
    StudyPreferences.objects.create(user=user, time_zone="UTC")
    user = type(user).objects.get(pk=user.pk)  # preferences are read once per user object
    assert learner_day_start(user, after_midnight).date().isoformat() == "2026-12-03"


@pytest.mark.django_db
def test_a_streak_counts_the_learners_days_with_a_review():
    user, problem = make_user(), make_choice_problem()
    for day in range(3):
        _review(user, problem, True, T0 + timedelta(days=day))
    with clock.frozen(T0 + timedelta(days=2, hours=1)):
        assert streak(user=user) == 3
    with clock.frozen(T0 + timedelta(days=4)):
        assert streak(user=user) == 0


@pytest.mark.django_db
def test_the_forecast_counts_overdue_cards_today():
    user, problem = make_user(), make_choice_problem()
    _review(user, problem, False, T0)
    with clock.frozen(T0 + timedelta(days=3)):
        days = forecast(user=user)
    assert days[0] == {"date": "2026-12-06", "due": 1}
    assert sum(d["due"] for d in days) == 1


@pytest.mark.django_db
def test_a_hint_read_makes_a_right_answer_hard_once():
    user = make_user()
    problem = make_choice_problem(hints=[{"ja": "ヒント", "en": "A hint"}])
    with clock.frozen(T0):
        hint_open(user=user, problem=problem, n=1)
        hint_open(user=user, problem=problem, n=1)  # read twice: one use
    assert _review(user, problem, True, T0).rating == Rating.HARD
    assert HintUse.objects.get().counted
    assert _review(user, problem, True, T0 + timedelta(minutes=10)).rating == Rating.GOOD


@pytest.mark.django_db
def test_code_accepted_after_a_failed_submission_is_hard():
    from problems import events
    from problems.models import Verdict
    from tests.factories import make_code_problem

    user, problem = make_user(), make_code_problem()
    version = problem.versions.get()
    with clock.frozen(T0):
        for verdict in (Verdict.WA, Verdict.AC, Verdict.AC):
            submission = Submission.objects.create(
                user=user,
                problem=problem,
                problem_version=version,
                code="def double(x):\n    return 2 * x\n",
                status=SubmissionStatus.DONE,
                verdict=verdict,
            )
            events.announce(events.submission_graded, sender=Submission, submission=submission)
    ratings = list(ReviewLog.objects.order_by("id").values_list("rating", flat=True))
    assert ratings == [Rating.AGAIN, Rating.HARD, Rating.GOOD]


@pytest.mark.django_db
def test_a_failing_listener_never_costs_the_learner_the_answer(monkeypatch):
    import study.receivers

    def broken(**kwargs):
        raise RuntimeError("scheduler down")

    monkeypatch.setattr(study.receivers, "review_record", broken)
    user, problem = make_user(), make_choice_problem()
    with clock.frozen(T0):
        answer, outcome = answer_create(user=user, problem=problem, response="2")
    assert outcome.correct and answer.pk
    assert not Card.objects.exists() and not ReviewLog.objects.exists()


@pytest.mark.django_db
def test_the_header_count_is_the_length_of_the_review_queue():
    user = make_user()
    StudyPreferences.objects.create(user=user, new_cards_per_day=2)
    problems = [make_choice_problem() for _ in range(8)]
    with clock.frozen(T0):
        cards_add(user=user, problems=problems[:3])
    _review(user, problems[3], False, T0)  # a mistake, due in a minute
    _review(user, problems[4], True, T0)  # in the learning steps, due in ten minutes
    for k in (5, 6):  # learned: due in days
        _review(user, problems[k], True, T0)
        _review(user, problems[k], True, T0 + timedelta(minutes=10))
    for minutes in (0, 2, 12, 60 * 24 * 3):
        with clock.frozen(T0 + timedelta(minutes=minutes)):
            from study.selectors import review_count

            assert review_count(user=user) == len(review_queue(user=user)), minutes
