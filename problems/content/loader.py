"""Load the curriculum from content files into the database, idempotently, by slug.

Re-running updates what changed, never duplicates, and never touches learners' answers,
attempts or submissions. A problem whose gradable content changed gets a new version;
submissions keep the version they were graded against.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import F

from ..models import (
    AcceptedAnswer,
    Choice,
    CodeSpec,
    Course,
    Problem,
    ProblemKind,
    ProblemVersion,
    Quiz,
    QuizItem,
    Section,
)
from ..published import problem_learner_content_refresh
from ..variants import choice_references
from .documents import problem_to_document
from .schema import COURSE, PROBLEM, SECTION, schema_errors


class ContentError(Exception):
    """Content files that cannot be loaded; `errors` name the file and the field."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)


@dataclass
class ContentTree:
    course: dict
    sections: list[tuple[dict, list[dict]]]  # (section, its problems)


def _read_yaml(path: Path, errors: list[str]) -> dict | None:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        errors.append(f"{path}: not valid UTF-8 YAML ({error}).")
        return None
    if not isinstance(document, dict):
        errors.append(f"{path}: the file must hold a mapping (key: value pairs).")
        return None
    return document


def _semantic_errors(document: dict, path: Path) -> list[str]:
    errors = []
    if document.get("slug") != path.stem:
        errors.append(f"slug: '{document.get('slug')}' must equal the file name '{path.stem}'.")
    kind = document.get("kind")
    choices = document.get("choices") or []
    keys = [str(choice.get("key")) for choice in choices]
    if len(keys) != len(set(keys)):
        errors.append("choices: keys must be unique.")
    correct = sum(1 for choice in choices if choice.get("correct"))
    if kind == "single_choice" and correct != 1:
        errors.append(
            f"choices: a single_choice problem needs exactly one correct choice, not {correct}."
        )
    if kind == "multiple_choice" and correct < 1:
        errors.append("choices: a multiple_choice problem needs at least one correct choice.")
    if document.get("fixed_order") and kind not in ("single_choice", "multiple_choice"):
        errors.append("fixed_order: only choice problems have an order of choices to fix.")
    if kind == "code":
        errors.extend(
            f"code.{message}" for message in _code_spec_errors(document.get("code") or {})
        )
    errors.extend(_variant_errors(document))
    errors.extend(_choice_reference_errors(document, set(keys)))
    return errors


def _choice_reference_errors(document: dict, keys: set[str]) -> list[str]:
    """`[[choice:K]]` only in explanations and feedback (where the order is known) and only for
    a key of the problem's own choices."""
    errors = []
    rendered = [("explanation", document.get("explanation") or {})]
    rendered += [
        (f"choices[{n}].feedback", choice.get("feedback") or {})
        for n, choice in enumerate(document.get("choices") or [])
    ]
    for where, texts in rendered:
        for language, text in texts.items():
            for key in choice_references(text if isinstance(text, str) else ""):
                if key not in keys:
                    errors.append(
                        f"{where}.{language}: [[choice:{key}]] names no choice of this problem; "
                        f"its keys are {', '.join(sorted(keys)) or 'none'}."
                    )
    elsewhere = [("statement", document.get("statement") or {})]
    elsewhere += [(f"hints[{n}]", hint) for n, hint in enumerate(document.get("hints") or [])]
    elsewhere += [
        (f"choices[{n}]", {k: choice.get(k) for k in ("ja", "en")})
        for n, choice in enumerate(document.get("choices") or [])
    ]
    for where, texts in elsewhere:
        for language, text in texts.items():
            if isinstance(text, str) and choice_references(text):
                errors.append(
                    f"{where}.{language}: [[choice:...]] is numbered only in an explanation or "
                    "a choice's feedback; name the choice by its content here."
                )
    return errors


VARIANT_KEYS = ("params", "answer_function", "choice_count")


def _variant_errors(document: dict) -> list[str]:
    """A parameterised problem: every variant of VALIDATION_SEEDS draws well-posed."""
    numeric = document.get("numeric") or {}
    if "params" not in document:
        stray = [key for key in VARIANT_KEYS if key in document]
        stray += [
            f"choices[{n}].misconception"
            for n, choice in enumerate(document.get("choices") or [])
            if "misconception" in choice
        ]
        errors = [f"{key}: only for parameterised problems (add params:)." for key in stray]
        if document.get("kind") == "numeric" and "answer" not in numeric:
            errors.append("numeric.answer: required (or add params: and answer_function:).")
        return errors
    if "answer" in numeric:
        return [
            "numeric.answer: a parameterised problem's answer is computed by its "
            "answer_function for each variant; remove numeric.answer."
        ]
    from engine.variants import validate_variant_spec

    return validate_variant_spec(
        {key: document[key] for key in VARIANT_KEYS if key in document},
        kind=document.get("kind", ""),
        texts=_variant_texts(document),
        choices=_choice_templates(document.get("choices") or []),
        fixed_texts={
            f"hints[{n}].{language}": hint.get(language, "")
            for n, hint in enumerate(document.get("hints") or [])
            for language in ("ja", "en")
        },
    )


def _variant_texts(document: dict) -> dict[str, str]:
    return {
        f"{key}_{language}": (document.get(key) or {}).get(language, "")
        for key in ("statement", "explanation")
        for language in ("ja", "en")
    }


def _choice_templates(choices: list[dict]) -> list:
    from engine.variants import ChoiceTemplate

    return [
        ChoiceTemplate(
            key=str(choice.get("key")),
            texts={
                "text_ja": choice.get("ja", ""),
                "text_en": choice.get("en", ""),
                "feedback_ja": (choice.get("feedback") or {}).get("ja", ""),
                "feedback_en": (choice.get("feedback") or {}).get("en", ""),
            },
            correct=bool(choice.get("correct", False)),
            misconception=choice.get("misconception", ""),
        )
        for choice in choices
    ]


def _code_spec_errors(spec: dict) -> list[str]:
    try:
        from engine.grading import validate_spec
    except ImportError:  # the engine's validator is optional while it is being built
        return []
    return list(validate_spec(spec))


def read_content(root: Path) -> ContentTree:
    """Parse and validate every file; raise ContentError listing every problem found."""
    errors: list[str] = []
    course_path = root / "course.yaml"
    course = _read_yaml(course_path, errors) if course_path.exists() else None
    if course_path.exists() and course is not None:
        errors.extend(f"{course_path}: {e}" for e in schema_errors(course, COURSE))
    elif not course_path.exists():
        errors.append(f"{course_path}: missing; it names the course and its quizzes.")
    sections = []
    seen_slugs: dict[str, Path] = {}
    for folder in sorted(
        p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    ):
        section_path = folder / "_section.yaml"
        if not section_path.exists():
            errors.append(f"{section_path}: missing; every content folder needs one.")
            continue
        section = _read_yaml(section_path, errors)
        if section is None:
            continue
        errors.extend(f"{section_path}: {e}" for e in schema_errors(section, SECTION))
        if section.get("slug") != folder.name:
            errors.append(f"{section_path}: slug: must equal the folder name '{folder.name}'.")
        problems = []
        for path in sorted(folder.glob("*.yaml")):
            if path.name == "_section.yaml":
                continue
            document = _read_yaml(path, errors)
            if document is None:
                continue
            file_errors = schema_errors(document, PROBLEM) + _semantic_errors(document, path)
            errors.extend(f"{path}: {e}" for e in file_errors)
            slug = document.get("slug")
            if slug in seen_slugs:
                errors.append(f"{path}: slug: '{slug}' is also used by {seen_slugs[slug]}.")
            seen_slugs[slug] = path
            problems.append(document)
        sections.append((section, problems))
    if course is not None:
        known = set(seen_slugs) | set(Problem.objects.values_list("slug", flat=True))
        for quiz in course.get("quizzes", []):
            for slug in quiz.get("problems", []):
                if slug not in known:
                    errors.append(
                        f"{course_path}: quizzes.{quiz['slug']}.problems: no problem '{slug}'."
                    )
            known_sections = {section.get("slug") for section, _ in sections}
            known_sections |= set(Section.objects.values_list("slug", flat=True))
            errors.extend(f"{course_path}: {e}" for e in _slot_errors(quiz, known_sections, known))
    if errors:
        raise ContentError(errors)
    return ContentTree(course=course, sections=sections)


def _slot_errors(quiz: dict, known_sections: set[str], known_problems: set[str]) -> list[str]:
    """A quiz's slots name sections and problems that exist and draw no more than `draw`. How
    many problems a slot finds is checked when an attempt draws (a pack may hold a part of the
    bank; a slot then draws what there is)."""
    errors = []
    for index, slot in enumerate(quiz.get("slots", [])):
        where = f"quizzes.{quiz['slug']}.slots[{index}]"
        if "section" in slot and slot["section"] not in known_sections:
            errors.append(f"{where}.section: no section '{slot['section']}'.")
        for slug in slot.get("problems", []):
            if slug not in known_problems:
                errors.append(f"{where}.problems: no problem '{slug}'.")
    total = sum(slot["count"] for slot in quiz.get("slots", []))
    if quiz.get("slots") and total > quiz.get("draw", total):
        errors.append(
            f"quizzes.{quiz['slug']}.slots: they draw {total} questions, more than "
            f"draw ({quiz['draw']}); raise draw or lower the counts."
        )
    return errors


def _bilingual(document: dict, key: str) -> dict:
    value = document.get(key) or {}
    return {f"{key}_ja": value.get("ja", ""), f"{key}_en": value.get("en", "")}


def _upsert_problem(section: Section, document: dict, report: LoadReport) -> Problem:
    numeric = document.get("numeric") or {}
    fields = {
        "section": section,
        "kind": document["kind"],
        "order": document.get("order", 0),
        # A code problem is worth what its tests add up to: the page's header and the graded
        # maximum are one number (a `points:` in the file that disagrees is overridden).
        "points": (
            sum(test.get("points", 1) for test in document["code"]["tests"])
            if document["kind"] == "code"
            else document.get("points", 1)
        ),
        "tags": list(document.get("tags", [])),
        "source": document.get("source") or "",
        "diagram": document.get("diagram") or "",
        "hints": [{"ja": h["ja"], "en": h["en"]} for h in document.get("hints", [])],
        "fixed_order": bool(document.get("fixed_order", False)),
        "numeric_answer": numeric.get("answer"),
        "numeric_tolerance": numeric.get("tolerance", 0.0),
        "numeric_unit": numeric.get("unit") or "",
        "variant_spec": (
            {key: document[key] for key in VARIANT_KEYS if key in document}
            if "params" in document
            else None
        ),
        **_bilingual(document, "title"),
        **_bilingual(document, "statement"),
        **_bilingual(document, "explanation"),
    }
    problem, created = Problem.objects.update_or_create(slug=document["slug"], defaults=fields)
    problem.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(
            problem=problem,
            key=str(choice["key"]),
            order=index,
            text_ja=choice["ja"],
            text_en=choice["en"],
            is_correct=bool(choice.get("correct", False)),
            misconception=choice.get("misconception", ""),
            **_bilingual(choice, "feedback"),
        )
        for index, choice in enumerate(document.get("choices", []))
    )
    problem.accepted_answers.all().delete()
    AcceptedAnswer.objects.bulk_create(
        AcceptedAnswer(problem=problem, text=str(text))
        for text in dict.fromkeys(str(t) for t in document.get("accepted_answers", []))
    )
    if problem.kind == ProblemKind.CODE:
        _upsert_code_spec(problem, document["code"])
    else:
        CodeSpec.objects.filter(problem=problem).delete()
    (report.created if created else report.updated).append(problem.slug)
    return problem


CODE_SPEC_FIELDS = {
    "framework": "framework",
    "entry_points": "entry_points",
    "starter": "starter_code",
    "reference": "reference",
    "tests": "tests",
    "mutants": "mutants",
    "limits": "limits",
    "forbidden_calls": "forbidden_calls",
}


def _upsert_code_spec(problem: Problem, spec: dict) -> None:
    defaults = {
        model_field: spec[key] for key, model_field in CODE_SPEC_FIELDS.items() if key in spec
    }
    defaults["extra"] = {key: value for key, value in spec.items() if key not in CODE_SPEC_FIELDS}
    CodeSpec.objects.update_or_create(problem=problem, defaults=defaults)


def content_hash(document: dict) -> str:
    return hashlib.sha256(
        json.dumps(document, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def problem_version_sync(problem: Problem) -> tuple[ProblemVersion, bool]:
    """A new version when the problem's content differs from its latest version's.

    A new version of a code problem awaits validation; meanwhile learners keep seeing the
    version that grades them (problems/published.py)."""
    document = problem_to_document(problem)
    digest = content_hash(document)
    latest = problem.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == digest:
        if problem.learner_content is not None:  # a save may have written back a stale copy
            problem_learner_content_refresh(problem=problem)
        return latest, False
    number = 1 if latest is None else latest.number + 1
    queue = (document.get("code") or {}).get("queue", "grading")
    version = ProblemVersion.objects.create(
        problem=problem, number=number, snapshot=document, content_hash=digest, queue=queue
    )
    problem_learner_content_refresh(problem=problem)
    return version, True


def _upsert_quizzes(course: Course, quizzes: list[dict], sections: dict[str, Section]) -> None:
    for order, spec in enumerate(quizzes):
        quiz, _ = Quiz.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "course": course,
                "order": order,
                "time_limit_minutes": spec.get("time_limit_minutes"),
                "shuffle": spec.get("shuffle", False),
                "draw_count": spec.get("draw"),
                "slots": spec.get("slots", []),
                "pass_percent": spec.get("pass_percent", 70),
                **_bilingual(spec, "title"),
                **_bilingual(spec, "description"),
            },
        )
        if "problems" in spec:
            by_slug = {p.slug: p for p in Problem.objects.filter(slug__in=spec["problems"])}
            problems = [by_slug[slug] for slug in spec["problems"]]
        else:
            problems = list(
                Problem.objects.filter(
                    section__in=[sections[s] for s in spec.get("sections", []) if s in sections]
                )
                .exclude(kind=ProblemKind.CODE)
                .order_by("section__order", "order", "slug")
            )
        quiz.items.all().delete()
        QuizItem.objects.bulk_create(
            QuizItem(quiz=quiz, problem=problem, order=index)
            for index, problem in enumerate(problems)
        )


@transaction.atomic
def load_content(root: Path) -> LoadReport:
    tree = read_content(root)
    report = LoadReport()
    course, _ = Course.objects.update_or_create(
        slug=tree.course["slug"],
        defaults={**_bilingual(tree.course, "title"), **_bilingual(tree.course, "description")},
    )
    sections: dict[str, Section] = {}
    # Orders may be permuted between loads; park them out of the way of the unique constraint.
    Section.objects.filter(course=course).update(order=100000 + F("pk"))
    for section_doc, problems in tree.sections:
        section, _ = Section.objects.update_or_create(
            slug=section_doc["slug"],
            defaults={
                "course": course,
                "order": section_doc["order"],
                **_bilingual(section_doc, "title"),
                **_bilingual(section_doc, "description"),
            },
        )
        sections[section.slug] = section
        for document in problems:
            problem = _upsert_problem(section, document, report)
            _, is_new = problem_version_sync(problem)
            if is_new:
                report.new_versions.append(problem.slug)
            elif problem.slug in report.updated:
                report.updated.remove(problem.slug)
                report.unchanged.append(problem.slug)
    _upsert_quizzes(course, tree.course.get("quizzes", []), sections)
    return report


def load_selected(root: Path, slugs: list[str], *, course_slug: str = "selected") -> list[Problem]:
    """Load only the named problems (and their sections) from a content folder.

    For tests and benchmarks that need a few real problems without the whole curriculum.
    """
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        (staging / "course.yaml").write_text(
            f"slug: {course_slug}\ntitle: {{ja: {course_slug}, en: {course_slug}}}\n",
            encoding="utf-8",
        )
        for slug in slugs:
            source = next(root.glob(f"*/{slug}.yaml"), None)
            if source is None:
                raise ContentError([f"{root}: no problem file named {slug}.yaml"])
            folder = staging / source.parent.name
            folder.mkdir(exist_ok=True)
            shutil.copy(source.parent / "_section.yaml", folder)
            shutil.copy(source, folder)
        load_content(staging)
    return [Problem.objects.get(slug=slug) for slug in slugs]
