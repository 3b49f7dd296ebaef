"""Trusted boundaries: a ``SystemExit`` (or any BaseException but a deliberate shutdown)
raised while the grader handles a submission becomes an internal-error result with a
sentence, and the same process grades the next submission right."""

from __future__ import annotations

import pytest

from engine import grading
from engine.grading import Verdict, deliberate_shutdown, grade_submission
from tests.sandbox.sandboxkit import _sandbox_available

pytestmark = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)

SPEC = {
    "framework": "numpy",
    "entry_points": ["double"],
    "starter": "def double(x):\n    ...\n",
    "reference": {"code": "def double(x):\n    return 2 * x\n"},
    "forbidden_calls": ["numpy.einsum"],
    "tests": [
        {"name": "visible", "args": {"x": {"shape": [3, 7]}}, "points": 2},
        {"name": "secret", "hidden": True, "args": {"x": {"shape": [4, 5]}}, "points": 3},
    ],
}
GOOD = "def double(x):\n    return x + x\n"


@pytest.mark.parametrize("mode", ["warm", "cold"])
@pytest.mark.parametrize("raised", [SystemExit(0), SystemExit("bye"), BaseException("odd")])
def test_it_turns_systemexit_in_the_grading_path_into_an_internal_error(mode, raised, monkeypatch):
    monkeypatch.setattr("engine.sandbox.DEFAULT_MODE", mode)

    def exits(*args, **kwargs):
        raise raised

    with monkeypatch.context() as m:
        m.setattr(grading, "find_forbidden_calls", exits)
        result = grade_submission(SPEC, GOOD)
    assert result.verdict == Verdict.IE
    assert result.message.endswith(".") and "not your fault" in result.message
    # the process survived and grades the next submission right
    again = grade_submission(SPEC, GOOD)
    assert again.verdict == Verdict.AC, (again.verdict, again.message)
    assert again.score == again.max_score


def test_it_lets_a_deliberate_shutdown_through():
    from celery.exceptions import WorkerShutdown, WorkerTerminate

    assert deliberate_shutdown(KeyboardInterrupt())
    assert deliberate_shutdown(WorkerShutdown())
    assert deliberate_shutdown(WorkerTerminate())
    assert not deliberate_shutdown(SystemExit(0))
    assert not deliberate_shutdown(BaseException())
