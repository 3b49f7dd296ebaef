"""Where one submission's CPU and queries go, process by process, measured in this process:
the web side's requests (POST create, GET detail, the event stream of a finished submission)
through Django's whole middleware stack with an API token, and the worker's
``submission_grade`` (claim, grade through the warm sandbox, finish), for a right and a
wrong `lstm-cell` answer.

Reports queries per request and CPU milliseconds per request (this process's CPU time, the
sandbox's children not included), and the functions that take the most of it (cProfile),
and writes them to bench/results/requests.json. A benchmark, not a test: nothing asserts.
Uses the pipeline benchmark's database (`quizsite_bench`, recreated) and Redis (db 14).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import time
from pathlib import Path

from bench import pipeline

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
ROUNDS = 40


def _measure(name: str, action, rounds: int = ROUNDS) -> dict:
    """Queries and CPU per call of ``action`` (after one unmeasured call), and its profile."""
    from django.db import connection

    action()
    queries: list[str] = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # (not CaptureQueriesContext: each request's start clears the log it reads)
    with connection.execute_wrapper(record):
        action()
    started = time.process_time()
    for _ in range(rounds):
        action()
    cpu_ms = 1000 * (time.process_time() - started) / rounds
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(rounds):
        action()
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
    return {
        "request": name,
        "queries": len(queries),
        "sql": [sql[:200] for sql in queries],
        "cpu_ms": round(cpu_ms, 2),
        "profile": text.getvalue(),
    }


def run() -> list[dict]:
    os.environ.update(pipeline.ENV)
    tokens, right, wrong = pipeline._prepare_database(1)
    from django.conf import settings
    from django.test import Client

    from problems.models import Submission, SubmissionStatus
    from problems.pipeline import submission_grade

    settings.GRADING_BACKEND = "none"  # the worker's part is measured on its own below
    client = Client(HTTP_AUTHORIZATION=f"Token {tokens[0]}", SERVER_NAME="127.0.0.1")
    url = "/api/problems/lstm-cell/submissions/"
    counter = iter(range(10**6))

    def create(code: str):
        def post():
            # a fresh code each time: the same code in flight would be the same submission
            body = {"code": f"{code}\n# {next(counter)}\n"}
            response = client.post(url, body, content_type="application/json")
            assert response.status_code == 202, response.content[:300]
            return response.json()["id"]

        return post

    def grade(code: str):
        post = create(code)

        def once():
            pk = post()
            submission_grade(submission_id=pk)
            return pk

        return once

    rows = [_measure("POST create", create(right))]
    graded = {name: grade(code)() for name, code in (("right", right), ("wrong", wrong))}
    for name, pk in graded.items():
        verdict = Submission.objects.get(pk=pk).verdict
        rows.append(
            _measure(
                f"GET detail ({name}, {verdict})",
                lambda pk=pk: client.get(f"/api/submissions/{pk}/").content,
            )
        )
        rows.append(
            _measure(
                f"GET events ({name}, {verdict}, finished)",
                lambda pk=pk: b"".join(client.get(f"/api/submissions/{pk}/events/")),
            )
        )
    for name, code in (("right", right), ("wrong", wrong)):
        post = create(code)

        def worker(post=post):
            pk = post()
            # only the worker's part is timed: the POST is a few ms of the same process
            submission_grade(submission_id=pk)

        row = _measure(f"worker grade ({name}) incl. one POST", worker, rounds=20)
        rows.append(row)
    Submission.objects.filter(status=SubmissionStatus.QUEUED).delete()
    return rows


def main() -> None:
    rows = run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "requests.json").write_text(json.dumps(rows, indent=2) + "\n")
    for row in rows:
        print(f"  {row['request']:48s} {row['queries']:3d} queries  {row['cpu_ms']:7.2f} ms CPU")
    print(f"  written to {RESULTS / 'requests.json'} (with each request's SQL and profile)")


if __name__ == "__main__":
    main()
