"""The life of a code submission after its row is written.

queued --claim--> running --finish--> done | error
   ^                  |
   +---- sweep -------+   (lease expired: the worker died or the message was lost)

The database row is the source of truth; a queue message only says "look at row N".
Claiming and finishing are conditional updates, so a second delivery changes nothing.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from engine.grading import deliberate_shutdown

from . import events, grading
from .background import GRADE_SUBMISSION, run_in_background
from .models import Submission, SubmissionStatus, Verdict
from .notify import submission_changed
from .progress import SubmissionProgress

logger = logging.getLogger(__name__)

OUTPUT_KEEP_CHARS = 16 * 1024


def submission_dispatch(*, submission_id: int, queue: str | None = None) -> None:
    """Ring the doorbell for one submission; called after the row is committed. `queue`: its
    version's, when the caller has it at hand (otherwise read)."""
    if queue is None:
        queue = (
            Submission.objects.filter(pk=submission_id)
            .values_list("problem_version__queue", flat=True)
            .first()
        )
    run_in_background(
        task_name=GRADE_SUBMISSION,
        function=_grade_by_id,
        object_id=submission_id,
        queue=queue or "grading",
    )


def _grade_by_id(submission_id: int) -> None:
    submission_grade(submission_id=submission_id)


def submission_claim(*, submission_id: int) -> Submission | None:
    """queued → running, attempts + 1, with a lease. None if someone else has it or it is finished,
    or if it has crashed its worker GRADING_MAX_ATTEMPTS times (it ends as IE),
    or if its learner already has a submission running: one job per learner at a time, so one
    learner's slow submissions cannot take every grading slot while others wait. A deferred
    submission stays queued and is rung when its learner's running one finishes."""
    row = (
        Submission.objects.filter(pk=submission_id, status=SubmissionStatus.QUEUED)
        .values_list("user_id", "attempts")
        .first()
    )
    if row is None:
        return None
    user_id, attempts = row
    if attempts >= settings.GRADING_MAX_ATTEMPTS:
        _give_up_if_poison(submission_id=submission_id)
        return None
    now = timezone.now()
    lease = now + timedelta(seconds=settings.GRADING_LEASE_SECONDS)
    learner_busy = Submission.objects.filter(
        user_id=OuterRef("user_id"), status=SubmissionStatus.RUNNING, lease_expires_at__gt=now
    )
    with transaction.atomic():
        # Claims of one learner's submissions take turns on the learner's row (PostgreSQL).
        list(get_user_model().objects.select_for_update().filter(pk=user_id).values("pk"))
        claimed = (
            Submission.objects.filter(pk=submission_id, status=SubmissionStatus.QUEUED)
            .exclude(Exists(learner_busy))
            .update(
                status=SubmissionStatus.RUNNING,
                attempts=F("attempts") + 1,
                lease_expires_at=lease,
                started_at=now,
                updated_at=now,
            )
        )
    if not claimed:
        return None
    submission_changed(submission_id)
    # The version's validation report is read only when its decoded records are not cached.
    return (
        Submission.objects.select_related("problem_version", "problem", "user")
        .defer("problem_version__validation")
        .get(pk=submission_id)
    )


def _truncate(text: str) -> str:
    if len(text) <= OUTPUT_KEEP_CHARS:
        return text
    return text[:OUTPUT_KEEP_CHARS] + "\n… (output truncated)"


def _json_safe(value):
    """NaN and infinities are not JSON PostgreSQL accepts; results carry them as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def submission_finish(*, submission: Submission, result: dict) -> bool:
    """Write the verdict once. False if the claim was lost (another worker took over)."""
    verdict = result["verdict"]
    status = SubmissionStatus.ERROR if verdict == Verdict.IE else SubmissionStatus.DONE
    now = timezone.now()
    values = {
        "status": status,
        "verdict": verdict,
        "score": max(0.0, min(float(result.get("score", 0)), float(result.get("max_score", 0)))),
        "max_score": max(0.0, float(result.get("max_score", 0))),
        "tests": _json_safe(result.get("tests", [])),
        "stdout": _truncate(result.get("stdout", "")),
        "stderr": _truncate(result.get("stderr", "")),
        "message": result.get("message", ""),
        "message_data": _json_safe(result.get("message_data")),
        "diagnosis": result.get("diagnosis"),
        "finished_at": now,
        "lease_expires_at": None,
        "updated_at": now,
    }
    with transaction.atomic():
        updated = Submission.objects.filter(
            pk=submission.pk, status=SubmissionStatus.RUNNING, attempts=submission.attempts
        ).update(**values)
        if updated:
            # What was just written, without reading it back (nor its user and problem again).
            for name, value in values.items():
                setattr(submission, name, value)
        if updated and status == SubmissionStatus.DONE and not submission.visible_only:
            events.announce(events.submission_graded, sender=Submission, submission=submission)
    if updated:
        submission_changed(submission.pk)
    return bool(updated)


def submission_grade(*, submission_id: int) -> None:
    """Claim, grade through the engine (and its sandbox), finish. Idempotent per delivery."""
    submission = submission_claim(submission_id=submission_id)  # gives up on a poison one
    if submission is None:
        return
    spec = submission.problem_version.engine_spec
    hidden = not submission.visible_only and any(t.get("hidden") for t in spec.get("tests", []))
    progress = SubmissionProgress(submission.pk, submission.attempts, hidden_follows=hidden)
    try:
        result = grading.grade_code(
            spec=spec,
            code=submission.code,
            visible_only=submission.visible_only,
            seed=grading.hidden_tests_seed(submission_id=submission.pk),
            known=grading.known_outputs_for_version(version=submission.problem_version),
            progress=progress,
        )
    except BaseException as error:  # the engine's fault, never the learner's (SystemExit too)
        if deliberate_shutdown(error):
            raise
        logger.exception("engine failed on submission %s", submission_id)
        result = {
            "verdict": Verdict.IE,
            "score": 0,
            "tests": [],
            "message": f"The grader failed ({type(error).__name__}); this is not your fault. "
            "The team has been told; please resubmit later.",
        }
    submission_finish(submission=submission, result=result)
    progress.close()
    _ring_deferred(user_id=submission.user_id)


def _ring_deferred(*, user_id: int) -> None:
    """The learner's turn is over: ring their oldest queued submission, which a claim may have
    deferred (its own message may still come too; the second to arrive finds nothing to claim).
    Graded one at a time (`sync`), nothing can have been deferred."""
    if settings.GRADING_BACKEND == "sync":
        return
    waiting = (
        Submission.objects.filter(user_id=user_id, status=SubmissionStatus.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if waiting is not None:
        submission_dispatch(submission_id=waiting)


def _give_up_if_poison(*, submission_id: int) -> None:
    """A submission that has killed its worker GRADING_MAX_ATTEMPTS times ends as IE."""
    now = timezone.now()
    Submission.objects.filter(
        pk=submission_id,
        status=SubmissionStatus.QUEUED,
        attempts__gte=settings.GRADING_MAX_ATTEMPTS,
    ).update(
        status=SubmissionStatus.ERROR,
        verdict=Verdict.IE,
        score=0,
        message=(
            f"Grading stopped after {settings.GRADING_MAX_ATTEMPTS} attempts that each crashed "
            "the grader. This is an internal error, not a verdict on your code; the team has been told."
        ),
        finished_at=now,
        lease_expires_at=None,
        updated_at=now,
    )


def submissions_sweep(*, now=None, stale_queued_seconds: int = 60) -> list[int]:
    """Requeue rows whose lease expired (or queued too long) and ring again. Returns their ids."""
    now = now or timezone.now()
    expired_running = Q(status=SubmissionStatus.RUNNING, lease_expires_at__lt=now)
    stale_queued = Q(
        status=SubmissionStatus.QUEUED, updated_at__lt=now - timedelta(seconds=stale_queued_seconds)
    )
    requeued: list[int] = []
    for pk in Submission.objects.filter(expired_running | stale_queued).values_list(
        "pk", flat=True
    ):
        moved = (
            Submission.objects.filter(pk=pk)
            .filter(expired_running | stale_queued)
            .update(status=SubmissionStatus.QUEUED, lease_expires_at=None, updated_at=now)
        )
        if moved:
            _give_up_if_poison(submission_id=pk)
            requeued.append(pk)
    for pk in requeued:
        if Submission.objects.filter(pk=pk, status=SubmissionStatus.QUEUED).exists():
            submission_dispatch(submission_id=pk)
    return requeued
