"""The requests around one submission take a fixed, small number of queries, with an API token
as the benchmark's clients send it: a regression (a lookup per test, the version's report read
again, a row read back) shows here before it shows in `make bench`."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from problems.models import Submission
from tests.factories import make_code_problem, make_graded_submission, make_user

pytestmark = pytest.mark.django_db

FAILING_TEST = {
    "name": "doubles",
    "passed": False,
    "points": 0,
    "max_points": 1,
    "hidden": False,
    "message": "got 3, expected 4",
    "values": {"outputs": [{"name": "result", "shape": [2], "kind": "heatmap",
                            "expected": [2.0, 4.0], "got": [2.0, 3.0], "first_diff": [1]}]},
}  # fmt: skip
HIDDEN_TEST = {
    "name": "hidden test 1",
    "passed": True,
    "points": 1,
    "max_points": 1,
    "hidden": True,
}


def _statements(captured: CaptureQueriesContext) -> list[str]:
    """The queries a request made; not the savepoints of the test's own transaction, which
    stand for the BEGIN and COMMIT (not queries) of a request served for real."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
    ]


def _validated_code_problem():
    problem = make_code_problem()
    problem.versions.update(validated_at=timezone.now())
    return problem


@pytest.fixture
def learner_api(private_cache):
    """A learner's API client with a token (two queries of its own on every request: knox
    reads the token with its user, and the user's other tokens to delete expired ones)."""
    user = make_user()
    _, token = AuthToken.objects.create(user)
    return user, Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE="en")


def test_it_creates_a_submission_in_eight_queries(learner_api, grading_off):
    # given a learner and a published, validated code problem
    user, client = learner_api
    problem = _validated_code_problem()
    # when the learner submits
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/problems/{problem.slug}/submissions/",
            {"code": "def double(x):\n    return 2 * x\n"},
            content_type="application/json",
        )
    # then it is queued in eight queries: the token (2), the problem, its version for
    # grading, the learner's row locked, the same code in flight, the count in flight, the
    # insert; and neither the version's snapshot nor its report was read
    assert response.status_code == 202
    assert Submission.objects.get(pk=response.json()["id"]).status == "queued"
    statements = _statements(captured)
    assert len(statements) == 8, "\n".join(statements)
    versions = [sql for sql in statements if "problemversion" in sql]
    assert len(versions) == 1
    assert '"snapshot"' not in versions[0] and '"validation"' not in versions[0]


def test_it_shows_a_graded_submission_in_three_queries(learner_api, django_assert_num_queries):
    # given a graded submission with a failing visible test's pictures and a hidden test
    user, client = learner_api
    submission = make_graded_submission(
        user, _validated_code_problem(), verdict="WA", tests=[FAILING_TEST, HIDDEN_TEST]
    )
    # when its owner reads it: the token (2) and the submission with its problem and version
    with django_assert_num_queries(3) as captured:
        response = client.get(f"/api/submissions/{submission.pk}/")
    # then everything is there, the pictures included, and the version's report was not read
    data = response.json()
    assert data["verdict"] == "WA" and data["version"] == 1
    assert data["tests"][0]["values"]["outputs"][0]["got"] == [2.0, 3.0]
    assert "values" not in data["tests"][1]
    assert '"validation"' not in captured.captured_queries[-1]["sql"]


def test_the_stream_of_a_graded_submission_takes_three_queries(
    learner_api, django_assert_num_queries
):
    # given a graded submission
    user, client = learner_api
    submission = make_graded_submission(
        user, make_code_problem(), verdict="WA", tests=[FAILING_TEST]
    )
    # when its owner follows it: the token (2), and the row the access check reads is the one sent
    with django_assert_num_queries(3):
        response = client.get(f"/api/submissions/{submission.pk}/events/")
        text = b"".join(response.streaming_content).decode()
    # then one status event carries the verdict and its pictures, and the stream ends
    events = [block for block in text.split("\n\n") if block.startswith("event:")]
    assert [block.split("\n")[0] for block in events] == ["event: status", "event: end"]
    data = json.loads(events[0].split("data: ", 1)[1])
    assert data["verdict"] == "WA" and data["tests"][0]["values"]["outputs"][0]["first_diff"] == [1]
