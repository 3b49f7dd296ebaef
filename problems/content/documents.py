"""A problem as the mapping of its content file: what versions freeze and exports write."""

from __future__ import annotations

from ..models import CHOICE_KINDS, Problem, ProblemKind

CODE_KEY_ORDER = (
    "framework",
    "entry_points",
    "starter",
    "reference",
    "tests",
    "mutants",
    "alternatives",
    "limits",
    "forbidden_calls",
)


def _pair(obj, name: str) -> dict:
    return {"ja": getattr(obj, f"{name}_ja"), "en": getattr(obj, f"{name}_en")}


def problem_to_document(problem: Problem) -> dict:
    document: dict = {
        "slug": problem.slug,
        "kind": problem.kind,
        "order": problem.order,
        "points": problem.points,
        "tags": list(problem.tags),
        "source": problem.source or None,
        "title": _pair(problem, "title"),
        "statement": _pair(problem, "statement"),
        "explanation": _pair(problem, "explanation"),
    }
    if problem.diagram:
        document["diagram"] = problem.diagram
    if problem.hints:
        document["hints"] = [{"ja": h["ja"], "en": h["en"]} for h in problem.hints]
    if problem.kind in CHOICE_KINDS:
        if problem.fixed_order:  # only when set: other problems keep their version hash
            document["fixed_order"] = True
        document["choices"] = [
            _choice_document(choice) for choice in problem.choices.order_by("order", "id")
        ]
    elif problem.kind == ProblemKind.NUMERIC:
        document["numeric"] = {
            # float(): the same document whether the value came from YAML (int) or the database.
            "answer": None if problem.is_parameterised else float(problem.numeric_answer),
            "tolerance": float(problem.numeric_tolerance),
            "unit": problem.numeric_unit or None,
        }
        if problem.is_parameterised:  # computed for each variant by its answer_function
            del document["numeric"]["answer"]
    elif problem.kind == ProblemKind.TEXT:
        document["accepted_answers"] = [
            answer.text for answer in problem.accepted_answers.order_by("id")
        ]
    elif problem.kind == ProblemKind.CODE:
        document["code"] = _code_document(problem)
    if problem.is_parameterised:
        document.update(_variant_document(problem.variant_spec))
    return document


def _variant_document(spec: dict) -> dict:
    ordered = {
        key: spec[key] for key in ("params", "answer_function", "choice_count") if key in spec
    }
    return ordered


def _choice_document(choice) -> dict:
    document = {
        "key": choice.key,
        "ja": choice.text_ja,
        "en": choice.text_en,
        "correct": choice.is_correct,
    }
    if choice.misconception:
        document["misconception"] = choice.misconception
    # Only when written: a choice without feedback keeps the document (and version hash) it had.
    if choice.feedback_ja or choice.feedback_en:
        document["feedback"] = _pair(choice, "feedback")
    return document


def _code_document(problem: Problem) -> dict:
    spec = problem.code_spec.as_engine_spec()
    ordered = {key: spec[key] for key in CODE_KEY_ORDER if key in spec}
    ordered.update({key: value for key, value in spec.items() if key not in ordered})
    return ordered
