"""Reads for authors: a regrade's progress, a problem's report, a validation's state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Problem, ProblemVersion, RegradeBatch, Submission, SubmissionStatus


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
    rows: Sequence[Mapping[str, Any]]
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


def validation_is_running(version: ProblemVersion | None) -> bool:
    validation = version.validation if version is not None else None
    return isinstance(validation, dict) and validation.get("state") == "running"
