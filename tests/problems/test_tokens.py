"""API tokens expire and can be revoked; failed logins lock out one username from one address."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import make_choice_problem, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def client():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def _token(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(
        "/api/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def _me(token) -> int:
    """200 when the token is good: the learner's submission list needs a logged-in user."""
    status = APIClient().get("/api/submissions/", HTTP_AUTHORIZATION=f"Token {token}").status_code
    return 401 if status in (401, 403) else status


def test_it_issues_a_token_with_an_expiry_that_authenticates(client):
    make_user("alice")
    response = _token(client, "alice")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}
    assert _me(response.json()["token"]) == 200


def test_it_refuses_an_expired_token():
    user = make_user()
    instance, token = AuthToken.objects.create(user, timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _me(token) == 401


def test_logout_revokes_only_the_token_it_is_sent_with(client):
    user = make_user()
    _, first = AuthToken.objects.create(user)
    _, second = AuthToken.objects.create(user)
    response = APIClient().post("/api/auth/logout/", HTTP_AUTHORIZATION=f"Token {first}")
    assert response.status_code == 204
    assert _me(first) == 401
    assert _me(second) == 200


def test_logoutall_revokes_every_token_of_the_user():
    user = make_user()
    _, first = AuthToken.objects.create(user)
    _, second = AuthToken.objects.create(user)
    _, others = AuthToken.objects.create(make_user())
    response = APIClient().post("/api/auth/logoutall/", HTTP_AUTHORIZATION=f"Token {first}")
    assert response.status_code == 204
    assert _me(first) == 401 and _me(second) == 401
    assert _me(others) == 200


def test_a_password_change_revokes_every_token():
    user = make_user("bob")
    _, token = AuthToken.objects.create(user)
    browser = Client()
    browser.force_login(user)
    response = browser.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-Passphrase-42",
            "new_password2": "a-new-Passphrase-42",
        },
    )
    assert response.status_code == 302
    assert _me(token) == 401


def test_logging_in_again_keeps_the_tokens():
    user = make_user("carol")
    _, token = AuthToken.objects.create(user)
    Client().post(
        "/accounts/login/", {"username": "carol", "password": PASSWORD}
    )  # saves last_login
    assert _me(token) == 200


# -- lockout (django-axes, per username and address) -------------------------------------------


def _fail(client, username, times, ip="10.0.0.1"):
    for _ in range(times):
        _token(client, username, "wrong-password", ip=ip)


def test_the_token_endpoint_locks_a_username_out_after_repeated_wrong_passwords(client, settings):
    make_user("dave")
    _fail(client, "dave", settings.AXES_FAILURE_LIMIT)
    response = _token(client, "dave")  # the right password, too late
    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert "minutes" in response.json()["detail"]


def test_a_lockout_spares_the_same_user_elsewhere_and_other_users(client, settings):
    make_user("erin")
    make_user("frank")
    _fail(client, "erin", settings.AXES_FAILURE_LIMIT, ip="10.0.0.1")
    assert _token(client, "erin", ip="10.0.0.2").status_code == 200  # the real user, at home
    assert _token(client, "frank", ip="10.0.0.1").status_code == 200


def test_a_lockout_lifts_after_the_cool_off(client, settings):
    make_user("gina")
    _fail(client, "gina", settings.AXES_FAILURE_LIMIT)
    assert _token(client, "gina").status_code == 429
    from axes.models import AccessAttempt

    later = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=later)  # the cool-off has passed
    assert _token(client, "gina").status_code == 200


def test_the_html_login_locks_out_with_a_sentence(settings):
    make_user("hank")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/accounts/login/", {"username": "hank", "password": "wrong"})
    response = browser.post("/accounts/login/", {"username": "hank", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in browser.session


def test_the_html_lockout_message_is_in_japanese_too(settings):
    make_user("ivan")
    browser = Client(HTTP_ACCEPT_LANGUAGE="ja")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = browser.post("/accounts/login/", {"username": "ivan", "password": "wrong"})
    assert response.status_code == 429
    assert "ログイン" in response.content.decode()


def test_the_admin_login_locks_out(settings):
    get_user = make_user("root", is_staff=True)
    get_user.is_superuser = True
    get_user.save()
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/admin/login/", {"username": "root", "password": "wrong"})
    response = browser.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 429


def test_a_token_still_answers_after_login_succeeds_elsewhere(client):
    make_user("jill")
    make_choice_problem(slug="tok-q")
    token = _token(client, "jill").json()["token"]
    response = APIClient().post(
        "/api/problems/tok-q/answers/",
        {"answer": "2"},
        format="json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, settings):
    make_user("kate")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/auth/token/",
            {"username": "kate", "password": "wrong"},
            format="json",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    response = client.post(
        "/api/auth/token/",
        {"username": "kate", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_lockout_keys_on_the_forwarded_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user("liam")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/api/auth/token/",
            {"username": "liam", "password": "wrong"},
            format="json",
            REMOTE_ADDR="172.20.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR="203.0.113.7",
        )
    elsewhere = client.post(
        "/api/auth/token/",
        {"username": "liam", "password": PASSWORD},
        format="json",
        REMOTE_ADDR="172.20.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.4",
    )
    assert elsewhere.status_code == 200


LOCKOUT = {
    "ja": ("ログイン失敗が多すぎます", "分待ってから"),
    "en": ("Too many failed logins", "minutes and try again"),
}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_token_lockout_says_in_the_learners_language_when_to_retry(settings, language):
    # given a username locked out by wrong passwords, a cool-off of 15 minutes
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    make_user("kim")
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    _fail(client, "kim", settings.AXES_FAILURE_LIMIT)
    # when the right password comes too late
    response = _token(client, "kim")
    # then a 429 says so and when to retry, in words and in Retry-After
    detail = response.json()["detail"]
    assert response.status_code == 429
    assert all(phrase in detail for phrase in LOCKOUT[language]), detail
    assert "15" in detail
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_html_lockout_page_says_in_the_learners_language_when_to_retry(settings, language):
    # given a username whose last failed login was five minutes ago, and a lockout that does
    # not restart with each try during it (by default each try does, and 15 minutes are left)
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
    make_user("lou")
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        browser.post("/accounts/login/", {"username": "lou", "password": "wrong"})
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=5))
    # when they try again
    response = browser.post("/accounts/login/", {"username": "lou", "password": PASSWORD})
    # then the page, in their language, says to wait the ten minutes left
    body = response.content.decode()
    assert response.status_code == 429
    assert f'<html lang="{language}"' in body
    assert all(phrase in body for phrase in LOCKOUT[language]), body
    assert "10" in body
    assert 9 * 60 < int(response["Retry-After"]) <= 10 * 60
