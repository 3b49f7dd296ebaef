"""The function kind's checker framework: test specifications as data, input generation,
comparisons, property checks, reference gradients, forbidden calls.

Public: ``schema_errors``, ``SpecError``, ``prepare``, ``find_forbidden_calls``. Validation,
loading and grading of every kind are ``engine.grading``'s (``validate_spec``,
``load_code_spec``, ``grade_submission``).
"""

from engine.checks.forbidden import Violation, find_forbidden_calls
from engine.checks.plan import PreparedProblem, PreparedTest, prepare
from engine.checks.schema import SPEC_SCHEMA
from engine.checks.spec import SpecError, schema_errors

__all__ = [
    "SPEC_SCHEMA",
    "PreparedProblem",
    "PreparedTest",
    "SpecError",
    "Violation",
    "find_forbidden_calls",
    "prepare",
    "schema_errors",
]
