"""The pipeline with real `celery worker` processes, PostgreSQL and Redis: nothing lost,
nothing graded twice, a poison submission stops."""

from __future__ import annotations

import random

import pytest
from django.db.models import Count

from problems.models import Submission
from problems.pipeline import submissions_sweep
from problems.services.submissions import submission_create
from tests.factories import make_user
from tests.pipeline.conftest import LEASE_SECONDS, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def solution(problem) -> str:
    return problem.versions.get().engine_spec["solution"]


def wrong_answer(problem) -> str:
    return problem.versions.get().engine_spec["mutants"][0]["code"]


def slow(code: str, seconds: float = 2.5) -> str:
    """The same answer, but it takes a while to import: long enough to be killed mid-grading."""
    return f"import time\ntime.sleep({seconds})\n{code}"


def status_of(pk: int) -> Submission:
    return Submission.objects.get(pk=pk)


def kill_while_running(worker, pk: int, attempt: int) -> None:
    worker.start()
    wait_until(
        lambda: (s := status_of(pk)).status == "running" and s.attempts == attempt,
        timeout=90,
        what=f"attempt {attempt} to start",
        worker=worker,
    )
    worker.kill()


def sweep_after_lease(pk: int) -> None:
    wait_until(
        lambda: pk in submissions_sweep(), timeout=LEASE_SECONDS * 10, what="the lease to expire"
    )


def test_a_worker_killed_mid_grading_delays_but_never_loses_the_submission(worker, lstm_cell):
    # given a correct but slow submission that a worker is grading
    user = make_user()
    pk = submission_create(user=user, problem=lstm_cell, code=slow(solution(lstm_cell))).pk
    # when the worker is SIGKILLed while it grades
    kill_while_running(worker, pk, attempt=1)
    assert status_of(pk).status == "running" and status_of(pk).verdict == ""
    # then the sweeper requeues it after its lease and a restarted worker grades it, once
    sweep_after_lease(pk)
    worker.start()
    done = wait_until(
        lambda: status_of(pk).is_finished and status_of(pk),
        timeout=120,
        what="the verdict",
        worker=worker,
    )
    assert done.verdict == "AC" and done.score == done.max_score == 10
    assert done.attempts == 2
    assert Submission.objects.filter(pk=pk).count() == 1


def test_the_sweeper_recovers_every_submission_after_redis_is_flushed(
    worker, lstm_cell, celery_grading
):
    # given queued submissions whose doorbells are lost with a Redis flush
    users = [make_user() for _ in range(5)]
    # (numbered: identical code still in flight would be the same submission)
    pks = [
        submission_create(user=u, problem=lstm_cell, code=f"{solution(lstm_cell)}\n# {k}\n").pk
        for u in users
        for k in range(2)
    ]
    assert len(set(pks)) == 10
    celery_grading.flushdb()
    worker.start()
    # when the sweeper runs (as beat would)
    requeued = set(submissions_sweep(stale_queued_seconds=0))
    # then every one is graded
    assert requeued == set(pks)
    wait_until(
        lambda: Submission.objects.filter(pk__in=pks, status="done").count() == len(pks),
        timeout=180,
        what="all verdicts",
        worker=worker,
    )
    assert set(Submission.objects.filter(pk__in=pks).values_list("verdict", flat=True)) == {"AC"}


def test_a_burst_of_200_submissions_from_20_users_is_graded_exactly_once(worker, lstm_cell):
    # given 20 learners submitting 10 answers each, some right and some wrong
    rng = random.Random(7)
    right, wrong = solution(lstm_cell), wrong_answer(lstm_cell)
    expected: dict[int, bool] = {}
    worker.start()
    users = [make_user() for _ in range(20)]
    for n in range(10):
        for user in users:
            correct = rng.random() < 0.6
            # a numbered comment: identical code still in flight would be one submission
            code = f"{right if correct else wrong}\n# {n}\n"
            pk = submission_create(user=user, problem=lstm_cell, code=code).pk
            expected[pk] = correct
    # when the workers have drained the queue
    wait_until(
        lambda: Submission.objects.filter(status="done").count() == 200,
        timeout=600,
        what="200 verdicts",
        worker=worker,
    )
    # then none is lost, each was claimed once, and scores agree with verdicts
    rows = Submission.objects.filter(pk__in=expected)
    assert rows.count() == 200
    assert set(rows.values_list("attempts", flat=True)) == {1}
    for row in rows:
        assert (row.verdict == "AC") == expected[row.pk], (row.pk, row.verdict, row.tests[:1])
        assert (row.score == row.max_score) == expected[row.pk]
    per_user = rows.values("user").annotate(n=Count("id"))
    assert sorted(item["n"] for item in per_user) == [10] * 20


def test_a_submission_that_kills_its_worker_three_times_ends_as_an_internal_error(
    worker, lstm_cell
):
    # given a submission whose grading is killed every time it starts
    pk = submission_create(user=make_user(), problem=lstm_cell, code=slow(solution(lstm_cell))).pk
    for attempt in (1, 2, 3):
        kill_while_running(worker, pk, attempt=attempt)
        sweep_after_lease(pk)
    # then it stops at IE with a message instead of looping
    final = status_of(pk)
    assert final.status == "error" and final.verdict == "IE"
    assert final.attempts == 3
    assert "3 attempts" in final.message
    # and a fresh worker leaves it alone
    worker.start()
    submissions_sweep(stale_queued_seconds=0)
    assert status_of(pk).attempts == 3 and status_of(pk).verdict == "IE"
