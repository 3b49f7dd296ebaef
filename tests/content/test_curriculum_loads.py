"""The whole curriculum through the real loader: every problem published, every stored answer
or reference gets full marks and a wrong answer does not, both languages everywhere."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from problems.answers import check_answer
from problems.models import Course, Problem, ProblemKind, Quiz, Section
from problems.parameterised import problem_variant

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture(scope="module")
def curriculum(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_curriculum", verbosity=0)
        yield list(
            Problem.objects.select_related("section").prefetch_related(
                "choices", "accepted_answers", "versions"
            )
        )
        # Module-scoped data is committed: remove it so later tests start from an empty database.
        Quiz.objects.all().delete()
        Problem.objects.all().delete()
        Section.objects.all().delete()
        Course.objects.all().delete()


def test_every_problem_is_published_after_loading_into_an_empty_database(curriculum):
    unpublished = [p.slug for p in curriculum if not p.is_published]
    assert not unpublished
    assert len(curriculum) >= 100


def test_loading_again_changes_nothing(curriculum):
    from django.conf import settings

    from problems.content.loader import load_content

    report = load_content(settings.CONTENT_DIR)
    assert not report.created and not report.new_versions


def _right_and_wrong(problem: Problem):
    if problem.kind == ProblemKind.SINGLE_CHOICE:
        keys = [c.key for c in problem.choices.all()]
        right = next(c.key for c in problem.choices.all() if c.is_correct)
        return right, next(k for k in keys if k != right)
    if problem.kind == ProblemKind.MULTIPLE_CHOICE:
        right = [c.key for c in problem.choices.all() if c.is_correct]
        wrong = [c.key for c in problem.choices.all() if not c.is_correct] or right[:-1]
        return right, wrong
    if problem.kind == ProblemKind.NUMERIC:
        return problem.numeric_answer, problem.numeric_answer + 10 * problem.numeric_tolerance + 1
    if problem.kind == ProblemKind.TEXT:
        return problem.accepted_answers.first().text, "definitely not the answer"
    raise AssertionError(problem.kind)


def test_every_stored_answer_gets_full_marks_and_a_wrong_one_does_not(curriculum):
    failures = []
    for problem in curriculum:
        if problem.kind == ProblemKind.CODE:
            continue
        # a parameterised problem: checked in one of its variants (tests/content's variant
        # tests try hundreds)
        problem = problem_variant(problem, seed=problem.pk)
        right, wrong = _right_and_wrong(problem)
        if check_answer(problem, right).score != problem.points:
            failures.append(f"{problem.slug}: stored answer {right!r} not accepted")
        if check_answer(problem, wrong).correct:
            failures.append(f"{problem.slug}: wrong answer {wrong!r} accepted")
    assert not failures


def test_every_code_problems_reference_passes_and_its_mutants_fail(curriculum):
    code = [p for p in curriculum if p.kind == ProblemKind.CODE]
    assert len(code) >= 26
    for problem in code:
        version = problem.versions.order_by("-number").first()
        assert version.validated_at is not None, (problem.slug, version.validation.get("problems"))
        runs = version.validation["runs"]
        assert runs[0]["verdict"] == "AC" and len(runs) >= 3
        alternatives = {a["name"] for a in version.engine_spec.get("alternatives", [])}
        assert all(run["verdict"] != "AC" for run in runs[1:] if run["name"] not in alternatives), (
            problem.slug
        )
        assert all(run["verdict"] == "AC" for run in runs if run["name"] in alternatives), (
            problem.slug
        )


def test_both_languages_are_present_everywhere(curriculum):
    for problem in curriculum:
        for field in ("title", "statement", "explanation"):
            assert (
                getattr(problem, f"{field}_ja").strip() and getattr(problem, f"{field}_en").strip()
            ), (problem.slug, field)
        for choice in problem.choices.all():
            assert choice.text_ja.strip() and choice.text_en.strip(), problem.slug


def test_there_is_a_quiz_per_section_and_a_mock_exam(curriculum):
    sections = {p.section.slug for p in curriculum}
    quizzes = Quiz.objects.prefetch_related("items")
    assert len(quizzes) >= len(sections) + 1
    mock = Quiz.objects.get(slug="mock-exam")
    assert mock.time_limit_minutes and mock.items.count() >= 15
    assert len({item.problem.section_id for item in mock.items.select_related("problem")}) >= 8
