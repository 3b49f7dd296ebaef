"""A grading's progress crosses processes as in production: a real `celery worker` grades a
slow submission and the web side (this test, through the shared Redis cache) sees its step
and loss while it runs, then the verdict, and no progress once it is done."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from problems import progress
from problems.models import Submission
from problems.services.submissions import submission_create
from tests.factories import make_code_problem, make_user
from tests.pipeline.conftest import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

# Two seconds of "training" that reports each step as the grader helpers do.
SLOW = """
import time

def double(x):
    for step in range(1, 21):
        time.sleep(0.1)
        _grader_progress(step, 20, 1.0 / step)
    return 2 * x
"""

TESTS = [
    {"name": "visible", "args": {"x": {"value": [1.0, 2.0]}}},
    {"name": "secret", "hidden": True, "args": {"x": {"value": [3.0]}}},
]


def test_the_web_side_sees_a_workers_progress_then_the_verdict(worker, settings):
    # given: this process reads the cache the worker writes (Redis db 15)
    settings.CACHES = {"default": django_settings.SHARED_CACHE}
    problem = make_code_problem(tests=TESTS)
    submission = submission_create(user=make_user(), problem=problem, code=SLOW)
    # when
    worker.start()
    seen = wait_until(
        lambda: (state := progress.current(submission.pk, 1))
        and state["phase"] == "train"
        and state,
        timeout=120,
        what="a progress report from the worker",
        worker=worker,
    )
    # then: the visible part's steps, with the loss the code reported
    assert seen["total"] == 20 and 1 <= seen["step"] <= 20
    assert seen["loss"] == pytest.approx(1.0 / seen["step"])
    done = wait_until(
        lambda: (s := Submission.objects.get(pk=submission.pk)).is_finished and s,
        timeout=120,
        what="the verdict",
        worker=worker,
    )
    assert done.verdict == "AC"
    assert progress.current(submission.pk, 1) is None
