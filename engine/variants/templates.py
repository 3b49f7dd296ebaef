"""Statements, explanations and choices as templates: ``{{name}}``, ``{{name:.3f}}``, ``{{v[0]}}``.

Double braces, because single braces are LaTeX's (``\\frac{1}{2}``) and ``$`` is its math.
A placeholder names a value (a parameter, ``answer``, a step of the answer function, a choice's
``value``), optionally one item of a list (``[0]``), and a Python format spec after ``:``.
Nothing else is interpreted: no attributes, no calls, no expressions. A list renders as its
items joined by ", ". A float without a spec renders with 6 significant digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PLACEHOLDER = re.compile(
    r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>\d+)\])?"
    r"(?::(?P<spec>[^{}]*?))?\s*\}\}"
)
_OPENING = re.compile(r"\{\{")


class TemplateError(ValueError):
    """A template that cannot be rendered with the values given; the message says why."""


def template_names(template: str) -> set[str]:
    """The names a template uses."""
    return {match.group("name") for match in _PLACEHOLDER.finditer(template)}


# A computed value this close to 0 is floating-point noise (0.1 - 0.3 + 0.2), never a number a
# variant means: shown as 0, not as 5.551e-17.
NOISE = 1e-12


def _format(value: Any, spec: str | None) -> str:
    if isinstance(value, list):
        return ", ".join(_format(item, spec) for item in value)
    if isinstance(value, float) and abs(value) < NOISE:
        value = 0.0
    if spec:
        return format(value, spec)
    if isinstance(value, float):
        return format(value + 0.0, ".6g")
    return str(value)


def render(template: str, values: Mapping[str, Any]) -> str:
    """The template with every placeholder replaced; TemplateError names what is missing."""
    leftover = _PLACEHOLDER.sub("", template)
    opening = _OPENING.search(leftover)
    if opening:
        start = opening.start()
        raise TemplateError(
            f"'{leftover[start : start + 30]}…' is not a placeholder; write {{{{name}}}} or "
            "{{name:.3f}} (a name, an optional [index], an optional format)."
        )

    def substitute(match: re.Match) -> str:
        name, index, spec = match.group("name", "index", "spec")
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise TemplateError(f"{{{{{name}}}}}: no value named '{name}' (known: {known}).")
        value = values[name]
        if index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                raise TemplateError(f"{{{{{name}[{index}]}}}}: '{name}' has no item {index}.")
            value = value[int(index)]
        try:
            return _format(value, spec)
        except (ValueError, TypeError) as error:
            raise TemplateError(f"{{{{{name}:{spec}}}}}: {error}.") from None

    return _PLACEHOLDER.sub(substitute, template)
