"""Test data built through the real models and services (no fixture files)."""

from __future__ import annotations

import itertools
from pathlib import Path

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from problems.content.loader import problem_version_sync
from problems.models import (
    AcceptedAnswer,
    Choice,
    CodeSpec,
    Course,
    Problem,
    Quiz,
    QuizItem,
    Section,
    Submission,
    SubmissionStatus,
)
from problems.roles import author_group, reviewer_group
from problems.services.answers import answer_create
from problems.services.attempts import attempt_start

_counter = itertools.count(1)


def make_user(username: str | None = None, *, is_staff: bool = False):
    username = username or f"user{next(_counter)}"
    return get_user_model().objects.create_user(
        username=username, password="pw-for-tests-123", is_staff=is_staff
    )


def make_role_user(role: str, username: str | None = None):
    """A user of one of the site's roles: `learner`, `staff` (no permissions), `author`,
    `reviewer` (may read learners' work) or `superuser`."""
    user = make_user(username or role, is_staff=role != "learner")
    if role == "author":
        user.groups.add(author_group())  # synced here: transactional tests flush migration data
    elif role == "reviewer":
        user.groups.add(reviewer_group())
    elif role == "superuser":
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    return user


def client_for(user=None, language="en") -> Client:
    """A browser, logged in as `user` unless it is None."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


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


def make_quiz(problems, *, slug="quiz", minutes=None) -> Quiz:
    quiz = Quiz.objects.create(
        course=problems[0].section.course,
        slug=slug,
        title_ja="確認テスト",
        title_en="Check quiz",
        time_limit_minutes=minutes,
    )
    for order, problem in enumerate(problems):
        QuizItem.objects.create(quiz=quiz, problem=problem, order=order)
    return quiz


def make_graded_submission(
    user,
    problem,
    *,
    verdict="AC",
    tests=None,
    visible_only=False,
    code="def double(x):\n    return 2 * x\n",
    stdout="",
):
    """A submission as the grader leaves it, without running the grader."""
    return Submission.objects.create(
        user=user,
        problem=problem,
        problem_version=problem.versions.first(),
        code=code,
        stdout=stdout,
        visible_only=visible_only,
        status=SubmissionStatus.DONE,
        verdict=verdict,
        score=2.0 if verdict == "AC" else 0.0,
        max_score=2.0,
        tests=tests or [],
        finished_at=timezone.now(),
    )


def make_big_curriculum(learner) -> dict:
    """Four sections of twelve problems of every kind, each answered or submitted by `learner`,
    and a timed quiz of twenty with ten answered: big enough that an N+1 query shows."""
    problems = []
    for _ in range(4):
        section = make_section()
        for index in range(12):
            if index % 4 == 0:
                problem = make_code_problem(section=section)
                make_graded_submission(learner, problem, verdict="AC" if index % 8 else "WA")
            elif index % 4 == 1:
                problem = make_text_problem(section=section)
                answer_create(user=learner, problem=problem, response="3x3")
            else:
                problem = make_choice_problem(section=section)
                answer_create(user=learner, problem=problem, response="1")
            problems.append(problem)
    quiz = make_quiz([p for p in problems if not p.is_code][:20], slug="mock-exam", minutes=30)
    attempt = attempt_start(user=learner, quiz=quiz)
    for problem_id in attempt.problem_order[:10]:
        problem = next(p for p in problems if p.pk == problem_id)
        answer_create(user=learner, problem=problem, response="2", attempt=attempt)
    return {"problems": problems, "quiz": quiz, "attempt": attempt}


def make_submission_with_a_hidden_test(user) -> Submission:
    """A wrong submission of `user` whose hidden test failed with a message naming its input."""
    problem = make_code_problem()
    tests = [
        {"name": "visible", "passed": False, "points": 0, "max_points": 1, "message": "h differs"},
        {
            "name": "secret-edge-case",
            "passed": False,
            "hidden": True,
            "points": 0,
            "max_points": 1,
            "message": "secret input 42 gave 7",
        },
    ]
    return make_graded_submission(user, problem, verdict="WA", tests=tests)


def make_logged_in_client(user=None, language: str | None = None) -> Client:
    """A browser logged in as `user` (a new learner if None), who is `client.user`; without
    `language` it sends no Accept-Language, so pages come in the default (Japanese)."""
    client = Client() if language is None else Client(HTTP_ACCEPT_LANGUAGE=language)
    client.user = user or make_user()
    client.force_login(client.user)
    return client
