"""Server-sent events for one submission: the browser holds one connection and hears each change.

The stream sends an event named `status` with the same JSON as `GET /api/submissions/<id>/`
whenever the row changed, and ends when the verdict is written, or after STREAM_SECONDS (the
browser's EventSource reconnects). It re-reads the row (one primary-key query) when the
pipeline's Redis nudge arrives (problems/notify.py), and at least every POLL_SECONDS, which
is all it has when no Redis is configured.
"""

from __future__ import annotations

import json
import time

import redis
from django.db import close_old_connections
from django.http import Http404, JsonResponse, StreamingHttpResponse
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from ..models import Submission
from ..notify import channel, redis_client
from ..selectors import submission_access
from .serializers import SubmissionSerializer

POLL_SECONDS = 0.2  # without Redis
NUDGED_POLL_SECONDS = 1.0  # with Redis: the longest a lost nudge can delay an event
STREAM_SECONDS = 25.0


def _event(submission: Submission) -> str:
    data = json.dumps(SubmissionSerializer(submission).data, ensure_ascii=False, default=str)
    return f"event: status\nid: {submission.updated_at.isoformat()}\ndata: {data}\n\n"


def _stream(user, submission_id: int):
    yield "retry: 1000\n\n"
    deadline = time.monotonic() + STREAM_SECONDS
    last_seen = None
    pubsub = _subscribe(submission_id)
    try:
        while True:
            submission = submission_access(user=user, submission_id=submission_id)
            if submission.updated_at != last_seen:
                last_seen = submission.updated_at
                yield _event(submission)
            if submission.is_finished:
                yield "event: end\ndata: {}\n\n"
                return
            if time.monotonic() > deadline:
                return
            close_old_connections()
            _wait_for_change(pubsub)
    finally:
        if pubsub is not None:
            pubsub.close()
        close_old_connections()


def _subscribe(submission_id: int):
    """Subscribe before the first read, so no change falls between reading and listening."""
    client = redis_client()
    if client is None:
        return None
    try:
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(channel(submission_id))
        return pubsub
    except redis.RedisError:
        return None


def _wait_for_change(pubsub) -> None:
    if pubsub is None:
        time.sleep(POLL_SECONDS)
        return
    try:
        pubsub.get_message(timeout=NUDGED_POLL_SECONDS)
    except redis.RedisError:
        time.sleep(POLL_SECONDS)


def _user(request):
    """The session's user (browsers) or the API token's (`Authorization: Token ...`)."""
    if request.user.is_authenticated:
        return request.user
    try:
        authenticated = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return authenticated[0] if authenticated else None


def submission_events(request, pk: int):
    user = _user(request)
    if user is None:
        return JsonResponse(
            {"detail": "Log in (or send your API token) to follow a submission."}, status=401
        )
    try:
        submission_access(user=user, submission_id=pk)
    except Http404:
        return JsonResponse({"detail": "No such submission."}, status=404)
    response = StreamingHttpResponse(_stream(user, pk), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass events through unbuffered
    return response
