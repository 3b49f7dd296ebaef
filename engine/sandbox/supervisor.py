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
from dataclasses import dataclass, field

from .api import ErrorInfo, Job, RunResult, RunStatus
from .protocol import decode_results


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
    poll_exit: object  # () -> ExitInfo | None
    kill: object  # () -> None: kill the whole tree
    stats: object = None  # () -> Stats, after exit
    cleanup: object = None  # () -> None
    oom_fd: int | None = None  # readable when the job's cgroup hit its memory limit
    oom_drain: object = None  # () -> int: events since the last call
    can_defer_exit: bool = False  # the backend reaps the child later (warm zygote)
    extra: dict = field(default_factory=dict)


LINGER_GRACE = 0.25  # seconds a child may take to exit after its final message


def _nonblock(fd):
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)


def signame(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def supervise(job: Job, job_bytes: bytes, proc: Launched, started: float) -> RunResult:
    lim = job.limits
    deadline = started + lim.wall_seconds
    out_cap = lim.output_bytes
    res_cap = lim.result_bytes
    bufs = {proc.result_r: bytearray(), proc.out_r: bytearray(), proc.err_r: bytearray()}
    counts = dict.fromkeys(bufs, 0)
    caps = {proc.result_r: res_cap, proc.out_r: out_cap, proc.err_r: out_cap}
    open_reads = set(bufs)
    sel = selectors.DefaultSelector()
    for fd in bufs:
        _nonblock(fd)
        sel.register(fd, selectors.EVENT_READ)
    job_view = memoryview(job_bytes)
    if job_view:
        _nonblock(proc.job_w)
        sel.register(proc.job_w, selectors.EVENT_WRITE)
    else:
        os.close(proc.job_w)
    job_w_open = bool(job_view)
    sel.register(proc.exit_fd, selectors.EVENT_READ)
    oom_events = 0
    if proc.oom_fd is not None:
        sel.register(proc.oom_fd, selectors.EVENT_READ)
    exit_info: ExitInfo | None = None
    early_dec = None
    timed_out = over_output = killed = False
    over_what = ""
    exit_seen_at = None
    hard_stop = None
    completed_at = None  # the harness reported completion and closed every pipe

    def do_kill():
        nonlocal killed, hard_stop
        if not killed:
            killed = True
            proc.kill()
            hard_stop = time.monotonic() + 10.0

    try:
        while True:
            now = time.monotonic()
            if exit_info is None and not killed and completed_at is None and now >= deadline:
                timed_out = True
                do_kill()
            if exit_info is not None and not open_reads:
                break
            if (
                exit_info is None
                and completed_at is None
                and not open_reads
                and not killed
                and proc.can_defer_exit
            ):
                # every pipe is closed: if the harness reported completion, the verdict does
                # not depend on how the process ends -- but the job must be gone before the
                # verdict is reported: a short grace for its exit, then it is killed
                dec = decode_results(bufs[proc.result_r], len(job.calls))
                if dec.wire_error is None and dec.kind in ("ok", "compile_error", "import_error"):
                    early_dec = dec
                    completed_at = now
            if completed_at is not None and exit_info is None and not killed:
                if now - completed_at > LINGER_GRACE:
                    do_kill()  # learner code still running after its verdict
            if exit_info is not None and exit_seen_at is not None and now - exit_seen_at > 0.5:
                break  # a survivor holds a pipe open (only possible without a PID namespace)
            if hard_stop is not None and now > hard_stop:
                break
            if exit_info is None and not killed and completed_at is None:
                timeout = deadline - now
            elif completed_at is not None and not killed:
                timeout = 0.02
            else:
                timeout = 0.1
            for key, _ in sel.select(max(0.0, min(timeout, 1.0))):
                fd = key.fd
                if fd == proc.job_w:
                    try:
                        n = os.write(fd, job_view[: 1 << 20])
                        job_view = job_view[n:]
                    except BlockingIOError:
                        continue
                    except (BrokenPipeError, OSError):
                        job_view = job_view[:0]
                    if not job_view:
                        sel.unregister(fd)
                        os.close(fd)
                        job_w_open = False
                elif fd == proc.oom_fd:
                    n = proc.oom_drain()
                    if n:
                        oom_events += n
                        do_kill()  # the job's tasks are paused at the limit: end them
                elif fd == proc.exit_fd:
                    if exit_info is None:
                        exit_info = proc.poll_exit()
                        if exit_info is not None:
                            exit_seen_at = time.monotonic()
                            sel.unregister(fd)
                elif fd in open_reads:
                    try:
                        data = os.read(fd, 1 << 16)
                    except BlockingIOError:
                        continue
                    except OSError as exc:
                        if exc.errno != errno.EIO:
                            raise
                        data = b""
                    if not data:
                        sel.unregister(fd)
                        open_reads.discard(fd)
                        continue
                    counts[fd] += len(data)
                    room = caps[fd] - len(bufs[fd])
                    if room > 0:
                        bufs[fd] += data[:room]
                    if counts[fd] > caps[fd] and not over_output:
                        over_output = True
                        over_what = (
                            "result channel"
                            if fd == proc.result_r
                            else ("stdout" if fd == proc.out_r else "stderr")
                        )
                        do_kill()
            if exit_info is None and proc.exit_fd not in sel.get_map():
                pass
    finally:
        sel.close()
        if job_w_open:
            os.close(proc.job_w)
        for fd in bufs:
            try:
                os.close(fd)
            except OSError:
                pass
    wall = time.monotonic() - started
    if exit_info is None:
        # the child did not report an exit within the grace period: make sure it is gone
        proc.kill()
        exit_info = ExitInfo(signal=signal.SIGKILL)
        for _ in range(50):
            e = proc.poll_exit()
            if e is not None:
                exit_info = e
                break
            time.sleep(0.02)
    if proc.oom_drain is not None:
        oom_events += proc.oom_drain()
    stats = proc.stats() if proc.stats else Stats()
    stats.oom_kills += oom_events
    if early_dec is not None:
        # completed before anything went wrong: what the job did after its verdict (and
        # the kill that ended it) does not change the verdict
        timed_out = over_output = False
        stats.oom_kills = 0
        exit_info = ExitInfo(
            exit_code=0,
            deferred=True,
            cpu_seconds=exit_info.cpu_seconds,
            maxrss_kb=exit_info.maxrss_kb,
        )
    if proc.cleanup:
        proc.cleanup()
    stdout = bytes(bufs[proc.out_r]).decode("utf-8", "replace")
    stderr = bytes(bufs[proc.err_r]).decode("utf-8", "replace")
    truncated = counts[proc.out_r] > out_cap or counts[proc.err_r] > out_cap
    base = dict(
        stdout=stdout,
        stderr=stderr,
        stdout_truncated=truncated,
        wall_seconds=wall,
        cpu_seconds=stats.cpu_seconds if stats.cpu_seconds is not None else exit_info.cpu_seconds,
        peak_memory_kb=stats.peak_kb or exit_info.maxrss_kb,
    )
    return verdict(
        job,
        bufs[proc.result_r],  # no copy: the decoder reads it through a memoryview
        exit_info,
        stats,
        timed_out,
        over_output,
        over_what,
        base,
        dec=early_dec,
    )


NOT_STARTED = "before the learner's code started"


def verdict(job, result_bytes, exit_info, stats, timed_out, over_output, over_what, base, dec=None):
    lim = job.limits
    if dec is None:
        dec = decode_results(result_bytes, len(job.calls))
    calls = tuple(dec.calls)
    sig = exit_info.signal

    def res(status, message="", error=None):
        return RunResult(status=status, calls=calls, error=error, message=message, **base)

    if dec.kind == "internal":
        return res(RunStatus.INTERNAL, "sandbox harness failed: " + dec.message)
    if not dec.started:
        # the learner's code never ran: whatever happened is the sandbox's doing
        what = (
            "lost its zygote"
            if exit_info.lost
            else "timed out"
            if timed_out
            else (f"died of {signame(sig)}" if sig else f"exited with status {exit_info.exit_code}")
        )
        return res(
            RunStatus.INTERNAL,
            f"the sandbox {what} {NOT_STARTED}"
            + (f" ({base.get('stderr', '')[-300:]!r})" if base.get("stderr") else ""),
        )
    if exit_info.lost and not timed_out:
        return res(RunStatus.INTERNAL, "the sandbox's zygote died during the run")
    if timed_out:
        return res(RunStatus.TIMEOUT, f"wall-clock limit of {lim.wall_seconds:g} s exceeded")
    if over_output:
        cap = lim.result_bytes if over_what == "result channel" else lim.output_bytes
        return res(RunStatus.OUTPUT_LIMIT, f"{over_what} exceeded {cap} bytes")
    if dec.over_budget:
        return res(
            RunStatus.OUTPUT_LIMIT,
            f"the result is too large to check: {dec.over_budget}; "
            "return a few NumPy arrays instead of nested lists or many small pieces",
        )
    if stats.oom_kills:
        return res(RunStatus.MEMORY, f"memory limit of {lim.memory_mb} MB exceeded")
    cpu_lim = max(1.0, float(lim.cpu_seconds))
    cpu_used = max(exit_info.cpu_seconds, stats.cpu_seconds or 0.0)
    if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_used >= cpu_lim - 0.05):
        return res(RunStatus.TIMEOUT, f"CPU time limit of {lim.cpu_seconds:g} s exceeded")
    if dec.memory_error:
        err = dec.error or next(
            (c.error for c in calls if c.error and c.error.type == "MemoryError"), None
        )
        return res(
            RunStatus.MEMORY, f"memory limit of {lim.memory_mb} MB exceeded (MemoryError)", err
        )
    if dec.wire_error is None and sig is None and exit_info.exit_code == 0:
        if dec.kind == "ok":
            return res(RunStatus.OK)
        if dec.kind == "compile_error":
            return res(RunStatus.COMPILE_ERROR, "syntax error", dec.error)
        if dec.kind == "import_error":
            return res(RunStatus.IMPORT_ERROR, "module-level code raised", dec.error)
    if dec.wire_error is not None:
        why = f"the result channel was corrupted ({dec.wire_error})"
    elif sig is not None:
        why = f"the program was killed by {signame(sig)}"
        if sig == signal.SIGSEGV:
            why += " (segmentation fault, e.g. a stack overflow from deep recursion)"
    elif exit_info.exit_code not in (None, 0):
        why = f"the program exited with status {exit_info.exit_code} before finishing"
    else:
        why = "the program exited before finishing"
    return res(RunStatus.CRASHED, why, ErrorInfo(type="Crash", message=why))
