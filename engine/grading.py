"""Grade a learner's submission to a code problem: the engine's public entry point, and
the one dispatcher over exercise kinds (``engine.kinds``).

    result = grade_submission(spec, code)          # spec: the problem's ``code:`` mapping
    result.verdict, result.score, result.to_dict()

    validate_spec(spec)  -> sentences naming each invalid field ([] when valid)
    load_code_spec(path) -> the validated ``code:`` mapping of a problem file
    prepare(spec, seed)  -> the kind's prepared tests

The learner's code runs only in the sandbox (``engine.sandbox.run`` unless a ``runner``
is given); inputs go in, plain values come back, and every comparison with the
reference happens here, in the trusted process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from engine import sandbox
from engine.checks.spec import SpecError, schema_errors, under_code
from engine.diagnosis import KnownOutputs
from engine.kinds import function, training
from engine.messages import msg
from engine.results import (  # noqa: F401 - the public names of grading, re-exported
    GradeResult,
    GradeResultDict,
    Runner,
    TestResult,
    Verdict,
    hidden_exception_type,
    hidden_message,
)
from engine.sandbox.api import Job, RunResult

log = logging.getLogger(__name__)

KINDS: dict[str, ModuleType] = {"function": function, "training": training}


def kind_of(spec: dict) -> str:
    """The exercise kind of a schema-valid spec: ``training`` for ``reference: {training:
    <suite>}``, else ``function``."""
    return "training" if "training" in spec.get("reference", {}) else "function"


def validate_spec(spec: Any, *, run_reference: bool = True) -> list[str]:
    """Every problem with ``spec`` as sentences naming the field path; [] when it is valid.

    The schema first; then the kind's own checks (for a function, with ``run_reference``,
    the reference runs on every test's inputs, so shapes that do not fit together are
    reported here and not at grading time).
    """
    errors = schema_errors(spec)
    if errors:
        return errors
    return KINDS[kind_of(spec)].errors(spec, run_reference=run_reference)


def load_code_spec(path: str | Path) -> dict:
    """Read a problem YAML file and return its validated ``code:`` mapping.

    Raises ``SpecError`` (a ValueError) naming the file and each invalid field.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    if not isinstance(document, dict) or not isinstance(document.get("code"), dict):
        raise SpecError(["code: missing: a code problem needs a `code:` mapping"], str(path))
    errors = validate_spec(document["code"])
    if errors:
        raise SpecError([under_code(e) for e in errors], str(path))
    return document["code"]


def prepare(spec: dict, seed: int | None = None) -> Any:
    """The kind's prepared problem (cached per spec and seed by the function kind)."""
    return KINDS[kind_of(spec)].prepare(spec, seed)


def _default_runner(job: Job) -> RunResult:
    return sandbox.run(job)


def _reporting_runner(progress: Callable[[dict], None]) -> Runner:
    def run(job: Job) -> RunResult:
        return sandbox.run(job, on_progress=progress)

    return run


def deliberate_shutdown(exc: BaseException) -> bool:
    """Only a deliberate stop passes a trusted boundary: Ctrl-C, a generator closing, or a
    Celery worker's warm/cold shutdown; any other BaseException (``SystemExit`` from code
    the grader ran, ...) becomes an internal-error result and the worker survives."""
    if isinstance(exc, (KeyboardInterrupt, GeneratorExit)):
        return True
    kind = type(exc)
    return kind.__name__ in ("WorkerShutdown", "WorkerTerminate") and kind.__module__.startswith(
        "celery"
    )


def grade_submission(
    spec: dict,
    code: str,
    *,
    runner: Runner | None = None,
    seed: int | None = None,
    record_outputs: bool = False,
    known_outputs: dict | KnownOutputs | None = None,
    progress: Callable[[dict], None] | None = None,
) -> GradeResult:
    """Grade ``code`` against ``spec`` (a validated ``code:`` mapping of a problem file).

    ``seed`` (e.g. the submission's id) draws the hidden tests' inputs; it is recorded in
    the result so a regrade with the same seed sees the same inputs. Without it, hidden
    inputs are the fixed ones of the problem file.

    ``record_outputs`` puts the visible tests' outputs in ``result.outputs`` (validation
    records the reference's and the mutants'); ``known_outputs`` (``{"reference": record,
    "mutants": [{"name", "record"}]}``, those records, or them decoded once by
    ``engine.diagnosis.known_decoded``) diagnoses a wrong answer that behaves like one of the
    mutants (engine.diagnosis). Both are the function kind's.

    ``progress`` (with the default runner) hears the sandbox's progress events while the
    code runs (``engine.sandbox.run``): a training loop's step and loss, for the page."""
    try:
        kind = KINDS[kind_of(spec)]
        problem = kind.prepare(spec, seed)
    except BaseException as exc:  # any fault here is ours, not the learner's
        if deliberate_shutdown(exc):
            raise
        log.exception("could not prepare the problem's tests")
        return GradeResult(
            Verdict.IE,
            0,
            0,
            message="The problem's tests could not be prepared (an internal error); please report it.",
            message_data=msg("prepare_failed"),
        )
    try:
        options = {"record_outputs": record_outputs, "known_outputs": known_outputs}
        if runner is None:
            runner = _reporting_runner(progress) if progress is not None else _default_runner
        result: GradeResult = kind.grade(problem, code, runner, **options)
        return replace(result, seed=seed) if seed is not None else result
    except BaseException as exc:  # SystemExit included: the worker survives
        if deliberate_shutdown(exc):
            raise
        log.exception("grading failed")
        return GradeResult(
            Verdict.IE,
            0,
            problem.max_score,
            message="Grading failed with an internal error; this is not your fault. Please try again.",
            message_data=msg("internal_error"),
        )
