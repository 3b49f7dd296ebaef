"""End-to-end pipeline benchmark: N concurrent HTTP clients against gunicorn submitting
`lstm-cell` answers, graded by Celery workers (two processes) through the sandbox.

Reports submissions per second and p50/p95 from submit to verdict visible over the API,
and writes them to bench/results/pipeline.json. A benchmark, not a test: nothing asserts.
Uses the machine's PostgreSQL (database `quizsite_bench`, recreated) and Redis (db 14).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = _free_port()


def _process_started() -> float:
    """When this process started (epoch seconds): `python -m bench` runs the sandbox part in
    it first, so a sandbox.json written before then is from an earlier run."""
    with open("/proc/self/stat") as stat:
        ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/stat") as stat:
        boot = next(int(line.split()[1]) for line in stat if line.startswith("btime"))
    return boot + ticks / os.sysconf("SC_CLK_TCK")


STARTED = _process_started()
DB_NAME = "quizsite_bench"
ENV = {
    "DJANGO_SETTINGS_MODULE": "quizsite.settings.prod",
    "SECRET_KEY": "bench-only-secret",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_COOKIES": "false",
    "SECURE_SSL_REDIRECT": "false",  # gunicorn is spoken to over plain HTTP here
    "SUBMISSION_RATE": "100000/min",
    "SUBMISSIONS_IN_FLIGHT_PER_USER": "1000",
    "LOG_LEVEL": "WARNING",
}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _prepare_database(users: int) -> tuple[list[str], str, str]:
    """A fresh database with the curriculum and `users` learners; returns their tokens."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ.update(ENV)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from knox.models import AuthToken

    from problems.content.loader import load_selected
    from problems.services.authoring import problem_publish_if_proven
    from problems.validation import problem_version_validate

    call_command("migrate", verbosity=0)
    (problem,) = load_selected(settings.CONTENT_DIR, ["lstm-cell"])
    report = problem_version_validate(version=problem.versions.get())
    if not (report.ok and problem_publish_if_proven(problem=problem)):
        raise RuntimeError(f"lstm-cell did not validate: {report.problems}")
    spec = problem.versions.get().engine_spec
    tokens = []
    for index in range(users):
        user = get_user_model().objects.create_user(f"bench{index}", password="bench-password-1")
        tokens.append(AuthToken.objects.create(user)[1])
    return tokens, spec["solution"], spec["mutants"][0]["code"]


def _start(command: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, **ENV}
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _cpu_seconds_by_group(roots: tuple[int, ...] = ()) -> dict:
    """CPU time (user + system) of every process from /proc, summed per process group (int
    keys), per command name (str keys, e.g. "postgres", "redis-server"), and under
    ``("sandbox", root)`` the processes descending from one of the ``roots`` groups that run
    in sessions of their own (the sandbox's bwrap, zygotes and jobs, with what they reaped)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals: dict = {}
    processes: dict[int, tuple[int, int, float]] = {}  # pid: (ppid, pgid, own + reaped)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                name, rest = stat.read().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = rest.split()
        pgid, seconds = int(fields[2]), (int(fields[11]) + int(fields[12])) / ticks
        reaped = (int(fields[13]) + int(fields[14])) / ticks
        processes[int(entry)] = (int(fields[1]), pgid, seconds + reaped)
        totals[pgid] = totals.get(pgid, 0.0) + seconds
        totals[name] = totals.get(name, 0.0) + seconds
    for ppid, pgid, seconds in processes.values():
        parent, seen = ppid, 0
        while pgid not in roots and parent in processes and seen < 64:
            if processes[parent][1] in roots:  # a descendant of ours in a session of its own
                key = ("sandbox", processes[parent][1])
                totals[key] = totals.get(key, 0.0) + seconds
                break
            parent, seen = processes[parent][0], seen + 1
    return totals


def _system_cpu_seconds() -> float:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:8]]
    busy = sum(values) - values[3] - values[4]  # minus idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _wait_for_server() -> None:
    for _ in range(200):
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not come up; see bench/results/gunicorn.log")


def _follow(session: requests.Session, submission_id: int) -> dict:
    """Follow the submission's event stream, as the browser does, until its verdict."""
    url = f"http://127.0.0.1:{PORT}/api/submissions/{submission_id}/events/"
    while True:  # the server closes a stream after 25 s; reconnect like EventSource
        with session.get(url, stream=True, timeout=60) as stream:
            if stream.status_code != 200:
                raise RuntimeError(
                    f"event stream refused: {stream.status_code} {stream.text[:200]}"
                )
            # Bytes, split as EventSource splits (on \r and \n only): str.splitlines would also
            # cut at U+2028 and the like, which JSON may carry unescaped.
            event = None
            for raw in stream.iter_lines():
                line = raw.decode("utf-8")
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: {") and event == "status":  # not `progress`
                    body = json.loads(line[len("data: ") :])
                    if body["status"] in ("done", "error"):
                        return body


def _client(
    token: str, codes: list[str], latencies: list[float], verdicts: list[str], lock
) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    for code in codes:
        started = time.perf_counter()
        response = session.post(
            f"http://127.0.0.1:{PORT}/api/problems/lstm-cell/submissions/",
            json={"code": code},
            timeout=30,
        )
        if response.status_code != 202:
            raise RuntimeError(f"submission refused: {response.status_code} {response.text[:300]}")
        body = _follow(session, response.json()["id"])
        with lock:
            latencies.append(time.perf_counter() - started)
            verdicts.append(body["verdict"])


def run(*, clients: int = 8, per_client: int = 25) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    tokens, right, wrong = _prepare_database(clients)
    import redis

    redis.Redis.from_url(ENV["REDIS_URL"]).flushdb()
    venv = Path(sys.executable).parent
    web = _start(
        [
            str(venv / "gunicorn"),
            "quizsite.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "2",
            "--threads",
            "8",
        ],
        RESULTS / "gunicorn.log",
    )
    worker = _start(
        [
            str(venv / "celery"),
            "-A",
            "quizsite",
            "worker",
            "-Q",
            "grading,training",
            "-c",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        RESULTS / "worker.log",
    )
    try:
        _wait_for_server()
        _warm_up(tokens, right, wrong)
        # Latency on a quiet system: one client, one submission at a time.
        quiet: list[float] = []
        _client(tokens[0], [right, wrong] * 10, quiet, [], threading.Lock())
        # Throughput under load: every client submitting at once.
        latencies: list[float] = []
        verdicts: list[str] = []
        lock = threading.Lock()
        threads = [
            threading.Thread(
                target=_client,
                args=(
                    token,
                    [right if (i + j) % 2 else wrong for j in range(per_client)],
                    latencies,
                    verdicts,
                    lock,
                ),
            )
            for i, token in enumerate(tokens)
        ]
        cpu_before, system_before = _cpu_seconds_by_group((worker.pid,)), _system_cpu_seconds()
        client_before = time.process_time()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        cpu_after, system_after = _cpu_seconds_by_group((worker.pid,)), _system_cpu_seconds()
        client_cpu = time.process_time() - client_before
    finally:
        _stop(web)
        _stop(worker)
    result = {
        "command": "make bench (python -m bench pipeline)",
        "clients": clients,
        "submissions": len(latencies),
        "workers": 2,
        "seconds": round(wall, 2),
        "submissions_per_second": round(len(latencies) / wall, 2),
        "quiet_p50_ms": round(1000 * statistics.median(quiet), 1),
        "quiet_p95_ms": round(1000 * _percentile(quiet, 0.95), 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * _percentile(latencies, 0.95), 1),
        "verdicts": {v: verdicts.count(v) for v in sorted(set(verdicts))},
        # Where the CPU went during the loaded phase, per submission (milliseconds).
        "cpu_ms_per_submission": {
            name: round(1000 * (cpu_after.get(key, 0) - cpu_before.get(key, 0)) / len(latencies), 1)
            for name, key in (
                ("web (gunicorn)", web.pid),
                ("worker (celery)", worker.pid),
                ("sandbox (under the worker)", ("sandbox", worker.pid)),
                ("postgres", "postgres"),
                ("redis", "redis-server"),
            )
        }
        | {
            "bench clients": round(1000 * client_cpu / len(latencies), 1),
            "whole machine": round(1000 * (system_after - system_before) / len(latencies), 1),
        },
        # Timing on a busy machine is not a quiet-machine figure: say how busy it was.
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    sandbox = RESULTS / "sandbox.json"
    if sandbox.exists():  # the goal: at least 60% of what the sandbox alone grades on these cores
        measured = json.loads(sandbox.read_text())
        rows = measured.get("throughput", [])
        alone = next((r["submissions_per_s"] for r in rows if r["problem"] == "lstm-cell"), None)
        warm = next(
            (
                r.get("cpu_ms_per_submission") or {}
                for r in measured.get("latency", [])
                if (r["problem"], r["mode"]) == ("lstm-cell", "warm")
            ),
            {},
        )
        sandbox_cpu_ms = sum(v for v in warm.values() if v is not None) or None
        if alone:
            result["sandbox_alone_submissions_per_second"] = alone
            result["sandbox_measured_in_this_run"] = sandbox.stat().st_mtime >= STARTED
            result["share_of_sandbox_throughput"] = round(
                result["submissions_per_second"] / alone, 2
            )
            result["cpu_bound_ceiling"] = _ceiling(result, alone, sandbox_cpu_ms)
    (RESULTS / "pipeline.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _warm_up(tokens: list[str], right: str, wrong: str) -> None:
    """A few submissions first, two at a time so that both worker processes take some, so
    that start-up is not measured: each worker process imports its sandbox pool, and torch
    for the forbidden-calls check (seconds of CPU), on its first submission. The sandbox
    benchmark warms its workers up the same way."""
    threads = [
        threading.Thread(target=_client, args=(token, [right, wrong] * 3, [], [], threading.Lock()))
        for token in tokens[:2]
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _ceiling(result: dict, alone: float, sandbox_cpu_ms: float | None) -> dict:
    """What the share could be at most on these cores, from CPU time, which a busy machine
    changes less than it changes throughput: the sandbox alone costs ``sandbox_cpu_ms`` a
    submission (its latency run's trusted process, zygotes and jobs; else `cores / alone`,
    as it keeps every core busy), the pipeline what its processes spent (web, worker,
    sandbox, PostgreSQL, Redis and the benchmark's clients), and with every core busy the
    pipeline's throughput is at most the sandbox's times their ratio."""
    cores = os.cpu_count() or 1
    sandbox_ms = sandbox_cpu_ms or 1000 * cores / alone
    cpu = result["cpu_ms_per_submission"]
    pipeline_ms = round(sum(ms for name, ms in cpu.items() if name != "whole machine"), 1)
    return {
        "cores": cores,
        "sandbox_alone_cpu_ms_per_submission": round(sandbox_ms, 1),
        "pipeline_cpu_ms_per_submission": pipeline_ms,
        "share_at_most": round(sandbox_ms / pipeline_ms, 2) if pipeline_ms else None,
        "pipeline_cpu_ms_for_0.6": round(sandbox_ms / 0.6, 1),
    }


def headline(result: dict) -> str:
    """The benchmark's first line: the pipeline's share of the sandbox-only throughput, with
    where each submission's CPU went."""
    cpu = result["cpu_ms_per_submission"]
    where = ", ".join(f"{name} {ms:g}" for name, ms in cpu.items())
    share = result.get("share_of_sandbox_throughput")
    if share is None:
        return (
            f"pipeline {result['submissions_per_second']} subs/s (no sandbox figure: run "
            f"`python -m bench sandbox pipeline`); CPU ms per submission: {where}"
        )
    same_run = "" if result["sandbox_measured_in_this_run"] else " (sandbox from an earlier run)"
    ceiling = result["cpu_bound_ceiling"]
    return (
        f"pipeline/sandbox throughput {share:.2f} (goal >= 0.6): pipeline "
        f"{result['submissions_per_second']} subs/s, sandbox alone "
        f"{result['sandbox_alone_submissions_per_second']:.1f} subs/s{same_run}\n"
        f"CPU ms per submission: {where}\n"
        f"CPU-bound ceiling on {ceiling['cores']} cores: the sandbox alone costs "
        f"{ceiling['sandbox_alone_cpu_ms_per_submission']} ms of CPU a submission, the "
        f"pipeline {ceiling['pipeline_cpu_ms_per_submission']}, so the share is at most "
        f"{ceiling['share_at_most']}; 0.6 needs the whole pipeline within "
        f"{ceiling['pipeline_cpu_ms_for_0.6']} ms a submission"
    )


def main() -> None:
    result = run()
    print("\n" + headline(result))
    print("\nPipeline (HTTP → gunicorn → PostgreSQL → Redis → Celery ×2 → sandbox → API)")
    keys = (
        "quiet_p50_ms",
        "quiet_p95_ms",
        "clients",
        "submissions",
        "seconds",
        "submissions_per_second",
        "p50_ms",
        "p95_ms",
        "verdicts",
        "cpu_ms_per_submission",
        "loadavg_end",
    )
    for key in keys:
        print(f"  {key:>24}: {result[key]}")
    print(f"  written to {RESULTS / 'pipeline.json'}")


if __name__ == "__main__":
    main()
