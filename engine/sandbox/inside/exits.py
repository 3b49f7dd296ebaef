"""How a sandbox process exits, named for both sides.

The statuses are diagnostics, never evidence: learner code can call ``os._exit`` with
any of them.  The supervisor's verdict rests on the result channel and on what it
measured; these only make its messages say what a status means.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # the job ran to its verdict ("done" sent) or the zygote's socket closed
    HARNESS_FAILED = 3  # the harness failed; it sent an "internal" message if it could
    SPARE_FAILED = 4  # a warm child failed before a job's channel reached it
    NO_CHILD = 5  # the zygote could hand the job to no child (reported, no process ran)
    # a job with hidden calls used up one part's CPU budget (confine.CpuBudget); the
    # verdict believes it only with the CPU time measured at the limit
    CPU_LIMIT = 6


def describe(code: int | None) -> str:
    """``"status 3 (the harness failed)"`` for a known status, ``"status 7"`` otherwise."""
    meaning = {
        ExitCode.HARNESS_FAILED: "the harness failed",
        ExitCode.SPARE_FAILED: "the child failed before its job arrived",
        ExitCode.NO_CHILD: "no child could take the job",
        ExitCode.CPU_LIMIT: "the CPU time limit was reached",
    }
    if code is None:
        return f"status {code}"
    try:
        return f"status {code} ({meaning[ExitCode(code)]})"
    except (ValueError, KeyError):
        return f"status {code}"
