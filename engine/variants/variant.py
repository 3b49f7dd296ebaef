"""One variant of a parameterised problem: its numbers, answer, texts and choices."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .generators import draw_params
from .registry import IllPosed, answer_function
from .templates import render


@dataclass(frozen=True)
class VariantSpec:
    """What the content file says: `params:`, `answer_function:` and `choice_count:`."""

    params: dict
    answer_function: str
    choice_count: int | None = None  # single choice: how many to show (default: all listed)

    @classmethod
    def from_dict(cls, data: dict) -> VariantSpec:
        return cls(
            params=data["params"],
            answer_function=data["answer_function"],
            choice_count=data.get("choice_count"),
        )


@dataclass(frozen=True)
class ChoiceTemplate:
    key: str
    texts: dict[str, str]  # "text_ja", "text_en", "feedback_ja", "feedback_en": templates
    correct: bool = False
    misconception: str = ""  # the registered mistake whose value this distractor shows


@dataclass(frozen=True)
class RenderedChoice:
    key: str
    texts: dict[str, str]
    correct: bool
    value: Any


@dataclass(frozen=True)
class RenderedVariant:
    params: dict[str, Any]
    answer: float | int
    steps: dict[str, Any]
    texts: dict[str, str]
    choices: list[RenderedChoice] = field(default_factory=list)  # shown, in listed order


def draw(spec: VariantSpec, seed: int) -> dict[str, Any]:
    """The parameters of the variant with this seed."""
    return draw_params(spec.params, random.Random(seed))


def _choices(
    spec: VariantSpec, choices: list[ChoiceTemplate], names: dict, params: dict
) -> list[RenderedChoice]:
    function = answer_function(spec.answer_function)
    rendered: list[RenderedChoice] = []
    for choice in choices:
        if choice.correct:
            value = names["answer"]
        elif choice.misconception:
            value = function.mistaken(choice.misconception, params)
        else:
            value = None
        values = {**names, "value": value} if value is not None else names
        texts = {name: render(text, values) for name, text in choice.texts.items()}
        rendered.append(RenderedChoice(choice.key, texts, choice.correct, value))
    # A distractor that reads like the answer or like an earlier choice (in either language)
    # is dropped: the correct choice first, then the others in the order listed.
    kept: list[RenderedChoice] = []
    seen: set[tuple[str, str]] = set()
    for candidate in sorted(rendered, key=lambda c: not c.correct):
        faces = {(name, text) for name, text in candidate.texts.items() if name.startswith("text")}
        if faces & seen:
            continue
        seen |= faces
        kept.append(candidate)
    count = spec.choice_count or len(choices)
    if len(kept) < count:
        dropped = [c.key for c in rendered if c not in kept]
        raise IllPosed(
            f"only {len(kept)} distinct choices of the {count} to show: choice(s) "
            f"{', '.join(dropped)} read like the answer or another choice."
        )
    shown = {choice.key for choice in kept[:count]}
    return [choice for choice in rendered if choice.key in shown]


def render_variant(
    spec: VariantSpec,
    *,
    texts: dict[str, str],
    choices: list[ChoiceTemplate] | None = None,
    seed: int | None = None,
    params: dict[str, Any] | None = None,
) -> RenderedVariant:
    """The variant drawn with `seed`, or the one with these `params` (a stored answer's).

    Raises IllPosed when the parameters give no well-posed problem, TemplateError when a text
    names a value that does not exist.
    """
    if params is None:
        if seed is None:
            raise ValueError("render_variant needs a seed or the parameters.")
        params = draw(spec, seed)
    solution = answer_function(spec.answer_function).solve(params)
    names = {**params, **solution.steps, "answer": solution.value}
    rendered_texts = {name: render(text, names) for name, text in texts.items()}
    shown = _choices(spec, choices, names, params) if choices else []
    return RenderedVariant(params, solution.value, dict(solution.steps), rendered_texts, shown)
