"""Writes. Every state change of learner data goes through one function here."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import events
from .answers import AnswerFormatError, AnswerOutcome, check_answer
from .models import Answer, Attempt, Problem, Quiz, Submission, SubmissionStatus
from .parameterised import params_record, problem_for_occurrence
from .selectors import problem_version_for_grading
from .variants import occurrence_check, occurrence_for
from .variants import variant_record as occurrence_record


class SubmissionRejected(ValidationError):
    """A submission that cannot be accepted; the message says what to change."""

    def __init__(self, message: str, *, status_code: int = 400):
        super().__init__(message)
        self.status_code = status_code


class AnswerRejected(AnswerFormatError):
    """An answer that is well formed but may not be given now; the message says why."""


def attempt_is_open(attempt: Attempt, *, now=None) -> bool:
    """Unfinished and, if timed, not past its deadline (and the grace)."""
    return attempt.is_open(now=now)


def _check_attempt(*, user, problem: Problem, attempt: Attempt | None) -> None:
    if attempt is None:
        # The answer page would tell the answer of a question still open in a quiz.
        open_attempts = Attempt.objects.filter(user=user, finished_at__isnull=True)
        if any(problem.pk in a.problem_order and attempt_is_open(a) for a in open_attempts):
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
    if not attempt_is_open(attempt):
        raise AnswerRejected(
            _(
                "Time is up for this quiz; answers after the deadline do not count. Open the review to see your results."
            )
        )
    if problem.pk not in attempt.problem_order:
        raise AnswerRejected(_("This problem is not part of the attempt's quiz."))


CONFIDENCE_LEVELS = ("high", "low")


def _variant(problem: Problem, shown: Problem, *, user, attempt, checked, current) -> dict:
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
    user,
    problem: Problem,
    response,
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


def _draw(pool: list[tuple[int, int]], count: int, rng: random.Random) -> list[int]:
    """`count` problem ids from `pool` ((problem id, section id) pairs): each section's share in
    proportion to its size (largest remainders first), every section at least once when `count`
    allows, then drawn at random within the section."""
    if count >= len(pool):
        return [problem_id for problem_id, _ in pool]
    by_section: dict[int, list[int]] = {}
    for problem_id, section_id in pool:
        by_section.setdefault(section_id, []).append(problem_id)
    quotas = {s: count * len(ids) / len(pool) for s, ids in by_section.items()}
    floor_one = 1 if count >= len(by_section) else 0
    shares = {s: max(int(q), floor_one) for s, q in quotas.items()}
    while sum(shares.values()) > count:  # the floor of one took too many: trim the largest
        shares[max(shares, key=lambda s: (shares[s], s))] -= 1
    by_remainder = sorted(by_section, key=lambda s: (quotas[s] - int(quotas[s]), s), reverse=True)
    while sum(shares.values()) < count:  # count < len(pool): some section has room
        for s in by_remainder:
            if sum(shares.values()) < count and shares[s] < len(by_section[s]):
                shares[s] += 1
    return [pk for s, ids in by_section.items() for pk in rng.sample(ids, shares[s])]


def attempt_start(*, user, quiz: Quiz) -> Attempt:
    """A new attempt: a quiz with `draw_count` draws its questions afresh from its pool, spread
    over its sections; the seed is recorded so the draw can be explained later."""
    pool = list(
        quiz.items.filter(problem__is_published=True)
        .order_by("order")
        .values_list("problem_id", "problem__section_id")
    )
    seed = random.SystemRandom().randrange(2**62)
    rng = random.Random(seed)
    if quiz.draw_count:
        drawn = set(_draw(pool, quiz.draw_count, rng))
        problem_ids = [problem_id for problem_id, _ in pool if problem_id in drawn]
    else:
        problem_ids = [problem_id for problem_id, _ in pool]
    if quiz.shuffle:
        rng.shuffle(problem_ids)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = timezone.now() + timedelta(minutes=quiz.time_limit_minutes)
    max_score = sum(Problem.objects.filter(pk__in=problem_ids).values_list("points", flat=True))
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        problem_order=problem_ids,
        deadline=deadline,
        max_score=max_score,
        seed=seed,
    )


def attempt_flag_toggle(*, attempt: Attempt, problem: Problem) -> bool:
    """Mark a question of an open attempt to look at again, or unmark it; True if now marked."""
    if problem.pk not in attempt.problem_order:
        raise AnswerRejected(_("This problem is not part of the attempt's quiz."))
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.finished_at is not None:
            raise AnswerRejected(_("This attempt is finished; start a new one to answer again."))
        flagged = [pk for pk in locked.flagged if pk != problem.pk]
        if len(flagged) == len(locked.flagged):
            flagged.append(problem.pk)
        locked.flagged = flagged
        locked.save(update_fields=["flagged"])
    attempt.flagged = flagged
    return problem.pk in flagged


def attempt_finish(*, attempt: Attempt) -> Attempt:
    with transaction.atomic():
        # two "finish" clicks: the second waits, then finds it finished and announces nothing
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.finished_at is None:
            locked.score = sum(locked.answers.values_list("score", flat=True))
            locked.finished_at = timezone.now()
            locked.save(update_fields=["score", "finished_at"])
            events.announce(events.attempt_finished, sender=Attempt, attempt=locked)
        attempt.score, attempt.finished_at = locked.score, locked.finished_at
    return attempt


def attempt_abandon(*, attempt: Attempt) -> Attempt | None:
    """Give up a quiz in progress, which frees its problems' own pages.

    With answers, it is finished as it stands (as "finish" does: graded, reviewed, and the
    questions left blank count as unanswered); with none, it is deleted, as if never started,
    so that an empty attempt adds no 0 % to the learner's history. Returns the finished
    attempt, or None when it was deleted (or already gone: a second click).
    """
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().filter(pk=attempt.pk).first()
        if locked is None:
            return None
        if locked.finished_at is None and not locked.answers.exists():
            locked.delete()
            return None
        return attempt_finish(attempt=attempt)


def _validate_code(code: object) -> str:
    if not isinstance(code, str):
        raise SubmissionRejected(_('Send the code as a JSON string in the field "code".'))
    if "\x00" in code:
        raise SubmissionRejected(
            _("The code contains a NUL byte; remove it and submit plain text.")
        )
    try:
        size = len(code.encode("utf-8"))
    except UnicodeEncodeError:
        raise SubmissionRejected(
            _("The code is not valid UTF-8 text; save it as UTF-8 and resubmit.")
        ) from None
    limit = settings.SUBMISSION_MAX_CODE_BYTES
    if size > limit:
        raise SubmissionRejected(
            _("The code is %(size)d KiB; the limit is %(limit)d KiB. Shorten it.")
            % {"size": round(size / 1024), "limit": limit // 1024},
            status_code=413,
        )
    if not code.strip():
        raise SubmissionRejected(_("The code is empty; write your solution and submit it."))
    return code


def submission_create(
    *, user, problem: Problem, code: object, visible_only: bool = False
) -> Submission:
    """Write the row (`queued`) and ring the queue after the transaction commits.

    Identical code for the same version of the problem while an earlier copy is still in
    flight returns that submission instead of grading it twice."""
    from .pipeline import submission_dispatch

    code = _validate_code(code)
    if not problem.is_code:
        raise SubmissionRejected(
            _("This problem takes an answer, not code; post to its answers endpoint.")
        )
    version = problem_version_for_grading(problem=problem)
    if version is None:
        raise SubmissionRejected(_("This problem has no gradable version yet."), status_code=409)
    limit = settings.SUBMISSIONS_IN_FLIGHT_PER_USER
    with transaction.atomic():
        # Lock the learner's row so two concurrent requests cannot both pass the limit.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        in_flight = Submission.objects.filter(
            user=user, status__in=[SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]
        )
        duplicate = (
            in_flight.filter(problem_version=version, code=code, visible_only=visible_only)
            .order_by("-id")
            .first()
        )
        if duplicate is not None:
            # The same code still being graded (a double-click, a resent request): the same
            # submission, not a second grading of it.
            return duplicate
        in_flight = in_flight.count()
        if in_flight >= limit:
            raise SubmissionRejected(
                _(
                    "You have %(count)d submissions still being graded; wait for one to finish "
                    "(the limit is %(limit)d at a time)."
                )
                % {"count": in_flight, "limit": limit},
                status_code=429,
            )
        submission = Submission.objects.create(
            user=user,
            problem=problem,
            problem_version=version,
            code=code,
            visible_only=visible_only,
        )
        transaction.on_commit(lambda: submission_dispatch(submission_id=submission.pk))
    return submission
