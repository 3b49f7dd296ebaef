"""Real Celery workers against the machine's PostgreSQL and Redis."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from problems.content.loader import load_selected
from problems.models import Problem
from problems.services.authoring import problem_publish_if_proven
from problems.validation import problem_version_validate

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3
BROKER = "redis://127.0.0.1:6379/15"


class Worker:
    """A `celery worker` subprocess in its own process group, so a kill takes all of it."""

    def __init__(self, log_path: Path, concurrency: int = 2):
        self.log_path = log_path
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def env(self) -> dict:
        db = connection.settings_dict
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="quizsite.settings.test",
            DATABASE_URL=f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            GRADING_BACKEND="celery",
            GRADING_LEASE_SECONDS=str(LEASE_SECONDS),
            QUIZ_TEST_SHARED_CACHE="1",  # the cache a test reads progress from: Redis db 15
        )
        return env

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "quizsite",
                "worker",
                "-l",
                "info",
                "-Q",
                "grading,training",
                "-c",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL the whole worker (parent and pool children), as a machine crash would."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def celery_grading(settings, broker, transactional_db):
    settings.GRADING_BACKEND = "celery"
    settings.GRADING_LEASE_SECONDS = LEASE_SECONDS
    settings.SUBMISSIONS_IN_FLIGHT_PER_USER = 1000
    from quizsite.celery import app

    # The Django namespace prefixes Celery's keys (`app.conf.broker_url = ...` would not stick).
    app.conf["CELERY_BROKER_URL"] = BROKER
    app._pool = None
    app.amqp._producer_pool = None
    return broker


@pytest.fixture
def worker(tmp_path, celery_grading):
    started = Worker(tmp_path / "worker.log")
    yield started
    started.stop()


@pytest.fixture
def lstm_cell(transactional_db) -> Problem:
    """The real `lstm-cell` problem, loaded from its content file and validated."""
    (problem,) = load_selected(ROOT / "content", ["lstm-cell"], course_slug="pipeline-test")
    report = problem_version_validate(version=problem.versions.get())
    assert report.ok, report.problems
    assert problem_publish_if_proven(problem=problem)
    return problem


def wait_until(predicate, *, timeout: float, what: str, worker: Worker | None = None):
    """Poll until `predicate()` is truthy; a bounded wait, not a timing assertion."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    log = f"\nworker log:\n{worker.log()}" if worker else ""
    raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s{log}")
