"""Feedback on choices: carried by content files, loaded, exported unchanged, and told only where
the answer is revealed (the answer endpoint outside a running quiz), in the request's language."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

from problems.content.exporter import export_files, export_to_directory
from problems.content.loader import load_content
from problems.content.schema import PROBLEM, schema_errors
from problems.models import Choice, Course, ProblemVersion, Quiz, QuizItem
from problems.services import attempt_start
from tests.factories import make_choice_problem, make_text_problem, make_user

pytestmark = pytest.mark.django_db

WHY_ONE_IS_WRONG = {"ja": "1 は勾配を 2 倍にします。", "en": "One doubles the gradient."}
WHY_TWO_IS_RIGHT = {"ja": "2 は向きを保ちます。", "en": "Two keeps the direction."}
WHY_THREE_IS_WRONG = {"ja": "3 は符号が逆です。", "en": "Three has the wrong sign."}


def _with_feedback(**fields):
    """A single-choice problem (2 is right) whose choices 1, 2 and 3 carry feedback; 4 has none."""
    problem = make_choice_problem(correct=("2",), **fields)
    for key, feedback in (
        ("1", WHY_ONE_IS_WRONG),
        ("2", WHY_TWO_IS_RIGHT),
        ("3", WHY_THREE_IS_WRONG),
    ):
        Choice.objects.filter(problem=problem, key=key).update(
            feedback_ja=feedback["ja"], feedback_en=feedback["en"]
        )
    return problem


def _answer(problem, answer, *, language="en", user=None, attempt=None):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user or make_user())
    body = {"answer": answer} | ({"attempt": attempt.pk} if attempt else {})
    return client.post(f"/api/problems/{problem.slug}/answers/", body, format="json")


# -- content files ---------------------------------------------------------------------------

PROBLEM_FILE = """\
slug: clip-remedy
kind: single_choice
order: 1
points: 1
tags: []
source: null
title: {ja: 対策, en: Remedy}
statement: {ja: どれか。, en: "Which one?"}
explanation: {ja: 2 です。, en: It is 2.}
choices:
  - key: "1"
    ja: 学習率を上げる
    en: Raise the learning rate
    correct: false
    feedback:
      ja: 更新がさらに大きくなり、発散しやすくなります。
      en: The updates grow even larger, so training diverges more easily.
  - key: "2"
    ja: クリッピング
    en: Clipping
    correct: true
"""


def _pack(root: Path) -> Path:
    (root / "01-rnn").mkdir(parents=True)
    (root / "course.yaml").write_text("slug: c\ntitle: {ja: 講座, en: Course}\n", encoding="utf-8")
    (root / "01-rnn/_section.yaml").write_text(
        "slug: 01-rnn\norder: 1\ntitle: {ja: 節, en: Section}\n", encoding="utf-8"
    )
    (root / "01-rnn/clip-remedy.yaml").write_text(PROBLEM_FILE, encoding="utf-8")
    return root


def test_the_loader_reads_a_choices_feedback_in_both_languages(tmp_path: Path):
    load_content(_pack(tmp_path / "src"))
    wrong, right = Choice.objects.filter(problem__slug="clip-remedy").order_by("order")
    assert wrong.feedback_ja == "更新がさらに大きくなり、発散しやすくなります。"
    assert wrong.feedback_en == "The updates grow even larger, so training diverges more easily."
    assert right.feedback_ja == right.feedback_en == ""


def test_a_pack_with_feedback_exports_imports_and_exports_byte_identically(tmp_path: Path):
    load_content(_pack(tmp_path / "src"))
    course = Course.objects.get()
    first = export_files(course=course)
    exported = yaml.safe_load(first["01-rnn/clip-remedy.yaml"])
    assert exported["choices"] == yaml.safe_load(PROBLEM_FILE)["choices"]
    export_to_directory(course=course, root=tmp_path / "pack")
    report = load_content(tmp_path / "pack")
    assert not report.created and not report.new_versions
    assert export_files(course=course) == first


def test_a_choice_without_feedback_exports_no_feedback_key():
    problem = make_choice_problem()
    files = export_files(course=Course.objects.get())
    (text,) = (text for path, text in files.items() if problem.slug in path)
    assert "feedback" not in text


def test_the_schema_names_a_feedback_missing_its_english():
    document = yaml.safe_load(PROBLEM_FILE)
    del document["choices"][0]["feedback"]["en"]
    errors = schema_errors(document, PROBLEM)
    assert errors == ["choices[0].feedback: 'en' is a required property"]


def test_feedback_is_frozen_in_the_problems_version(tmp_path: Path):
    load_content(_pack(tmp_path / "src"))
    snapshot = ProblemVersion.objects.get(problem__slug="clip-remedy").snapshot
    assert snapshot["choices"][0]["feedback"]["en"].startswith("The updates grow")
    assert "feedback" not in snapshot["choices"][1]


# -- the API ---------------------------------------------------------------------------------


def test_a_wrong_answer_reveals_the_picked_choices_feedback_in_english():
    problem = _with_feedback()
    body = _answer(problem, "1").json()
    assert body["correct"] is False and body["correct_answer"] == ["2"]
    by_key = {choice["key"]: choice for choice in body["choices"]}
    assert by_key["1"] == {
        "key": "1",
        "label": by_key["1"]["label"],  # its number as shown (tests/problems/test_choice_order)
        "text": "Choice 1",
        "correct": False,
        "picked": True,
        "feedback": WHY_ONE_IS_WRONG["en"],
    }
    # the right one's feedback too, and nothing about a wrong choice nobody picked
    assert by_key["2"]["correct"] is True and by_key["2"]["feedback"] == WHY_TWO_IS_RIGHT["en"]
    assert by_key["3"]["feedback"] is None and by_key["4"]["feedback"] is None
    assert WHY_THREE_IS_WRONG["en"] not in str(body)


def test_the_feedback_follows_the_requests_language():
    problem = _with_feedback()
    body = _answer(problem, "1", language="ja").json()
    picked = next(choice for choice in body["choices"] if choice["picked"])
    assert picked["feedback"] == WHY_ONE_IS_WRONG["ja"] and picked["text"] == "選択肢 1"


def test_a_multiple_choice_answer_marks_every_pick():
    problem = make_choice_problem("multiple_choice", correct=("1", "3"))
    Choice.objects.filter(problem=problem, key="4").update(
        feedback_ja="4 は誤りです。", feedback_en="Four is wrong."
    )
    body = _answer(problem, ["1", "4"]).json()
    marks = sorted((c["key"], c["correct"], c["picked"], c["feedback"]) for c in body["choices"])
    assert marks == [
        ("1", True, True, None),
        ("2", False, False, None),
        ("3", True, False, None),
        ("4", False, True, "Four is wrong."),
    ]


def test_a_non_choice_answer_has_no_choices():
    body = _answer(make_text_problem(), "3x3").json()
    assert body["correct"] is True and body["choices"] is None


def test_the_problem_detail_never_shows_feedback():
    problem = _with_feedback()
    body = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"/api/problems/{problem.slug}/").json()
    assert "feedback" not in str(body) and WHY_ONE_IS_WRONG["en"] not in str(body)


def test_an_answer_in_a_running_quiz_reveals_no_feedback():
    problem = _with_feedback()
    user = make_user()
    quiz = Quiz.objects.create(course=problem.section.course, slug="q", title_ja="q", title_en="q")
    QuizItem.objects.create(quiz=quiz, problem=problem, order=0)
    attempt = attempt_start(user=user, quiz=quiz)
    response = _answer(problem, "1", user=user, attempt=attempt)
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "recorded": True}
