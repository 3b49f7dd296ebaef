"""Author actions: regrading submissions, validating versions in the background, publishing and
unpublishing problems. The admin calls these; nothing writes around them."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..background import VALIDATE_VERSION, run_in_background
from ..models import (
    GradingRecord,
    Problem,
    ProblemKind,
    ProblemVersion,
    RegradeBatch,
    Submission,
    SubmissionStatus,
)
from ..pipeline import submission_dispatch
from ..roles import User
from ..selectors.content import problem_version_for_grading
from ..validation import validate_version_by_id
from ..validation_progress import validation_progress_queue


def submissions_regrade(
    *, submissions: QuerySet[Submission], user: User, description: str
) -> RegradeBatch:
    """Requeue finished submissions against their problem's grading version, keeping old verdicts.

    Submissions still queued or running are left alone: they will be graded anyway.
    """
    finished = list(
        submissions.filter(
            status__in=[SubmissionStatus.DONE, SubmissionStatus.ERROR]
        ).select_related("problem")
    )
    latest = {}
    with transaction.atomic():
        for submission in finished:
            if submission.problem_id not in latest:
                latest[submission.problem_id] = problem_version_for_grading(
                    problem=submission.problem
                )
            GradingRecord.objects.create(
                submission=submission,
                problem_version_id=submission.problem_version_id,
                verdict=submission.verdict,
                score=submission.score,
                max_score=submission.max_score,
                tests=submission.tests,
                message=submission.message,
                graded_at=submission.finished_at,
                reason=description,
            )
            Submission.objects.filter(pk=submission.pk).update(
                problem_version=latest[submission.problem_id],
                status=SubmissionStatus.QUEUED,
                verdict="",
                score=0,
                tests=[],
                message="",
                attempts=0,
                lease_expires_at=None,
                started_at=None,
                finished_at=None,
                updated_at=timezone.now(),
            )
        batch = RegradeBatch.objects.create(
            created_by=user, description=description, submission_ids=[s.pk for s in finished]
        )
        for submission in finished:
            transaction.on_commit(partial(submission_dispatch, submission_id=submission.pk))
    return batch


def problem_publish_if_proven(*, problem: Problem) -> bool:
    """Publish a proven problem. A code problem needs a validated version to grade against; a
    newer unvalidated edit waits while learners stay on the validated one."""
    proven = (
        problem.kind != ProblemKind.CODE
        or problem.versions.filter(validated_at__isnull=False).exists()
    )
    Problem.objects.filter(pk=problem.pk).update(is_published=proven)
    problem.is_published = proven
    return proven


def problem_version_validation_start(*, version: ProblemVersion) -> None:
    """Validate in the background (a worker, as grading does), once the caller's transaction
    commits: a training exercise takes minutes. The version shows `{"state": "running"}` until
    its report replaces it, and its live progress is in the cache (validation_progress); a
    version validated before keeps grading learners meanwhile."""
    now = timezone.now()
    ProblemVersion.objects.filter(pk=version.pk).update(
        validation={"state": "running", "started_at": now.isoformat()}
    )
    validation_progress_queue(version_id=version.pk, queued_at=now)  # until a worker starts it
    # After the commit: an admin save creates the version in the same transaction, and a
    # worker started before it would not find it.
    transaction.on_commit(
        partial(
            run_in_background,
            task_name=VALIDATE_VERSION,
            function=validate_version_by_id,
            object_id=version.pk,
            queue=version.queue,
        )
    )


def problem_unpublish(*, problem: Problem) -> None:
    """Take a problem away from learners; its submissions and versions stay."""
    Problem.objects.filter(pk=problem.pk).update(is_published=False)
    problem.is_published = False
