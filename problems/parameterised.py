"""A learner's variant of a parameterised problem, as a Problem the pages and checks can use.

The numbers are drawn with `random.Random(occurrence.seed)` (problems.variants): fixed while
the learner works on one occurrence, fresh for the next. `problem_variant` returns a *copy* of
the problem whose statement, explanation, choices and numeric answer are the variant's, so
templates, serializers and `answers.check_answer` work on it unchanged; the copy refuses to be
saved. A problem without `variant_spec` is returned as it is.
"""

from __future__ import annotations

import copy
from typing import Any

from engine.variants import ChoiceTemplate, VariantSpec, render_variant

from .models import Answer, Attempt, Choice, Problem
from .variants import Occurrence, occurrence_for, variant_seed

TEXT_FIELDS = ("statement_ja", "statement_en", "explanation_ja", "explanation_en")
CHOICE_FIELDS = ("text_ja", "text_en", "feedback_ja", "feedback_en")


def choice_templates(choices) -> list[ChoiceTemplate]:
    return [
        ChoiceTemplate(
            key=choice.key,
            texts={name: getattr(choice, name) for name in CHOICE_FIELDS},
            correct=choice.is_correct,
            misconception=choice.misconception,
        )
        for choice in choices
    ]


def _rendered_choices(problem: Problem, rendered) -> list[Choice]:
    by_key = {choice.key: choice for choice in problem.choices.all()}
    shown = []
    for item in rendered.choices:
        choice = copy.copy(by_key[item.key])
        for name in CHOICE_FIELDS:
            setattr(choice, name, item.texts[name])
        shown.append(choice)
    return shown


def problem_variant(
    problem: Problem, *, seed: int | None = None, params: dict[str, Any] | None = None
) -> Problem:
    """The problem as the variant drawn with `seed` (or with these `params`) shows it."""
    if not problem.is_parameterised:
        return problem
    choices = list(problem.choices.all())
    rendered = render_variant(
        VariantSpec.from_dict(problem.variant_spec),
        texts={name: getattr(problem, name) for name in TEXT_FIELDS},
        choices=choice_templates(choices) if choices else None,
        seed=seed,
        params=params,
    )
    shown = copy.copy(problem)
    shown._prefetched_objects_cache = dict(getattr(problem, "_prefetched_objects_cache", {}))
    for name in TEXT_FIELDS:
        setattr(shown, name, rendered.texts[name])
    shown.numeric_answer = rendered.answer
    if choices:
        # what problem.choices.all() gives from now on: the variant's choices, never a query
        queryset = Choice.objects.none()
        queryset._result_cache = _rendered_choices(problem, rendered)
        queryset._prefetch_done = True
        shown._prefetched_objects_cache["choices"] = queryset
    shown.rendered_variant = rendered
    return shown


def problem_for_occurrence(problem: Problem, occurrence: Occurrence) -> Problem:
    return problem_variant(problem, seed=occurrence.seed)


def problem_for_learner(problem: Problem, *, user, attempt: Attempt | None = None) -> Problem:
    """The variant the learner sees now (inside `attempt` when given)."""
    if not problem.is_parameterised:
        return problem
    return problem_for_occurrence(
        problem, occurrence_for(user=user, problem=problem, attempt=attempt)
    )


def problem_as_answered(problem: Problem, answer: Answer | None) -> Problem:
    """The variant the learner answered (its parameters are stored with the answer)."""
    params = (answer.variant or {}).get("params") if answer is not None else None
    if not problem.is_parameterised or params is None:
        return problem
    try:
        return problem_variant(problem, params=params)
    except (TypeError, ValueError, KeyError):
        # the content changed since (a parameter renamed): the occurrence's fresh draw
        key = answer.variant.get("occurrence", "practice:0")
        seed = variant_seed(user_id=answer.user_id, problem_slug=problem.slug, key=key)
        return problem_variant(problem, seed=seed)


def params_record(shown: Problem) -> dict:
    """What `Answer.variant` keeps of a parameterised variant: {"params": {...}}."""
    rendered = getattr(shown, "rendered_variant", None)
    return {} if rendered is None else {"params": dict(rendered.params)}
