"""The trusted supervisor: feeds the job, reads the result/stdout/stderr pipes with byte
caps, enforces the wall-clock limit, and turns what it observed into a RunResult.

A job with hidden calls (``Job.hidden_from``) is fed in two parts. The hidden calls'
inputs are written only once the result stream holds every visible call's result and
the harness's ``await``; before that, the stdout/stderr pipes are drained, and from then
on what comes out of them is counted and discarded. Anything the learner's process wrote
before it could know a hidden input may reach the learner; nothing written after.

What was observed (``RunOutcome``) becomes the run's status in ``verdict.py``.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import selectors
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .api import Job, RunResult
from .inside.exits import ExitCode
from .protocol import Decoded, ResultScanner, decode_results
from .verdict import (  # noqa: F401 - re-exported: the backends and tests use them from here
    NOT_STARTED,
    ExitInfo,
    RunOutcome,
    signame,
    verdict,
)


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


log = logging.getLogger(__name__)

Progress = Callable[[dict], None]

LINGER_GRACE = 0.25  # seconds a child may take to exit after its final message
SURVIVOR_GRACE = 0.5  # seconds a pipe may stay open after the exit (no PID namespace: plain)
KILL_GRACE = 10.0  # seconds after a kill before the supervisor stops waiting for the pipes


def _nonblock(fd):
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)


class _Watch:
    """One run being watched: the pipes with their byte counts, the clocks, the exit.

    Each descriptor is registered with its handler (``on_*``); ``supervise`` checks the
    clocks, waits and calls the handlers of whatever is ready, until the run is over.
    """

    def __init__(
        self,
        job: Job,
        job_bytes: bytes,
        proc: Launched,
        hidden_bytes: bytes | None = None,
        on_progress: Progress | None = None,
    ):
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
        self.stdout_truncated = False  # stdout or stderr went over its cap (in either part)
        self.hard_stop: float | None = None
        self.completed: Decoded | None = None  # the harness reported completion ...
        self.completed_at: float | None = None  # ... and closed every pipe, at this time
        # a job with hidden calls: their part, held back until the harness asks for it
        self.hidden_bytes = hidden_bytes
        self.n_visible = len(job.visible_calls) if hidden_bytes is not None else None
        self.on_progress = on_progress
        self.started_at = 0.0
        self.scanner = (
            ResultScanner(self.n_visible, self._progress)
            if hidden_bytes is not None or on_progress is not None
            else None
        )
        self.hidden_started = False
        self.job_w_registered = False

    def start(self, started: float) -> None:
        proc = self.proc
        self.started_at = started
        self.deadline = started + self.job.limits.wall_seconds
        for fd in self.bufs:
            _nonblock(fd)
            self.sel.register(fd, selectors.EVENT_READ, self.on_output)
        if self.job_view:
            _nonblock(proc.job_w)
            self.sel.register(proc.job_w, selectors.EVENT_WRITE, self.on_job_writable)
            self.job_w_open = self.job_w_registered = True
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
            dec = self.decode()
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
            self.job_w_registered = False
            if self.hidden_bytes is None or self.hidden_started:
                os.close(fd)
                self.job_w_open = False
            # else: the pipe stays open for the hidden calls (release_hidden)

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
        self.read_output(fd)

    def read_output(self, fd: int) -> bool:
        """Take what ``fd`` has; False once nothing more is there for now (or ever)."""
        try:
            data = os.read(fd, 1 << 16)
        except BlockingIOError:
            return False
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
            data = b""
        if not data:
            self.sel.unregister(fd)
            self.open_reads.discard(fd)
            return False
        self.counts[fd] += len(data)
        room = self.caps[fd] - len(self.bufs[fd])
        keep = fd == self.proc.result_r or not self.hidden_started  # hidden output: counted only
        if room > 0 and keep:
            self.bufs[fd] += data[:room]
        if self.counts[fd] > self.caps[fd] and not self.over_output:
            names = {self.proc.result_r: "result channel", self.proc.out_r: "stdout"}
            self.over_output = names.get(fd, "stderr")
            self.stdout_truncated = self.stdout_truncated or fd != self.proc.result_r
            self.kill()
        if fd == self.proc.result_r and self.scanner is not None:
            self.scan_results()
        return True

    # -- what the result stream says while the job runs

    def scan_results(self) -> None:
        assert self.scanner is not None
        found = self.scanner.scan(self.bufs[self.proc.result_r])
        if found is None:
            return
        self.scanner = None  # after the await, nothing more is read before the end
        if found == "await":
            self.release_hidden()
        elif self.hidden_bytes is not None:
            # not the harness's stream: no hidden input goes in; the decoder says why
            self.kill()

    def _progress(self, event: dict) -> None:
        """A visible-part progress message, passed on with the job's running time. Only the
        visible part's: from the await on the scanner is gone, and the hidden part is
        announced by ``release_hidden`` alone, with no number the learner's code chose."""
        self.tell({**event, "elapsed": time.monotonic() - self.started_at})

    def tell(self, event: dict) -> None:
        if self.on_progress is None:
            return
        try:
            self.on_progress(event)
        except Exception:  # noqa: BLE001 - a display hook must not stop the supervision
            log.exception("a progress listener failed")
            self.on_progress = None

    def release_hidden(self) -> None:
        """Hand the hidden calls over. First what the visible calls printed is drained
        from the pipes (all of it was written before any hidden input was in the
        process); from now on the output is counted against fresh caps and discarded, and
        the wall clock starts again for the hidden calls."""
        if self.killed or self.hidden_bytes is None:
            return
        for fd in (self.proc.out_r, self.proc.err_r):
            while fd in self.open_reads and not self.killed and self.read_output(fd):
                pass
        if self.killed:
            return
        self.hidden_started = True
        self.tell({"phase": "hidden", "elapsed": time.monotonic() - self.started_at})
        for fd in (self.proc.out_r, self.proc.err_r):
            self.counts[fd] = 0
        self.deadline = time.monotonic() + self.job.limits.wall_seconds
        self.job_view = memoryview(bytes(self.job_view) + self.hidden_bytes)
        if self.job_w_open and not self.job_w_registered:
            self.sel.register(self.proc.job_w, selectors.EVENT_WRITE, self.on_job_writable)
            self.job_w_registered = True

    def decode(self) -> Decoded:
        # no copy: the decoder reads the buffer through a memoryview
        return decode_results(self.bufs[self.proc.result_r], len(self.job.calls), self.n_visible)

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
        decoded = self.completed or self.decode()
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
                self.stdout_truncated
                or self.counts[proc.out_r] > lim.output_bytes
                or self.counts[proc.err_r] > lim.output_bytes
            ),
            wall_seconds=wall,
            peak_memory_kb=stats.peak_kb or exit_info.maxrss_kb,
            hidden_started=self.hidden_started,
            hidden_cpu_start=decoded.await_cpu if self.hidden_started else 0.0,
        )


def supervise(
    job: Job,
    job_bytes: bytes,
    proc: Launched,
    started: float,
    hidden_bytes: bytes | None = None,
    on_progress: Progress | None = None,
) -> RunResult:
    """Feed the job (its hidden calls' part when the harness asks for it), watch the run
    until it is over, and give its verdict. ``on_progress`` hears, while the job runs, each
    progress message of its visible part (``protocol.progress_event`` plus ``elapsed``, the
    seconds since the job was handed over) and ``{"phase": "hidden", ...}`` when the hidden
    calls go in."""
    watch = _Watch(job, job_bytes, proc, hidden_bytes, on_progress)
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
