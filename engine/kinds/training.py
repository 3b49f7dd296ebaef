"""The ``training`` kind: the learner's code builds and trains a model in the sandbox, and a
check suite of ``engine.training`` judges it here (``reference: {training: <suite>}``).

Each group's job is the suite's setup calls, then each test's calls (with the grader
helpers appended to the learner's module); the shared steps are ``engine.results``'."""

from __future__ import annotations

from engine.results import GradeResult, GroupPlan, Judged, Runner, TestResult, grade_in_groups
from engine.sandbox.api import RunResult
from engine.training.core import Failure, PreparedTraining, TrainingTest, build_job, judge_run
from engine.training.spec import prepare_training, training_spec_errors


def errors(spec: dict, *, run_reference: bool = True) -> list[str]:
    """What is wrong with a schema-valid training spec (nothing is run to tell)."""
    return training_spec_errors(spec)


def prepare(spec: dict, seed: int | None = None) -> PreparedTraining:
    """The suite's checks; nothing to precompute, and no per-submission inputs (``seed``)."""
    return prepare_training(spec)


def grade(problem: PreparedTraining, code: str, runner: Runner) -> GradeResult:
    learner_lines = len(code.splitlines())

    def plan(group: list[TrainingTest]) -> GroupPlan:
        job, n_setup, plans = build_job(problem, code, group)

        def judge(run: RunResult) -> list[Judged]:
            return [
                (test.index, _test_result(test, failure), error)
                for test, failure, error in judge_run(run, n_setup, plans, learner_lines)
            ]

        return job, judge

    return grade_in_groups(problem, code, runner, plan)


def _test_result(test: TrainingTest, failure: Failure | None) -> TestResult:
    if failure is None:
        return TestResult(test.name, True, test.points, test.points, "", test.hidden)
    message = failure.summary if test.hidden else failure.detail
    if test.hidden:
        message = f"{message} (hidden test: its inputs are not shown)"
    return TestResult(test.name, False, 0, test.points, message, test.hidden, test.hint)
