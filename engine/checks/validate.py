"""Everything wrong with a (schema-valid) function spec, reference run included."""

from __future__ import annotations

from engine.checks.plan import reference_run_errors
from engine.checks.spec import semantic_errors


def function_spec_errors(spec: dict, *, run_reference: bool = True) -> list[str]:
    """What a schema cannot say of a function spec, as sentences naming the field path;
    [] when it is valid.

    With ``run_reference`` (the default) the inputs of every test are generated and the
    reference is run on them, so shapes that do not fit together are reported here and
    not at grading time.
    """
    errors = semantic_errors(spec)
    if errors or not run_reference:
        return errors
    return reference_run_errors(spec)
