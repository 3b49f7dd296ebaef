"""Reads for authors: a regrade's progress, a problem's report, a validation's state and
live progress."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..models import Problem, ProblemVersion, RegradeBatch, Submission, SubmissionStatus
from ..validation_progress import validation_progress_read


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


@dataclass(frozen=True)
class ValidationProgress:
    """Where a version's validation is: `idle` (never asked for, or its progress expired
    without a report), `queued`, `running`, `passed`, `failed`, or `interrupted` (it was
    running, and its process has said nothing for longer than a validation may take)."""

    version: ProblemVersion
    state: str
    done: int = 0
    total: int = 0
    step: dict | None = None  # {kind, name, index, count, number} of the grading running
    results: list[dict] = field(default_factory=list)  # {kind, name, ok, verdict} per grading
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    elapsed_seconds: float | None = None  # running: since it started; queued: waiting
    remaining_seconds: float | None = None  # from the rate so far; None before a first step

    @property
    def is_live(self) -> bool:
        """Still to change: a page shows it moving."""
        return self.state in ("queued", "running")

    @property
    def percent(self) -> int:
        if self.state in ("passed", "failed"):
            return 100
        return int(100 * self.done / self.total) if self.total else 0


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _seconds(start: datetime | None, end: datetime) -> float | None:
    return max(0.0, (end - start).total_seconds()) if start else None


def _remaining(entry: Mapping[str, Any], now: datetime) -> float | None:
    """Seconds left at the rate so far: each finished grading took the mean time, and the one
    running has had `now - step_finished_at` of its share."""
    started, finished = _moment(entry.get("started_at")), _moment(entry.get("step_finished_at"))
    done, total = entry.get("done", 0), entry.get("total", 0)
    if not (started and finished and done):
        return None
    per_step = (finished - started).total_seconds() / done
    return max(0.0, per_step * (total - done) - (now - finished).total_seconds())


def _progress_from_cache(
    version: ProblemVersion, entry: Mapping[str, Any], now: datetime
) -> ValidationProgress:
    state = entry["state"]
    updated_at = _moment(entry.get("updated_at"))
    silent_for = _seconds(updated_at, now) or 0.0
    if state == "running" and silent_for > settings.VALIDATION_PROGRESS_STALE_SECONDS:
        state = "interrupted"  # its worker died or was stopped: no report will come
    queued_at, started_at = _moment(entry.get("queued_at")), _moment(entry.get("started_at"))
    finished_at = _moment(entry.get("finished_at"))
    live = state in ("queued", "running")
    if state == "queued":
        elapsed = _seconds(queued_at, now)
    else:
        elapsed = _seconds(started_at, finished_at or (now if live else updated_at or now))
    return ValidationProgress(
        version=version,
        state=state,
        done=entry.get("done", 0),
        total=entry.get("total", 0),
        step=entry.get("step") if state == "running" else None,
        results=list(entry.get("results", [])),
        queued_at=queued_at,
        started_at=started_at,
        finished_at=finished_at,
        elapsed_seconds=elapsed,
        remaining_seconds=0.0 if finished_at else _remaining(entry, now) if live else None,
    )


def _progress_from_report(version: ProblemVersion, now: datetime) -> ValidationProgress:
    """What the database says when the cache has nothing (expired, or another cache)."""
    validation: dict = version.validation if isinstance(version.validation, dict) else {}
    if validation.get("state") == "running":  # asked for; no worker has said a word yet
        queued_at = _moment(validation.get("started_at"))
        return ValidationProgress(
            version=version,
            state="queued",
            queued_at=queued_at,
            elapsed_seconds=_seconds(queued_at, now),
        )
    if "ok" not in validation:
        return ValidationProgress(version=version, state="idle")
    runs = validation.get("runs", [])
    return ValidationProgress(
        version=version,
        state="passed" if validation["ok"] else "failed",
        done=len(runs),
        total=len(runs),
        results=[{"name": run["name"], "ok": run["ok"], "verdict": run["verdict"]} for run in runs],
        finished_at=version.validated_at,
    )


def validation_progress_get(
    *, version: ProblemVersion, now: datetime | None = None
) -> ValidationProgress:
    """The live progress of the version's validation, from the cache the validating process
    writes, or from the version's report in the database when the cache has none."""
    now = now or timezone.now()
    entry = validation_progress_read(version.pk)
    # A run asked for again while an old outcome sits in the cache: the database is newer.
    stale = entry is not None and entry["state"] in ("passed", "failed")
    if entry is not None and not (stale and validation_is_running(version)):
        return _progress_from_cache(version, entry, now)
    return _progress_from_report(version, now)
