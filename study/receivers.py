"""Graded events from `problems` become reviews (docs/learning.md, "What counts as a review")."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from problems import events
from problems.models import Verdict

from .models import ReviewSource
from .services import review_record


@receiver(events.answer_recorded, dispatch_uid="study-answer")
@transaction.atomic
def answer_reviewed(*, answer, duration=None, **_):
    """An answer outside a quiz: a review at once."""
    review_record(
        user=answer.user,
        problem=answer.problem,
        correct=answer.is_correct,
        source=ReviewSource.ANSWER,
        confidence=answer.confidence,
        dont_know=answer.dont_know,
        duration=duration,
    )


@receiver(events.attempt_finished, dispatch_uid="study-attempt")
@transaction.atomic
def attempt_reviewed(*, attempt, **_):
    """A finished quiz or mock exam: each answer in it is a review, once, when it is final."""
    for answer in attempt.answers.select_related("problem", "user").order_by("id"):
        review_record(
            user=answer.user,
            problem=answer.problem,
            correct=answer.is_correct,
            source=ReviewSource.QUIZ,
            confidence=answer.confidence,
            dont_know=answer.dont_know,
        )


@receiver(events.submission_graded, dispatch_uid="study-submission")
@transaction.atomic
def submission_reviewed(*, submission, **_):
    """A code submission that ran the hidden tests: accepted or not."""
    review_record(
        user=submission.user,
        problem=submission.problem,
        correct=submission.verdict == Verdict.AC,
        source=ReviewSource.SUBMISSION,
    )
