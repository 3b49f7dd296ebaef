"""Writes of answers: checked by `problems.answers`, recorded here, announced (outside a quiz)
to the learning loop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from .. import events
from ..answers import AnswerFormatError, AnswerOutcome, check_answer
from ..models import Answer, Attempt, Problem
from ..parameterised import params_record, problem_for_occurrence
from ..roles import User
from ..variants import occurrence_check, occurrence_for
from ..variants import variant_record as occurrence_record


class AnswerRejected(AnswerFormatError):
    """An answer that is well formed but may not be given now; the message says why."""


def _check_attempt(*, user: User, problem: Problem, attempt: Attempt | None) -> None:
    if attempt is None:
        # The answer page would tell the answer of a question still open in a quiz.
        open_attempts = Attempt.objects.filter(user=user, finished_at__isnull=True)
        if any(problem.pk in a.problem_order and a.is_open() for a in open_attempts):
            raise AnswerRejected(
                _(
                    "This problem is part of your quiz in progress; answer it there, or finish the quiz first."
                )
            )
        return
    if attempt.user_id != user.pk:
        raise AnswerRejected(_("This attempt belongs to another learner."))
    if attempt.finished_at is not None:
        raise AnswerRejected(_("This attempt is finished; start a new one to answer again."))
    if not attempt.is_open():
        raise AnswerRejected(
            _(
                "Time is up for this quiz; answers after the deadline do not count. Open the review to see your results."
            )
        )
    if problem.pk not in attempt.problem_order:
        raise AnswerRejected(_("This problem is not part of the attempt's quiz."))


CONFIDENCE_LEVELS = ("high", "low")


def _variant(
    problem: Problem,
    shown: Problem,
    *,
    user: User,
    attempt: Attempt | None,
    checked: Any,
    current: Any,
) -> dict:
    """`Answer.variant`: the occurrence, its choice order and a parameterised problem's numbers.

    The answer was checked against `checked`'s numbers before the lock; another answer in
    between (a second tab) made `current` another occurrence, with other numbers."""
    if problem.is_parameterised and current.key != checked.key:
        # refused as stale, with its sentence
        occurrence_check(user=user, problem=problem, attempt=attempt, posted=checked.key)
    # the choice order of the choices this variant shows
    return {**occurrence_record(problem=shown, occurrence=current), **params_record(shown)}


def answer_create(
    *,
    user: User,
    problem: Problem,
    response: Any,
    attempt: Attempt | None = None,
    confidence: str = "",
    dont_know: bool = False,
    duration: timedelta | None = None,
    occurrence: str | None = None,
) -> tuple[Answer, AnswerOutcome]:
    """Check and record an answer. Inside an attempt, answering again replaces the earlier answer.

    `occurrence` is the key of the occurrence the page or client showed (problems.variants);
    one that is no longer the learner's current one is refused (StaleOccurrence), None is
    taken as the current one. What the learner saw (the choice order) is recorded with it.

    `dont_know` ("わからない") records a wrong answer without a guess; `confidence` is "high",
    "low" or "". Outside a quiz the answer is announced (problems.events.answer_recorded), in
    the same transaction, to the learning loop; `duration` (client-measured) goes with it.
    """
    if confidence not in ("", *CONFIDENCE_LEVELS):
        raise AnswerRejected(_('Confidence must be "high" or "low" (or left out).'))
    # a parameterised problem is checked against the learner's own variant (its numbers)
    checked = occurrence_for(user=user, problem=problem, attempt=attempt)
    shown = problem_for_occurrence(problem, checked)
    if dont_know:
        if problem.is_code:
            check_answer(problem, "")  # raises the "submit code instead" sentence
        outcome = AnswerOutcome(correct=False, score=0, max_score=problem.points, response="")
    else:
        outcome = check_answer(shown, response)
    _check_attempt(user=user, problem=problem, attempt=attempt)
    fields = {
        "user": user,
        "response": outcome.response,
        "confidence": confidence,
        "dont_know": dont_know,
        "is_correct": outcome.correct,
        "score": outcome.score,
        "max_score": outcome.max_score,
    }
    if attempt is None:
        with transaction.atomic():
            # the practice occurrence is the count of earlier answers: two answers at once
            # must not both pass the check for the same one
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            current = occurrence_check(user=user, problem=problem, posted=occurrence)
            fields["variant"] = _variant(
                problem, shown, user=user, attempt=attempt, checked=checked, current=current
            )
            answer = Answer.objects.create(problem=problem, attempt=None, **fields)
            events.announce(events.answer_recorded, sender=Answer, answer=answer, duration=duration)
        return answer, outcome
    with transaction.atomic():
        # answers to one attempt wait for each other on its row (a double-click sends two):
        # the last one replaces the others instead of colliding on answer_once_per_attempt
        Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
        current = occurrence_check(user=user, problem=problem, attempt=attempt, posted=occurrence)
        fields["variant"] = _variant(
            problem, shown, user=user, attempt=attempt, checked=checked, current=current
        )
        attempt.answers.filter(problem=problem).delete()
        answer = Answer.objects.create(problem=problem, attempt=attempt, **fields)
    return answer, outcome
