"""The one place Django hands code to the engine. Workers, `manage.py grade` and validation use it."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings

from engine.diagnosis import KnownOutputs, known_decoded
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
    known: KnownOutputs | None = None,
    progress: Callable[[dict], None] | None = None,
) -> dict:
    """Grade `code` against an engine spec; plain JSON-able result.

    `seed` (the submission's id) draws the hidden tests' inputs and is recorded in the
    result (`result["seed"]`), so a regrade passing it again sees the same inputs.
    `record_outputs` keeps the visible tests' outputs (`result["outputs"]`, for validation);
    `validation` (the version's report, with the mutants' recorded outputs) lets a wrong
    answer be diagnosed: `result["diagnosis"]` is then `{"mutant", "feedback": {ja, en}}`;
    `known` is that report decoded once (`known_outputs_for_version`), in its place.
    `progress` hears the sandbox's progress events while the code runs (problems/progress.py)."""
    if visible_only:
        spec = {
            **spec,
            "tests": [test for test in spec.get("tests", []) if not test.get("hidden", False)],
        }
    if known is None and validation:
        known = _known_decoded(validation=validation, spec=spec)
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


def _known_decoded(*, validation: dict | None, spec: dict) -> KnownOutputs | None:
    known = known_outputs(validation=validation, spec=spec)
    return known_decoded(known) if known else None


KNOWN_CACHE_SIZE = 64  # problem versions; one lstm-cell's decoded records are ~0.5 MB
_known_cache: OrderedDict[tuple, KnownOutputs | None] = OrderedDict()
_known_lock = threading.Lock()


def known_outputs_for_version(*, version: ProblemVersion) -> KnownOutputs | None:
    """What validation recorded of the version's reference and mutants, decoded once per
    process: every wrong answer is diagnosed against it, and decoding the report (about
    100 KB of JSON for lstm-cell) each time cost more than the grading. Keyed by the version
    and when it was validated: a version's content never changes, and a new validation
    writes a new `validated_at`. The report is read only on a miss (callers may defer it)."""
    if version.validated_at is None:
        return _known_decoded(validation=version.validation, spec=version.engine_spec)
    key = (version.pk, version.validated_at)
    with _known_lock:
        if key in _known_cache:
            _known_cache.move_to_end(key)
            return _known_cache[key]
    known = _known_decoded(validation=version.validation, spec=version.engine_spec)
    with _known_lock:
        _known_cache[key] = known
        while len(_known_cache) > KNOWN_CACHE_SIZE:
            _known_cache.popitem(last=False)
    return known


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
    known = known_outputs_for_version(version=version)
    result = grade_code(spec=version.engine_spec, code=code, seed=seed, known=known)
    result["version"] = version.number
    return result
