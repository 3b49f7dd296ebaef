"""``grade_training``: the training-exercise counterpart of ``engine.grading._grade``.

Static checks, verdicts for failed runs and the summary are the engine's own; only the
jobs (setup + each check's calls, with grader helpers appended) and the judging differ.
"""

from __future__ import annotations

from engine.grading import (
    GradeResult,
    Runner,
    TestResult,
    _run_failure,
    _static_rejection,
    _summarise,
    _truncate,
    hidden_message,
)
from engine.training.core import PreparedTraining, build_job, judge_run, plan_values


def grade_training(problem: PreparedTraining, code: str, runner: Runner) -> GradeResult:
    rejection = _static_rejection(problem, code)
    if rejection:
        return rejection
    learner_lines = len(code.splitlines())
    results: dict[int, TestResult] = {}
    errors: dict[int, dict | None] = {}
    stdout = stderr = ""
    visible = [t for t in problem.tests if not t.hidden]
    hidden = [t for t in problem.tests if t.hidden]
    for group in (visible, hidden):
        if not group:
            continue
        job, n_setup, plans = build_job(problem, code, group)
        run = runner(job)
        if group is visible:
            stdout, stderr = run.stdout, run.stderr
        stopped = _run_failure(problem, run, hidden=group is hidden)
        if stopped:
            out, out_cut = _truncate(stdout)
            err, err_cut = _truncate(stderr)
            cut = out_cut or err_cut or run.stdout_truncated
            return GradeResult(**{**stopped, "stdout": out, "stderr": err, "output_truncated": cut})
        if len(run.calls) != len(job.calls):
            raise RuntimeError(
                f"sandbox returned {len(run.calls)} results for {len(job.calls)} calls"
            )
        charts = plan_values(run, plans) if group is visible else {}
        for test, failure, error in judge_run(run, n_setup, plans, learner_lines):
            results[test.index] = _test_result(test, failure, charts.get(test.index))
            if error is not None:
                errors[test.index] = error
    return _summarise(problem, results, errors, stdout, stderr)


def _test_result(test, failure, values: dict | None = None) -> TestResult:
    values = None if test.hidden else values
    if failure is None:
        return TestResult(test.name, True, test.points, test.points, "", test.hidden, values=values)
    message = failure.summary if test.hidden else failure.detail
    data = failure.data
    if test.hidden:
        message = f"{message} (hidden test: its inputs are not shown)"
        data = hidden_message(data)
    return TestResult(
        test.name,
        False,
        0,
        test.points,
        message,
        test.hidden,
        test.hint,
        values,
        message_data=data,
    )
