"""The verdict from what the supervisor observed (``RunOutcome``), without a sandbox: the
order of the rules and what the named exit statuses may and may not claim."""

from __future__ import annotations

import signal

import pytest

from engine.sandbox.api import ErrorInfo, Limits, RunStatus
from engine.sandbox.inside.exits import ExitCode
from engine.sandbox.protocol import Decoded
from engine.sandbox.supervisor import NOT_STARTED, ExitInfo, RunOutcome, verdict


def outcome(decoded=None, exit_info=None, **kw) -> RunOutcome:
    return RunOutcome(
        limits=Limits(cpu_seconds=2.0, memory_mb=64),
        decoded=decoded or Decoded(kind="ok", started=True),
        exit=exit_info or ExitInfo(exit_code=ExitCode.OK),
        **kw,
    )


def test_it_passes_a_complete_stream_and_a_clean_exit():
    r = verdict(outcome(stdout="hi", wall_seconds=0.5, peak_memory_kb=10))
    assert r.status == RunStatus.OK
    assert (r.stdout, r.wall_seconds, r.peak_memory_kb) == ("hi", 0.5, 10)


def test_it_names_the_harness_exit_status_before_the_learner_code_started():
    r = verdict(outcome(Decoded(), ExitInfo(exit_code=ExitCode.SPARE_FAILED)))
    assert r.status == RunStatus.INTERNAL
    assert "status 4 (the child failed before its job arrived)" in r.message
    assert NOT_STARTED in r.message  # what the warm path's retry looks for


def test_it_never_names_a_status_the_learner_code_could_have_chosen():
    # os._exit(3) from learner code is a crash, not "the harness failed"
    r = verdict(outcome(Decoded(kind="incomplete", started=True), ExitInfo(exit_code=3)))
    assert r.status == RunStatus.CRASHED
    assert r.message == "the program exited with status 3 before finishing"


def test_the_wall_clock_comes_before_the_memory_counter():
    r = verdict(outcome(exit_info=ExitInfo(signal=signal.SIGKILL), timed_out=True, oom_kills=1))
    assert r.status == RunStatus.TIMEOUT and "wall-clock" in r.message


def test_the_output_cap_names_the_stream_and_its_cap():
    r = verdict(outcome(over_output="result channel", oom_kills=1))
    assert r.status == RunStatus.OUTPUT_LIMIT
    assert r.message == f"result channel exceeded {Limits().result_bytes} bytes"


@pytest.mark.parametrize(
    ("cpu_seconds", "status"), [(2.0, RunStatus.TIMEOUT), (0.5, RunStatus.CRASHED)]
)
def test_a_sigkill_is_a_timeout_only_with_the_cpu_time_at_its_limit(cpu_seconds, status):
    killed = ExitInfo(signal=signal.SIGKILL, cpu_seconds=cpu_seconds)
    r = verdict(outcome(Decoded(kind="incomplete", started=True), killed))
    assert r.status == status


def test_a_memory_error_carries_the_learners_error():
    err = ErrorInfo(type="MemoryError", message="", line=3)
    dec = Decoded(kind="import_error", started=True, error=err, memory_error=True)
    r = verdict(outcome(dec))
    assert r.status == RunStatus.MEMORY and r.error == err


def test_a_corrupted_channel_after_the_start_is_a_crash():
    dec = Decoded(kind="incomplete", started=True, wire_error="bad frame header")
    r = verdict(outcome(dec))
    assert r.status == RunStatus.CRASHED
    assert r.message == "the result channel was corrupted (bad frame header)"


def test_the_cgroups_cpu_time_is_reported_when_there_is_one():
    assert verdict(outcome(cgroup_cpu_seconds=1.25)).cpu_seconds == 1.25
    assert verdict(outcome(exit_info=ExitInfo(exit_code=0, cpu_seconds=0.5))).cpu_seconds == 0.5
