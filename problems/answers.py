"""Checking answers to the non-code kinds. Pure functions of a problem and a response."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from .models import ProblemKind


class AnswerFormatError(ValueError):
    """The response cannot be an answer to this problem; the message says what to send."""


@dataclass(frozen=True)
class AnswerOutcome:
    correct: bool
    score: int
    max_score: int
    response: Any  # the normalised response, as stored


_SPACES = re.compile(r"\s+")


def normalize_text(value: str) -> str:
    """NFKC (full-width → half-width), case-folded, surrounding spaces stripped, runs of spaces collapsed."""
    folded = unicodedata.normalize("NFKC", value).casefold().strip()
    return _SPACES.sub(" ", folded)


MAX_ANSWER_CHARS = 1000


def _check_strings(response: Any) -> None:
    """Text the database and the renderer can hold: no NUL, valid Unicode, not huge."""
    items = response if isinstance(response, list) else [response]
    for item in items:
        if not isinstance(item, str):
            continue
        if "\x00" in item:
            raise AnswerFormatError(
                _("The answer contains a NUL character; remove it and send it again.")
            )
        try:
            item.encode("utf-8")
        except UnicodeEncodeError:
            raise AnswerFormatError(
                _("The answer is not valid text (it holds an unpaired surrogate); type it again.")
            ) from None
        if len(item) > MAX_ANSWER_CHARS:
            raise AnswerFormatError(
                _("The answer is %(length)d characters long; the limit is %(limit)d.")
                % {"length": len(item), "limit": MAX_ANSWER_CHARS}
            )


def parse_number(value: Any) -> float:
    """A number from JSON or text: `0.25`, `０．２５`, `1/4`, `2.5e-1`."""
    if isinstance(value, bool):
        raise AnswerFormatError(_("Send a number, not true or false."))
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise AnswerFormatError(_("The answer must be a finite number.")) from None
    elif isinstance(value, str):
        text = normalize_text(value).replace(",", "").replace(" ", "")
        if not text:
            raise AnswerFormatError(_("The answer is empty; enter a number such as 0.25 or 1/4."))
        try:
            number = float(Fraction(text)) if "/" in text else float(text)
        except OverflowError:
            raise AnswerFormatError(_("The answer must be a finite number.")) from None
        except (ValueError, ZeroDivisionError):
            raise AnswerFormatError(
                _("'%(value)s' is not a number; enter a number such as 0.25, 1/4 or 2.5e-1.")
                % {"value": value}
            ) from None
    else:
        raise AnswerFormatError(_("Send the answer as a number or a string holding one."))
    if not math.isfinite(number):
        raise AnswerFormatError(_("The answer must be a finite number."))
    return number


def _choice_keys(problem) -> dict[str, bool]:
    return {choice.key: choice.is_correct for choice in problem.choices.all()}


def _check_single_choice(problem, response: Any) -> tuple[bool, Any]:
    if isinstance(response, list) and len(response) == 1:
        response = response[0]
    if not isinstance(response, str | int) or isinstance(response, bool):
        raise AnswerFormatError(_('Send the key of one choice, e.g. "answer": "2".'))
    key = str(response)
    keys = _choice_keys(problem)
    if key not in keys:
        raise AnswerFormatError(
            _("'%(key)s' is not a choice of this problem; choose one of %(keys)s.")
            % {"key": key, "keys": ", ".join(sorted(keys))}
        )
    return keys[key], key


def _check_multiple_choice(problem, response: Any) -> tuple[bool, Any]:
    if isinstance(response, str | int) and not isinstance(response, bool):
        response = [response]
    if not isinstance(response, list) or not all(
        isinstance(item, str | int) and not isinstance(item, bool) for item in response
    ):
        raise AnswerFormatError(_('Send a list of choice keys, e.g. "answer": ["1", "3"].'))
    chosen = sorted({str(item) for item in response})
    keys = _choice_keys(problem)
    unknown = [key for key in chosen if key not in keys]
    if unknown:
        raise AnswerFormatError(
            _("%(unknown)s are not choices of this problem; choose from %(keys)s.")
            % {"unknown": ", ".join(unknown), "keys": ", ".join(sorted(keys))}
        )
    correct = sorted(key for key, is_correct in keys.items() if is_correct)
    return chosen == correct, chosen


def _check_numeric(problem, response: Any) -> tuple[bool, Any]:
    number = parse_number(response)
    # A tiny relative slack absorbs float rounding of the stored answer itself.
    slack = problem.numeric_tolerance + 1e-12 * max(1.0, abs(problem.numeric_answer))
    return abs(number - problem.numeric_answer) <= slack, number


def _check_text(problem, response: Any) -> tuple[bool, Any]:
    if not isinstance(response, str):
        raise AnswerFormatError(_('Send the answer as a string, e.g. "answer": "3x3".'))
    given = normalize_text(response)
    if not given:
        raise AnswerFormatError(_("The answer is empty; type your answer."))
    accepted = {normalize_text(item.text) for item in problem.accepted_answers.all()}
    return given in accepted, response.strip()


_CHECKERS = {
    ProblemKind.SINGLE_CHOICE: _check_single_choice,
    ProblemKind.MULTIPLE_CHOICE: _check_multiple_choice,
    ProblemKind.NUMERIC: _check_numeric,
    ProblemKind.TEXT: _check_text,
}


def check_answer(problem, response: Any) -> AnswerOutcome:
    """Grade a response to a non-code problem; raises AnswerFormatError for unusable input."""
    _check_strings(response)
    checker = _CHECKERS.get(problem.kind)
    if checker is None:
        raise AnswerFormatError(
            _("This is a code problem; submit code to its submissions endpoint.")
        )
    correct, stored = checker(problem, response)
    return AnswerOutcome(
        correct=correct,
        score=problem.points if correct else 0,
        max_score=problem.points,
        response=stored,
    )


def correct_answer_display(problem) -> Any:
    """What the right answer is, for the explanation after answering."""
    if problem.kind in (ProblemKind.SINGLE_CHOICE, ProblemKind.MULTIPLE_CHOICE):
        return [choice.key for choice in problem.choices.all() if choice.is_correct]
    if problem.kind == ProblemKind.NUMERIC:
        return problem.numeric_answer
    if problem.kind == ProblemKind.TEXT:
        first = problem.accepted_answers.first()
        return first.text if first else ""
    return None
