"""Reads of code submissions: a learner's list, history and latest."""

from __future__ import annotations

from django.db.models import QuerySet

from ..models import Problem, Submission, SubmissionStatus, Verdict
from ..roles import User, Visitor


def submission_list_for_user(*, user: User) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("problem", "problem_version")


def submission_history(*, user: User, verdict: str = "") -> QuerySet[Submission]:
    """The learner's submissions, newest first, without the heavy columns a list does not show."""
    queryset = (
        Submission.objects.filter(user=user)
        .select_related("problem")
        .defer(
            "code", "stdout", "stderr", "tests", "problem__statement_ja", "problem__statement_en"
        )
        .order_by("-created_at", "-id")
    )
    if verdict in Verdict.values:
        queryset = queryset.filter(verdict=verdict)
    elif verdict in {SubmissionStatus.QUEUED, SubmissionStatus.RUNNING}:
        queryset = queryset.filter(status=verdict)
    return queryset


def submission_latest(*, user: Visitor, problem: Problem) -> Submission | None:
    if not user.is_authenticated:
        return None
    return (
        Submission.objects.filter(user=user, problem=problem).order_by("-created_at", "-id").first()
    )
