"""The grader's feedback in the learner's language: messages rendered from their codes
(engine.messages) and the misconception a failing submission was diagnosed with
(engine.diagnosis), read by the API, the event stream, the pages and `manage.py grade`.

Stored results without codes (graded before codes existed) show their English message.
"""

from __future__ import annotations

from django.utils.translation import get_language

from engine.messages import in_language, render_stored


def language_code(language: str | None = None) -> str:
    """ "ja" or "en": the given language, else the active one (ja by default)."""
    code = (language or get_language() or "ja")[:2]
    return code if code in ("ja", "en") else "ja"


def message_in_language(*, message: str, data: dict | None, language: str | None = None) -> str:
    return render_stored(data, message, language_code(language))


def tests_in_language(*, tests: list[dict], language: str | None = None) -> list[dict]:
    """Each test with its message rendered (the data stays beside it for API clients) and,
    when visible, its ``title``: the author's label in ``language``, else its ``name``."""
    lang = language_code(language)
    return [_test_in_language(test, lang) for test in tests]


def _test_in_language(test: dict, lang: str) -> dict:
    shown = dict(test)
    if test.get("message_data"):
        shown["message"] = render_stored(test["message_data"], test.get("message", ""), lang)
    if not test.get("hidden"):
        shown["title"] = in_language(test.get("label"), lang) or test.get("name", "")
    return shown


def diagnosis_stored(*, diagnosis: dict | None, spec: dict) -> dict | None:
    """The engine's ``{"mutant"}`` with the mutant's bilingual feedback, as a submission keeps it
    (the feedback of the version it was graded against, whatever the content says later)."""
    if not diagnosis:
        return None
    name = diagnosis.get("mutant")
    mutant = next((m for m in spec.get("mutants", []) if m.get("name") == name), None)
    feedback = (mutant or {}).get("feedback")
    if not isinstance(feedback, dict) or not (feedback.get("ja") or feedback.get("en")):
        return None  # nothing to tell the learner
    return {
        "mutant": name,
        "feedback": {"ja": feedback.get("ja", ""), "en": feedback.get("en", "")},
    }


def diagnosis_in_language(*, diagnosis: dict | None, language: str | None = None) -> dict | None:
    """``{"mutant", "message"}`` in the learner's language, or None."""
    if not diagnosis or not isinstance(diagnosis.get("feedback"), dict):
        return None
    lang = language_code(language)
    feedback = diagnosis["feedback"]
    other = "en" if lang == "ja" else "ja"
    return {"mutant": diagnosis["mutant"], "message": feedback.get(lang) or feedback.get(other)}


def known_outputs(*, validation: dict | None, spec: dict) -> dict | None:
    """What validation recorded of the reference's and the mutants' visible outputs, in the
    form ``engine.grading.grade_submission(known_outputs=...)`` takes; None when nothing was."""
    runs = (validation or {}).get("runs") or []
    names = {m.get("name") for m in spec.get("mutants", [])}
    reference = next((r for r in runs if r.get("name") == "reference"), None)
    mutants = [
        {"name": r["name"], "record": r["outputs"]}
        for r in runs
        if r.get("name") in names and r.get("outputs")
    ]
    if not mutants:
        return None
    return {"reference": (reference or {}).get("outputs"), "mutants": mutants}


def result_in_language(result: dict, *, language: str | None = None) -> dict:
    """A grading result (``problems.grading.grade_code``) with its messages and diagnosis in
    ``language``: what `manage.py grade --json` prints."""
    lang = language_code(language)
    shown = {
        **result,
        "message": message_in_language(
            message=result.get("message", ""), data=result.get("message_data"), language=lang
        ),
        "tests": tests_in_language(tests=result.get("tests", []), language=lang),
        "diagnosis": diagnosis_in_language(diagnosis=result.get("diagnosis"), language=lang),
    }
    shown.pop("outputs", None)
    return shown
