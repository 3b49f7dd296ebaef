"""Author actions: regrading submissions and the per-problem report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import GradingRecord, Problem, RegradeBatch, Submission, SubmissionStatus
from .selectors import problem_version_for_grading


def submissions_regrade(
    *, submissions: QuerySet[Submission], user, description: str
) -> RegradeBatch:
    """Requeue finished submissions against their problem's grading version, keeping old verdicts.

    Submissions still queued or running are left alone: they will be graded anyway.
    """
    from .pipeline import submission_dispatch

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
            transaction.on_commit(lambda pk=submission.pk: submission_dispatch(submission_id=pk))
    return batch


@dataclass(frozen=True)
class BatchProgress:
    total: int
    finished: int
    verdicts: dict[str, int]

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


def regrade_batch_progress(*, batch: RegradeBatch) -> BatchProgress:
    rows = Submission.objects.filter(pk__in=batch.submission_ids)
    finished = rows.filter(status__in=[SubmissionStatus.DONE, SubmissionStatus.ERROR])
    return BatchProgress(
        total=len(batch.submission_ids),
        finished=finished.count(),
        verdicts=dict(Counter(finished.values_list("verdict", flat=True))),
    )


@dataclass(frozen=True)
class ProblemReport:
    problem: Problem
    attempts: int
    learners: int
    correct: int
    wrong_verdicts: list[tuple[str, int]]
    wrong_messages: list[tuple[str, int]]
    wrong_answers: list[tuple[str, int]]

    @property
    def share_correct(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0


def problem_report(*, problem: Problem, top: int = 5) -> ProblemReport:
    """What an author needs to see whether a problem confuses learners."""
    if problem.is_code:
        rows = list(
            problem.submissions.filter(visible_only=False, status=SubmissionStatus.DONE).values(
                "user_id", "verdict", "tests"
            )
        )
        correct = sum(1 for row in rows if row["verdict"] == "AC")
        verdicts = Counter(row["verdict"] for row in rows if row["verdict"] != "AC")
        messages = Counter(
            test.get("message") or ""
            for row in rows
            if row["verdict"] != "AC"
            for test in row["tests"]
            if not test.get("passed") and not test.get("hidden") and test.get("message")
        )
        answers: Counter = Counter()
    else:
        rows = list(problem.answers.values("user_id", "is_correct", "response"))
        correct = sum(1 for row in rows if row["is_correct"])
        verdicts = Counter()
        messages = Counter()
        answers = Counter(str(row["response"]) for row in rows if not row["is_correct"])
    return ProblemReport(
        problem=problem,
        attempts=len(rows),
        learners=len({row["user_id"] for row in rows}),
        correct=correct,
        wrong_verdicts=verdicts.most_common(top),
        wrong_messages=messages.most_common(top),
        wrong_answers=answers.most_common(top),
    )
