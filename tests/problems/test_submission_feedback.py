"""Results back to the browser: the event stream, throttling with Retry-After."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from problems.models import Submission
from problems.services.submissions import submission_create
from tests.factories import load_content_problems, make_code_problem, make_user

pytestmark = pytest.mark.django_db


def _events(response) -> list[tuple[str, dict]]:
    text = b"".join(response.streaming_content).decode()
    events = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_the_event_stream_sends_the_verdict_and_ends(client, django_capture_on_commit_callbacks):
    (problem,) = load_content_problems("lstm-cell")
    user = make_user()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(
            user=user, problem=problem, code=problem.versions.get().engine_spec["solution"]
        )
    client.force_login(user)
    response = client.get(f"/api/submissions/{submission.pk}/events/")
    assert response["Content-Type"] == "text/event-stream"
    events = _events(response)
    assert events[0][0] == "status" and events[0][1]["verdict"] == "AC"
    assert events[-1][0] == "end"


def test_the_event_stream_is_only_for_the_owner(client, settings):
    settings.GRADING_BACKEND = "none"
    submission = submission_create(user=make_user(), problem=make_code_problem(), code="x = 1")
    client.force_login(make_user())
    assert client.get(f"/api/submissions/{submission.pk}/events/").status_code == 404
    client.logout()
    assert client.get(f"/api/submissions/{submission.pk}/events/").status_code == 401


def test_submitting_too_fast_is_throttled_with_retry_after(settings, monkeypatch):
    from django.core.cache import cache

    from problems.api.views import SubmissionThrottle

    settings.GRADING_BACKEND = "none"
    settings.SUBMISSIONS_IN_FLIGHT_PER_USER = 100
    # DRF reads rates once, at import; this test's rate is 3 a minute.
    monkeypatch.setattr(SubmissionThrottle, "THROTTLE_RATES", {"submissions": "3/min"})
    cache.clear()
    make_code_problem(slug="throttled")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(make_user())
    statuses = [
        client.post("/api/problems/throttled/submissions/", {"code": f"x = {n}"}, format="json")
        for n in range(4)
    ]
    assert [r.status_code for r in statuses] == [202, 202, 202, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
    assert "throttled" in statuses[-1].json()["detail"].lower()
    assert Submission.objects.count() == 3


@pytest.mark.redis
def test_the_pipeline_nudges_event_streams_through_redis_on_each_change(settings):
    import redis

    from problems.notify import channel
    from problems.pipeline import submission_claim, submission_finish

    settings.GRADING_BACKEND = "none"
    submission = submission_create(user=make_user(), problem=make_code_problem(), code="x = 1")
    pubsub = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel(submission.pk))
    pubsub.get_message(timeout=1)  # the subscription's own confirmation
    claimed = submission_claim(submission_id=submission.pk)
    submission_finish(submission=claimed, result={"verdict": "WA", "score": 0, "max_score": 2})
    nudges = [pubsub.get_message(timeout=2) for _ in range(2)]
    assert [n and n["channel"].decode() for n in nudges] == [channel(submission.pk)] * 2
    pubsub.close()


def test_a_stream_opened_while_queued_follows_the_submission_to_its_verdict(
    client, settings, transactional_db
):
    import threading

    from problems.pipeline import submission_claim, submission_finish

    settings.GRADING_BACKEND = "none"
    user = make_user()
    submission = submission_create(user=user, problem=make_code_problem(), code="x = 1")
    client.force_login(user)
    stream = client.get(f"/api/submissions/{submission.pk}/events/").streaming_content
    chunks = [next(stream), next(stream)]  # retry hint, then the queued state

    def grade():
        from django.db import connection

        try:
            claimed = submission_claim(submission_id=submission.pk)
            submission_finish(
                submission=claimed, result={"verdict": "AC", "score": 2, "max_score": 2}
            )
        finally:
            connection.close()  # this thread's own connection, or the test database stays in use

    worker = threading.Thread(target=grade)
    worker.start()
    chunks.extend(stream)  # ends by itself at the verdict
    worker.join()
    text = b"".join(chunks).decode()
    assert '"status": "queued"' in text and '"verdict": "AC"' in text and "event: end" in text


def test_api_clients_follow_the_stream_with_their_token(settings, transactional_db):
    from knox.models import AuthToken

    settings.GRADING_BACKEND = "none"
    user = make_user()
    submission = submission_create(user=user, problem=make_code_problem(), code="x = 1")
    _, token = AuthToken.objects.create(user)
    client = APIClient()
    response = client.get(
        f"/api/submissions/{submission.pk}/events/", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 200
    assert b"event: status" in next(s for s in response.streaming_content if b"event:" in s)
    response.close()
    _, stranger = AuthToken.objects.create(make_user())
    denied = client.get(
        f"/api/submissions/{submission.pk}/events/", HTTP_AUTHORIZATION=f"Token {stranger}"
    )
    assert denied.status_code == 404


@pytest.mark.redis
def test_training_exercises_go_to_their_own_queue(settings):
    import redis

    from problems.pipeline import submission_dispatch
    from quizsite.celery import app

    (training,) = load_content_problems("bilstm-gradient-clipping")
    (quick,) = load_content_problems("lstm-cell")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    # the Django namespace prefixes Celery's keys; fresh pools, in case a test used another db
    app.conf["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    app._pool = None
    app.amqp._producer_pool = None
    settings.GRADING_BACKEND = "celery"
    for problem in (training, quick, quick):
        submission = Submission.objects.create(
            user=make_user(), problem=problem, problem_version=problem.versions.get(), code="x = 1"
        )
        submission_dispatch(submission_id=submission.pk)
    # kombu's Redis transport keeps each queue as a list named after it
    assert (broker.llen("training"), broker.llen("grading")) == (1, 2)
    broker.flushdb()
