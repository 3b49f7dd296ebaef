"""Server-sent events for one submission: the browser holds one connection and hears each change.

The stream reads the row (one indexed query) every POLL_SECONDS and sends an event named
`status` with the same JSON as `GET /api/submissions/<id>/` whenever the row changed; it ends
when the verdict is written, or after STREAM_SECONDS (the browser's EventSource reconnects).
"""

from __future__ import annotations

import json
import time

from django.db import close_old_connections
from django.http import Http404, JsonResponse, StreamingHttpResponse

from ..models import Submission
from ..selectors import submission_access
from .serializers import SubmissionSerializer

POLL_SECONDS = 0.2
STREAM_SECONDS = 25.0


def _event(submission: Submission) -> str:
    data = json.dumps(SubmissionSerializer(submission).data, ensure_ascii=False, default=str)
    return f"event: status\nid: {submission.updated_at.isoformat()}\ndata: {data}\n\n"


def _stream(user, submission_id: int):
    yield "retry: 1000\n\n"
    deadline = time.monotonic() + STREAM_SECONDS
    last_seen = None
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
            time.sleep(POLL_SECONDS)
    finally:
        close_old_connections()


def submission_events(request, pk: int):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Log in to follow a submission."}, status=401)
    try:
        submission_access(user=request.user, submission_id=pk)
    except Http404:
        return JsonResponse({"detail": "No such submission."}, status=404)
    response = StreamingHttpResponse(_stream(request.user, pk), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass events through unbuffered
    return response
