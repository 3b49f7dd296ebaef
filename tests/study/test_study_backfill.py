"""Backfill: learners who answered before the learning loop get the cards the loop would have made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from problems.models import Answer, Attempt, Submission
from study import clock
from study.backfill import backfill
from study.models import Card, ReviewLog
from study.services import review_record
from tests.factories import (
    make_choice_problem,
    make_code_problem,
    make_graded_submission,
    make_quiz,
    make_user,
)

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
CARD_FIELDS = ("state", "step", "stability", "difficulty", "due_at", "reps", "lapses", "is_leech")


def _old_answer(user, problem, correct, at, attempt=None):
    """An answer recorded before `study` existed: no event, no card."""
    answer = Answer.objects.create(
        user=user,
        problem=problem,
        attempt=attempt,
        response=["2"] if correct else ["1"],
        is_correct=correct,
        score=int(correct),
        max_score=1,
    )
    Answer.objects.filter(pk=answer.pk).update(created_at=at)
    return answer


def _card(user, problem):
    return Card.objects.values(*CARD_FIELDS).get(user=user, problem=problem)


@pytest.mark.django_db
def test_replayed_history_ends_where_the_live_loop_would_have():
    # given: a learner's answers, a finished quiz and code submissions, recorded with no cards
    old, live = make_user(), make_user()
    choice, in_quiz, code = make_choice_problem(), make_choice_problem(), make_code_problem()
    history = [(choice, False, T0), (choice, True, T0 + timedelta(minutes=3))]
    history += [(choice, True, T0 + timedelta(days=2)), (choice, False, T0 + timedelta(days=9))]
    for problem, correct, at in history:
        _old_answer(old, problem, correct, at)
    attempt = Attempt.objects.create(
        user=old, quiz=make_quiz([in_quiz]), problem_order=[in_quiz.pk]
    )
    _old_answer(old, in_quiz, True, T0, attempt=attempt)
    Attempt.objects.filter(pk=attempt.pk).update(finished_at=T0 + timedelta(hours=1))
    for verdict, at in (("WA", T0), ("AC", T0 + timedelta(minutes=20))):
        submission = make_graded_submission(old, code, verdict=verdict)
        Submission.objects.filter(pk=submission.pk).update(finished_at=at)
    make_graded_submission(old, code, verdict="WA", visible_only=True)  # 実行 only: not graded
    assert not Card.objects.filter(user=old).exists()

    # when: the backfill runs
    report = backfill()

    # then: every card equals the one the live loop makes from the same events at the same times
    def live_review(problem, correct, at, source):
        with clock.frozen(at):
            review_record(user=live, problem=problem, correct=correct, source=source)

    for problem, correct, at in history:
        live_review(problem, correct, at, "answer")
    live_review(in_quiz, True, T0 + timedelta(hours=1), "quiz")
    live_review(code, False, T0, "submission")
    live_review(code, True, T0 + timedelta(minutes=20), "submission")
    for problem in (choice, in_quiz, code):
        assert _card(old, problem) == _card(live, problem)
    assert (report.cards, report.reviews, report.skipped_pairs) == (3, 7, 0)
    assert (
        ReviewLog.objects.filter(user=old, practice=True).count()
        == ReviewLog.objects.filter(user=live, practice=True).count()
    )


@pytest.mark.django_db
def test_running_it_again_or_after_the_loop_started_changes_nothing():
    user = make_user()
    replayed, scheduled = make_choice_problem(), make_choice_problem()
    _old_answer(user, replayed, True, T0)
    _old_answer(user, scheduled, False, T0)
    with clock.frozen(T0 + timedelta(days=1)):  # the loop already made this card
        review_record(user=user, problem=scheduled, correct=True, source="answer")
    before = _card(user, scheduled)

    first = backfill()
    second = backfill()

    assert (first.cards, first.reviews, first.skipped_pairs) == (1, 1, 1)
    assert (second.cards, second.reviews) == (0, 0)
    assert _card(user, scheduled) == before
    assert ReviewLog.objects.filter(user=user, problem=scheduled).count() == 1


@pytest.mark.django_db
def test_the_command_can_be_limited_to_learners_and_names_unknown_ones(capsys):
    alice, bob = make_user("alice"), make_user("bob")
    problem = make_choice_problem()
    _old_answer(alice, problem, True, T0)
    _old_answer(bob, problem, True, T0)

    call_command("study_backfill", "--user", "alice")

    assert "1 past events replayed into 1 new cards" in capsys.readouterr().out
    assert Card.objects.filter(user=alice).exists() and not Card.objects.filter(user=bob).exists()
    with pytest.raises(CommandError, match="No such user: carol"):
        call_command("study_backfill", "--user", "carol")
