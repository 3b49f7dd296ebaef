"""How an answer reads on a page: the right one and the learner's, choices by their labels."""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from problems.models import Problem, ProblemKind
from problems.variants import choices_in_order

from .templatetags.markup import markdown_inline


def as_keys(response) -> list[str]:
    if isinstance(response, list):
        return [str(key) for key in response]
    return [str(response)]


def _choice_labels(problem: Problem, keys, order: list[str] | None) -> SafeString:
    """'2. text' for each key, numbered as the learner saw the choices (`order`), in that order."""
    wanted = {str(key) for key in keys}
    shown = [c for c in choices_in_order(problem=problem, order=order) if c.key in wanted]
    return format_html_join(
        ", ", "{}. {}", ((c.label, markdown_inline(c.localized_text)) for c in shown)
    )


def _with_unit(problem: Problem, number: float) -> str:
    return f"{number:g} {problem.numeric_unit}".strip()


def correct_answer_text(problem: Problem, *, order: list[str] | None = None) -> SafeString | str:
    """The right answer as the learner should read it (uses prefetched choices and answers);
    choices are numbered in `order`, the keys as the learner saw them (file order if None)."""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        correct = [c.key for c in problem.choices.all() if c.is_correct]
        return _choice_labels(problem, correct, order)
    if problem.kind == ProblemKind.NUMERIC:
        return _with_unit(problem, problem.numeric_answer)
    if problem.kind == ProblemKind.TEXT:
        accepted = list(problem.accepted_answers.all())
        return accepted[0].text if accepted else ""
    return ""


def given_answer_text(problem: Problem, response, *, order: list[str] | None = None):
    if response is None:
        return ""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        return _choice_labels(problem, as_keys(response), order)
    if problem.kind == ProblemKind.NUMERIC and isinstance(response, int | float):
        return _with_unit(problem, response)
    return str(response)
