"""Mock exams drawn from pools: a fresh draw per attempt spread over the sections, flags for
review, and a review with scores per section against the readiness line."""

from __future__ import annotations

import random
from collections import Counter

import pytest
import yaml
from django.test import Client

from problems.content.exporter import export_files, export_to_directory
from problems.content.loader import ContentError, load_content
from problems.models import Attempt, Course, Quiz, QuizItem
from problems.services.answers import answer_create
from problems.services.attempts import _draw, attempt_finish, attempt_start
from tests.factories import load_content_problems, make_choice_problem, make_section, make_user

pytestmark = pytest.mark.django_db


def _pool_quiz(sizes: dict[str, int], draw: int, **fields) -> Quiz:
    problems = []
    for slug, size in sizes.items():
        section = make_section(slug)
        problems += [make_choice_problem(section=section) for _ in range(size)]
    quiz = Quiz.objects.create(
        course=problems[0].section.course,
        slug="pool",
        title_ja="模擬試験",
        title_en="Mock",
        draw_count=draw,
        shuffle=True,
        time_limit_minutes=60,
        **fields,
    )
    for order, problem in enumerate(problems):
        QuizItem.objects.create(quiz=quiz, problem=problem, order=order)
    return quiz


@pytest.mark.parametrize("count", [1, 3, 7, 12, 20, 29, 30, 40])
def test_a_draw_has_its_size_and_spreads_over_the_sections_in_proportion(count):
    pool = [
        (pk, section)
        for section, size in ((1, 10), (2, 5), (3, 15))
        for pk in range(section * 100, section * 100 + size)
    ]
    for seed in range(20):
        drawn = _draw(pool, count, random.Random(seed))
        assert len(drawn) == len(set(drawn)) == min(count, len(pool))
        per_section = Counter(pk // 100 for pk in drawn)
        if 3 <= count < len(pool):
            assert set(per_section) == {1, 2, 3}  # every section at least once
            for section, size in ((1, 10), (2, 5), (3, 15)):
                assert abs(per_section[section] - count * size / 30) < 1.5


def test_two_attempts_of_a_mock_exam_differ_in_at_least_a_third_of_their_questions():
    quiz = _pool_quiz({"rnn": 40, "lstm": 40, "attention": 40}, draw=60)
    learner = make_user()
    overlaps = []
    for _ in range(10):
        first = attempt_start(user=learner, quiz=quiz)
        second = attempt_start(user=learner, quiz=quiz)
        assert len(first.problem_order) == len(second.problem_order) == 60
        assert first.seed != second.seed
        overlaps.append(len(set(first.problem_order) & set(second.problem_order)) / 60)
    assert max(overlaps) <= 2 / 3


def test_the_real_mock_exams_draw_afresh(tmp_path):
    from django.core.management import call_command

    call_command("load_curriculum", skip_validation=True, verbosity=0)
    learner = make_user()
    for slug, size in (("mock-exam", 60), ("mock-exam-short", 20)):
        quiz = Quiz.objects.get(slug=slug)
        first, second = (attempt_start(user=learner, quiz=quiz) for _ in range(2))
        assert len(first.problem_order) == size
        differ = len(set(first.problem_order) - set(second.problem_order)) / size
        assert differ >= 1 / 3, (slug, differ)
        sections = {p.section_id for p in quiz.problems.filter(pk__in=first.problem_order)}
        assert len(sections) >= 10, slug
        for attempt in (first, second):  # 穴埋め in every attempt: the slot's count at least
            drawn = quiz.problems.filter(pk__in=attempt.problem_order)
            fill_ins = [p for p in drawn if "fill-in" in p.tags]
            assert len(fill_ins) >= {"mock-exam": 10, "mock-exam-short": 4}[slug], slug


def test_slots_draw_their_counts_from_their_own_pools_and_the_rest_from_the_whole():
    # given: three sections, some problems tagged, a slot per kind of pool
    quiz = _pool_quiz({"rnn": 12, "lstm": 12, "attention": 12}, draw=15)
    problems = [item.problem for item in quiz.items.order_by("order")]
    tagged = problems[:24:3]  # 8 tagged, over rnn and lstm
    for problem in tagged:
        problem.tags = ["fill-in"]
        problem.save()
    listed = problems[30:33]
    quiz.slots = [
        {"tag": "fill-in", "count": 5},
        {"section": "attention", "count": 8},
        {"problems": [p.slug for p in listed], "count": 1},
    ]
    quiz.save()
    learner = make_user()
    draws = []
    for _ in range(12):
        # when
        attempt = attempt_start(user=learner, quiz=quiz)
        drawn = set(attempt.problem_order)
        draws.append(drawn)
        # then: 15 distinct questions, each slot's count from its own pool
        assert len(attempt.problem_order) == len(drawn) == 15
        assert len(drawn & {p.pk for p in tagged}) >= 5
        attention = {p.pk for p in problems if p.section.slug == "attention"}
        assert len(drawn & attention) >= 8  # a proportional share would be 5
        assert drawn & {p.pk for p in listed}
    assert len({frozenset(d) for d in draws}) == len(draws)  # no two attempts alike


def test_a_slot_with_too_few_problems_draws_what_there_is():
    quiz = _pool_quiz({"rnn": 6}, draw=3, slots=[{"tag": "rare", "count": 3}])
    rare = quiz.problems.first()
    rare.tags = ["rare"]
    rare.save()
    learner = make_user()
    for _ in range(5):  # the one rare problem every time, the rest from the whole pool
        attempt = attempt_start(user=learner, quiz=quiz)
        assert rare.pk in attempt.problem_order and len(set(attempt.problem_order)) == 3


def test_flags_toggle_and_the_review_filters_and_scores_by_section():
    quiz = _pool_quiz({"rnn-part": 2, "lstm-part": 2}, draw=4, pass_percent=60)
    learner = make_user()
    client = Client()
    client.force_login(learner)
    attempt = attempt_start(user=learner, quiz=quiz)
    first = attempt.problem_order[0]
    # when the learner flags question 1 twice (on, off) and question 2 once
    for number in (1, 1, 2):
        response = client.post(f"/attempts/{attempt.pk}/q/{number}/", {"action": "flag"})
        assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.flagged == [attempt.problem_order[1]]
    question = client.get(f"/attempts/{attempt.pk}/q/2/").content.decode()
    assert "data-flagged" in question and 'aria-pressed="true"' in question
    # and answers the first two right, the others wrong
    problems = {p.pk: p for p in quiz.problems.all()}
    for k, pk in enumerate(attempt.problem_order):
        answer_create(
            user=learner, problem=problems[pk], response="2" if k < 2 else "1", attempt=attempt
        )
    attempt_finish(attempt=Attempt.objects.get(pk=attempt.pk))
    review = client.get(f"/attempts/{attempt.pk}/review/", HTTP_ACCEPT_LANGUAGE="en")
    body = review.content.decode()
    assert "data-section-scores" in body and 'data-ready="false"' in body
    assert "Below the readiness line of 60%" in body
    flagged = client.get(f"/attempts/{attempt.pk}/review/?show=flagged").content.decode()
    assert flagged.count('class="review-item"') == 1
    assert first not in Attempt.objects.get(pk=attempt.pk).flagged


def test_the_review_compares_with_earlier_attempts():
    quiz = _pool_quiz({"only": 3}, draw=3)
    learner = make_user()
    client = Client()
    client.force_login(learner)
    attempts = []
    for right in (1, 3):
        attempt = attempt_start(user=learner, quiz=quiz)
        for k, pk in enumerate(attempt.problem_order):
            problem = quiz.problems.get(pk=pk)
            answer_create(
                user=learner, problem=problem, response="2" if k < right else "1", attempt=attempt
            )
        attempt_finish(attempt=Attempt.objects.get(pk=attempt.pk))
        attempts.append(attempt)
    body = client.get(
        f"/attempts/{attempts[-1].pk}/review/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "data-previous-attempts" in body and "100%" in body and "33%" in body
    assert "At or above the readiness line of 70%" in body


def test_a_finished_attempt_takes_no_flags():
    quiz = _pool_quiz({"s": 2}, draw=2)
    learner = make_user()
    client = Client()
    client.force_login(learner)
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_finish(attempt=attempt)
    response = client.post(f"/attempts/{attempt.pk}/q/1/", {"action": "flag"})
    assert response.status_code == 302 and response["Location"].endswith("/review/")
    assert Attempt.objects.get(pk=attempt.pk).flagged == []


def _pack_with_mock_exam(tmp_path, **quiz_fields):
    """An exported pack of two problems whose course holds one drawn quiz."""

    load_content_problems("cnn-output-size", "sigmoid-derivative-max")
    course = Course.objects.get()
    quiz = Quiz.objects.create(
        course=course, slug="drawn", title_ja="模試", title_en="Mock", draw_count=2, **quiz_fields
    )
    for order, problem in enumerate(course.sections.first().problems.all()):
        QuizItem.objects.create(quiz=quiz, problem=problem, order=order)
    root = tmp_path / "pack"
    export_to_directory(course=course, root=root)
    return root, yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))


def test_slots_travel_with_an_exported_pack_byte_identically(tmp_path):
    slots = [{"tag": "fill-in", "count": 1}, {"problems": ["cnn-output-size"], "count": 1}]
    root, course = _pack_with_mock_exam(tmp_path, slots=slots)
    assert next(q for q in course["quizzes"] if q["slug"] == "drawn")["slots"] == slots
    first = export_files(course=Course.objects.get())
    load_content(root)
    assert Quiz.objects.get(slug="drawn").slots == slots
    assert export_files(course=Course.objects.get()) == first


@pytest.mark.parametrize(
    ("slots", "error"),
    [
        ([{"tag": "fill-in", "count": 3}], "they draw 3 questions, more than draw (2)"),
        ([{"section": "99-nowhere", "count": 1}], "no section '99-nowhere'"),
        ([{"problems": ["no-such-problem"], "count": 1}], "no problem 'no-such-problem'"),
        ([{"tag": "fill-in", "section": "01-rnn", "count": 1}], "slots"),  # one pool per slot
    ],
)
def test_a_slot_that_cannot_be_drawn_is_refused_with_the_reason(tmp_path, slots, error):
    root, course = _pack_with_mock_exam(tmp_path)
    next(q for q in course["quizzes"] if q["slug"] == "drawn")["slots"] = slots
    (root / "course.yaml").write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_content(root)
    assert error in str(refused.value)
