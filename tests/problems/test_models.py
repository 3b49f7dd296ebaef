import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from engine.grading import Verdict as EngineVerdict
from problems.models import Answer, Attempt, Choice, Quiz, Submission, Verdict
from tests.factories import (
    make_choice_problem,
    make_code_problem,
    make_problem,
    make_section,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_duplicate_problem_slug():
    make_problem(slug="dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_problem(slug="dup")


def test_it_refuses_two_sections_at_the_same_position_in_a_course():
    section = make_section()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(section).objects.create(
            course=section.course, slug="other", order=section.order, title_ja="x", title_en="x"
        )


def test_it_refuses_a_numeric_problem_without_an_answer():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_problem("numeric", numeric_answer=None)


def test_it_refuses_negative_tolerance_and_zero_points():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_problem("numeric", numeric_tolerance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_problem(points=0)


def test_it_refuses_duplicate_choice_keys():
    problem = make_choice_problem()
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.create(problem=problem, key="1", text_ja="x", text_en="x")


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"score": 5, "max_score": 2}, id="score-above-maximum"),
        pytest.param({"score": -1, "max_score": 2}, id="negative-score"),
        pytest.param({"status": "done"}, id="finished-without-verdict"),
        pytest.param({"status": "lost"}, id="unknown-status"),
        pytest.param({"status": "done", "verdict": "OK"}, id="unknown-verdict"),
    ],
)
def test_it_refuses_a_submission_row_that_cannot_be_true(fields):
    problem = make_code_problem()
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            user=make_user(),
            problem=problem,
            problem_version=problem.versions.get(),
            code="x",
            **fields,
        )


def test_an_attempts_answers_belong_to_its_learner():
    problem = make_choice_problem()
    quiz = Quiz.objects.create(course=problem.section.course, slug="q", title_ja="q", title_en="q")
    owner, stranger = make_user(), make_user()
    attempt = Attempt.objects.create(user=owner, quiz=quiz, problem_order=[problem.pk], max_score=2)
    with pytest.raises(ValueError, match="attempt's learner"):
        Answer.objects.create(
            user=stranger,
            problem=problem,
            attempt=attempt,
            response="2",
            is_correct=True,
            score=2,
            max_score=2,
        )


def test_it_refuses_a_second_answer_to_the_same_problem_in_one_attempt():
    problem = make_choice_problem()
    quiz = Quiz.objects.create(course=problem.section.course, slug="q2", title_ja="q", title_en="q")
    user = make_user()
    attempt = Attempt.objects.create(user=user, quiz=quiz, problem_order=[problem.pk], max_score=2)
    fields = {
        "user": user,
        "problem": problem,
        "attempt": attempt,
        "response": "2",
        "is_correct": True,
        "score": 2,
        "max_score": 2,
    }
    Answer.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(**fields)


def test_it_refuses_an_attempt_scored_above_its_maximum():
    problem = make_choice_problem()
    quiz = Quiz.objects.create(course=problem.section.course, slug="q3", title_ja="q", title_en="q")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(user=make_user(), quiz=quiz, score=3, max_score=2)


def test_engine_data_reads_back_exactly_as_written():
    # given values jsonb would normalise (-0.0 → 0.0, 1e300 → an integer)
    problem = make_code_problem()
    problem.code_spec.tests = [{"name": "edge", "args": {"x": {"value": [-0.0, 1e300, 1.0]}}}]
    problem.code_spec.save()
    # when read back from the database
    stored = (
        type(problem.code_spec).objects.get(pk=problem.code_spec.pk).tests[0]["args"]["x"]["value"]
    )
    # then every value keeps its sign and type
    assert [repr(v) for v in stored] == ["-0.0", "1e+300", "1.0"]


def test_a_submission_speaks_the_engines_verdicts_with_labels_in_both_languages():
    # given the verdicts the engine gives and those a submission row may hold
    # then they are the same words, in the same order
    assert Verdict.values == [verdict.value for verdict in EngineVerdict]
    # and each has a label a Japanese learner reads in Japanese
    with translation.override("en"):
        english = [str(label) for label in Verdict.labels]
    with translation.override("ja"):
        japanese = [str(label) for label in Verdict.labels]
    assert all(ja != en for ja, en in zip(japanese, english, strict=True)), japanese
