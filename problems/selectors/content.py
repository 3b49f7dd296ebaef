"""Reads of the curriculum: courses, sections, quizzes, problems and their versions. Who may
read an unpublished problem is `problems.access`'s to decide, which fetches through these."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404

from ..models import AcceptedAnswer, Choice, Course, Problem, ProblemVersion, Quiz, Section
from ..published import problem_as_learners_see


def course_current() -> Course | None:
    """The course the site shows (this service has one)."""
    return Course.objects.order_by("pk").first()


def section_get(*, slug: str) -> Section:
    section = Section.objects.select_related("course").filter(slug=slug).first()
    if section is None:
        raise Http404(f"No section has the slug '{slug}'.")
    return section


def quiz_list_for_section(*, section: Section) -> QuerySet[Quiz]:
    """Quizzes made only of this section's problems, with their question counts."""
    return (
        Quiz.objects.annotate(
            question_count=Count("items", distinct=True),
            in_section=Count("items", filter=Q(items__problem__section=section), distinct=True),
        )
        .filter(in_section__gt=0, in_section=F("question_count"))
        .order_by("order", "slug")
    )


def quiz_list_for_course(*, course: Course) -> QuerySet[Quiz]:
    """The course-wide quizzes (the mock exam): those drawing on more than one section."""
    return (
        Quiz.objects.filter(course=course)
        .annotate(
            question_count=Count("items", distinct=True),
            section_count=Count("items__problem__section", distinct=True),
        )
        .filter(Q(section_count__gt=1) | Q(time_limit_minutes__isnull=False))
        .order_by("order", "slug")
    )


def quiz_get(*, slug: str) -> Quiz:
    quiz = Quiz.objects.annotate(question_count=Count("items")).filter(slug=slug).first()
    if quiz is None:
        raise Http404(f"No quiz has the slug '{slug}'.")
    return quiz


def problems_for_display(problem_ids: list[int]) -> list[Problem]:
    """Problems in the given order, with what their pages and reviews show, in three queries."""
    problems = (
        Problem.objects.filter(pk__in=problem_ids)
        .select_related("section")
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("order", "id")),
            Prefetch("accepted_answers", queryset=AcceptedAnswer.objects.order_by("id")),
        )
    )
    by_id = {problem.pk: problem for problem in problems}
    return [by_id[pk] for pk in problem_ids if pk in by_id]


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


def problem_model_solution(*, problem: Problem) -> str:
    """The model solution of a code problem (what learners see once solved or given up)."""
    version = problem_version_for_grading(problem=problem)
    spec = version.engine_spec if version is not None else {}
    return spec.get("solution") or (spec.get("reference") or {}).get("code") or ""
