"""Run untrusted learner code in isolation: ``run(job) -> RunResult``.

Modes (``run(job, mode=...)``, default from ``engine.sandbox.DEFAULT_MODE``, which the
environment variable ``QUIZ_SANDBOX_MODE`` may set):

* ``"warm"``  - fork of a pre-imported zygote, each child in fresh namespaces (default)
* ``"cold"``  - a fresh interpreter per job, inside bubblewrap
* ``"plain"`` - a fresh interpreter with no isolation (development only)
"""

from __future__ import annotations

import os
import time
import traceback

from .api import (  # noqa: F401 - re-exported
    Call,
    CallResult,
    ErrorInfo,
    GradRequest,
    Job,
    Limits,
    Ref,
    RunResult,
    RunStatus,
    Unsupported,
)

DEFAULT_MODE = os.environ.get("QUIZ_SANDBOX_MODE", "warm")
MODES = ("warm", "cold", "plain")


def run(job: Job, mode: str | None = None, on_progress=None) -> RunResult:
    """Run ``job`` and report what happened.  Never raises for anything the learner's
    code does; a failure of the sandbox itself is ``RunStatus.INTERNAL``.

    ``on_progress(event)`` (optional) hears the job's progress while it runs: a training
    loop's step, total and loss from the visible part, then the start of the hidden part
    (``supervisor.supervise``). Display only: nothing in it is part of the result."""
    # the machinery loads on the first run, not with `import engine.sandbox` (the api)
    from . import backends, protocol, supervisor

    mode = mode or DEFAULT_MODE
    if mode not in MODES:
        raise ValueError(f"unknown sandbox mode {mode!r}")
    started = time.monotonic()
    try:
        job_bytes = protocol.encode_job(job)
        hidden_bytes = protocol.encode_hidden_calls(job) if job.hidden_calls else None
    except Exception as exc:  # the engine passed something that is not plain data
        raise ValueError(f"job is not plain data: {exc}") from exc
    try:
        for attempt in range(2):
            if mode == "plain":
                launched = backends.launch_plain(job, {})
            elif mode == "cold":
                from . import isolation  # isolated modes only

                launched = isolation.launch_cold(job)
            else:
                from . import warm  # the warm mode only: it registers fork and exit hooks

                launched = warm.launch_warm(job)
            # the limits count from the moment the job is handed over (a zygote's first
            # start, which may take seconds for PyTorch, is not the learner's time)
            result = supervisor.supervise(
                job, job_bytes, launched, time.monotonic(), hidden_bytes, on_progress
            )
            retry = (
                mode == "warm"
                and result.status == RunStatus.INTERNAL
                and supervisor.NOT_STARTED in result.message
            )
            if not retry or attempt:
                return result
        return result
    except Exception as exc:  # noqa: BLE001 - the sandbox's own failure
        return RunResult(
            status=RunStatus.INTERNAL,
            message=f"sandbox failure: {type(exc).__name__}: {exc}",
            error=ErrorInfo(
                type=type(exc).__name__, message=str(exc), traceback=traceback.format_exc()[-4000:]
            ),
            wall_seconds=time.monotonic() - started,
        )
