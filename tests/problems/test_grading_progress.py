"""A long grading shows its progress: the worker turns the sandbox's progress events into
the state the page shows (step k of N, the loss so far, the time left), kept in the shared
cache while the submission runs; the event stream and the API send it; it is gone with the
verdict. Short gradings write nothing."""

from __future__ import annotations

import json

import pytest
import requests
from django.core.cache import cache
from knox.models import AuthToken

from problems import progress
from problems.progress import MAX_POINTS, QUIET_SECONDS, WRITE_EVERY, SubmissionProgress
from problems.services.submissions import submission_create
from tests.factories import make_code_problem, make_user
from tests.silent_cache import silent_cache


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _train(step, total=40, loss=1.0, part=0, parts=1):
    return {
        "phase": "train",
        "step": step,
        "total": total,
        "loss": loss,
        "part": part,
        "parts": parts,
    }


@pytest.fixture
def reporter():
    cache.clear()
    clock = Clock()
    yield SubmissionProgress(7, 1, clock=clock), clock
    cache.clear()


def test_a_short_grading_writes_nothing(reporter):
    report, clock = reporter
    clock.now += QUIET_SECONDS / 2
    report(_train(40, loss=0.1))
    report({"phase": "hidden", "elapsed": 0.2})
    assert progress.current(7, 1) is None and not report.written


def test_a_long_grading_reports_its_step_loss_and_time_left(reporter):
    # given: a loop that has run 10 of 40 steps in 2 s since its first report
    report, clock = reporter
    report(_train(1, loss=2.0))
    clock.now += 2.0
    report(_train(11, loss=1.5))
    # then: step, loss, the points so far and the time left at that rate (29 steps x 0.2 s)
    state = progress.current(7, 1)
    assert state["phase"] == "train" and (state["step"], state["total"]) == (11, 40)
    assert state["loss"] == 1.5 and state["losses"] == [[1, 2.0], [11, 1.5]]
    assert state["eta_seconds"] == pytest.approx(5.8)
    assert state["elapsed_seconds"] == pytest.approx(2.0)


def test_the_time_left_counts_the_hidden_tests_that_train_again(reporter):
    # given: hidden tests follow, which run the training again
    _, clock = reporter
    report = SubmissionProgress(8, 1, hidden_follows=True, clock=clock)
    report(_train(1))
    clock.now += 2.0
    report(_train(11))
    # then: 5.8 s of training left, then the hidden part, as long as the visible one (7.8 s)
    assert progress.current(8, 1)["eta_seconds"] == pytest.approx(5.8 + 2.0 + 5.8)


def test_writes_are_spaced_but_the_last_step_and_a_new_phase_go_at_once(reporter):
    report, clock = reporter
    clock.now += 1.0
    report(_train(5))
    first = progress.current(7, 1)["seq"]
    clock.now += WRITE_EVERY / 5
    report(_train(6))
    assert progress.current(7, 1)["seq"] == first  # too soon
    report(_train(40))
    assert progress.current(7, 1)["step"] == 40  # the last step is never held back
    report({"phase": "hidden", "elapsed": 1.2})
    hidden = progress.current(7, 1)
    # the hidden part: no step, no loss, an estimate from the visible part's time alone
    assert hidden["phase"] == "hidden" and "step" not in hidden and "loss" not in hidden
    assert hidden["eta_seconds"] == pytest.approx(1.0 + WRITE_EVERY / 5)


def test_the_live_curve_keeps_few_points_and_restarts_with_each_retry(reporter):
    report, clock = reporter
    clock.now += 1.0
    for step in range(1, 1001):
        report(_train(step, total=1000, loss=1.0 / step))
    state = progress.current(7, 1)
    assert 2 <= len(state["losses"]) <= MAX_POINTS
    assert state["losses"][-1][0] == 1000
    report(_train(1, total=1000, loss=3.0, part=1, parts=3))
    clock.now += 1.0
    report(_train(2, total=1000, loss=2.9, part=1, parts=3))
    assert progress.current(7, 1)["losses"] == [[1, 3.0], [2, 2.9]]


def test_closing_removes_the_state(reporter):
    report, clock = reporter
    clock.now += 1.0
    report(_train(40))
    report.close()
    assert progress.current(7, 1) is None


# A learner function that takes a second and reports each step as the grader helpers do
# (engine/training/helpers.py): what a training exercise does, at the cost of a few calls.
SLOW = """
import time

def double(x):
    for step in range(1, 11):
        time.sleep(0.1)
        _grader_progress(step, 10, 1.0 / step)
    return 2 * x
"""


def _events(response):
    """(name, data) of each event of a server-sent event stream, until it ends."""
    name, data = None, []
    for line in response.iter_lines(chunk_size=1):
        line = line.decode()
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data.append(line.split(":", 1)[1].strip())
        elif not line and name:
            yield name, json.loads("\n".join(data))
            if name == "end":
                return
            name, data = None, []


@pytest.mark.slow
def test_the_stream_sends_the_progress_of_a_running_submission_then_its_verdict(
    live_server, transactional_db, settings
):
    # given: a server grading in its own threads, and a slow submission
    settings.GRADING_BACKEND = "inprocess"
    settings.EVENT_STREAM_SECONDS = 60
    cache.clear()
    user = make_user()
    tests = [
        {"name": "visible", "args": {"x": {"value": [1.0, 2.0]}}},
        {"name": "secret", "hidden": True, "args": {"x": {"value": [3.0]}}},
    ]
    problem = make_code_problem(tests=tests)
    submission = submission_create(user=user, problem=problem, code=SLOW)
    _, token = AuthToken.objects.create(user)
    url = f"{live_server.url}/api/submissions/{submission.pk}"
    headers = {"Authorization": f"Token {token}"}
    # when: the learner's page follows it
    with requests.get(f"{url}/events/", headers=headers, stream=True, timeout=60) as response:
        events = list(_events(response))
    # then: progress events while it ran, steps in order (the stream sends the latest state
    # each time it looks, so it may skip some), then the verdict
    train = [data for name, data in events if name == "progress" and data["phase"] == "train"]
    steps = [data["step"] for data in train]
    statuses = [data for name, data in events if name == "status"]
    assert steps and steps == sorted(steps) and all(data["total"] == 10 for data in train), events
    assert all(data["loss"] == pytest.approx(1.0 / data["step"]) for data in train)
    assert any(name == "progress" and data["phase"] == "hidden" for name, data in events)
    progressed = [data for name, data in events if name == "progress"]
    assert all(data["losses"] == sorted(data["losses"]) for data in progressed)
    assert statuses[-1]["status"] == "done" and statuses[-1]["verdict"] == "AC"
    assert statuses[-1]["progress"] is None
    # and the state went with the verdict
    assert progress.current(submission.pk, 1) is None
    assert requests.get(f"{url}/", headers=headers, timeout=10).json()["progress"] is None


@pytest.mark.parametrize("parts", [1, 2])
def test_a_flood_of_last_steps_is_held_to_the_usual_pace(reporter, parts):
    # given: code in the sandbox that sends nothing but "last step" messages, a thousand in a
    # second (the harness throttles its own reporter, but anything there can write frames)
    report, clock = reporter
    clock.now += 1.0
    for n in range(1000):
        report(_train(40, part=n % parts, parts=parts))
        clock.now += 0.001
    # then: about one write per WRITE_EVERY, not one per message (each is a cache write and
    # a nudge that wakes every stream following the submission)
    assert report.seq <= 2 + 1.0 / WRITE_EVERY
    assert progress.current(7, 1)["step"] == 40


def test_a_stopped_attempts_progress_is_not_shown_as_the_next_ones(db, settings):
    # given: a long grading that reported its progress, then lost its worker (a stop or a
    # crash: no verdict, nothing cleared), requeued when its lease expired and claimed again
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.test import APIClient

    from problems.pipeline import submission_claim, submissions_sweep

    settings.GRADING_BACKEND = "none"
    cache.clear()
    user = make_user()
    submission = submission_create(user=user, problem=make_code_problem(), code="x = 1")
    first = submission_claim(submission_id=submission.pk)
    clock = Clock()
    report = SubmissionProgress(first.pk, first.attempts, clock=clock)
    clock.now += 1.0
    report(_train(40))
    later = timezone.now() + timedelta(seconds=settings.GRADING_LEASE_SECONDS + 1)
    assert submissions_sweep(now=later) == [submission.pk]
    second = submission_claim(submission_id=submission.pk)
    assert second is not None and second.attempts == 2
    # when: the learner's page asks while the second attempt has reported nothing yet
    client = APIClient()
    client.force_authenticate(user)
    shown = client.get(f"/api/submissions/{submission.pk}/").json()
    # then: no progress, rather than the first attempt's finished training
    assert shown["status"] == "running" and shown["progress"] is None
    cache.clear()


def test_a_cache_that_stops_answering_is_asked_once_per_grading(settings):
    # given: a Redis that takes connections and never answers (a hung server, a dropped
    # link); a grading's progress is written from inside the sandbox's watchdog loop
    with silent_cache(settings) as silent:
        clock = Clock()
        report = SubmissionProgress(9, 1, clock=clock)
        # when: a long loop reports, each report due for a write
        for step in range(1, 11):
            clock.now += 1.0
            report(_train(step, total=20))
        report.close()
        # then: one request timed out, and the grading wrote no more (each would have held
        # the watchdog as long again); nothing was recorded
        asked = silent.connections()
    assert asked == 1 and not report.written
