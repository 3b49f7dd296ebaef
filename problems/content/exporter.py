"""Write the database's curriculum back as content files (the format `load_content` reads).

Export → import → export is byte-identical: documents are built from the database in a fixed
key order and dumped deterministically.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import yaml

from ..models import Course, Problem, Quiz, Section
from .documents import problem_to_document


class _ContentDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ContentDumper.add_representer(str, _represent_str)


def dump_yaml(document: dict) -> str:
    return yaml.dump(
        document, Dumper=_ContentDumper, allow_unicode=True, sort_keys=False, width=100, indent=2
    )


def _pair(obj, name: str) -> dict:
    return {"ja": getattr(obj, f"{name}_ja"), "en": getattr(obj, f"{name}_en")}


def section_to_document(section: Section) -> dict:
    document = {"slug": section.slug, "order": section.order, "title": _pair(section, "title")}
    if section.description_ja or section.description_en:
        document["description"] = _pair(section, "description")
    return document


def _quiz_to_document(quiz: Quiz) -> dict:
    document = {"slug": quiz.slug, "title": _pair(quiz, "title")}
    if quiz.description_ja or quiz.description_en:
        document["description"] = _pair(quiz, "description")
    # Always the explicit list: what the quiz holds now, whatever built it.
    document["problems"] = list(
        quiz.items.order_by("order").values_list("problem__slug", flat=True)
    )
    document["time_limit_minutes"] = quiz.time_limit_minutes
    document["shuffle"] = quiz.shuffle
    if quiz.draw_count:
        document["draw"] = quiz.draw_count
    if quiz.slots:
        document["slots"] = quiz.slots
    if quiz.pass_percent != 70:
        document["pass_percent"] = quiz.pass_percent
    return document


def course_to_document(course: Course) -> dict:
    document = {"slug": course.slug, "title": _pair(course, "title")}
    if course.description_ja or course.description_en:
        document["description"] = _pair(course, "description")
    document["quizzes"] = [
        _quiz_to_document(quiz) for quiz in course.quizzes.order_by("order", "slug")
    ]
    return document


def export_files(*, course: Course, problems=None) -> dict[str, str]:
    """Relative path → file text, for the whole course or only the given problems."""
    files = {"course.yaml": dump_yaml(course_to_document(course))}
    queryset = Problem.objects.filter(section__course=course).select_related("section", "code_spec")
    if problems is not None:
        queryset = queryset.filter(pk__in=[p.pk for p in problems])
    sections = set()
    for problem in queryset.order_by("section__order", "order", "slug"):
        sections.add(problem.section)
        files[f"{problem.section.slug}/{problem.slug}.yaml"] = dump_yaml(
            problem_to_document(problem)
        )
    if problems is None:
        sections.update(course.sections.all())
    for section in sections:
        files[f"{section.slug}/_section.yaml"] = dump_yaml(section_to_document(section))
    return dict(sorted(files.items()))


def export_to_directory(*, course: Course, root: Path) -> list[Path]:
    written = []
    for relative, text in export_files(course=course).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def export_zip(*, course: Course, problems=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for relative, text in export_files(course=course, problems=problems).items():
            info = zipfile.ZipInfo(f"content/{relative}", date_time=(2020, 1, 1, 0, 0, 0))
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()
