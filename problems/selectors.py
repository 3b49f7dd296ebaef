"""Reads. Who may read what is decided in `problems.access`, which fetches through these."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from .models import Choice, Problem, ProblemVersion, Submission
from .published import problem_as_learners_see


def problem_list_published() -> QuerySet[Problem]:
    return Problem.objects.filter(is_published=True).select_related("section")


def problem_get_published(
    *, slug: str, with_content: bool = True, include_unpublished: bool = False
) -> Problem:
    """A published problem, as learners see it (problems/published.py); `with_content=False`
    skips its choices and code spec (whose tests and mutants are large), for requests that
    only need the row, such as a submission.
    Who may see an unpublished one is `access.access_problem`'s to decide."""
    queryset = Problem.objects.select_related("section")
    if not include_unpublished:
        queryset = queryset.filter(is_published=True)
    if with_content:
        queryset = queryset.select_related("code_spec").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "id"))
        )
    problem = queryset.filter(slug=slug).first()
    if problem is None:
        raise Http404(f"No published problem has the slug '{slug}'.")
    return problem_as_learners_see(problem)


def problem_version_latest(*, problem: Problem) -> ProblemVersion | None:
    return problem.versions.order_by("-number").first()


def problem_version_for_grading(*, problem: Problem) -> ProblemVersion | None:
    """The version new submissions are graded against.

    For a code problem: its newest *validated* version, so an author's unvalidated edit never
    grades learners; before any validation (drafts, staff trying it), the newest version.
    """
    # The snapshot is only read when grading; the web process needs the row.
    versions = problem.versions.defer("snapshot", "validation").order_by("-number")
    if problem.is_code:
        validated = versions.filter(validated_at__isnull=False).first()
        if validated is not None:
            return validated
    return versions.first()


def submission_list_for_user(*, user) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("problem", "problem_version")


def problem_model_solution(*, problem: Problem) -> str:
    """The model solution of a code problem (what learners see once solved or given up)."""
    version = problem_version_for_grading(problem=problem)
    spec = version.engine_spec if version is not None else {}
    return spec.get("solution") or (spec.get("reference") or {}).get("code") or ""
