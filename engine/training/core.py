"""Grading of training exercises: learner code builds and trains a model in the sandbox;
the verdict is computed here from what the model does on inputs the grader chooses.

A training spec is a code spec whose ``reference`` is ``{training: <suite>}``; its tests
name a ``check`` of that suite and give the check's parameters in ``args`` (merged over the
spec-level ``args``). Each sandbox job (visible tests, then hidden tests) starts with the
suite's setup calls (seed, build and, for some suites, train the model, stored in the
sandbox under ``model``), followed by each test's calls; each test is then judged here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.messages import msg
from engine.results import ErrorDict
from engine.sandbox.api import Call, CallResult, ErrorInfo, Job, Limits, RunResult
from engine.training.helpers import with_helpers

log = logging.getLogger(__name__)

TRAINING_LIMITS = {"wall_seconds": 60, "cpu_seconds": 60, "memory_mb": 1024}


@dataclass(frozen=True)
class Failure:
    summary: str  # shown for hidden tests
    detail: str  # shown for visible tests
    data: dict | None = None  # the detail as a message code and parameters (engine.messages)


Judge = Callable[[list[CallResult]], Failure | None]


@dataclass(frozen=True)
class Plan:
    """A test's calls and how to judge their results (in the same order)."""

    calls: list[Call]
    judge: Judge
    # The number the verdict turns on (a loss ratio, an MSE), for reports such as the sweep's
    # tables in docs/engine.md; the judge does not depend on it.
    metric: Callable[[list[CallResult]], float] | None = None
    # Charts for the page (a loss curve, predicted vs true), from the same results; visible
    # tests only (engine.checks.pictures.chart), never used by the judge.
    values: Callable[[list[CallResult]], dict | None] | None = None


@dataclass(frozen=True)
class Suite:
    """A family of training exercises: the shared setup calls and the checks tests may name."""

    name: str
    entry_points: tuple[str, ...]  # the learner functions the suite calls
    setup: Callable[[dict, int], list[Call]]  # (spec-level args, seed) -> calls
    checks: dict[str, Callable[[dict, int], Plan]]  # name -> (test args, seed) -> Plan


@dataclass(frozen=True)
class TrainingTest:
    index: int
    name: str
    check: str
    params: dict
    seed: int
    points: float = 1
    hidden: bool = False
    hint: Any = None
    label: dict | None = None  # {ja, en} for the page; visible tests only
    # A PreparedTest's generated inputs: a training check makes its own, so code that walks
    # every problem's prepared tests sees none here.
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    arg_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreparedTraining:
    """What grading needs of a training spec (``engine.results.Gradable``)."""

    suite: Suite
    framework: str
    entry_points: tuple[str, ...]
    signatures: dict[str, list]
    tests: tuple[TrainingTest, ...]
    forbidden_calls: tuple[str, ...]
    limits: dict
    setup_args: dict
    seed: int

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)


def call(entry: str, *args, store_as: str | None = None, **kwargs) -> Call:
    """A call with tensors for arrays, and no arguments sent back (they are large)."""
    return Call(
        entry=entry,
        args=args,
        kwargs=kwargs,
        as_tensor=True,
        store_as=store_as,
        return_args=False,
    )


def build_job(problem: PreparedTraining, code: str, tests: list[TrainingTest]):
    """The job for ``tests`` and, per test, the slice of call results that belongs to it."""
    calls = list(problem.suite.setup(problem.setup_args, problem.seed))
    n_setup = len(calls)
    plans: list[tuple[TrainingTest, Plan, slice]] = []
    for test in tests:
        plan = problem.suite.checks[test.check](test.params, test.seed)
        plans.append((test, plan, slice(len(calls), len(calls) + len(plan.calls))))
        calls.extend(plan.calls)
    limits = Limits(**{**TRAINING_LIMITS, **problem.limits})
    job = Job(code=with_helpers(code), calls=tuple(calls), framework="torch", limits=limits)
    return job, n_setup, plans


def judge_run(
    run: RunResult, n_setup: int, plans: list, learner_lines: int
) -> list[tuple[TrainingTest, Failure | None, ErrorDict | None]]:
    """Each test with its failure (None: passed) and the learner's exception, if any."""
    setup_error = next((c.error for c in run.calls[:n_setup] if c.error is not None), None)
    out: list[tuple[TrainingTest, Failure | None, ErrorDict | None]] = []
    for test, plan, where in plans:
        results = list(run.calls[where])
        error = setup_error or next((c.error for c in results if c.error is not None), None)
        if error is not None:
            out.append((test, _raised(error, learner_lines), _error_dict(error, test.hidden)))
            continue
        try:
            failure = plan.judge(results)
        except Exception:  # noqa: BLE001 - a judge that chokes on odd values: say what we got
            log.exception("training check %s failed to judge", test.check)
            failure = Failure(
                "returned values of an unexpected type or shape",
                "returned values of an unexpected type or shape; check the return types "
                "and shapes in the statement",
                msg("training.unexpected_values"),
            )
        out.append((test, failure, None))
    return out


def _raised(e: ErrorInfo, learner_lines: int) -> Failure:
    if e.line is not None and e.line > learner_lines:
        # In a grader helper: the learner's model or return value was not what it expects.
        text = f"the grader could not use your model: {e.type}: {e.message}"
        data = msg("training.model_unusable", type=e.type, message=e.message)
        return Failure(f"the grader could not use your model ({e.type})", text, data)
    line = f" at line {e.line}" if e.line else ""
    at_line = msg("at_line", line=e.line) if e.line else None
    data = msg("raised", type=e.type, at_line=at_line, message=e.message)
    return Failure(f"raised {e.type}{line}", f"raised {e.type}{line}: {e.message}", data)


def _error_dict(e: ErrorInfo, hidden: bool) -> ErrorDict:
    message = "(withheld: hidden test)" if hidden else e.message
    return ErrorDict(type=e.type, message=message, line=e.line, column=e.column)


def plan_values(run: RunResult, plans: list) -> dict[int, dict]:
    """The charts of each visible test whose plan draws any, by test index."""
    found: dict[int, dict] = {}
    for test, plan, where in plans:
        if test.hidden or plan.values is None:
            continue
        try:
            values = plan.values(list(run.calls[where]))
        except Exception:  # noqa: BLE001 - a picture that cannot be drawn is no verdict's business
            log.exception("training check %s: no chart", test.check)
            continue
        if values:
            found[test.index] = values
    return found
