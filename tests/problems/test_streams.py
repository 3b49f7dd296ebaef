"""Event streams are bounded: a few per user at once, each a short hold, so pages stay served."""

import pytest
import requests
from django.core.cache import cache
from django.test import Client
from knox.models import AuthToken

from problems.services.submissions import submission_create
from tests.factories import make_code_problem, make_user


@pytest.fixture
def streams(live_server, transactional_db, settings):
    """A learner with queued submissions (never graded) and a way to open their streams."""
    settings.GRADING_BACKEND = "none"
    settings.EVENT_STREAMS_PER_USER = 3
    settings.EVENT_STREAM_SECONDS = 20
    cache.clear()
    user = make_user()
    problem = make_code_problem()
    ids = [submission_create(user=user, problem=problem, code=f"x = {i}").pk for i in range(3)]
    _, token = AuthToken.objects.create(user)
    opened = []

    def open_stream(submission_id):
        response = requests.get(
            f"{live_server.url}/api/submissions/{submission_id}/events/",
            headers={"Authorization": f"Token {token}", "Accept-Language": "en"},
            stream=True,
            timeout=10,
        )
        opened.append(response)
        return response

    yield open_stream, ids, live_server.url
    for response in opened:
        response.close()


def _first_event(response) -> bytes:
    for line in response.iter_lines(chunk_size=1):
        if line.startswith(b"event:"):
            return line
    return b""


def test_it_refuses_a_fourth_stream_of_one_user_with_a_sentence(streams):
    open_stream, ids, _ = streams
    held = [open_stream(ids[i % 3]) for i in range(3)]
    assert all(r.status_code == 200 and _first_event(r) == b"event: status" for r in held)
    fourth = open_stream(ids[0])
    assert fourth.status_code == 429
    assert "close a tab" in fourth.json()["detail"]
    assert fourth.headers["Retry-After"]


def test_health_and_pages_answer_while_a_user_holds_streams(streams):
    open_stream, ids, url = streams
    for i in range(5):  # 3 held, 2 refused at once: none waits for a thread
        open_stream(ids[i % 3])
    health = requests.get(f"{url}/healthz", timeout=2)
    assert health.status_code == 200


def test_closing_a_stream_frees_its_place(streams):
    open_stream, ids, _ = streams
    held = [open_stream(ids[i]) for i in range(3)]
    assert all(_first_event(r) for r in held)
    held[0].close()
    for _ in range(50):  # the server notices the closed connection at its next write
        again = open_stream(ids[0])
        if again.status_code == 200:
            break
        again.close()
        import time

        time.sleep(0.2)
    assert again.status_code == 200


def test_a_stream_ends_by_itself_after_a_short_hold(streams, settings):
    settings.EVENT_STREAM_SECONDS = 0.5
    open_stream, ids, _ = streams
    response = open_stream(ids[0])
    body = b"".join(response.iter_content(chunk_size=None))  # returns: the server ended it
    assert b"event: status" in body and b"event: end" not in body
    assert open_stream(ids[0]).status_code == 200


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        ("ja", ["件の提出の採点状況を同時に見ています", "秒後にもう一度お試しください"]),
        ("en", ["submissions at once", "Try again in"]),
    ],
)
def test_a_refused_stream_says_in_the_learners_language_when_to_retry(
    db, settings, language, phrases
):
    # given a learner who may hold no more streams, which end after 10 seconds
    settings.GRADING_BACKEND = "none"
    settings.EVENT_STREAMS_PER_USER = 0
    settings.EVENT_STREAM_SECONDS = 10
    user = make_user()
    submission = submission_create(user=user, problem=make_code_problem(), code="x = 1")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    # when they open one more
    response = client.get(f"/api/submissions/{submission.pk}/events/")
    # then a 429 tells them, in their language, what happened and when to retry
    assert response.status_code == 429
    assert all(phrase in response.json()["detail"] for phrase in phrases)
    assert "10" in response.json()["detail"] and response["Retry-After"] == "10"
