"""A run's verdict from what the supervisor observed of it (``RunOutcome``), by rules in
a fixed order (docs/sandbox.md, "Verdicts"): the supervisor's own clock (TIMEOUT), its
byte counters (OUTPUT_LIMIT), the cgroup's OOM counter or a MemoryError reported by the
harness (MEMORY), SIGXCPU / the CPU rlimit's SIGKILL with the CPU time used (TIMEOUT),
then the result stream (OK, COMPILE_ERROR, IMPORT_ERROR), and anything else is CRASHED.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from typing import NamedTuple

from .api import ErrorInfo, Limits, RunResult, RunStatus
from .inside.exits import ExitCode, describe
from .protocol import Decoded


@dataclass
class ExitInfo:
    exit_code: int | None = None
    signal: int | None = None
    cpu_seconds: float = 0.0
    maxrss_kb: int = 0
    lost: bool = False  # the process that watches the child (the zygote) disappeared
    deferred: bool = False  # not waited for: the harness had reported completion


def signame(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


@dataclass(frozen=True)
class RunOutcome:
    """What the supervisor observed of one run, once it is over: :func:`verdict` turns it
    into the run's status and message."""

    limits: Limits
    decoded: Decoded  # the result stream
    exit: ExitInfo
    oom_kills: int = 0
    cgroup_cpu_seconds: float | None = None  # the job's cgroup, when it had one
    timed_out: bool = False  # the wall clock ran out
    over_output: str = ""  # "stdout", "stderr" or "result channel": which went over its cap
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    wall_seconds: float = 0.0
    peak_memory_kb: int = 0
    hidden_started: bool = False  # the hidden calls' inputs had been handed over
    hidden_cpu_start: float = 0.0  # CPU seconds used by then (as the harness reported it)

    @property
    def cpu_seconds(self) -> float:
        return (
            self.cgroup_cpu_seconds
            if self.cgroup_cpu_seconds is not None
            else self.exit.cpu_seconds
        )


NOT_STARTED = "before the learner's code started"

# The verdict's rules, in order (docs/sandbox.md, "Verdicts"): each returns
# (status, message, error) or a Decided with the message as data too, when it decides, else None.


class Decided(NamedTuple):
    status: RunStatus
    message: str  # English, for logs and the engine's English rendering
    error: ErrorInfo | None = None
    # the message as a code and its parameters (engine/message_table.py renders it in ja/en)
    detail: dict | None = None


def _said(code: str, **params) -> dict:
    return {"code": code, "params": params}


def _harness_failed(o: RunOutcome):
    if o.decoded.kind == "internal":
        return RunStatus.INTERNAL, "sandbox harness failed: " + o.decoded.message, None
    return None


def _never_started(o: RunOutcome):
    if o.decoded.started:
        return None
    # the learner's code never ran: whatever happened is the sandbox's doing (and the exit
    # status is the harness's own, so its name can be trusted)
    sig = o.exit.signal
    if o.exit.lost:
        what = "lost its zygote"
    elif o.timed_out:
        what = "timed out"
    elif sig:
        what = f"died of {signame(sig)}"
    else:
        what = f"exited with {describe(o.exit.exit_code)}"
    stderr = f" ({o.stderr[-300:]!r})" if o.stderr else ""
    return RunStatus.INTERNAL, f"the sandbox {what} {NOT_STARTED}{stderr}", None


def _zygote_lost(o: RunOutcome):
    if o.exit.lost and not o.timed_out:
        return RunStatus.INTERNAL, "the sandbox's zygote died during the run", None
    return None


def _wall_clock(o: RunOutcome):
    if o.timed_out:
        seconds = o.limits.wall_seconds
        return Decided(
            RunStatus.TIMEOUT,
            f"wall-clock limit of {seconds:g} s exceeded",
            detail=_said("limit.wall", seconds=seconds),
        )
    return None


def _output_cap(o: RunOutcome):
    if o.over_output:
        cap = o.limits.result_bytes if o.over_output == "result channel" else o.limits.output_bytes
        stream = {"result channel": "result"}.get(o.over_output, o.over_output)
        return Decided(
            RunStatus.OUTPUT_LIMIT,
            f"{o.over_output} exceeded {cap} bytes",
            detail=_said(f"limit.{stream}", bytes=cap),
        )
    return None


def _decoder_budget(o: RunOutcome):
    if o.decoded.over_budget:
        return Decided(
            RunStatus.OUTPUT_LIMIT,
            f"the result is too large to check: {o.decoded.over_budget}; "
            "return a few NumPy arrays instead of nested lists or many small pieces",
            detail=_said(
                "limit.result_budget", why=o.decoded.over_budget_detail or o.decoded.over_budget
            ),
        )
    return None


def _out_of_memory(o: RunOutcome):
    if o.oom_kills:
        return Decided(
            RunStatus.MEMORY,
            f"memory limit of {o.limits.memory_mb} MB exceeded",
            detail=_said("limit.memory", mb=o.limits.memory_mb),
        )
    return None


def _cpu_limit(o: RunOutcome):
    sig = o.exit.signal
    cpu_lim = max(1.0, float(o.limits.cpu_seconds))
    cpu_used = max(o.exit.cpu_seconds, o.cgroup_cpu_seconds or 0.0)
    if o.hidden_started:  # the hidden calls have a CPU budget of their own
        cpu_used -= min(max(o.hidden_cpu_start, 0.0), cpu_used)
    at_limit = cpu_used >= cpu_lim - 0.05
    # a part of a job with hidden calls is ended by the harness at its CPU budget
    budget_spent = sig is None and o.exit.exit_code == ExitCode.CPU_LIMIT and at_limit
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and at_limit) or budget_spent:
        return Decided(
            RunStatus.TIMEOUT,
            f"CPU time limit of {o.limits.cpu_seconds:g} s exceeded",
            detail=_said("limit.cpu", seconds=o.limits.cpu_seconds),
        )
    return None


def _memory_error(o: RunOutcome):
    dec = o.decoded
    if not dec.memory_error:
        return None
    err = dec.error or next(
        (c.error for c in dec.calls if c.error and c.error.type == "MemoryError"), None
    )
    return Decided(
        RunStatus.MEMORY,
        f"memory limit of {o.limits.memory_mb} MB exceeded (MemoryError)",
        err,
        _said("limit.memory_error", mb=o.limits.memory_mb),
    )


def _completed(o: RunOutcome):
    dec = o.decoded
    if dec.wire_error is not None or o.exit.signal is not None or o.exit.exit_code != ExitCode.OK:
        return None
    if dec.kind == "ok":
        return RunStatus.OK, "", None
    if dec.kind == "compile_error":
        return RunStatus.COMPILE_ERROR, "syntax error", dec.error
    if dec.kind == "import_error":
        return RunStatus.IMPORT_ERROR, "module-level code raised", dec.error
    return None


def _crashed(o: RunOutcome):
    sig = o.exit.signal
    if o.decoded.wire_error is not None:
        why = f"the result channel was corrupted ({o.decoded.wire_error})"
        detail = _said("crash.corrupted", why=o.decoded.wire_error)
    elif sig is not None:
        why = f"the program was killed by {signame(sig)}"
        detail = _said("crash.signal", signal=signame(sig))
        if sig == signal.SIGSEGV:
            why += " (segmentation fault, e.g. a stack overflow from deep recursion)"
            detail = _said("crash.segfault", signal=signame(sig))
    elif o.exit.exit_code not in (None, 0):
        # learner code may call os._exit with any status: the number, never a meaning
        why = f"the program exited with status {o.exit.exit_code} before finishing"
        detail = _said("crash.exit_status", status=o.exit.exit_code)
    else:
        why = "the program exited before finishing"
        detail = _said("crash.exited")
    return Decided(RunStatus.CRASHED, why, ErrorInfo(type="Crash", message=why), detail)


VERDICT_RULES = (
    _harness_failed,
    _never_started,
    _zygote_lost,
    _wall_clock,
    _output_cap,
    _decoder_budget,
    _out_of_memory,
    _cpu_limit,
    _memory_error,
    _completed,
    _crashed,
)


def verdict(outcome: RunOutcome) -> RunResult:
    """The run's status from what was observed: the first rule that decides."""
    # lazily, in order; the last rule (_crashed) always decides
    decisions = (rule(outcome) for rule in VERDICT_RULES)
    status, message, error, detail = Decided(*next(d for d in decisions if d is not None))
    return RunResult(
        status=status,
        calls=tuple(outcome.decoded.calls),
        error=error,
        message=message,
        detail=detail,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        stdout_truncated=outcome.stdout_truncated,
        # a MemoryError raised by a visible call is the visible part's failure, even when the
        # job went on to the hidden calls: the learner may see it (and where it came from)
        hidden_started=outcome.hidden_started
        and not (status == RunStatus.MEMORY and outcome.decoded.visible_memory_error),
        wall_seconds=outcome.wall_seconds,
        cpu_seconds=outcome.cpu_seconds,
        peak_memory_kb=outcome.peak_memory_kb,
    )
