"""Cards for what learners did before the learning loop existed (or while it was switched off).

The receivers in `study.receivers` schedule a card at each graded event as it happens. A site that
had learners before `study` was installed holds their answers, finished quizzes and graded
submissions but no cards, so 今日の復習 would start empty and the progress page would call every
learner new. `backfill()` replays those events in the order they happened, each at its own time
(`clock.frozen`), through the same `review_record` the receivers use: the cards end where they
would be had the loop been running all along.

Only (learner, problem) pairs that have no card yet are replayed, so running it twice, or after
the loop has started scheduling, changes nothing that exists. Hints and bookmarks have no history
to replay; give-ups (解答を見る) did not exist before the loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from problems.models import Answer, Problem, Submission, SubmissionStatus, Verdict

from . import clock
from .models import Card, ReviewSource
from .services import review_record


@dataclass(order=True, frozen=True)
class _Event:
    at: datetime
    order: int  # ties: answers before submissions, then by id
    user_id: int = field(compare=False)
    problem_id: int = field(compare=False)
    correct: bool = field(compare=False)
    source: str = field(compare=False)
    confidence: str = field(compare=False, default="")
    dont_know: bool = field(compare=False, default=False)


def _answers(user_ids) -> Iterator[_Event]:
    answers = Answer.objects.filter(Q(attempt__isnull=True) | Q(attempt__finished_at__isnull=False))
    if user_ids is not None:
        answers = answers.filter(user_id__in=user_ids)
    rows = answers.values_list(
        "id",
        "user_id",
        "problem_id",
        "is_correct",
        "confidence",
        "dont_know",
        "created_at",
        "attempt_id",
        "attempt__finished_at",
    ).order_by("id")
    for (
        pk,
        user_id,
        problem_id,
        correct,
        confidence,
        dont_know,
        created,
        attempt_id,
        finished,
    ) in rows.iterator():
        # a quiz answer counts when the attempt was finished, as the receiver does
        yield _Event(
            at=finished if attempt_id is not None else created,
            order=pk * 2,
            user_id=user_id,
            problem_id=problem_id,
            correct=correct,
            source=ReviewSource.QUIZ if attempt_id is not None else ReviewSource.ANSWER,
            confidence=confidence,
            dont_know=dont_know,
        )


def _submissions(user_ids) -> Iterator[_Event]:
    graded = Submission.objects.filter(
        status=SubmissionStatus.DONE, visible_only=False, finished_at__isnull=False
    )
    if user_ids is not None:
        graded = graded.filter(user_id__in=user_ids)
    rows = graded.values_list("id", "user_id", "problem_id", "verdict", "finished_at")
    for pk, user_id, problem_id, verdict, finished in rows.order_by("id").iterator():
        yield _Event(
            at=finished,
            order=pk * 2 + 1,
            user_id=user_id,
            problem_id=problem_id,
            correct=verdict == Verdict.AC,
            source=ReviewSource.SUBMISSION,
        )


@dataclass
class Backfilled:
    cards: int = 0
    reviews: int = 0
    skipped_pairs: int = 0  # (learner, problem) pairs that already had a card


def backfill(*, user_ids: list[int] | None = None) -> Backfilled:
    """Replay past graded events into cards for pairs without one (all learners by default)."""
    users = {u.pk: u for u in get_user_model().objects.filter(**_only(user_ids))}
    had_card = set(
        Card.objects.filter(**_only(user_ids, "user_id")).values_list("user_id", "problem_id")
    )
    problems: dict[int, Problem] = {}
    report = Backfilled()
    skipped: set[tuple[int, int]] = set()
    for event in sorted([*_answers(user_ids), *_submissions(user_ids)]):
        pair = (event.user_id, event.problem_id)
        if pair in had_card:
            skipped.add(pair)
            continue
        if event.problem_id not in problems:
            problems[event.problem_id] = Problem.objects.get(pk=event.problem_id)
        with clock.frozen(event.at), transaction.atomic():
            review_record(
                user=users[event.user_id],
                problem=problems[event.problem_id],
                correct=event.correct,
                source=event.source,
                confidence=event.confidence,
                dont_know=event.dont_know,
            )
        report.reviews += 1
    report.cards = Card.objects.filter(**_only(user_ids, "user_id")).count() - len(had_card)
    report.skipped_pairs = len(skipped)
    return report


def _only(user_ids, name: str = "pk") -> dict:
    return {} if user_ids is None else {f"{name}__in": user_ids}
