"""Trusted boundaries: a ``SystemExit`` (or any BaseException but a deliberate shutdown)
raised while the grader handles a submission becomes an internal-error result with a
sentence, and the same process grades the next submission right."""

from __future__ import annotations

import pytest

from engine import results
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
        m.setattr(results, "find_forbidden_calls", exits)
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


@pytest.fixture
def lstm_cell(db):
    from problems.services.authoring import problem_publish_if_proven
    from problems.validation import problem_version_validate
    from tests.factories import load_content_problems

    (problem,) = load_content_problems("lstm-cell")
    problem_version_validate(version=problem.versions.get())
    problem_publish_if_proven(problem=problem)
    return problem


def _grade_command(path) -> dict:
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("grade", "lstm-cell", str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_reports_systemexit_in_manage_py_grade_as_an_internal_error(
    lstm_cell, tmp_path, monkeypatch
):
    answer = tmp_path / "answer.py"
    answer.write_text(lstm_cell.versions.get().engine_spec["solution"])

    def exits(*args, **kwargs):
        raise SystemExit(0)

    with monkeypatch.context() as m:
        m.setattr("problems.management.commands.grade.grade_code_for_problem", exits)
        result = _grade_command(answer)
    assert result["verdict"] == "IE"
    assert "SystemExit" in result["message"] and result["message"].endswith(".")
    assert _grade_command(answer)["verdict"] == "AC"


def test_it_reports_systemexit_in_validation_as_a_failed_run(lstm_cell, monkeypatch):
    from problems.validation import spec_validate

    spec = lstm_cell.versions.get().engine_spec

    def exits(*args, **kwargs):
        raise SystemExit(2)

    with monkeypatch.context() as m:
        m.setattr("problems.validation.grade_code", exits)
        report = spec_validate(spec)
    assert not report.ok
    assert report.runs[0].verdict == "IE"
    assert "SystemExit" in report.problems[0]
    assert spec_validate(spec).ok
