"""The grader's messages as data: a code and its parameters, rendered in ja or en.

Every failure the engine reports carries ``{"code": ..., "params": {...}}`` beside its English
``message`` (kept for logs and for results stored before codes existed). ``render(data, lang)``
turns the data into the learner's language with the templates of ``engine.message_table``.

Parameters are plain JSON values; a template names how each is shown:

    {x}          as it is (text, an integer)
    {x:num}      a number, 6 significant digits (``fmt_number``)
    {x:idx}      an index or a shape, "(2, 5)"
    {x:code}     a name from the learner's code: 「h」 in ja, 'h' in en (no backticks)
    {x:codes}    a list of such names, joined with "and" / "と"
    {x:msg}      a nested message ({"code", "params"}), or nothing when the value is None
    {x:text}     a nested message, or plain text as it is (stored before it was a message)

Any value may be bilingual text, ``{"ja": ..., "en": ...}`` (no "code" key: an author's label
for a test), shown in the rendering language (``in_language``) before the spec applies.

A hidden test's message keeps only the parameters its summary template uses
(``hidden_params``), so neither inputs nor expected values reach a learner through it.
"""

from __future__ import annotations

import math
import string
from typing import Any

from engine.message_table import MESSAGES

LANGUAGES = ("ja", "en")


def msg(code: str, **params: Any) -> dict:
    """A message as data; ``code`` must be in the table (``tests/engine/test_messages.py``)."""
    return {"code": code, "params": params}


def is_bilingual(value: Any) -> bool:
    """An author's text in both languages, ``{"ja", "en"}``, as opposed to a nested message."""
    return isinstance(value, dict) and "code" not in value and ("ja" in value or "en" in value)


def in_language(value: Any, lang: str) -> Any:
    """A bilingual value in ``lang`` (the other language when that one is empty); any other
    value as it is."""
    if not is_bilingual(value):
        return value
    other = "en" if lang == "ja" else "ja"
    return value.get(lang) or value.get(other) or ""


def _number(x: Any) -> str:
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, str):  # "NaN", "inf", as recorded in JSON
        return x
    value = float(x)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.6g}"


def _index(x: Any) -> str:
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    return "(" + ", ".join(str(i) for i in items) + ("," if len(items) == 1 else "") + ")"


def _code_span(name: Any, lang: str) -> str:
    return f"「{name}」" if lang == "ja" else f"'{name}'"


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        value = in_language(value, self.lang)
        if format_spec == "msg":
            if value is None:
                return ""
            return render(value, self.lang) if isinstance(value, dict) else str(value)
        if format_spec == "text":  # a nested message, or plain text (results stored before)
            return render(value, self.lang) if isinstance(value, dict) else str(value or "")
        if value is None:
            return ""
        if format_spec == "num":
            return _number(value)
        if format_spec == "idx":
            return _index(value)
        if format_spec == "code":
            return _code_span(value, self.lang)
        if format_spec == "codes":
            joiner = "と" if self.lang == "ja" else " and "
            return joiner.join(_code_span(v, self.lang) for v in value)
        return super().format_field(value, format_spec)


def _template(code: str, lang: str, *, summary: bool = False) -> str:
    entry = MESSAGES[code]
    if summary and f"summary_{lang}" in entry:
        return entry[f"summary_{lang}"]
    return entry[lang]


def render(data: dict | None, lang: str, *, summary: bool = False) -> str:
    """``data`` in ``lang`` ("ja" or "en"; anything else is "en"). Raises KeyError for an
    unknown code or a missing parameter: the table test renders every code to catch that."""
    if not data:
        return ""
    lang = lang if lang in LANGUAGES else "en"
    summary = summary or bool(data.get("summary"))
    template = _template(data["code"], lang, summary=summary)
    return _Formatter(lang).vformat(template, (), data.get("params") or {})


def template_fields(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def hidden_params(data: dict) -> dict:
    """``data`` for a hidden test: its summary, with only the parameters the summary shows."""
    entry = MESSAGES[data["code"]]
    used = set()
    for lang in LANGUAGES:
        used |= template_fields(entry.get(f"summary_{lang}", entry[lang]))
    params = {k: v for k, v in (data.get("params") or {}).items() if k in used}
    return {"code": data["code"], "params": params, "summary": True}


def render_stored(data: dict | None, fallback: str, lang: str) -> str:
    """A stored message: its data in ``lang`` when it has any (and the code is known), else
    the English ``fallback`` (results stored before codes existed)."""
    if not data:
        return fallback
    try:
        return render(data, lang)
    except (KeyError, IndexError, TypeError, ValueError):
        return fallback
