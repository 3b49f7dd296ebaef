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


# --- Short-text matching --------------------------------------------------------------------
# A careful learner's answer differs from the listed spellings only in form: a full stop at the
# end, quotes or brackets around it, "モデル" after a model's name, a gloss in brackets, or
# another separator between the numbers of a shape. Each rule below removes one such form and
# nothing that carries meaning, so a wrong answer stays wrong.

_TRAILING_PUNCTUATION = ".。．、,，!！?？:：;；"
_WRAPPERS = {
    "(": ")",
    "[": "]",
    "{": "}",
    "「": "」",
    "『": "』",
    "【": "】",
    '"': '"',
    "'": "'",
    "`": "`",
    "“": "”",
    "‘": "’",
    "〈": "〉",
    "《": "》",
}
_LEADING_ARTICLE = re.compile(r"^(?:a|an|the) ")
# Names said with or without the word for "model": "CBOW", "CBOW モデル", "CBOW model".
_NAME_SUFFIXES = ("モデル", " model")
# Separators a learner types between the words of a term: "skip-gram", "skip gram", "skipgram".
# Kept between two digits, where "8 1000" and "81000" differ.
_WORD_JOINERS = re.compile(r"(?<!\d)[\s\-‐‑–_・･]+|[\s\-‐‑–_・･]+(?!\d)")
_GLOSS = re.compile(r"^(?P<outer>[^()]+?) ?\((?P<inner>[^()]+)\)$")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

_SHAPE_PREFIX = re.compile(r"^(?:torch\.size|shape|np\.shape)? ?\(?\[?")
_SHAPE_SEPARATORS = re.compile(r" ?[,、×x*] ?| ")
_UNITS = r"(?:ピクセル|画素|px|pixels?|個)"
_SHAPE_ITEM = re.compile(rf"^(\d+) ?{_UNITS}?$")
_SHAPE_UNIT = re.compile(rf"(?<=\d) ?{_UNITS}$")


def _wrapped_whole(text: str) -> bool:
    """Whether the first character opens a pair that the last character closes, so that
    "(8, 1000, 1)" is wrapped and "(a) (b)" is not."""
    if len(text) < 2 or _WRAPPERS.get(text[0]) != text[-1]:
        return False
    opening, closing = text[0], text[-1]
    if opening == closing:  # quotes: no other quote of the kind inside
        return opening not in text[1:-1]
    depth = 0
    for index, char in enumerate(text):
        depth += (char == opening) - (char == closing)
        if depth == 0:
            return index == len(text) - 1
    return False


def _unwrap(text: str) -> str:
    """Trailing punctuation and matching quotes or brackets around the whole answer removed."""
    while True:
        stripped = text.rstrip(_TRAILING_PUNCTUATION).strip()
        if _wrapped_whole(stripped):
            stripped = stripped[1:-1].strip()
        if stripped == text:
            return text
        text = stripped


def text_key(value: str) -> str:
    """The form two answers are compared in: normalised, unwrapped, no article, no joiners."""
    text = _unwrap(normalize_text(value))
    text = _LEADING_ARTICLE.sub("", text)
    return _WORD_JOINERS.sub("", text)


def parse_shape(value: str) -> tuple[int, ...] | None:
    """The integers of a shape or size, e.g. `(8, 1000, 1)`, `８、1000、1`, `3×3ピクセル`;
    None when the text is anything else."""
    text = _unwrap(normalize_text(value))
    text = _SHAPE_PREFIX.sub("", text, count=1).rstrip(")]").strip()
    text = text.rstrip(",").strip()  # a one-tuple's or trailing comma: (8, 1000, 1,)
    text = _SHAPE_UNIT.sub("", text)  # "3x3 px": a unit after the whole size
    if not text:
        return None
    items = []
    for part in _SHAPE_SEPARATORS.split(text):
        match = _SHAPE_ITEM.match(part.strip())
        if not match:
            return None
        items.append(int(match.group(1)))
    return tuple(items) if len(items) >= 2 else None


def _name_variants(text: str) -> set[str]:
    """The answer as written and without a trailing "model", compared in text_key form."""
    normalised = _unwrap(normalize_text(text))
    variants = {text_key(normalised)}
    for suffix in _NAME_SUFFIXES:
        if normalised.endswith(suffix) and len(normalised) > len(suffix):
            variants.add(text_key(normalised[: -len(suffix)]))
    return variants


def _matches_one(text: str, keys: set[str]) -> bool:
    return bool(_name_variants(text) & keys)


def text_matches(response: str, accepted: list[str]) -> bool:
    """Whether a short-text response says one of the accepted answers.

    Shapes are compared as tuples of integers when the accepted answers are shapes. A gloss
    in brackets, "thought vector（思考ベクトル）", is accepted when both parts are accepted, or
    when one is and the other is a translation (written in the other script): a gloss in the
    same script that is not accepted may name another thing ("CBOW (skip-gram)").
    """
    shapes = {shape for shape in map(parse_shape, accepted) if shape is not None}
    given_shape = parse_shape(response)
    if shapes and given_shape is not None:
        return given_shape in shapes
    keys = {text_key(item) for item in accepted}
    if _matches_one(response, keys):
        return True
    gloss = _GLOSS.match(_unwrap(normalize_text(response)))
    if not gloss:
        return False
    outer, inner = gloss.group("outer"), gloss.group("inner")
    outer_ok, inner_ok = _matches_one(outer, keys), _matches_one(inner, keys)
    if outer_ok and inner_ok:
        return True
    translation = bool(_JAPANESE.search(outer)) != bool(_JAPANESE.search(inner))
    return translation and (outer_ok or inner_ok)


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
    if not normalize_text(response):
        raise AnswerFormatError(_("The answer is empty; type your answer."))
    accepted = [item.text for item in problem.accepted_answers.all()]
    return text_matches(response, accepted), response.strip()


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
