"""The one place Django hands code to the engine. Workers, `manage.py grade` and validation use it."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from django.conf import settings

from engine.grading import grade_submission

from .feedback import diagnosis_stored, known_outputs
from .models import Problem, ProblemVersion
from .selectors.content import problem_version_for_grading


def grade_code(
    *,
    spec: dict,
    code: str,
    visible_only: bool = False,
    seed: int | None = None,
    record_outputs: bool = False,
    validation: dict | None = None,
    progress: Callable[[dict], None] | None = None,
) -> dict:
    """Grade `code` against an engine spec; plain JSON-able result.

    `seed` (the submission's id) draws the hidden tests' inputs and is recorded in the
    result (`result["seed"]`), so a regrade passing it again sees the same inputs.
    `record_outputs` keeps the visible tests' outputs (`result["outputs"]`, for validation);
    `validation` (the version's report, with the mutants' recorded outputs) lets a wrong
    answer be diagnosed: `result["diagnosis"]` is then `{"mutant", "feedback": {ja, en}}`.
    `progress` hears the sandbox's progress events while the code runs (problems/progress.py)."""
    if visible_only:
        spec = {
            **spec,
            "tests": [test for test in spec.get("tests", []) if not test.get("hidden", False)],
        }
    known = known_outputs(validation=validation, spec=spec) if validation else None
    result = grade_submission(
        spec,
        code,
        seed=seed,
        record_outputs=record_outputs,
        known_outputs=known,
        progress=progress,
    ).to_dict()
    result["diagnosis"] = diagnosis_stored(diagnosis=result.get("diagnosis"), spec=spec)
    if not record_outputs:
        result.pop("outputs", None)
    return result


def internal_error_result(error: BaseException, *, advice: str) -> dict:
    """The result of a grading that failed on the grader's side: IE, with a sentence."""
    return {
        "verdict": "IE",
        "score": 0,
        "max_score": 0,
        "tests": [],
        "message": f"The grader failed ({type(error).__name__}); {advice}",
        "message_data": {"code": "grader_failed", "params": {"type": type(error).__name__}},
        "diagnosis": None,
    }


def hidden_tests_seed(*, submission_id: int) -> int:
    """The seed of a submission's hidden inputs: fresh per submission, the same on a regrade.

    Keyed with SECRET_KEY so that a learner who knows their next submission's id (and the
    engine's source) still cannot compute the inputs its hidden tests will get."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"hidden-tests:{submission_id}".encode(), hashlib.sha256
    ).digest()
    return int.from_bytes(digest[:8], "big")


def grade_code_for_problem(
    *, problem: Problem, code: str, version: ProblemVersion | None = None, seed: int | None = None
) -> dict:
    version = version or problem_version_for_grading(problem=problem)
    result = grade_code(
        spec=version.engine_spec, code=code, seed=seed, validation=version.validation
    )
    result["version"] = version.number
    return result
