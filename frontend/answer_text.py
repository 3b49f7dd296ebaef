"""How an answer reads on a page: the right one and the learner's, choices by their labels."""

from __future__ import annotations

from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from problems.models import Problem, ProblemKind

from .templatetags.markup import markdown_inline


def as_keys(response) -> list[str]:
    if isinstance(response, list):
        return [str(key) for key in response]
    return [str(response)]


def _choice_labels(problem: Problem, keys) -> SafeString:
    texts = {choice.key: choice.localized_text for choice in problem.choices.all()}
    return format_html_join(
        ", ", "{}. {}", ((key, markdown_inline(texts.get(key, ""))) for key in keys)
    )


def _with_unit(problem: Problem, number: float) -> str:
    return f"{number:g} {problem.numeric_unit}".strip()


def correct_answer_text(problem: Problem) -> SafeString | str:
    """The right answer as the learner should read it (uses prefetched choices and answers)."""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        return _choice_labels(problem, [c.key for c in problem.choices.all() if c.is_correct])
    if problem.kind == ProblemKind.NUMERIC:
        return _with_unit(problem, problem.numeric_answer)
    if problem.kind == ProblemKind.TEXT:
        accepted = list(problem.accepted_answers.all())
        return accepted[0].text if accepted else ""
    return ""


def given_answer_text(problem: Problem, response) -> SafeString | str:
    if response is None:
        return ""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        return _choice_labels(problem, as_keys(response))
    if problem.kind == ProblemKind.NUMERIC and isinstance(response, int | float):
        return _with_unit(problem, response)
    return str(response)
