"""Server-sent events for one submission: the browser holds one connection and hears each change.

The stream sends an event named `status` with the same JSON as `GET /api/submissions/<id>/`
whenever the row changed, an event named `progress` with the grader's latest progress
(problems/progress.py: a training loop's step, loss and time left) whenever it changed while
the submission runs, and ends when the verdict is written, or after
`EVENT_STREAM_SECONDS` (the browser's EventSource reconnects): bounded long-polling, so a
stream holds a worker thread for seconds, not for ever. One user holds at most
`EVENT_STREAMS_PER_USER` streams at once (counted in the shared cache); the next gets a 429,
so no user can take every thread of the web server and starve `/healthz` and the pages.
When the pipeline's Redis nudge arrives (problems/notify.py), and at least every
POLL_SECONDS (all it has when no Redis is configured), it looks at the row's `updated_at`
(one primary-key query of one column), and reads and sends the whole row only when that
changed.
"""

from __future__ import annotations

import json
import math
import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .. import progress
from ..access import access_submission
from ..models import Submission, SubmissionStatus
from ..notify import channel, redis_client
from .serializers import SubmissionSerializer

POLL_SECONDS = 0.2  # without Redis
NUDGED_POLL_SECONDS = 1.0  # with Redis: the longest a lost nudge can delay an event
HEARTBEAT_SECONDS = 1.0


def _stream_seconds() -> float:
    return float(getattr(settings, "EVENT_STREAM_SECONDS", 10.0))


def _streams_per_user() -> int:
    return int(getattr(settings, "EVENT_STREAMS_PER_USER", 3))


class _StreamSlot:
    """One of a user's few open streams; released when the response is closed (or expires)."""

    def __init__(self, user_id: int):
        self.key = f"event-streams:{user_id}"
        self.held = False

    def acquire(self) -> bool:
        # The key outlives every stream of the user, so a crashed process cannot leak slots for long.
        timeout = int(_stream_seconds() * 3) + 5
        cache.add(self.key, 0, timeout)
        try:
            count = cache.incr(self.key)
        except ValueError:  # expired between add and incr
            cache.add(self.key, 1, timeout)
            count = 1
        cache.touch(self.key, timeout)
        if count > _streams_per_user():
            cache.decr(self.key)
            return False
        self.held = True
        return True

    def release(self) -> None:
        if self.held:
            self.held = False
            try:
                cache.decr(self.key)
            except ValueError:
                pass


class _SlotStream:
    """The event iterator, closed (and its slot released) by the server even if never started."""

    def __init__(self, events, slot: _StreamSlot):
        self.events = events
        self.slot = slot

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.events)

    def close(self) -> None:
        try:
            self.events.close()
        finally:
            self.slot.release()


def _event(submission: Submission, language: str) -> str:
    serializer = SubmissionSerializer(submission, context={"language": language})
    data = json.dumps(serializer.data, ensure_ascii=False, default=str)
    return f"event: status\nid: {submission.updated_at.isoformat()}\ndata: {data}\n\n"


def _progress_event(state: dict) -> str:
    return f"event: progress\ndata: {json.dumps(state, separators=(',', ':'))}\n\n"


def _stream(user, submission: Submission, language: str):
    """The submission as read by the access check first; then, after each nudge (or poll), a
    look at its `updated_at` alone, and the whole row read and sent only when it changed;
    while it runs, the grader's progress whenever it changed."""
    yield "retry: 1000\n\n"
    yield _event(submission, language)
    if submission.is_finished:
        yield "event: end\ndata: {}\n\n"
        return
    deadline = time.monotonic() + _stream_seconds()
    last_progress = None
    last_write = time.monotonic()
    shown = submission.updated_at
    pubsub = _subscribe(submission.pk)
    # The first look comes before any wait: a change between the access check and the
    # subscription would otherwise wait for the next poll.
    wait = False
    try:
        while time.monotonic() <= deadline:
            close_old_connections()
            if wait:
                _wait_for_change(pubsub)
            wait = True
            updated_at = _updated_at(submission.pk)
            if updated_at is None:  # deleted meanwhile: nothing more to follow
                return
            if updated_at != shown:
                submission = access_submission(user=user, submission_id=submission.pk)
                shown = submission.updated_at
                last_write = time.monotonic()
                yield _event(submission, language)
                if submission.is_finished:
                    yield "event: end\ndata: {}\n\n"
                    return
            running = submission.status == SubmissionStatus.RUNNING
            state = progress.current(submission.pk, submission.attempts) if running else None
            if state is not None and state.get("seq") != last_progress:
                last_progress = state.get("seq")
                last_write = time.monotonic()
                yield _progress_event(state)
            elif time.monotonic() - last_write >= HEARTBEAT_SECONDS:
                # A comment line: a closed connection fails this write, freeing its slot.
                last_write = time.monotonic()
                yield ": still grading\n\n"
    finally:
        if pubsub is not None:
            pubsub.close()
        close_old_connections()


def _updated_at(submission_id: int):
    return Submission.objects.filter(pk=submission_id).values_list("updated_at", flat=True).first()


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
            {"detail": _("Log in (or send your API token) to follow a submission.")}, status=401
        )
    try:
        submission = access_submission(user=user, submission_id=pk)
    except Http404:
        return JsonResponse({"detail": _("No submission you may see has this number.")}, status=404)
    slot = _StreamSlot(user.pk)
    if not slot.acquire():
        # A held stream ends by itself within _stream_seconds(), freeing its place.
        retry = max(1, math.ceil(_stream_seconds()))
        message = _(
            "You already follow %(count)d submissions at once; close a tab that shows a "
            "submission being graded, or wait for its verdict. Try again in %(seconds)d seconds."
        ) % {"count": _streams_per_user(), "seconds": retry}
        return JsonResponse({"detail": message}, status=429, headers={"Retry-After": str(retry)})
    response = StreamingHttpResponse(
        _SlotStream(_stream(user, submission, get_language() or "ja"), slot),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass events through unbuffered
    return response
