"""Writes of the learning loop: a review per graded event, new cards, hints, bookmarks."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from problems.models import Attempt, Problem, Submission, SubmissionStatus, Verdict

from . import clock, scheduling
from .models import Bookmark, Card, HintUse, Rating, ReviewLog, ReviewSource, StudyPreferences


class Refused(Exception):
    """Something the learner may not do now (a hint, the model solution); the message says why,
    in the active language."""


def preferences_for(user: AbstractBaseUser) -> StudyPreferences:
    preferences, _ = StudyPreferences.objects.get_or_create(user=user)
    return preferences


def _card_locked(*, user: AbstractBaseUser, problem: Problem) -> Card:
    """The learner's card for `problem`, created if needed, locked for this transaction."""
    now = clock.now()
    try:
        with transaction.atomic():
            Card.objects.get_or_create(
                user=user, problem=problem, defaults={"due_at": now, "added_at": now}
            )
    except IntegrityError:  # created by a concurrent review a moment ago
        pass
    return Card.objects.select_for_update().get(user=user, problem=problem)


@transaction.atomic
def review_record(
    *,
    user: AbstractBaseUser,
    problem: Problem,
    correct: bool,
    source: str,
    confidence: str = "",
    dont_know: bool = False,
    gave_up: bool = False,
    duration: timedelta | None = None,
) -> ReviewLog:
    """Schedule the learner's card for `problem` after one graded event, and log it."""
    at = clock.now()
    card = _card_locked(user=user, problem=problem)
    hints = HintUse.objects.filter(user=user, problem=problem, counted=False)
    hints_used = hints.count()
    previous = card.reviews.order_by("-reviewed_at", "-id").first()
    after_failures = (
        source == ReviewSource.SUBMISSION
        and previous is not None
        and previous.source == ReviewSource.SUBMISSION
        and not previous.correct
    )
    rating = scheduling.rating_for(
        scheduling.Event(
            correct=correct,
            dont_know=dont_know,
            gave_up=gave_up,
            confidence=confidence,
            hints_used=hints_used,
            after_failures=after_failures,
            duration=duration,
        )
    )
    state_before, due_before = card.state, card.due_at
    first_review = card.introduced_at is None
    # A right answer before the card is due ("もう一度回答する" right after seeing the answer)
    # must not walk it through its learning steps in seconds: the first right answer after a
    # wrong one counts at most as Hard (which keeps it in its step), any further one is practice,
    # logged but not scheduled. A wrong answer always counts: it brings the card back sooner.
    practice = False
    if correct and not first_review and card.due_at > at:
        if previous is not None and not previous.correct and not previous.practice:
            rating = min(rating, Rating.HARD)
        else:
            practice = True
    if not practice:
        scheduling.review(card, rating, at)
        card.last_correct = correct
        if first_review:
            card.introduced_at = at
        card.save()
        hints.update(counted=True)
    return ReviewLog.objects.create(
        practice=practice,
        card=card,
        user=user,
        problem=problem,
        reviewed_at=at,
        source=source,
        correct=correct,
        rating=rating,
        confidence=confidence,
        dont_know=dont_know,
        hints_used=hints_used,
        first_review=first_review,
        state_before=state_before,
        due_before=due_before,
        due_after=card.due_at,
    )


# Failed submissions after which a code problem offers its model solution (解答を見る).
GIVE_UP_AFTER_FAILURES = 3


def failed_submissions(*, user: AbstractBaseUser, problem: Problem) -> int:
    """Graded submissions (hidden tests run) that were not accepted."""
    return (
        Submission.objects.filter(
            user=user, problem=problem, visible_only=False, status=SubmissionStatus.DONE
        )
        .exclude(verdict=Verdict.AC)
        .count()
    )


def give_up(*, user: AbstractBaseUser, problem: Problem) -> ReviewLog | None:
    """解答を見る: the learner reads the model solution; the problem is due again soon (Again).
    Once only: a second click (or a reload of the form) records nothing more."""
    if has_given_up(user=user, problem=problem):
        return None
    if failed_submissions(user=user, problem=problem) < GIVE_UP_AFTER_FAILURES:
        raise Refused(
            _("The model solution opens after %(n)d submissions that were not accepted.")
            % {"n": GIVE_UP_AFTER_FAILURES}
        )
    return review_record(
        user=user, problem=problem, correct=False, source=ReviewSource.GIVE_UP, gave_up=True
    )


def has_given_up(*, user: AbstractBaseUser, problem: Problem) -> bool:
    return ReviewLog.objects.filter(
        user=user, problem=problem, source=ReviewSource.GIVE_UP
    ).exists()


def cards_add(*, user: AbstractBaseUser, problems: list[Problem]) -> int:
    """学習する: add problems the learner has no card for as new cards; returns how many.

    New cards are not due at once: the review serves them up to the learner's daily limit.
    """
    now = clock.now()
    existing = set(
        Card.objects.filter(user=user, problem__in=problems).values_list("problem_id", flat=True)
    )
    fresh = [
        Card(user=user, problem=p, due_at=now, added_at=now)
        for p in problems
        if p.pk not in existing
    ]
    Card.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def _in_timed_exam(user: AbstractBaseUser, problem: Problem) -> bool:
    open_timed = Attempt.objects.filter(
        user=user, finished_at__isnull=True, deadline__gt=clock.now()
    )
    return any(problem.pk in attempt.problem_order for attempt in open_timed)


def hint_open(*, user: AbstractBaseUser, problem: Problem, n: int) -> str:
    """Hint `n` (from 1) of `problem`, recorded as used (the next review counts it).

    Hints come one at a time: hint n needs hint n - 1 read first. None during a timed exam.
    """
    count = len(problem.hints)
    if not count:
        raise Refused(_("This problem has no hints."))
    if not 1 <= n <= count:
        raise Refused(_("This problem has hints 1 to %(count)d.") % {"count": count})
    if _in_timed_exam(user, problem):
        raise Refused(_("Hints are not available during a timed exam."))
    if n > 1 and not HintUse.objects.filter(user=user, problem=problem, n=n - 1).exists():
        raise Refused(_("Read hint %(previous)d first.") % {"previous": n - 1})
    HintUse.objects.get_or_create(
        user=user, problem=problem, n=n, counted=False, defaults={"used_at": clock.now()}
    )
    return problem.hint_text(n)


def hints_read(*, user: AbstractBaseUser, problem: Problem) -> int:
    """How far up the ladder the learner has read (0 if no hint yet)."""
    levels = HintUse.objects.filter(user=user, problem=problem).values_list("n", flat=True)
    return max(levels, default=0)


def bookmark_toggle(*, user: AbstractBaseUser, problem: Problem) -> bool:
    """Bookmark the problem, or remove the bookmark; True if it is now bookmarked."""
    with transaction.atomic():
        # Toggles of one learner wait for each other on their row (a double-click sends two):
        # otherwise one deletes the bookmark another's get_or_create collided with, a 500.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        deleted, _ = Bookmark.objects.filter(user=user, problem=problem).delete()
        if deleted:
            return False
        Bookmark.objects.create(user=user, problem=problem, created_at=clock.now())
        return True


def new_cards_per_day_set(*, user: AbstractBaseUser, value: int) -> StudyPreferences:
    preferences = preferences_for(user)
    preferences.new_cards_per_day = value
    preferences.full_clean()
    preferences.save(update_fields=["new_cards_per_day"])
    return preferences
