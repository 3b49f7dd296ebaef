"""Limits that hold on every path: one submission budget for page and API, sign-ups per
address, and one grading job per learner at a time."""

import threading
import time

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from problems import grading
from problems.models import Submission, SubmissionStatus
from problems.services.submissions import submission_create
from tests.factories import make_code_problem, make_user


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def rates(monkeypatch):
    """Set throttle rates for one test (DRF reads them once, at import)."""

    def set_rates(**scopes):
        merged = {**SimpleRateThrottle.THROTTLE_RATES, **scopes}
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", merged)

    return set_rates


@pytest.mark.django_db
def test_the_page_and_the_api_share_one_submission_budget(settings, rates):
    # given a budget of 4 a minute, and room for every submission in flight
    settings.GRADING_BACKEND = "none"
    settings.SUBMISSIONS_IN_FLIGHT_PER_USER = 100
    rates(submissions="4/min")
    learner = make_user()
    problem = make_code_problem()
    page, api = Client(HTTP_ACCEPT_LANGUAGE="en"), APIClient()
    page.force_login(learner)
    api.force_authenticate(learner)
    url = f"/api/problems/{problem.slug}/submissions/"
    # when two go through the API and two through the page
    for n in range(2):
        assert api.post(url, {"code": f"x = {n}"}, format="json").status_code == 202
        page.post(f"/problems/{problem.slug}/submit/", {"code": f"y = {n}"})
    # then the fifth is refused on either path, with a sentence on the page
    assert api.post(url, {"code": "x = 5"}, format="json").status_code == 429
    refused = page.post(f"/problems/{problem.slug}/submit/", {"code": "y = 5"}, follow=True)
    assert "Too many submissions in a short time" in refused.content.decode()
    assert Submission.objects.filter(user=learner).count() == 4


def _sign_up(username: str, address: str):
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/signup/",
        {"username": username, "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_sign_up_is_throttled_per_address(rates):
    rates(signups="2/hour")
    responses = [_sign_up(f"new{n}", "10.1.1.1") for n in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 429]
    assert "Too many accounts were created from your address" in responses[2].content.decode()
    assert _sign_up("new9", "10.1.1.2").status_code == 302


def test_one_learners_slow_submissions_do_not_delay_another_learners(
    transactional_db, settings, monkeypatch
):
    # given two grading threads and an engine that takes a while for every submission
    settings.GRADING_BACKEND = "inprocess"
    graded: list[str] = []
    lock = threading.Lock()

    def slow_grade(*, spec, code, visible_only=False, seed=None, known=None, progress=None):
        with lock:
            graded.append(code)
        time.sleep(0.4)
        return {"verdict": "AC", "score": 1, "max_score": 1, "tests": []}

    monkeypatch.setattr(grading, "grade_code", slow_grade)
    problem = make_code_problem()
    a, b = make_user(), make_user()
    # when A queues three submissions, then B one
    for n in range(3):
        submission_create(user=a, problem=problem, code=f"a{n} = 1")
    submission_create(user=b, problem=problem, code="b0 = 1")
    for _ in range(200):
        if not Submission.objects.exclude(status=SubmissionStatus.DONE).exists():
            break
        time.sleep(0.05)
    # then every submission is graded, B's before A's later ones, and A never had two at once
    assert Submission.objects.filter(status=SubmissionStatus.DONE).count() == 4
    # (which of A's goes first is up to the threads; at most one of A's runs before B's)
    assert graded.index("b0 = 1") <= 1, graded
    runs = sorted(
        Submission.objects.filter(user=a).values_list("started_at", "finished_at"),
    )
    assert all(later[0] >= earlier[1] for earlier, later in zip(runs, runs[1:], strict=False))


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_dodge_the_sign_up_throttle(rates):
    rates(signups="1/hour")
    first = Client().post(
        "/accounts/signup/",
        {"username": "x1", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
        REMOTE_ADDR="10.2.2.2",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    second = Client().post(
        "/accounts/signup/",
        {"username": "x2", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
        REMOTE_ADDR="10.2.2.2",
        HTTP_X_FORWARDED_FOR="192.0.2.2",
    )
    assert (first.status_code, second.status_code) == (302, 429)
