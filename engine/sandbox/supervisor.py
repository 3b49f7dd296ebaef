"""The trusted supervisor: feeds the job, reads the result/stdout/stderr pipes with byte
caps, enforces the wall-clock limit, and turns what it observed into a RunResult.

Verdicts come from observations only, in this order: the supervisor's own clock
(TIMEOUT), its byte counters (OUTPUT_LIMIT), the cgroup's OOM counter or a MemoryError
reported by the harness (MEMORY), SIGXCPU / the CPU rlimit's SIGKILL with the CPU time
used (TIMEOUT), then the result stream (OK, COMPILE_ERROR, IMPORT_ERROR), and anything
else is CRASHED.
"""

from __future__ import annotations

import errno
import fcntl
import os
import selectors
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .api import ErrorInfo, Job, Limits, RunResult, RunStatus
from .inside.exits import ExitCode, describe
from .protocol import Decoded, decode_results


@dataclass
class ExitInfo:
    exit_code: int | None = None
    signal: int | None = None
    cpu_seconds: float = 0.0
    maxrss_kb: int = 0
    lost: bool = False  # the process that watches the child (the zygote) disappeared
    deferred: bool = False  # not waited for: the harness had reported completion


@dataclass
class Stats:
    oom_kills: int = 0
    peak_kb: int = 0
    cpu_seconds: float | None = None
    pids_max_hit: bool = False


@dataclass
class Launched:
    """What a backend hands the supervisor once the child exists."""

    job_w: int
    result_r: int
    out_r: int
    err_r: int
    exit_fd: int  # readable when poll_exit() may have news
    poll_exit: Callable[[], ExitInfo | None]
    kill: Callable[[], None]  # kill the whole tree
    stats: Callable[[], Stats] | None = None  # after exit
    cleanup: Callable[[], None] | None = None
    oom_fd: int | None = None  # readable when the job's cgroup hit its memory limit
    oom_drain: Callable[[], int] | None = None  # events since the last call
    can_defer_exit: bool = False  # the backend reaps the child later (warm zygote)
    extra: dict = field(default_factory=dict)


LINGER_GRACE = 0.25  # seconds a child may take to exit after its final message
SURVIVOR_GRACE = 0.5  # seconds a pipe may stay open after the exit (no PID namespace: plain)
KILL_GRACE = 10.0  # seconds after a kill before the supervisor stops waiting for the pipes


def _nonblock(fd):
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)


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

    @property
    def cpu_seconds(self) -> float:
        return (
            self.cgroup_cpu_seconds
            if self.cgroup_cpu_seconds is not None
            else self.exit.cpu_seconds
        )


class _Watch:
    """One run being watched: the pipes with their byte counts, the clocks, the exit.

    Each descriptor is registered with its handler (``on_*``); ``supervise`` checks the
    clocks, waits and calls the handlers of whatever is ready, until the run is over.
    """

    def __init__(self, job: Job, job_bytes: bytes, proc: Launched):
        lim = job.limits
        self.job, self.proc = job, proc
        self.caps = {
            proc.result_r: lim.result_bytes,
            proc.out_r: lim.output_bytes,
            proc.err_r: lim.output_bytes,
        }
        self.bufs = {fd: bytearray() for fd in self.caps}
        self.counts = dict.fromkeys(self.caps, 0)
        self.open_reads = set(self.caps)
        self.job_view = memoryview(job_bytes)
        self.job_w_open = False
        self.sel = selectors.DefaultSelector()
        self.deadline = 0.0
        self.exit_info: ExitInfo | None = None
        self.exit_seen_at: float | None = None
        self.oom_events = 0
        self.timed_out = False
        self.over_output = ""
        self.killed = False
        self.hard_stop: float | None = None
        self.completed: Decoded | None = None  # the harness reported completion ...
        self.completed_at: float | None = None  # ... and closed every pipe, at this time

    def start(self, started: float) -> None:
        proc = self.proc
        self.deadline = started + self.job.limits.wall_seconds
        for fd in self.bufs:
            _nonblock(fd)
            self.sel.register(fd, selectors.EVENT_READ, self.on_output)
        if self.job_view:
            _nonblock(proc.job_w)
            self.sel.register(proc.job_w, selectors.EVENT_WRITE, self.on_job_writable)
            self.job_w_open = True
        else:
            os.close(proc.job_w)
        self.sel.register(proc.exit_fd, selectors.EVENT_READ, self.on_exit_report)
        if proc.oom_fd is not None:
            self.sel.register(proc.oom_fd, selectors.EVENT_READ, self.on_oom)

    def close(self) -> None:
        self.sel.close()
        if self.job_w_open:
            os.close(self.proc.job_w)
        for fd in self.bufs:
            try:
                os.close(fd)
            except OSError:
                pass

    def kill(self) -> None:
        if not self.killed:
            self.killed = True
            self.proc.kill()
            self.hard_stop = time.monotonic() + KILL_GRACE

    # -- the clocks, checked before each wait

    def wall_clock_running(self) -> bool:
        return self.exit_info is None and not self.killed and self.completed_at is None

    def check_clocks(self, now: float) -> None:
        if self.wall_clock_running() and now >= self.deadline:
            self.timed_out = True
            self.kill()
        if self.wall_clock_running() and not self.open_reads and self.proc.can_defer_exit:
            # every pipe is closed: if the harness reported completion, the verdict does
            # not depend on how the process ends -- but the job must be gone before the
            # verdict is reported: a short grace for its exit, then it is killed
            dec = decode_results(self.bufs[self.proc.result_r], len(self.job.calls))
            if dec.wire_error is None and dec.kind in ("ok", "compile_error", "import_error"):
                self.completed, self.completed_at = dec, now
        done_at = self.completed_at
        lingering = done_at is not None and self.exit_info is None and not self.killed
        if lingering and done_at is not None and now - done_at > LINGER_GRACE:
            self.kill()  # learner code still running after its verdict

    def over(self, now: float) -> bool:
        if self.exit_info is not None and not self.open_reads:
            return True
        if self.exit_seen_at is not None and now - self.exit_seen_at > SURVIVOR_GRACE:
            return True  # a survivor holds a pipe open (only possible without a PID namespace)
        return self.hard_stop is not None and now > self.hard_stop

    def wait_seconds(self, now: float) -> float:
        if self.wall_clock_running():
            timeout = self.deadline - now
        elif self.completed_at is not None and not self.killed:
            timeout = 0.02
        else:
            timeout = 0.1
        return max(0.0, min(timeout, 1.0))

    # -- the handlers, one per kind of descriptor

    def on_job_writable(self, fd: int) -> None:
        try:
            n = os.write(fd, self.job_view[: 1 << 20])
            self.job_view = self.job_view[n:]
        except BlockingIOError:
            return
        except OSError:  # the child closed its end (BrokenPipeError) or went away
            self.job_view = self.job_view[:0]
        if not self.job_view:
            self.sel.unregister(fd)
            os.close(fd)
            self.job_w_open = False

    def on_oom(self, fd: int) -> None:
        if self.proc.oom_drain is None:  # registered only with an OOM descriptor and drain
            return
        n = self.proc.oom_drain()
        if n:
            self.oom_events += n
            self.kill()  # the job's tasks are paused at the limit: end them

    def on_exit_report(self, fd: int) -> None:
        if self.exit_info is None:
            self.exit_info = self.proc.poll_exit()
            if self.exit_info is not None:
                self.exit_seen_at = time.monotonic()
                self.sel.unregister(fd)

    def on_output(self, fd: int) -> None:
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self.sel.unregister(fd)
            self.open_reads.discard(fd)
            return
        self.counts[fd] += len(data)
        room = self.caps[fd] - len(self.bufs[fd])
        if room > 0:
            self.bufs[fd] += data[:room]
        if self.counts[fd] > self.caps[fd] and not self.over_output:
            names = {self.proc.result_r: "result channel", self.proc.out_r: "stdout"}
            self.over_output = names.get(fd, "stderr")
            self.kill()

    # -- once it is over

    def final_exit(self) -> ExitInfo:
        """The exit, making sure the child is gone if it did not report one in time."""
        if self.exit_info is not None:
            return self.exit_info
        self.proc.kill()
        for _ in range(50):
            e = self.proc.poll_exit()
            if e is not None:
                return e
            time.sleep(0.02)
        return ExitInfo(signal=signal.SIGKILL)

    def outcome(self, wall: float) -> RunOutcome:
        proc = self.proc
        exit_info = self.final_exit()
        if proc.oom_drain is not None:
            self.oom_events += proc.oom_drain()
        stats = proc.stats() if proc.stats else Stats()
        oom_kills = stats.oom_kills + self.oom_events
        timed_out, over_output = self.timed_out, self.over_output
        if self.completed is not None:
            # completed before anything went wrong: what the job did after its verdict (and
            # the kill that ended it) does not change the verdict
            timed_out, over_output, oom_kills = False, "", 0
            exit_info = ExitInfo(
                exit_code=ExitCode.OK,
                deferred=True,
                cpu_seconds=exit_info.cpu_seconds,
                maxrss_kb=exit_info.maxrss_kb,
            )
        if proc.cleanup:
            proc.cleanup()
        decoded = self.completed or decode_results(
            self.bufs[proc.result_r],  # no copy: the decoder reads it through a memoryview
            len(self.job.calls),
        )
        lim = self.job.limits
        return RunOutcome(
            limits=lim,
            decoded=decoded,
            exit=exit_info,
            oom_kills=oom_kills,
            cgroup_cpu_seconds=stats.cpu_seconds,
            timed_out=timed_out,
            over_output=over_output,
            stdout=bytes(self.bufs[proc.out_r]).decode("utf-8", "replace"),
            stderr=bytes(self.bufs[proc.err_r]).decode("utf-8", "replace"),
            stdout_truncated=(
                self.counts[proc.out_r] > lim.output_bytes
                or self.counts[proc.err_r] > lim.output_bytes
            ),
            wall_seconds=wall,
            peak_memory_kb=stats.peak_kb or exit_info.maxrss_kb,
        )


def supervise(job: Job, job_bytes: bytes, proc: Launched, started: float) -> RunResult:
    """Feed the job, watch the run until it is over, and give its verdict."""
    watch = _Watch(job, job_bytes, proc)
    watch.start(started)
    try:
        while True:
            now = time.monotonic()
            watch.check_clocks(now)
            if watch.over(now):
                break
            for key, _ in watch.sel.select(watch.wait_seconds(now)):
                key.data(key.fd)
    finally:
        watch.close()
    return verdict(watch.outcome(time.monotonic() - started))


NOT_STARTED = "before the learner's code started"

# The verdict's rules, in order (docs/sandbox.md, "Verdicts"): each returns
# (status, message, error) when it decides, else None.


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
        return RunStatus.TIMEOUT, f"wall-clock limit of {o.limits.wall_seconds:g} s exceeded", None
    return None


def _output_cap(o: RunOutcome):
    if o.over_output:
        cap = o.limits.result_bytes if o.over_output == "result channel" else o.limits.output_bytes
        return RunStatus.OUTPUT_LIMIT, f"{o.over_output} exceeded {cap} bytes", None
    return None


def _decoder_budget(o: RunOutcome):
    if o.decoded.over_budget:
        return (
            RunStatus.OUTPUT_LIMIT,
            f"the result is too large to check: {o.decoded.over_budget}; "
            "return a few NumPy arrays instead of nested lists or many small pieces",
            None,
        )
    return None


def _out_of_memory(o: RunOutcome):
    if o.oom_kills:
        return RunStatus.MEMORY, f"memory limit of {o.limits.memory_mb} MB exceeded", None
    return None


def _cpu_limit(o: RunOutcome):
    sig = o.exit.signal
    cpu_lim = max(1.0, float(o.limits.cpu_seconds))
    cpu_used = max(o.exit.cpu_seconds, o.cgroup_cpu_seconds or 0.0)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_used >= cpu_lim - 0.05):
        return RunStatus.TIMEOUT, f"CPU time limit of {o.limits.cpu_seconds:g} s exceeded", None
    return None


def _memory_error(o: RunOutcome):
    dec = o.decoded
    if not dec.memory_error:
        return None
    err = dec.error or next(
        (c.error for c in dec.calls if c.error and c.error.type == "MemoryError"), None
    )
    return RunStatus.MEMORY, f"memory limit of {o.limits.memory_mb} MB exceeded (MemoryError)", err


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
    elif sig is not None:
        why = f"the program was killed by {signame(sig)}"
        if sig == signal.SIGSEGV:
            why += " (segmentation fault, e.g. a stack overflow from deep recursion)"
    elif o.exit.exit_code not in (None, 0):
        # learner code may call os._exit with any status: the number, never a meaning
        why = f"the program exited with status {o.exit.exit_code} before finishing"
    else:
        why = "the program exited before finishing"
    return RunStatus.CRASHED, why, ErrorInfo(type="Crash", message=why)


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
    status, message, error = next(d for d in decisions if d is not None)
    return RunResult(
        status=status,
        calls=tuple(outcome.decoded.calls),
        error=error,
        message=message,
        stdout=outcome.stdout,
        stderr=outcome.stderr,
        stdout_truncated=outcome.stdout_truncated,
        wall_seconds=outcome.wall_seconds,
        cpu_seconds=outcome.cpu_seconds,
        peak_memory_kb=outcome.peak_memory_kb,
    )
