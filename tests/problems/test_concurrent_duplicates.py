"""Twenty identical requests at once (a double-click, a script): one sign-up makes one account,
one learner's identical code is one submission or a refusal with a sentence, and none of them
is a server error. On PostgreSQL, where requests really run side by side."""

from __future__ import annotations

from collections import Counter

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from problems.models import Submission
from study.models import Bookmark
from tests.factories import make_code_problem, make_text_problem, make_user
from tests.threads import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
PASSWORD = "a-long-pass-123"


@pytest.fixture(autouse=True)
def _roomy_budgets(monkeypatch, settings, private_cache):
    """Budgets wide enough that the requests race each other instead of the throttles."""
    rates = {**SimpleRateThrottle.THROTTLE_RATES, "signups": "1000/min", "submissions": "1000/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    settings.GRADING_BACKEND = "none"


def _classes(results) -> Counter:
    return Counter(
        type(r).__name__ if isinstance(r, BaseException) else f"{r.status_code // 100}xx"
        for r in results
    )


def _server_errors(results) -> list:
    return [r for r in results if isinstance(r, BaseException) or r.status_code >= 500]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_makes_one_account_of_twenty_simultaneous_sign_ups(django_user_model, language):
    # given twenty browsers signing up with one username
    def sign_up(i):
        client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
        data = {"username": "same-name", "password1": PASSWORD, "password2": PASSWORD}
        return client.post("/accounts/signup/", data, REMOTE_ADDR=f"10.9.0.{i + 1}")

    # when they post at once
    results = all_at_once(sign_up)
    # then one account exists, and every other browser was told why, in its language
    print("sign-ups:", dict(_classes(results)))
    assert _server_errors(results) == []
    assert django_user_model.objects.filter(username="same-name").count() == 1
    assert sorted(r.status_code for r in results) == [302] + [409] * (THREADS - 1)
    taken = {
        "ja": "このユーザー名はすでに使われています",
        "en": "This username is already taken",
    }[language]
    assert all(taken in r.content.decode() for r in results if r.status_code == 409)


def _learner_and_problem():
    learner = make_user("eager")
    return learner, make_code_problem(slug="double-it")


def _api_submitter(learner, problem, *, language: str, factor=lambda i: 2):
    """`submit(i)` for all_at_once: the learner's code, `factor(i) * x`, through the API."""

    def submit(i):
        client = APIClient(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
        client.force_authenticate(learner)
        code = f"def double(x):\n    return {factor(i)} * x\n"
        return client.post(
            f"/api/problems/{problem.slug}/submissions/", {"code": code}, format="json"
        )

    return submit


def test_twenty_identical_api_submissions_are_one_submission_or_refused_with_a_sentence():
    # given a learner with a token-less API session
    learner, problem = _learner_and_problem()
    # when twenty identical submissions arrive at once
    results = all_at_once(_api_submitter(learner, problem, language="en"))
    # then none fails; every answer names the one submission they became
    print("API submissions:", dict(_classes(results)))
    assert _server_errors(results) == []
    assert Submission.objects.filter(user=learner).count() == 1
    submission = Submission.objects.get(user=learner)
    assert {r.status_code for r in results} == {202}
    assert {r.json()["id"] for r in results} == {submission.pk}


def test_twenty_identical_page_submissions_lead_to_one_submission_page():
    # given a learner logged in to the page
    learner, problem = _learner_and_problem()

    def submit(i):
        client = Client(HTTP_ACCEPT_LANGUAGE="ja", raise_request_exception=False)
        client.force_login(learner)
        url = f"/problems/{problem.slug}/submit/"
        return client.post(url, {"code": "def double(x):\n    return 2 * x\n"})

    # when the form is posted twenty times at once
    results = all_at_once(submit)
    # then each post is sent to the page of one and the same submission
    print("page submissions:", dict(_classes(results)))
    assert _server_errors(results) == []
    submission = Submission.objects.get(user=learner)
    assert {r.status_code for r in results} == {302}
    assert {r["Location"] for r in results} == {f"/submissions/{submission.pk}/"}


def test_different_code_is_not_taken_for_a_duplicate_and_the_limit_holds():
    # given a learner allowed three submissions in flight
    learner, problem = _learner_and_problem()
    # when twenty different submissions arrive at once
    results = all_at_once(_api_submitter(learner, problem, language="ja", factor=lambda i: i))
    # then three are accepted and the others are told, in Japanese, to wait for one
    print("different submissions:", dict(_classes(results)))
    assert _server_errors(results) == []
    assert sorted(r.status_code for r in results) == [202] * 3 + [429] * (THREADS - 3)
    assert Submission.objects.filter(user=learner).count() == 3
    refused = [r for r in results if r.status_code == 429]
    assert all("採点中の提出が" in r.json()["detail"] for r in refused)


def test_twenty_bookmark_toggles_at_once_are_no_server_error():
    # given a learner on a problem page
    learner = make_user("bookmarker")
    problem = make_text_problem(slug="mark-me")

    def toggle(i):
        client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
        client.force_login(learner)
        return client.post(f"/problems/{problem.slug}/bookmark/")

    # when the bookmark button is pressed twenty times at once
    results = all_at_once(toggle)
    # then every press is answered and the toggles took turns: an even count leaves none
    print("bookmark toggles:", dict(_classes(results)))
    assert _server_errors(results) == []
    assert Bookmark.objects.filter(user=learner, problem=problem).count() == 0
