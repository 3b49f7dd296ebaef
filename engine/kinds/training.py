"""The ``training`` kind: the learner's code builds and trains a model in the sandbox, and a
check suite of ``engine.training`` judges it here (``reference: {training: <suite>}``).

The one job: the suite's setup calls and the visible tests' calls, then (the hidden part,
``Job.hidden_from``) the setup calls again and the hidden tests' calls, so each part starts
from the same freshly built model as a job of its own would; the grader helpers are
appended to the learner's module. The shared steps are ``engine.results``'."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from engine.results import (
    GradeResult,
    Judged,
    Runner,
    RunPlan,
    TestResult,
    failed_result,
    grade_in_one_run,
    passed_result,
)
from engine.sandbox.api import RunResult
from engine.training.core import (
    Failure,
    PreparedTraining,
    TrainingTest,
    build_job,
    judge_run,
    plan_values,
)
from engine.training.spec import prepare_training, training_spec_errors


def errors(spec: dict, *, run_reference: bool = True) -> list[str]:
    """What is wrong with a schema-valid training spec (nothing is run to tell)."""
    return training_spec_errors(spec)


def prepare(spec: dict, seed: int | None = None) -> PreparedTraining:
    """The suite's checks, nothing to precompute; ``seed`` (the submission's) draws the
    hidden tests' data."""
    return prepare_training(spec, seed)


def grade(problem: PreparedTraining, code: str, runner: Runner, **_options: Any) -> GradeResult:
    """(``record_outputs``/``known_outputs`` are the function kind's: nothing to record.)"""
    learner_lines = len(code.splitlines())

    def plan(visible: list[TrainingTest], hidden: list[TrainingTest]) -> RunPlan:
        parts = [(group, *build_job(problem, code, group)) for group in (visible, hidden) if group]
        calls = [c for _, job, _, _ in parts for c in job.calls]
        first = parts[0][1]
        hidden_from = len(parts[0][1].calls) if visible and hidden else (0 if hidden else None)
        job = replace(first, calls=tuple(calls), hidden_from=hidden_from)

        def judge(run: RunResult) -> list[Judged]:
            judged: list[Judged] = []
            start = 0
            for _, part, n_setup, plans in parts:
                own = replace(run, calls=run.calls[start : start + len(part.calls)])
                start += len(part.calls)
                charts = plan_values(own, plans)  # visible tests only
                for test, failure, error in judge_run(own, n_setup, plans, learner_lines):
                    result = _test_result(test, failure, charts.get(test.index))
                    judged.append((test.index, result, error))
            return judged

        return job, judge

    return grade_in_one_run(problem, code, runner, plan)


def _test_result(
    test: TrainingTest, failure: Failure | None, values: dict | None = None
) -> TestResult:
    values = None if test.hidden else values
    label = None if test.hidden else test.label
    if failure is None:
        return passed_result(test.name, test, values, label)
    message = failure.summary if test.hidden else failure.detail
    return failed_result(test.name, test, message, failure.data, values, label)
