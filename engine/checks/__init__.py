"""The checker framework: test specifications as data, input generation, comparisons.

Public: ``validate_spec``, ``load_code_spec``, ``SpecError``, ``prepare``,
``find_forbidden_calls``. The grading entry point is ``engine.grading.grade_submission``.
"""

from engine.checks.forbidden import Violation, find_forbidden_calls
from engine.checks.plan import PreparedProblem, PreparedTest, prepare
from engine.checks.schema import SPEC_SCHEMA
from engine.checks.spec import SpecError, load_code_spec, validate_spec

__all__ = [
    "SPEC_SCHEMA",
    "PreparedProblem",
    "PreparedTest",
    "SpecError",
    "Violation",
    "find_forbidden_calls",
    "load_code_spec",
    "prepare",
    "validate_spec",
]
