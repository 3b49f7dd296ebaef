import pytest
from rest_framework.test import APIClient

from problems.models import Answer, Submission
from problems.services import submission_create
from tests.factories import (
    make_choice_problem,
    make_code_problem,
    make_problem,
    make_text_problem,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    # English messages: the assertions read the sentence that says what to fix.
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def owner():
    return make_user("owner")


def login(client, user):
    client.force_authenticate(user)
    return client


# -- problems --------------------------------------------------------------------------------


def test_it_lists_only_published_problems_paginated(client):
    shown = make_choice_problem(slug="shown")
    make_choice_problem(slug="draft", published=False)
    response = client.get("/api/problems/")
    assert response.status_code == 200
    body = response.json()
    assert [p["slug"] for p in body["results"]] == ["shown"]
    assert set(body["results"][0]) >= {"slug", "kind", "section", "title"}
    assert "next" in body and body["results"][0]["section"] == shown.section.slug


def test_problem_detail_never_shows_the_answer(client):
    make_choice_problem(slug="mc", correct=("2",))
    body = client.get("/api/problems/mc/").json()
    shown = {choice["key"]: choice for choice in body["choices"]}
    assert set(shown["2"]) == {"key", "label", "text"} and shown["2"]["text"] == "Choice 2"
    assert "correct" not in str(body).lower().replace("correct_answer", "")
    assert "explanation" not in body


def test_problem_detail_never_shows_the_reference_or_hidden_tests(client):
    make_code_problem(slug="code-one")
    body = client.get("/api/problems/code-one/").json()
    assert body["code"]["visible_tests"] == ["visible"]
    assert body["code"]["hidden_test_count"] == 1
    assert "return 2 * x" not in str(body) and "secret" not in str(body)


def test_problem_detail_follows_the_language(client):
    make_choice_problem(slug="lang")
    assert client.get("/api/problems/lang/").json()["title"].startswith("Problem")
    assert (
        client.get("/api/problems/lang/", HTTP_ACCEPT_LANGUAGE="ja")
        .json()["title"]
        .startswith("問題")
    )


def test_an_unpublished_problem_is_404(client):
    make_choice_problem(slug="hidden", published=False)
    assert client.get("/api/problems/hidden/").status_code == 404


# -- answers ---------------------------------------------------------------------------------


def test_it_checks_and_records_an_answer(client, owner):
    make_choice_problem(slug="q1", correct=("2",))
    response = login(client, owner).post(
        "/api/problems/q1/answers/", {"answer": "2"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["correct"] is True and response.json()["score"] == 2
    assert response.json()["explanation"] == "Explanation"
    assert Answer.objects.get().is_correct


def test_a_wrong_answer_scores_zero_and_shows_the_correct_one(client, owner):
    make_text_problem(slug="t1")
    body = (
        login(client, owner)
        .post("/api/problems/t1/answers/", {"answer": "5x5"}, format="json")
        .json()
    )
    assert body["correct"] is False and body["score"] == 0 and body["correct_answer"] == "3x3"


def test_anonymous_learners_cannot_answer(client):
    make_choice_problem(slug="q2")
    assert client.post("/api/problems/q2/answers/", {"answer": "2"}, format="json").status_code in (
        401,
        403,
    )


@pytest.mark.parametrize(
    ("body", "content_type", "fix"),
    [
        ("{not json", "application/json", "not valid JSON"),
        ("{}", "application/json", "answer"),
        ('{"answer": "7"}', "application/json", "not a choice"),
        ('{"answer": "2", "attempt": "x"}', "application/json", "attempt"),
    ],
)
def test_malformed_answers_get_a_400_that_says_what_to_fix(client, owner, body, content_type, fix):
    make_choice_problem(slug="q3")
    response = login(client, owner).generic(
        "POST", "/api/problems/q3/answers/", body, content_type=content_type
    )
    assert response.status_code == 400
    assert fix in response.json()["detail"]


def test_a_code_problem_refuses_plain_answers(client, owner):
    make_code_problem(slug="c1")
    response = login(client, owner).post(
        "/api/problems/c1/answers/", {"answer": "x"}, format="json"
    )
    assert response.status_code == 400 and "submit code" in response.json()["detail"]


def test_numeric_problem_accepts_full_width_digits_over_the_api(client, owner):
    make_problem("numeric", slug="n1", numeric_answer=0.25, numeric_tolerance=0.001)
    body = (
        login(client, owner)
        .post("/api/problems/n1/answers/", {"answer": "０．２５"}, format="json")
        .json()
    )
    assert body["correct"] is True


# -- submissions -----------------------------------------------------------------------------


def test_it_accepts_code_with_202_and_a_queued_row(client, owner, grading_off):
    make_code_problem(slug="c2")
    response = login(client, owner).post(
        "/api/problems/c2/submissions/", {"code": "def double(x):\n    return 2*x\n"}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.user == owner and submission.problem_version.number == 1
    assert submission.code == "def double(x):\n    return 2*x\n"


@pytest.mark.parametrize(
    ("payload", "status", "fix"),
    [
        ({"code": "x" * (65 * 1024)}, 413, "limit is 64 KiB"),
        ({"code": "print(1)\x00"}, 400, "NUL byte"),
        ({"code": "   "}, 400, "empty"),
        ({}, 400, "code"),
        ({"code": 12}, 400, "code"),
        ({"code": "x=1", "visible_only": "maybe"}, 400, "visible_only"),
    ],
)
def test_bad_code_gets_a_clear_error(client, owner, grading_off, payload, status, fix):
    make_code_problem(slug="c3")
    response = login(client, owner).post("/api/problems/c3/submissions/", payload, format="json")
    assert response.status_code == status
    assert fix in response.json()["detail"]
    assert not Submission.objects.exists()


def test_non_utf8_bodies_are_a_400(client, owner, grading_off):
    make_code_problem(slug="c4")
    response = login(client, owner).generic(
        "POST",
        "/api/problems/c4/submissions/",
        b'{"code": "\xff\xfe"}',
        content_type="application/json",
    )
    assert response.status_code == 400


def test_it_limits_submissions_in_flight(client, owner, grading_off, settings):
    settings.SUBMISSIONS_IN_FLIGHT_PER_USER = 2
    problem = make_code_problem(slug="c5")
    for n in range(2):
        submission_create(user=owner, problem=problem, code=f"x = {n}")
    response = login(client, owner).post(
        "/api/problems/c5/submissions/", {"code": "x = 2"}, format="json"
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "still being graded" in response.json()["detail"]


def test_identical_code_still_in_flight_is_the_same_submission(client, owner, grading_off):
    # given a submission being graded
    problem = make_code_problem(slug="c6")
    first = submission_create(user=owner, problem=problem, code="x = 1")
    # when the same code is sent again (a double-click), then other code
    again = login(client, owner).post(
        "/api/problems/c6/submissions/", {"code": "x = 1"}, format="json"
    )
    other = client.post("/api/problems/c6/submissions/", {"code": "x = 2"}, format="json")
    # then the first answer is the submission already in flight, the second a new one
    assert (again.status_code, again.json()["id"]) == (202, first.pk)
    assert other.status_code == 202 and other.json()["id"] != first.pk


def test_submission_detail_answers_304_when_nothing_changed(client, owner, grading_off):
    submission = submission_create(user=owner, problem=make_code_problem(), code="x = 1")
    login(client, owner)
    first = client.get(f"/api/submissions/{submission.pk}/")
    again = client.get(f"/api/submissions/{submission.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_submission_list_shows_only_mine(client, owner, grading_off):
    problem = make_code_problem()
    mine = submission_create(user=owner, problem=problem, code="x = 1")
    submission_create(user=make_user(), problem=problem, code="x = 2")
    body = login(client, owner).get("/api/submissions/").json()
    assert [s["id"] for s in body["results"]] == [mine.pk]


def test_a_hidden_test_never_shows_values_even_if_a_result_held_them(client, owner, grading_off):
    # given a stored result whose hidden test carries values (an engine bug, or old data)
    submission = submission_create(user=owner, problem=make_code_problem(), code="x = 1")
    picture = {"name": "result", "shape": [2], "expected": [1.0, 2.0], "got": [1.0, 3.0]}
    submission.tests = [
        {"name": "shown", "passed": False, "hidden": False, "values": {"outputs": [picture]}},
        {"name": "secret", "passed": False, "hidden": True, "values": {"outputs": [picture]}},
    ]
    submission.save(update_fields=["tests"])
    # when its owner reads it
    tests = login(client, owner).get(f"/api/submissions/{submission.pk}/").json()["tests"]
    # then the visible test has its pictures and the hidden one none
    assert tests[0]["values"]["outputs"][0]["got"] == [1.0, 3.0]
    assert "values" not in tests[1]


# -- tokens ----------------------------------------------------------------------------------


def test_a_token_from_username_and_password_authenticates(client):
    make_user("tokenuser")
    make_choice_problem(slug="tq")
    token = client.post(
        "/api/auth/token/", {"username": "tokenuser", "password": "pw-for-tests-123"}, format="json"
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert (
        client.post("/api/problems/tq/answers/", {"answer": "2"}, format="json").status_code == 201
    )


def test_a_wrong_password_gets_a_400_with_a_sentence(client):
    make_user("tokenuser2")
    response = client.post(
        "/api/auth/token/", {"username": "tokenuser2", "password": "nope"}, format="json"
    )
    assert response.status_code == 400 and response.json()["detail"]


# -- quizzes in progress ---------------------------------------------------------------------


def _attempt_on(problem, user, **fields):
    from problems.models import Quiz, QuizItem
    from problems.services import attempt_start

    quiz = Quiz.objects.create(
        course=problem.section.course,
        slug=f"quiz-{problem.slug}",
        title_ja="q",
        title_en="q",
        **fields,
    )
    QuizItem.objects.create(quiz=quiz, problem=problem, order=0)
    return attempt_start(user=user, quiz=quiz)


def test_an_answer_inside_a_quiz_in_progress_tells_nothing(client, owner):
    problem = make_text_problem(slug="in-quiz")
    attempt = _attempt_on(problem, owner)
    body = (
        login(client, owner)
        .post(
            "/api/problems/in-quiz/answers/",
            {"answer": "5x5", "attempt": attempt.pk},
            format="json",
        )
        .json()
    )
    assert body == {"id": body["id"], "recorded": True}


def test_the_answer_page_is_closed_while_the_problem_is_in_an_open_quiz(client, owner):
    problem = make_text_problem(slug="peek")
    _attempt_on(problem, owner)
    response = login(client, owner).post(
        "/api/problems/peek/answers/", {"answer": "5x5"}, format="json"
    )
    assert response.status_code == 400 and "quiz in progress" in response.json()["detail"]
    assert "correct_answer" not in response.json()


def test_answers_after_the_deadline_do_not_count(client, owner):
    from datetime import timedelta

    from django.utils import timezone

    problem = make_text_problem(slug="late")
    attempt = _attempt_on(problem, owner, time_limit_minutes=30)
    attempt.deadline = timezone.now() - timedelta(hours=2)
    attempt.save()
    response = login(client, owner).post(
        "/api/problems/late/answers/", {"answer": "3x3", "attempt": attempt.pk}, format="json"
    )
    assert response.status_code == 400 and "Time is up" in response.json()["detail"]
    assert not Answer.objects.exists()


def test_a_new_attempt_leaves_out_unpublished_problems(owner):
    shown, hidden = make_text_problem(slug="shown-q"), make_text_problem(slug="hidden-q")
    attempt = _attempt_on(shown, owner)
    from problems.models import QuizItem

    QuizItem.objects.create(quiz=attempt.quiz, problem=hidden, order=1)
    hidden.is_published = False
    hidden.save()
    from problems.services import attempt_start

    again = attempt_start(user=make_user(), quiz=attempt.quiz)
    assert again.problem_order == [shown.pk]


@pytest.mark.parametrize(
    ("kind", "answer", "fix"),
    [
        ("text", "a\x00b", "NUL character"),
        ("text", "\ud800", "unpaired surrogate"),
        ("single_choice", "\ud800", "unpaired surrogate"),
        ("text", "x" * 5000, "the limit is 1000"),
        ("numeric", 10**400, "finite number"),
        ("numeric", "1" + "0" * 400 + "/1", "finite number"),
    ],
)
def test_answers_the_database_cannot_hold_get_a_400(client, owner, kind, answer, fix):
    import json

    problems = {"text": make_text_problem, "single_choice": make_choice_problem}
    problem = problems.get(kind, lambda slug: make_problem("numeric", slug=slug))(slug="odd")
    # json.dumps escapes a lone surrogate as \\ud800, as a hostile client would send it
    body = json.dumps({"answer": answer})
    response = login(client, owner).generic(
        "POST", f"/api/problems/{problem.slug}/answers/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert fix in response.json()["detail"]
