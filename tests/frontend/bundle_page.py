"""What the tests of the offline bundle (frontend/test/bundle.html) share: the submissions the
faked grading API answers with, the fake itself, and small readers of the page."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
ARTIFACTS = ROOT / "tests" / "browser" / "artifacts"
STARTER = (
    "import numpy as np\n\n\ndef lstm_cell(x, h_prev, c_prev, W, U, b):\n"
    "    # TODO: gates i, f, o, g\n    pass\n"
)
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def submission(status, verdict=None, **fields):
    """A submission as GET /api/submissions/<id>/ returns it."""
    return {
        "id": 42,
        "status": status,
        "verdict": verdict,
        "score": None,
        "max_score": 10,
        "tests": [],
        "stdout": "",
        "stderr": "",
        "created_at": "2026-11-29T12:00:00Z",
        "finished_at": None,
        "message": "",
        **fields,
    }


ACCEPTED = submission(
    "done",
    "AC",
    score=10,
    tests=[
        {
            "name": "shapes",
            "passed": True,
            "points": 4,
            "max_points": 4,
            "message": "",
            "hidden": False,
        },
        {
            "name": "gates",
            "passed": True,
            "points": 3,
            "max_points": 3,
            "message": "",
            "hidden": False,
        },
        {"name": "h1", "passed": True, "points": 3, "max_points": 3, "message": "", "hidden": True},
    ],
    stdout="h_next.shape = (4, 8)\n",
)
WRONG = submission(
    "done",
    "WA",
    score=4,
    tests=[
        {
            "name": "shapes",
            "passed": True,
            "points": 4,
            "max_points": 4,
            "message": "",
            "hidden": False,
        },
        {
            "name": "gates",
            "passed": False,
            "points": 0,
            "max_points": 3,
            "message": "c_next differs at [0, 3]: expected 0.412, got 0.397 (forget gate?)",
            "hidden": False,
        },
        {
            "name": "secret-case",
            "passed": False,
            "points": 0,
            "max_points": 3,
            "message": "",
            "hidden": True,
        },
    ],
)


class FakeGradingApi:
    """Answers the page's calls to /api/: the POST, the event stream and the detail polls."""

    def __init__(
        self, *, events=None, details=(), post_status=202, post_headers=None, post_body=None
    ):
        self.events = events  # None: the event stream is not offered (404), so the page polls
        self.details = list(details)
        self.post_status = post_status
        self.post_headers = post_headers or {}
        self.post_body = post_body if post_body is not None else {"id": 42, "status": "queued"}
        self.posts = []
        self.polls = []

    def install(self, page):
        page.route("**/api/**", self.handle)
        return self

    def handle(self, route):
        request = route.request
        path = urlsplit(request.url).path
        if request.method == "POST":
            self.posts.append({"body": json.loads(request.post_data), "headers": request.headers})
            route.fulfill(status=self.post_status, json=self.post_body, headers=self.post_headers)
        elif path.endswith("/events/"):
            if self.events is None:
                route.fulfill(status=404, json={"detail": "Not found."})
                return
            # An event is a submission (event: status) or (name, data), e.g. ("progress", {...}).
            named = [e if isinstance(e, tuple) else ("status", e) for e in self.events]
            stream = "".join(f"event: {n}\ndata: {json.dumps(d)}\n\n" for n, d in named)
            route.fulfill(status=200, content_type="text/event-stream", body=stream)
        else:
            self.poll(route)

    def poll(self, route):
        # The grader moves on one state per poll and then stays at the last one.
        current = self.details.pop(0) if len(self.details) > 1 else self.details[0]
        etag = f'"{abs(hash(json.dumps(current, sort_keys=True)))}"'
        seen = route.request.headers.get("if-none-match")
        self.polls.append(seen)
        if seen == etag:
            route.fulfill(status=304, headers={"ETag": etag})
        else:
            route.fulfill(status=200, json=current, headers={"ETag": etag})


def editor_code(page):
    return page.eval_on_selector("#code", "textarea => textarea.value")


def capture_quiz_posts(page):
    posts = []

    def answer(route):
        posts.append(parse_qs(route.request.post_data))
        route.fulfill(status=200, content_type="text/html", body="<p id='answered'>ok</p>")

    page.route("**/quiz/answer/", answer)
    return posts
