"""Request bodies: UTF-8 only, bounded in size and depth, no NUL; a 4xx sentence, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from quizsite.parsers import BodyRejected, RequestBodyTooLarge, StrictJSONParser
from tests.factories import make_code_problem, make_text_problem, make_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/auth/token/"
CHARSETS = ["bz2", "zlib", "base64", "hex", "latin-1", "utf-16", "x-no-such-charset"]
NESTED = "[" * 6000 + "]" * 6000


@pytest.fixture
def api():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def learner_api(api):
    api.force_login(make_user("body-learner"))
    return api


def _sentence(response) -> str:
    detail = response.json()["detail"]
    assert isinstance(detail, str) and len(detail.split()) >= 5, detail
    return detail


@pytest.mark.parametrize("charset", CHARSETS)
def test_it_refuses_a_json_body_in_another_charset_with_a_sentence(api, charset):
    body = json.dumps({"username": "a", "password": "b"}).encode()
    # the test client would encode `body` with the charset: generic() sends the bytes as they are
    response = api.generic("POST", TOKEN, body, content_type=f"application/json; charset={charset}")
    assert response.status_code == 415
    assert "UTF-8" in _sentence(response)


def test_it_accepts_an_explicit_utf8_charset(api):
    make_user("utf8-user")
    body = json.dumps({"username": "utf8-user", "password": "pw-for-tests-123"}).encode()
    response = api.post(TOKEN, body, content_type="application/json; charset=UTF-8")
    assert response.status_code == 200
    assert response.json()["token"]


def test_it_refuses_an_oversize_json_body_with_413(api):
    body = json.dumps({"username": "x" * (300 * 1024), "password": "b"})
    response = api.post(TOKEN, body, content_type="application/json")
    assert response.status_code == 413
    assert "256 KiB" in _sentence(response)


def test_the_parser_stops_reading_at_the_limit_whatever_the_content_length(settings):
    # given a stream far longer than the limit (chunked bodies carry no Content-Length)
    settings.API_MAX_BODY_BYTES = 1024
    stream = io.BytesIO(b'{"a": "' + b"x" * 10_000_000 + b'"}')
    # when DRF's parser reads it, then it refuses after reading limit + 1 bytes
    with pytest.raises(RequestBodyTooLarge):
        StrictJSONParser().parse(stream, "application/json")
    assert stream.tell() == 1025


def test_it_answers_deeply_nested_json_with_400_on_every_body_endpoint(learner_api):
    make_text_problem(slug="nested-text")
    make_code_problem(slug="nested-code")
    for path in [
        TOKEN,
        "/api/problems/nested-text/answers/",
        "/api/problems/nested-code/submissions/",
    ]:
        response = learner_api.post(path, NESTED, content_type="application/json")
        assert response.status_code == 400, path
        assert "nested" in _sentence(response)


def test_it_refuses_nul_in_an_answer_with_400(learner_api):
    make_text_problem(slug="nul-text")
    body = json.dumps({"answer": "3x3\u0000"})
    response = learner_api.post(
        "/api/problems/nul-text/answers/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "NUL" in _sentence(response)


def test_it_refuses_invalid_utf8_with_a_sentence(api):
    response = api.post(TOKEN, b'{"username": "\xff\xfe"}', content_type="application/json")
    assert response.status_code == 400
    assert "UTF-8" in _sentence(response)


def test_the_parser_refuses_nul_in_keys_too():
    with pytest.raises(BodyRejected):
        StrictJSONParser().parse(io.BytesIO(b'{"a\\u0000": 1}'), "application/json")


# -- HTML forms -----------------------------------------------------------------------------


@pytest.fixture
def browser():
    """A browser that opened the login page: it holds the CSRF cookie, so the CSRF check reads
    the posted form (where Django raises on oversize or overfull bodies)."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ja")
    client.get("/accounts/login/")
    client.csrf_token = client.cookies["csrftoken"].value
    return client


@pytest.mark.parametrize("charset", CHARSETS)
def test_a_form_in_another_charset_is_a_415_page_not_a_500(browser, charset):
    response = browser.generic(
        "POST",
        "/accounts/login/",
        b"username=a&password=b",
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 415
    assert "UTF-8" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_an_oversize_form_is_a_413_page_in_the_learners_language(browser, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    body = "username=a&password=" + "x" * (100 * 1024)
    response = browser.post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "大きすぎます" in response.content.decode()


def test_an_oversize_multipart_form_is_a_4xx_not_a_500(browser, settings):
    # Django raises RequestDataTooBig inside the CSRF check; the 400 handler must not re-read POST
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": browser.csrf_token, "username": "a", "password": "x" * 5000},
    )
    assert response.status_code == 413


def test_too_many_form_fields_is_a_400_page(browser, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = browser.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": browser.csrf_token, **{f"f{i}": "1" for i in range(50)}},
    )
    assert response.status_code == 400
    assert "リクエスト" in response.content.decode()


def test_nul_in_a_form_is_a_400_page(browser):
    make_user("nul-form")
    response = browser.post(
        "/accounts/login/",
        "username=nul-form%00&password=pw",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
