"""Revealed choices on the learner's pages: a wrong pick marked ✗ with its feedback, the right
ones ✓, on the problem page after answering and in a finished quiz's review; nothing of it while
a quiz is running."""

from __future__ import annotations

import re

import pytest

from problems.models import Answer, Choice
from problems.services import answer_create, attempt_finish, attempt_start
from tests.factories import client_for, make_choice_problem, make_quiz, make_user

pytestmark = pytest.mark.django_db

WRONG_ONE = {"ja": "1 は勾配を 2 倍にします。", "en": "One doubles the gradient."}
WRONG_THREE = {"ja": "3 は符号が逆です。", "en": "Three has the wrong sign."}
RIGHT_TWO = {"ja": "2 は向きを保ちます。", "en": "Two keeps the direction."}


def _problem(kind="single_choice", correct=("2",)):
    problem = make_choice_problem(kind, correct=correct)
    for key, text in (("1", WRONG_ONE), ("2", RIGHT_TWO), ("3", WRONG_THREE)):
        Choice.objects.filter(problem=problem, key=key).update(
            feedback_ja=text["ja"], feedback_en=text["en"]
        )
    return problem


def _choice_items(body: str) -> dict[str, str]:
    """Each choice's markup by its key, from the answer form's labels or the review's items."""
    items = re.findall(r'<(?:label|li) class="choice[^"]*".*?</(?:label|li)>', body, flags=re.S)
    by_key = {}
    for item in items:
        key = re.search(r'value="([^"]+)"|data-key-label="([^"]+)"', item)
        by_key[key.group(1) or key.group(2)] = item
    return by_key


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_wrong_pick_is_marked_with_its_feedback_and_the_right_one_with_a_tick(language):
    problem, learner = _problem(), make_user()
    # when the learner picks a wrong choice on the problem's page
    body = (
        client_for(learner, language)
        .post(f"/problems/{problem.slug}/", {"answer": "1"})
        .content.decode()
    )
    choices = _choice_items(body)
    # then the pick is red with ✗ in words and its feedback, the right one green with ✓
    assert "choice--incorrect" in choices["1"] and 'data-verdict="incorrect"' in choices["1"]
    assert "✗" in choices["1"] and WRONG_ONE[language] in choices["1"]
    assert "choice--correct" in choices["2"] and "✓" in choices["2"]
    assert RIGHT_TWO[language] in choices["2"]
    # and a wrong choice nobody picked says nothing
    assert "choice--" not in choices["3"] and WRONG_THREE[language] not in body
    words = {"en": "Incorrect: your choice", "ja": "不正解：あなたの選択"}[language]
    assert words in choices["1"]


def test_a_right_pick_is_ticked_as_the_learners_choice():
    problem, learner = _problem(), make_user()
    body = client_for(learner).post(f"/problems/{problem.slug}/", {"answer": "2"}).content.decode()
    choices = _choice_items(body)
    assert "✓ Correct: your choice" in choices["2"]
    assert WRONG_ONE["en"] not in body and 'data-verdict="incorrect"' not in body


def test_before_answering_nothing_is_revealed():
    problem = _problem()
    body = client_for(make_user()).get(f"/problems/{problem.slug}/").content.decode()
    assert "data-verdict" not in body and RIGHT_TWO["en"] not in body


def test_a_multiple_choice_page_lists_the_correct_set_and_marks_a_missed_one():
    problem = _problem("multiple_choice", correct=("2", "4"))
    learner = make_user()
    body = (
        client_for(learner)
        .post(f"/problems/{problem.slug}/", {"answer": ["1", "2"]})
        .content.decode()
    )
    # the correct set as a list, one item each, not run together
    listed = re.search(r'<ul class="answer-set"[^>]*>(.*?)</ul>', body, flags=re.S).group(1)
    # numbered as the learner saw the choices, in that order
    shown = Answer.objects.get(user=learner, problem=problem).variant["choice_order"]
    expected = [f"{n}. Choice {key}" for n, key in enumerate(shown, 1) if key in ("2", "4")]
    assert re.findall(r"<li><strong>(.*?)</strong></li>", listed) == expected
    choices = _choice_items(body)
    assert "Correct: your choice" in choices["2"]
    assert "Correct: you did not choose it" in choices["4"]
    assert "Incorrect: your choice" in choices["1"] and WRONG_ONE["en"] in choices["1"]


def test_a_running_quiz_shows_no_marks_or_feedback_and_its_review_does():
    problem, learner = _problem(), make_user()
    attempt = attempt_start(user=learner, quiz=make_quiz([problem]))
    answer_create(user=learner, problem=problem, response="1", attempt=attempt)
    client = client_for(learner)
    # while the quiz runs, the question page shows the pick and nothing else
    running = client.get(f"/attempts/{attempt.pk}/q/1/").content.decode()
    assert "data-verdict" not in running and WRONG_ONE["en"] not in running
    assert "choice--incorrect" not in running and "choice--correct" not in running
    # once finished, the review marks it and gives the feedback
    attempt_finish(attempt=attempt)
    review = client.get(f"/attempts/{attempt.pk}/review/").content.decode()
    choices = _choice_items(review)
    assert "choice--incorrect" in choices["1"] and "✗" in choices["1"]
    assert WRONG_ONE["en"] in choices["1"] and "✓" in choices["2"]
    assert WRONG_THREE["en"] not in review


def test_an_unanswered_review_question_shows_the_right_choice_only():
    problem = _problem()
    learner = make_user()
    attempt = attempt_finish(attempt=attempt_start(user=learner, quiz=make_quiz([problem])))
    review = client_for(learner, "ja").get(f"/attempts/{attempt.pk}/review/").content.decode()
    choices = _choice_items(review)
    assert "✓ 正解" in choices["2"] and "data-verdict" not in choices["1"]
    assert "この問題には解答していません。" in review


def test_feedback_markup_is_sanitised_like_a_choices_text():
    problem = _problem()
    Choice.objects.filter(problem=problem, key="1").update(
        feedback_en="<script>alert(1)</script><img src=x onerror=alert(1)> `code` $x^2$"
    )
    body = client_for(make_user()).post(f"/problems/{problem.slug}/", {"answer": "1"})
    picked = _choice_items(body.content.decode())["1"]
    feedback = re.search(r"<span class=\"choice__feedback\"[^>]*>(.*?)</span>", picked, re.S).group(
        1
    )
    assert "<script" not in feedback and "onerror" not in feedback
    assert "<code>code</code>" in feedback and "$x^2$" in feedback


def test_an_author_edits_choice_feedback_in_the_admin():
    from django.contrib.auth.models import Group

    author = make_user(is_staff=True)
    author.groups.add(Group.objects.get(name="author"))
    problem = _problem()
    client = client_for(author)
    page = client.get(f"/admin/problems/problem/{problem.pk}/change/").content.decode()
    assert 'name="choices-0-feedback_ja"' in page and 'name="choices-0-feedback_en"' in page
    assert WRONG_ONE["ja"] in page
