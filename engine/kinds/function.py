"""The ``function`` kind: each test calls the learner's function once on generated inputs,
and its result is judged against the reference (``engine.checks``) in this process."""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from typing import Any

from engine import diagnosis
from engine.checks.judge import find_failure
from engine.checks.pictures import test_values
from engine.checks.plan import PreparedProblem, PreparedTest
from engine.checks.plan import prepare as prepare_problem
from engine.checks.validate import function_spec_errors
from engine.diagnosis import KnownOutputs
from engine.messages import msg
from engine.results import (
    ErrorDict,
    GradeResult,
    Judged,
    Runner,
    RunPlan,
    TestResult,
    Verdict,
    error_dict,
    failed_result,
    grade_in_one_run,
    hidden_exception_type,
    passed_result,
)
from engine.sandbox.api import Call, CallResult, GradRequest, Job, Limits, RunResult, RunStatus


def errors(spec: dict, *, run_reference: bool = True) -> list[str]:
    """What is wrong with a schema-valid function spec (its reference run on every test's
    inputs unless ``run_reference`` is false)."""
    return function_spec_errors(spec, run_reference=run_reference)


def prepare(spec: dict, seed: int | None = None) -> PreparedProblem:
    return prepare_problem(spec, seed)


def grade(
    problem: PreparedProblem,
    code: str,
    runner: Runner,
    *,
    record_outputs: bool = False,
    known_outputs: dict | KnownOutputs | None = None,
) -> GradeResult:
    """``record_outputs`` puts the visible tests' outputs in ``result.outputs`` (validation
    records the reference's and the mutants'); ``known_outputs`` diagnoses a wrong answer
    that behaves like one of the mutants (``engine.diagnosis``)."""
    runs: list[RunResult] = []

    def recording(job: Job) -> RunResult:
        run = runner(job)
        runs.append(run)
        return run

    def plan(visible: list[PreparedTest], hidden: list[PreparedTest]) -> RunPlan:
        def judge(run: RunResult) -> list[Judged]:
            judged: list[Judged] = []
            calls = run.calls
            for test, call in zip(visible, calls[: len(visible)], strict=True):
                result = _judge(test, call, None, problem.pictures)
                judged.append((test.index, result, _error(test, call)))
            for k, (test, call) in enumerate(zip(hidden, calls[len(visible) :], strict=True)):
                result = _judge(test, call, f"hidden test {k + 1}", problem.pictures)
                judged.append((test.index, result, _error(test, call)))
            return judged

        return _job(problem, code, visible, hidden), judge

    result = grade_in_one_run(problem, code, recording, plan)
    visible = [t for t in problem.tests if not t.hidden]
    visible_calls: list = []
    if runs and (runs[0].status == RunStatus.OK or runs[0].hidden_started):
        visible_calls = list(runs[0].calls[: len(visible)])  # the visible calls all returned
    return _with_diagnosis(problem, result, visible_calls, record_outputs, known_outputs)


def _with_diagnosis(
    problem: PreparedProblem,
    result: GradeResult,
    visible_calls: list,
    record_outputs: bool,
    known_outputs: dict | KnownOutputs | None,
) -> GradeResult:
    """The result with the visible outputs recorded and/or a misconception diagnosed."""
    if not visible_calls:
        return result
    tests = [t for t in problem.tests if not t.hidden]
    if record_outputs:
        judged = len(result.tests) == len(problem.tests)
        judged_tests: tuple[Any, ...] = result.tests or problem.tests
        passed = [
            r.passed if judged else False
            for t, r in zip(problem.tests, judged_tests, strict=False)
            if not t.hidden
        ]
        outputs = diagnosis.visible_record(tests, visible_calls, passed)
        result = replace(result, outputs=outputs)
    if known_outputs and result.verdict == Verdict.WA:
        found = diagnosis.diagnose(tests, visible_calls, known_outputs)
        result = replace(result, diagnosis=found)
    return result


def _error(test: PreparedTest, call: CallResult) -> ErrorDict | None:
    return error_dict(call.error, hidden=test.hidden) if call.error is not None else None


def _job(
    problem: PreparedProblem, code: str, visible: list[PreparedTest], hidden: list[PreparedTest]
) -> Job:
    """The visible tests' calls, then the hidden tests' (``Job.hidden_from``)."""
    tests = visible + hidden
    calls = []
    for t in tests:
        grad = (
            GradRequest(wrt=t.grad.wrt, upstream=copy.deepcopy(t.grad.upstream)) if t.grad else None
        )
        calls.append(
            Call(
                entry=t.entry,
                args=copy.deepcopy(t.args),
                kwargs=copy.deepcopy(t.kwargs),
                as_tensor=problem.framework == "torch",
                grad=grad,
                return_args=True,
            )
        )
    limits = Limits(**problem.limits) if problem.limits else Limits()
    return Job(
        code=code,
        calls=tuple(calls),
        framework=_sandbox_framework(problem, code),
        limits=limits,
        hidden_from=len(visible) if hidden else None,
    )


def _sandbox_framework(problem: PreparedProblem, code: str) -> Any:
    """Where the code runs. A NumPy problem solved with PyTorch (allowed unless forbidden) runs
    in the sandbox that has torch imported already: importing it takes 2-7 s on a busy
    machine, which would eat the 5 s wall-clock limit of a correct solution. The arguments
    stay NumPy arrays (`as_tensor` follows the problem)."""
    if problem.framework == "torch":
        return "torch"
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return problem.framework
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        else:
            continue
        if any(module.split(".")[0] == "torch" for module in modules):
            return "torch"
    return problem.framework


def _judge(
    test: PreparedTest, call: CallResult, name: str | None = None, pictures: dict | None = None
) -> TestResult:
    name = name or test.name
    failure = find_failure(test, call)
    values = None if test.hidden else test_values(test, call, pictures, passed=failure is None)
    label = None if test.hidden else test.label
    if failure is None:
        return passed_result(name, test, values, label)
    data = failure.data
    if test.hidden and call.error is not None:
        message = f"raised {hidden_exception_type(call.error.type)}"
        data = msg("hidden_raised", type=hidden_exception_type(call.error.type))
    else:
        message = failure.summary if test.hidden else failure.detail
    return failed_result(name, test, message, data, values, label)
