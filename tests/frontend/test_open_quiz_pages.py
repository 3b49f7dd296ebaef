"""A quiz in progress is shown where the learner looks (home, its sections, its problems'
pages) with "resume" and "abandon", instead of problem pages refusing answers with no way out.
Abandoning finishes the quiz as it stands, or deletes it when nothing was answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from problems.models import Answer, Attempt
from problems.services.answers import answer_create
from problems.services.attempts import attempt_finish, attempt_start
from tests.factories import client_for, make_choice_problem, make_quiz, make_section, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_in_progress():
    # given a section quiz of three questions, the first answered (right), the others not
    section = make_section()
    problems = [make_choice_problem(section=section) for _ in range(3)]
    learner = make_user()
    attempt = attempt_start(user=learner, quiz=make_quiz(problems))
    answer_create(user=learner, problem=problems[0], response="2", attempt=attempt)
    return {"learner": learner, "attempt": attempt, "problems": problems, "section": section}


def _resume_url(attempt, number: int) -> str:
    return f"/attempts/{attempt.pk}/q/{number}/"


@pytest.mark.parametrize("page", ["home", "section"])
def test_a_quiz_in_progress_is_offered_to_resume_and_abandon(quiz_in_progress, page):
    attempt = quiz_in_progress["attempt"]
    url = "/" if page == "home" else f"/sections/{quiz_in_progress['section'].slug}/"
    # when
    english = client_for(quiz_in_progress["learner"]).get(url).content.decode()
    japanese = client_for(quiz_in_progress["learner"], "ja").get(url).content.decode()
    # then: at the first unanswered question, with a button that abandons it
    assert f'data-open-attempt="{attempt.pk}"' in english
    assert f'href="{_resume_url(attempt, 2)}"' in english
    assert "Resume at question 2" in english and "1 of 3 answered" in english
    assert f'action="/attempts/{attempt.pk}/abandon/"' in english
    assert "Quizzes in progress" in english
    assert "受験中のクイズ" in japanese and "第 2 問から再開する" in japanese
    assert "3 問中 1 問解答済み" in japanese and "中断して終える" in japanese


def test_other_sections_finished_and_timed_out_quizzes_are_not_offered(quiz_in_progress):
    learner = quiz_in_progress["learner"]
    other = make_section()
    make_choice_problem(section=other)
    # an exam whose time ran out is not in progress either
    timed = attempt_start(user=learner, quiz=make_quiz([make_choice_problem()], slug="timed"))
    Attempt.objects.filter(pk=timed.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    client = client_for(learner)
    # then
    assert "data-open-attempts" not in client.get(f"/sections/{other.slug}/").content.decode()
    home = client.get("/").content.decode()
    assert home.count("data-open-attempt=") == 1
    # when the quiz is finished, it is offered nowhere
    attempt_finish(attempt=quiz_in_progress["attempt"])
    section_url = f"/sections/{quiz_in_progress['section'].slug}/"
    assert "data-open-attempts" not in client.get("/").content.decode()
    assert "data-open-attempts" not in client.get(section_url).content.decode()


def test_a_problem_held_by_the_quiz_links_to_its_question_instead_of_an_answer_form(
    quiz_in_progress,
):
    attempt, problems = quiz_in_progress["attempt"], quiz_in_progress["problems"]
    client = client_for(quiz_in_progress["learner"])
    url = f"/problems/{problems[2].slug}/"
    # when
    page = client.get(url).content.decode()
    # then: the statement, a link to this very question of the quiz, and abandon; no form
    assert "Statement" in page
    assert 'class="answer-form"' not in page
    assert f'href="{_resume_url(attempt, 3)}"' in page
    assert "question 3 of 3 of your quiz in progress" in page
    assert f'action="/attempts/{attempt.pk}/abandon/"' in page
    japanese = client_for(quiz_in_progress["learner"], "ja").get(url).content.decode()
    assert "第 3 問（全 3 問）" in japanese and "クイズで解答する（第 3 問）" in japanese
    # and an answer posted anyway (a stale tab) is refused with the same way back
    refused = client.post(url, {"answer": "2"}).content.decode()
    assert "part of your quiz in progress" in refused
    assert f'href="{_resume_url(attempt, 3)}"' in refused
    assert not Answer.objects.filter(problem=problems[2]).exists()


def test_abandoning_a_quiz_with_answers_finishes_it_as_it_stands(quiz_in_progress):
    attempt, problems = quiz_in_progress["attempt"], quiz_in_progress["problems"]
    client = client_for(quiz_in_progress["learner"])
    # when
    response = client.post(
        f"/attempts/{attempt.pk}/abandon/", {"next": f"/problems/{problems[1].slug}/"}
    )
    # then: graded with the one answer, and the review shows it
    attempt.refresh_from_db()
    assert attempt.finished_at is not None and attempt.score == 2 and attempt.max_score == 6
    assert response.status_code == 302 and response["Location"] == f"/attempts/{attempt.pk}/review/"
    review = client.get(response["Location"]).content.decode()
    assert "it was finished as it stood" in review
    # and the problem's own page takes answers again
    page = client.get(f"/problems/{problems[1].slug}/").content.decode()
    assert 'class="answer-form"' in page and "data-in-open-quiz" not in page


def test_abandoning_a_quiz_with_no_answer_deletes_it(quiz_in_progress):
    learner = quiz_in_progress["learner"]
    fresh = attempt_start(user=learner, quiz=make_quiz([make_choice_problem()], slug="fresh"))
    client = client_for(learner)
    # when
    response = client.post(f"/attempts/{fresh.pk}/abandon/", {"next": "/"})
    # then: nothing is left of it, and the learner is back where they were
    assert not Attempt.objects.filter(pk=fresh.pk).exists()
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Nothing had been answered, so nothing was recorded" in client.get("/").content.decode()
    # a second click (another tab) changes nothing and does not fail
    again = client.post(f"/attempts/{fresh.pk}/abandon/", {"next": "/"})
    assert again.status_code == 302 and again["Location"] == "/"
    assert Attempt.objects.filter(pk=quiz_in_progress["attempt"].pk, finished_at=None).exists()


def test_only_the_learner_abandons_their_quiz_and_next_stays_on_the_site(quiz_in_progress):
    attempt = quiz_in_progress["attempt"]
    # another learner is sent home as for an attempt that does not exist; the quiz stays open
    stranger = client_for(make_user())
    response = stranger.post(f"/attempts/{attempt.pk}/abandon/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert Attempt.objects.get(pk=attempt.pk).finished_at is None
    # a GET never abandons
    owner = client_for(quiz_in_progress["learner"])
    assert owner.get(f"/attempts/{attempt.pk}/abandon/").status_code == 405
    # an empty quiz abandoned with an off-site `next` lands on the home page
    fresh = attempt_start(
        user=quiz_in_progress["learner"], quiz=make_quiz([make_choice_problem()], slug="empty")
    )
    response = owner.post(f"/attempts/{fresh.pk}/abandon/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_quiz_page_continues_at_the_first_unanswered_question(quiz_in_progress):
    attempt = quiz_in_progress["attempt"]
    page = client_for(quiz_in_progress["learner"]).get(f"/quizzes/{attempt.quiz.slug}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="{_resume_url(attempt, 2)}" data-resume' in html
    assert _resume_url(attempt, 1) not in html
