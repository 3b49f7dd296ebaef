"""The learning loop's pages, server-rendered, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from study import clock
from study.models import Card, HintUse, ReviewLog, StudyPreferences
from tests.factories import make_choice_problem, make_logged_in_client, make_section, make_user

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
HINTS = [{"ja": "出力の形を考えましょう。", "en": "Think of the output's shape."}]


@pytest.fixture
def learner():
    return make_logged_in_client()


def page(client, url, language="ja"):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_wrong_answer_is_in_the_review_badge_notebook_and_review_page(learner):
    problem = make_choice_problem(title_ja="勾配消失", title_en="Vanishing gradients")
    with clock.frozen(T0):
        answered = learner.post(f"/problems/{problem.slug}/", {"answer": "1"})
    assert "次回の復習" in answered.content.decode()
    with clock.frozen(T0 + timedelta(minutes=2)):
        review = page(learner, "/review/")
        notebook = page(learner, "/mistakes/", "en")
        english = page(learner, "/review/", "en")
    assert 'data-review-badge="1"' in review and "今日の復習" in review
    assert f'data-review-item="{problem.slug}"' in review and "前回まちがえた問題" in review
    assert "Answered wrong last time" in english
    assert f'data-mistake="{problem.slug}"' in notebook and "Vanishing gradients" in notebook
    with clock.frozen(T0 + timedelta(minutes=2)):
        start = learner.get("/review/next/")
    assert start.status_code == 302 and start["Location"] == f"/problems/{problem.slug}/?review=1"


def test_answering_right_in_the_review_moves_on_and_leaves_the_notebook(learner):
    problem = make_choice_problem()
    with clock.frozen(T0):
        learner.post(f"/problems/{problem.slug}/", {"answer": "1"})
    with clock.frozen(T0 + timedelta(minutes=2)):
        body = learner.post(f"/problems/{problem.slug}/?review=1", {"answer": "2"}).content.decode()
        assert "data-review-next" in body
        assert page(learner, "/mistakes/").count("data-mistake=") == 0


def test_i_dont_know_and_confidence_from_the_page(learner):
    problem = make_choice_problem()
    with clock.frozen(T0):
        body = learner.post(f"/problems/{problem.slug}/", {"dont_know": "1"}).content.decode()
        learner.post(f"/problems/{problem.slug}/", {"answer": "2", "confidence": "low"})
    assert "答えはこちらです" in body
    logs = list(ReviewLog.objects.order_by("id").values_list("dont_know", "confidence"))
    assert logs == [(True, ""), (False, "low")]


def test_hints_are_shown_one_at_a_time_on_the_page(learner):
    problem = make_choice_problem(hints=HINTS + [{"ja": "二つ目", "en": "Second"}])
    before = page(learner, f"/problems/{problem.slug}/")
    assert "data-hint-button" in before and 'data-hint="1"' not in before
    learner.post(f"/problems/{problem.slug}/hint/", {"n": "1"})
    after = page(learner, f"/problems/{problem.slug}/", "en")
    assert "Think of the output" in after and "Next hint (2 of 2)" in after
    skipped = learner.post(f"/problems/{make_choice_problem(hints=HINTS).slug}/hint/", {"n": "5"})
    assert skipped.status_code == 302
    assert HintUse.objects.count() == 1


def test_study_this_section_adds_new_cards_at_the_daily_limit(learner):
    section = make_section("study-me")
    for _ in range(4):
        make_choice_problem(section=section)
    StudyPreferences.objects.create(user=learner.user, new_cards_per_day=2)
    with clock.frozen(T0):
        body = learner.post("/sections/study-me/study/", follow=True).content.decode()
        review = page(learner, "/review/")
    assert "4 問" in body
    assert Card.objects.filter(user=learner.user).count() == 4
    assert review.count('data-reason="new"') == 2


def test_the_daily_limit_setting_says_what_to_fix(learner):
    bad = learner.post("/review/settings/", {"new_cards_per_day": "500"}, follow=True)
    assert "0 から 200" in bad.content.decode()
    learner.post("/review/settings/", {"new_cards_per_day": "5"})
    assert StudyPreferences.objects.get(user=learner.user).new_cards_per_day == 5


def test_the_dashboard_shows_weak_areas_from_the_evidence(learner):
    weak, strong = make_section("rnn-weak"), make_section("lstm-strong")
    with clock.frozen(T0):
        for _ in range(2):
            learner.post(f"/problems/{make_choice_problem(section=weak).slug}/", {"answer": "1"})
            learner.post(f"/problems/{make_choice_problem(section=strong).slug}/", {"answer": "2"})
        body = page(learner, "/progress/")
    assert 'data-weak-area="rnn-weak"' in body
    assert 'data-weak-area="lstm-strong"' not in body


def test_anonymous_visitors_are_sent_to_log_in():
    for url in ("/review/", "/mistakes/", "/review/next/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def _graded(user, problem, verdict, tests=()):
    from problems.models import Submission, SubmissionStatus

    return Submission.objects.create(
        user=user,
        problem=problem,
        problem_version=problem.versions.get(),
        code="def double(x):\n    return x\n",
        status=SubmissionStatus.DONE,
        verdict=verdict,
        tests=list(tests),
    )


def test_the_model_solution_opens_after_three_failed_submissions_as_a_give_up(learner):
    from study.models import ReviewSource
    from tests.factories import make_code_problem

    problem = make_code_problem()
    url = f"/problems/{problem.slug}/"
    refused = learner.post(f"{url}solution/", follow=True).content.decode()
    assert "3 回" in refused and "data-model-solution" not in refused
    for _ in range(3):
        _graded(learner.user, problem, "WA")
    offered = page(learner, url)
    assert "data-give-up" in offered and "return 2 * x" not in offered
    with clock.frozen(T0):
        shown = learner.post(f"{url}solution/", follow=True).content.decode()
    assert "data-model-solution" in shown and "return 2 * x" in shown
    log = ReviewLog.objects.get(source=ReviewSource.GIVE_UP)
    assert log.rating == 1 and not log.correct  # Again
    assert log.due_after - T0 <= timedelta(minutes=10)


def test_a_failing_visible_test_shows_its_hint_in_the_page_language(learner):
    from tests.factories import make_code_problem

    problem = make_code_problem()
    hint = {"ja": "2 倍にするのを忘れていませんか。", "en": "Did you forget to double it?"}
    submission = _graded(
        learner.user,
        problem,
        "WA",
        tests=[
            {"name": "visible", "passed": False, "points": 0, "max_points": 1, "hint": hint},
            {"name": "secret", "passed": False, "hidden": True, "hint": hint},
        ],
    )
    ja = page(learner, f"/submissions/{submission.pk}/")
    en = page(learner, f"/submissions/{submission.pk}/", "en")
    assert ja.count("2 倍にするのを忘れていませんか。") == 1  # the hidden test's stays hidden
    assert "Did you forget to double it?" in en
    api = learner.get(f"/api/submissions/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["tests"][0]["hint"] == "Did you forget to double it?"
    assert "hint" not in api["tests"][1]


def test_authors_read_the_readiness_report_per_problem():
    from django.contrib.auth.models import Group

    from problems.roles import author_group

    # given two learners, one wrong then right with a hint, one right at once
    problem = make_choice_problem(slug="gate-count", hints=HINTS)
    first, second = Client(), Client()
    for client in (first, second):
        client.user = make_user()
        client.force_login(client.user)
    with clock.frozen(T0):
        first.post(f"/problems/{problem.slug}/", {"answer": "1"})
        first.post(f"/problems/{problem.slug}/hint/", {"n": "1"})
        second.post(f"/problems/{problem.slug}/", {"answer": "2"})
    with clock.frozen(T0 + timedelta(minutes=2)):
        first.post(f"/problems/{problem.slug}/", {"answer": "2"})
    # when an author opens the report (the group re-synced, as create_demo_users does)
    author = make_user("report-author", is_staff=True)
    author.groups.add(Group.objects.get(name="author"))
    author_group()
    client = Client()
    client.force_login(author)
    body = client.get("/admin/study/problemreadiness/").content.decode()
    # then it shows first-try accuracy and hints per review for the problem
    assert "gate-count" in body
    assert "1/2 (50 %)" in body
    assert "0.33" in body  # one hint over three reviews


def test_a_leech_shows_its_explanation_before_the_question(learner):
    problem = make_choice_problem(
        explanation_ja="ゲートは 4 つあります。", explanation_en="Four gates."
    )
    page_before = page(learner, f"/problems/{problem.slug}/")
    assert "data-leech" not in page_before
    Card.objects.create(
        user=learner.user, problem=problem, due_at=T0, added_at=T0, introduced_at=T0, is_leech=True
    )
    body = page(learner, f"/problems/{problem.slug}/?review=1")
    assert "data-leech" in body
    assert body.index("ゲートは 4 つあります。") < body.index('class="answer-form"')


def test_an_untimed_quiz_takes_confidence_and_i_dont_know_and_reviews_them_at_its_end(learner):
    from problems.models import Answer, Quiz, QuizItem

    problems = [make_choice_problem() for _ in range(2)]
    quiz = Quiz.objects.create(
        course=problems[0].section.course, slug="practice", title_ja="練習", title_en="Practice"
    )
    for order, problem in enumerate(problems):
        QuizItem.objects.create(quiz=quiz, problem=problem, order=order)
    start = learner.post("/quizzes/practice/start/")
    first_question = start["Location"]
    assert "data-dont-know" in page(learner, first_question)
    with clock.frozen(T0):
        learner.post(first_question, {"action": "dont_know"})
        second = first_question.replace("/q/1/", "/q/2/")
        learner.post(second, {"action": "answer", "answer": "2", "confidence": "high"})
    answers = list(Answer.objects.order_by("problem_id").values_list("dont_know", "confidence"))
    assert answers == [(True, ""), (False, "high")]
    assert list(ReviewLog.objects.order_by("problem_id").values_list("correct", flat=True)) == [
        False,
        True,
    ]


def test_a_timed_exam_offers_neither(learner):
    from problems.models import Quiz, QuizItem

    problem = make_choice_problem()
    quiz = Quiz.objects.create(
        course=problem.section.course,
        slug="timed",
        title_ja="模擬",
        title_en="Mock",
        time_limit_minutes=30,
    )
    QuizItem.objects.create(quiz=quiz, problem=problem, order=0)
    question = learner.post("/quizzes/timed/start/")["Location"]
    body = page(learner, question)
    assert "data-dont-know" not in body and "data-confidence" not in body
    assert "data-hint-button" not in body


def test_the_section_page_tells_first_try_from_corrected_later(learner):
    section = make_section("first-try")
    once, later = make_choice_problem(section=section), make_choice_problem(section=section)
    with clock.frozen(T0):
        learner.post(f"/problems/{once.slug}/", {"answer": "2"})
        learner.post(f"/problems/{later.slug}/", {"answer": "1"})
        learner.post(f"/problems/{later.slug}/", {"answer": "2"})
    body = page(learner, "/sections/first-try/")
    assert body.count("一回で正解") == 1 and body.count("やり直して正解") == 1


def test_the_explanation_fragment_waits_for_a_solve_or_a_give_up(learner):
    from tests.factories import make_code_problem

    problem = make_code_problem(explanation_ja="2 倍にする理由", explanation_en="Why double")
    url = f"/problems/{problem.slug}/explanation/"
    assert learner.get(url).status_code == 404
    assert "data-explanation-slot" in page(learner, f"/problems/{problem.slug}/")
    assert "2 倍にする理由" not in page(learner, f"/problems/{problem.slug}/")
    _graded(learner.user, problem, "AC")
    fragment = learner.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "2 倍にする理由" in fragment and "data-model-solution" in fragment
    assert Client().get(url).status_code == 302  # anonymous: log in first


def test_a_quiz_review_can_show_only_the_wrong_questions(learner):
    from problems.models import Quiz, QuizItem
    from problems.services.answers import answer_create
    from problems.services.attempts import attempt_finish, attempt_start

    problems = [
        make_choice_problem(title_ja=f"問{n}", title_en=f"Question {n}") for n in range(1, 4)
    ]
    quiz = Quiz.objects.create(
        course=problems[0].section.course, slug="review-me", title_ja="復習", title_en="Review"
    )
    for order, problem in enumerate(problems):
        QuizItem.objects.create(quiz=quiz, problem=problem, order=order)
    attempt = attempt_start(user=learner.user, quiz=quiz)
    answer_create(user=learner.user, problem=problems[0], response="2", attempt=attempt)
    answer_create(user=learner.user, problem=problems[1], response="1", attempt=attempt)
    attempt_finish(attempt=attempt)
    every = page(learner, f"/attempts/{attempt.pk}/review/", "en")
    wrong = page(learner, f"/attempts/{attempt.pk}/review/?show=wrong", "en")
    assert all(f"Question {n}" in every for n in (1, 2, 3))
    assert "Question 1" not in wrong and "Question 2" in wrong and "Question 3" in wrong
    assert "Only the wrong ones (2)" in every
    assert "間違えた問題だけ（2 問）" in page(learner, f"/attempts/{attempt.pk}/review/")
