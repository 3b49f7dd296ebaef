"""Test data built through the real models and services (no fixture files)."""

from __future__ import annotations

import itertools
from pathlib import Path

from django.contrib.auth import get_user_model

from problems.content.loader import problem_version_sync
from problems.models import AcceptedAnswer, Choice, CodeSpec, Course, Problem, Section

_counter = itertools.count(1)


def make_user(username: str | None = None, *, is_staff: bool = False):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, password="pw-for-tests-123", is_staff=is_staff
    )


def make_section(slug: str | None = None) -> Section:
    n = next(_counter)
    course, _ = Course.objects.get_or_create(
        slug="test-course", defaults={"title_ja": "講座", "title_en": "Course"}
    )
    return Section.objects.create(
        course=course,
        slug=slug or f"section-{n}",
        order=n,
        title_ja=f"節 {n}",
        title_en=f"Section {n}",
    )


def make_problem(
    kind: str = "single_choice", *, slug: str | None = None, section=None, published=True, **fields
) -> Problem:
    n = next(_counter)
    defaults = {
        "title_ja": f"問題 {n}",
        "title_en": f"Problem {n}",
        "statement_ja": "問題文 $x^2$",
        "statement_en": "Statement $x^2$",
        "explanation_ja": "解説",
        "explanation_en": "Explanation",
        "points": 2,
    }
    if kind == "numeric":
        defaults.update(numeric_answer=0.25, numeric_tolerance=0.001)
    defaults.update(fields)
    return Problem.objects.create(
        section=section or make_section(),
        slug=slug or f"problem-{n}",
        kind=kind,
        is_published=published,
        **defaults,
    )


def make_choice_problem(kind: str = "single_choice", correct=("2",), **fields) -> Problem:
    problem = make_problem(kind, **fields)
    for order, key in enumerate(["1", "2", "3", "4"]):
        Choice.objects.create(
            problem=problem,
            key=key,
            order=order,
            text_ja=f"選択肢 {key}",
            text_en=f"Choice {key}",
            is_correct=key in correct,
        )
    return problem


def make_text_problem(accepted=("3x3", "3×3"), **fields) -> Problem:
    problem = make_problem("text", **fields)
    for text in accepted:
        AcceptedAnswer.objects.create(problem=problem, text=text)
    return problem


def make_code_problem(*, tests=None, **fields) -> Problem:
    problem = make_problem("code", **fields)
    CodeSpec.objects.create(
        problem=problem,
        entry_points=["double"],
        starter_code="def double(x):\n    pass\n",
        reference={"code": "def double(x):\n    return 2 * x\n"},
        tests=tests
        or [{"name": "visible", "points": 1}, {"name": "secret", "points": 1, "hidden": True}],
    )
    problem_version_sync(problem)
    return problem


CONTENT = Path(__file__).resolve().parents[1] / "content"


def load_content_problems(*slugs: str) -> list[Problem]:
    """Load real problems from `content/` (their sections too) through the real loader."""
    from problems.content.loader import load_selected

    return load_selected(CONTENT, list(slugs), course_slug="test-course")
