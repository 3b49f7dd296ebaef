"""JSON Schemas of the content files (docs/content-format.md). The `code:` part is the engine's."""

from __future__ import annotations

from jsonschema import Draft202012Validator

BILINGUAL = {
    "type": "object",
    "required": ["ja", "en"],
    "properties": {
        "ja": {"type": "string", "minLength": 1},
        "en": {"type": "string", "minLength": 1},
    },
    "additionalProperties": False,
}
SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 100}

COURSE = {
    "type": "object",
    "required": ["slug", "title"],
    "properties": {
        "slug": SLUG,
        "title": BILINGUAL,
        "description": BILINGUAL,
        "quizzes": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "title"],
                "properties": {
                    "slug": SLUG,
                    "title": BILINGUAL,
                    "description": BILINGUAL,
                    "sections": {"type": "array", "items": SLUG},
                    "problems": {"type": "array", "items": SLUG},
                    "time_limit_minutes": {"type": ["integer", "null"], "minimum": 1},
                    "shuffle": {"type": "boolean"},
                    # questions drawn afresh per attempt from the quiz's problems (its pool)
                    "draw": {"type": "integer", "minimum": 1},
                    # pools each attempt draws from first: a section, a tag or a list of problems
                    "slots": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "section": SLUG,
                                "tag": {"type": "string", "minLength": 1},
                                "problems": {"type": "array", "items": SLUG, "minItems": 1},
                                "count": {"type": "integer", "minimum": 1},
                            },
                            "minProperties": 2,
                            "maxProperties": 2,
                            "required": ["count"],
                            "additionalProperties": False,
                        },
                    },
                    "pass_percent": {"type": "integer", "minimum": 1, "maximum": 100},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

SECTION = {
    "type": "object",
    "required": ["slug", "order", "title"],
    "properties": {
        "slug": SLUG,
        "order": {"type": "integer", "minimum": 0},
        "title": BILINGUAL,
        "description": BILINGUAL,
    },
    "additionalProperties": False,
}

PROBLEM = {
    "type": "object",
    "required": ["slug", "kind", "title", "statement", "explanation"],
    "properties": {
        "slug": SLUG,
        "kind": {"enum": ["single_choice", "multiple_choice", "numeric", "text", "code"]},
        "order": {"type": "integer", "minimum": 0},
        "points": {"type": "integer", "minimum": 1},
        "tags": {"type": "array", "items": {"type": "string"}},
        "source": {"type": ["string", "null"]},
        "title": BILINGUAL,
        "statement": BILINGUAL,
        "explanation": BILINGUAL,
        "diagram": {"type": ["string", "null"]},
        # a ladder of hints, one at a time on request: from a nudge to nearly the answer
        "hints": {"type": "array", "minItems": 1, "maxItems": 10, "items": BILINGUAL},
        # the choices in file order for everyone: their texts refer to one another by position
        "fixed_order": {"type": "boolean"},
        "choices": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["key", "ja", "en"],
                "properties": {
                    "key": {"type": ["string", "integer"]},
                    "ja": {"type": "string", "minLength": 1},
                    "en": {"type": "string", "minLength": 1},
                    "correct": {"type": "boolean"},
                    "feedback": BILINGUAL,
                    # parameterised: the registered mistake whose value this distractor shows
                    "misconception": {"type": "string", "minLength": 1, "maxLength": 64},
                },
                "additionalProperties": False,
            },
        },
        "numeric": {
            "type": "object",
            "properties": {
                "answer": {"type": "number"},
                "tolerance": {"type": "number", "minimum": 0},
                "unit": {"type": ["string", "null"]},
            },
            "additionalProperties": False,
        },
        "accepted_answers": {
            "type": "array",
            "minItems": 1,
            "items": {"type": ["string", "number"]},
        },
        "code": {"type": "object", "required": ["entry_points", "reference", "tests"]},
        # parameterised problems (engine.variants): generators, checked in depth by the loader
        "params": {"type": "object", "minProperties": 1},
        "answer_function": {"type": "string", "minLength": 1},
        "choice_count": {"type": "integer", "minimum": 2},
    },
    "additionalProperties": False,
    "allOf": [
        {
            "if": {"properties": {"kind": {"enum": ["single_choice", "multiple_choice"]}}},
            "then": {"required": ["choices"]},
        },
        {"if": {"properties": {"kind": {"const": "numeric"}}}, "then": {"required": ["numeric"]}},
        {
            "if": {"properties": {"kind": {"const": "text"}}},
            "then": {"required": ["accepted_answers"]},
        },
        {"if": {"properties": {"kind": {"const": "code"}}}, "then": {"required": ["code"]}},
    ],
}


def _path(error) -> str:
    parts = []
    for part in error.absolute_path:
        parts.append(f"[{part}]" if isinstance(part, int) else (f".{part}" if parts else str(part)))
    return "".join(parts) or "(top level)"


def schema_errors(document: object, schema: dict) -> list[str]:
    """Each error as '<field path>: <what is wrong>'."""
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_path(error)}: {error.message}" for error in errors]
