"""Validation of a parameterised problem: many seeds drawn, every variant well-posed."""

from __future__ import annotations

import re

from .generators import ParamError, param_spec_errors
from .registry import IllPosed, answer_function
from .templates import TemplateError, template_names
from .variant import ChoiceTemplate, VariantSpec, draw, render_variant

VALIDATION_SEEDS = 200
# Two learners must see different numbers on at least 90 % of draws.
MAX_SAME_NUMBERS = 0.10
KINDS = ("numeric", "single_choice")


# 1e-05, 5.551e-17: what a learner cannot read as the number of a step.
_SCIENTIFIC = re.compile(r"\d[eE][-+]?\d{2}\b")


def _spec_errors(data: dict, kind: str, choices: list[ChoiceTemplate]) -> list[str]:
    errors = param_spec_errors(data.get("params"))
    if kind not in KINDS:
        errors.append(f"params: only {' and '.join(KINDS)} problems can be parameterised.")
    name = data.get("answer_function")
    if not isinstance(name, str):
        return [*errors, "answer_function: name the registered function that computes the answer."]
    try:
        function = answer_function(name)
    except KeyError as error:
        return [*errors, f"answer_function: {error.args[0]}"]
    missing = sorted(set(function.parameters) - set(data.get("params") or {}))
    if missing:
        errors.append(
            f"params: {name} takes {', '.join(function.parameters)}; add {', '.join(missing)}."
        )
    for choice in choices:
        if choice.misconception and choice.misconception not in function.misconceptions:
            known = ", ".join(sorted(function.misconceptions)) or "none"
            errors.append(
                f"choices.{choice.key}.misconception: {name} has no '{choice.misconception}' "
                f"(registered: {known})."
            )
        if choice.correct and choice.misconception:
            errors.append(f"choices.{choice.key}: the correct choice has no misconception.")
    count = data.get("choice_count")
    if kind == "single_choice" and count is not None:
        if not isinstance(count, int) or not 2 <= count <= len(choices):
            errors.append(f"choice_count: a whole number from 2 to {len(choices)}.")
    if kind != "single_choice" and count is not None:
        errors.append("choice_count: only for single_choice problems.")
    return errors


def _described(params: dict) -> str:
    return ", ".join(f"{name}={value}" for name, value in params.items())


def validate_variant_spec(
    data: dict,
    *,
    kind: str,
    texts: dict[str, str],
    choices: list[ChoiceTemplate] | None = None,
    fixed_texts: dict[str, str] | None = None,
    seeds: int = VALIDATION_SEEDS,
) -> list[str]:
    """Every reason this parameterised problem is not well-posed (empty when it is).

    Draws `seeds` variants (seeds 0, 1, ...) and renders each: finite answers, whole numbers
    where the function says so, every template name known in both languages, the choices
    distinct and the answer not among the distractors. `fixed_texts` (hints, shown without
    the variant's numbers) must hold no placeholder.
    """
    choices = choices or []
    errors = _spec_errors(data, kind, choices)
    for where, text in (fixed_texts or {}).items():
        if template_names(text):
            errors.append(
                f"{where}: hints are shown without the variant's numbers; write them without "
                "{{...}} placeholders."
            )
    if errors:
        return errors
    spec = VariantSpec.from_dict(data)
    failures: list[str] = []
    for seed in range(seeds):
        params = draw(spec, seed)
        try:
            variant = render_variant(spec, texts=texts, choices=choices, params=params)
            shown = [*variant.texts.items()]
            shown += [(f"choice {c.key}", t) for c in variant.choices for t in c.texts.values()]
            for where, text in shown:
                if found := _SCIENTIFIC.search(text):
                    raise TemplateError(
                        f"{where} shows a number in scientific notation ('{found.group(0)}'); "
                        "give its placeholder a fixed format ({{x:.3f}}) or round the value in "
                        "the answer function."
                    )
        except (IllPosed, TemplateError, ParamError) as error:
            failures.append(f"seed {seed} ({_described(params)}): {error}")
        except (ArithmeticError, ValueError) as error:  # the function's own: a domain error
            failures.append(f"seed {seed} ({_described(params)}): {type(error).__name__}: {error}")
        if len(failures) == 3:
            break
    if failures:
        errors.append(
            "params: the generators can draw ill-posed variants; narrow the ranges. "
            + " | ".join(failures)
        )
        return errors
    pairs = seeds // 2
    same = sum(draw(spec, 2 * i) == draw(spec, 2 * i + 1) for i in range(pairs))
    if same > MAX_SAME_NUMBERS * pairs:
        errors.append(
            f"params: two learners would see the same numbers in {100 * same / pairs:.0f}% of "
            f"draws (at most {100 * MAX_SAME_NUMBERS:.0f}%); widen the ranges or add values."
        )
    return errors
