"""Parameterised problems: fresh numbers for every occurrence of a problem (docs/content-format.md).

A problem's `params:` name generators (`generators`), its texts are templates (`templates`),
and its answer — and, for a single-choice problem, each distractor's value — is computed by a
function registered here (`registry`, the functions in `answers/`): plain Python, reviewed like
a reference, never text evaluated at run time. `variant` puts them together: the numbers drawn
with `random.Random(seed)`, the texts rendered, the choices de-duplicated; `validate` draws many
seeds and reports every ill-posed variant a generator can yield.

Nothing here knows of Django: data comes in and goes out as plain values.
"""

from __future__ import annotations

from . import answers as _answers  # noqa: F401  (registers the answer functions)
from .generators import ParamError, draw_params, param_spec_errors
from .registry import IllPosed, Solution, answer, answer_function, registered_names
from .templates import TemplateError, render, template_names
from .validate import VALIDATION_SEEDS, validate_variant_spec
from .variant import ChoiceTemplate, RenderedVariant, VariantSpec, render_variant

__all__ = [
    "VALIDATION_SEEDS",
    "ChoiceTemplate",
    "IllPosed",
    "ParamError",
    "RenderedVariant",
    "Solution",
    "TemplateError",
    "VariantSpec",
    "answer",
    "answer_function",
    "draw_params",
    "param_spec_errors",
    "registered_names",
    "render",
    "render_variant",
    "template_names",
    "validate_variant_spec",
]
