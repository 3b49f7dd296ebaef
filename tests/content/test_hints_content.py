"""Hint ladders in the curriculum: every code problem has one, so do many non-code problems, in
Japanese and English, and no hint gives the answer away (a correct choice, the numeric answer,
an accepted text answer)."""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# です・ます調: the last sentence ends politely, a question or a suggestion included
POLITE_END = re.compile(r"(です|ます|ません|でしょう|ましょう|ください)(か)?(（[^）]*）|）)?。$")
# what a learner must not read in a hint: internals of the course's making, or the answer named
FORBIDDEN = re.compile(
    r"seed|シード|study note|mutant|ミュータント|model solution|模範解答|正解は|the answer is"
    r"|the correct (answer|choice|option) is",
    re.IGNORECASE,
)


def _documents() -> list[tuple[Path, dict]]:
    return [
        (path, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(CONTENT.glob("*/*.yaml"))
        if path.name != "_section.yaml"
    ]


DOCUMENTS = _documents()
CODE = [(p, d) for p, d in DOCUMENTS if d["kind"] == "code"]
WITH_HINTS = [(p, d) for p, d in DOCUMENTS if d.get("hints")]
CHOICE_WITH_HINTS = [
    (p, d) for p, d in WITH_HINTS if d["kind"] in ("single_choice", "multiple_choice")
]
NUMERIC_WITH_HINTS = [(p, d) for p, d in WITH_HINTS if d["kind"] == "numeric"]
TEXT_WITH_HINTS = [(p, d) for p, d in WITH_HINTS if d["kind"] == "text"]


def _ids(item) -> str:
    return item[0].stem


def test_every_code_problem_has_a_ladder_of_at_least_two_hints():
    assert len(CODE) >= 31
    short = [p.stem for p, d in CODE if len(d.get("hints") or []) < 2]
    assert not short, f"code problems with fewer than two hints: {short}"


def test_at_least_forty_non_code_problems_have_hints():
    non_code = [p.stem for p, d in WITH_HINTS if d["kind"] != "code"]
    assert len(non_code) >= 40, non_code
    assert len(NUMERIC_WITH_HINTS) >= 20 and len(CHOICE_WITH_HINTS) >= 20


@pytest.mark.parametrize("item", WITH_HINTS, ids=_ids)
def test_every_hint_reads_well_in_both_languages(item):
    path, document = item
    # inserted directly before the explanation (other edits of the file merge around it)
    keys = list(document)
    assert keys.index("hints") + 1 == keys.index("explanation"), f"{path.name}: hints placement"
    for number, hint in enumerate(document["hints"], start=1):
        where = f"{path.name}: hint {number}"
        ja, en = hint["ja"].strip(), hint["en"].strip()
        assert JAPANESE.search(ja) and POLITE_END.search(ja), f"{where} not です・ます調: {ja}"
        assert not JAPANESE.search(en), f"{where}: Japanese in the English hint: {en}"
        assert en.endswith((".", "?")), f"{where}: {en}"
        assert not FORBIDDEN.search(ja + "\n" + en), f"{where} names what it must not: {ja} {en}"
    texts = [h["en"] for h in document["hints"]]
    assert len(set(texts)) == len(texts), f"{path.name}: a hint repeats another"


@pytest.mark.parametrize("item", CHOICE_WITH_HINTS, ids=_ids)
def test_no_choice_hint_quotes_or_names_a_correct_choice(item):
    path, document = item
    correct = [c for c in document["choices"] if c.get("correct")]
    for number, hint in enumerate(document["hints"], start=1):
        text = hint["ja"] + "\n" + hint["en"]
        for choice in correct:
            for quoted in (choice["ja"].strip(), choice["en"].strip()):
                assert quoted not in text, f"{path.name}: hint {number} quotes a correct choice"
            key = re.escape(str(choice["key"]))
            naming = rf"(選択肢|choice|option)\s*[（(「]?\s*{key}(?!\d)"
            assert not re.search(naming, text, re.IGNORECASE), f"{path.name}: hint {number}"


@pytest.mark.parametrize("item", TEXT_WITH_HINTS, ids=_ids)
def test_no_text_hint_contains_an_accepted_answer(item):
    path, document = item
    for number, hint in enumerate(document["hints"], start=1):
        text = unicodedata.normalize("NFKC", hint["ja"] + "\n" + hint["en"]).casefold()
        for answer in document["accepted_answers"]:
            answer = unicodedata.normalize("NFKC", str(answer)).casefold().strip()
            assert answer not in text, f"{path.name}: hint {number} contains the answer {answer}"


def _normalise(text: str) -> str:
    """Digits as a number is read: 3{,}000{,}000 and 3,000,000 become 3000000."""
    text = text.replace("{,}", "")
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def _numbers_in(text: str) -> list[tuple[str, float]]:
    text = _normalise(text)
    found = [(m.group(0), float(m.group(0))) for m in re.finditer(r"-?\d+(?:\.\d+)?", text)]
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*\\times\s*10\^\{?(-?\d+)\}?", text):
        found.append((m.group(1), float(m.group(1)) * 10 ** int(m.group(2))))
    return found


def answer_forms(document: dict) -> set[str]:
    """The numeric answer as a learner would recognise it: str of the number, common roundings,
    and every way the explanation writes it."""
    answer = float(document["numeric"]["answer"])
    tolerance = float(document["numeric"].get("tolerance") or 0)
    forms = {str(document["numeric"]["answer"]), repr(answer)}
    if answer == int(answer):
        forms.add(str(int(answer)))
    decimals = max(1, math.ceil(-math.log10(tolerance))) if tolerance > 0 else 1
    for places in range(decimals, decimals + 3):
        forms.add(f"{answer:.{places}f}".rstrip("0").rstrip("."))
        forms.add(f"{answer:.{places}f}")
    if answer and abs(answer) < 1e-3:  # scientific notation: 9.54e-07, 9.54 × 10^-7
        exponent = math.floor(math.log10(abs(answer)))
        for places in (2, 3, 4):
            forms.add(f"{answer / 10**exponent:.{places}f}")
            forms.add(f"{answer:.{places}e}")
    margin = max(tolerance, 1e-9 * abs(answer))
    for side in ("ja", "en"):
        for written, value in _numbers_in(document["explanation"][side]):
            if abs(value - answer) <= margin:
                forms.add(written)
    forms |= {form.lstrip("-") for form in forms if form.startswith("-")}
    return {form for form in forms if form not in ("0", "0.0")}


def test_answer_forms_cover_the_explanations_roundings():
    document = {
        "numeric": {"answer": 0.761594, "tolerance": 0.001},
        "explanation": {"ja": "$\\tanh(1.0) \\approx 0.7616$", "en": "about 0.762"},
    }
    forms = answer_forms(document)
    assert {"0.761594", "0.762", "0.7616", "0.76159"} <= forms
    assert "1.0" not in forms
    big = {"numeric": {"answer": 3000000, "tolerance": 0}, "explanation": {"ja": "", "en": ""}}
    assert "3000000" in answer_forms(big)
    assert _contains_number("10{,}000 \\times 300 = 3{,}000{,}000", "3000000")
    assert not _contains_number("w = 10.9", "0.9")


def _variants(document: dict) -> list[dict]:
    """The document itself, or for a parameterised problem 20 of its variants (answer and
    explanation with the variant's numbers; its hints are fixed text)."""
    if "params" not in document:
        return [document]
    from tests.variantkit import document_variant

    variants = []
    for seed in range(20):
        rendered = document_variant(document, seed=seed)
        explanation = {side: rendered.texts[f"explanation_{side}"] for side in ("ja", "en")}
        numeric = {**document["numeric"], "answer": rendered.answer}
        variants.append({**document, "numeric": numeric, "explanation": explanation})
    return variants


def _contains_number(text: str, form: str) -> bool:
    return re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", _normalise(text)) is not None


@pytest.mark.parametrize("item", NUMERIC_WITH_HINTS, ids=_ids)
def test_no_numeric_hint_gives_the_answer(item):
    path, document = item
    variants = _variants(document)
    # A parameterised problem's hints are fixed text: one may hold a constant (the 1 of
    # $\tfrac{1}{2}$) that a variant's answer happens to equal, but not the answer of most.
    allowed = len(variants) // 10
    for number, hint in enumerate(document["hints"], start=1):
        for side in ("ja", "en"):
            leaks = []
            for variant in variants:
                forms = answer_forms(variant)
                leaks += [[form for form in forms if _contains_number(hint[side], form)]]
            leaked = [forms for forms in leaks if forms]
            assert len(leaked) <= allowed, (
                f"{path.name}: hint {number} ({side}) contains the answer {leaked[0]}"
            )


@pytest.mark.django_db
def test_the_whole_curriculum_passes_the_loaders_schema_check():
    from problems.content.loader import read_content

    tree = read_content(CONTENT)  # raises ContentError naming every file and field that fails
    problems = [problem for _, section_problems in tree.sections for problem in section_problems]
    assert len(problems) == len(DOCUMENTS) >= 120
    assert sum(1 for problem in problems if problem.get("hints")) == len(WITH_HINTS) >= 71


@pytest.mark.django_db
def test_hints_survive_export_and_import(tmp_path: Path):
    from problems.content.exporter import export_files, export_to_directory
    from problems.content.loader import load_content
    from problems.models import Course, Problem
    from tests.factories import load_content_problems

    slugs = ["lstm-cell", "softmax-value", "sigmoid-derivative-max"]
    load_content_problems(*slugs)
    sources = {p.stem: d for p, d in DOCUMENTS if p.stem in slugs}
    course = Course.objects.get()
    files = export_files(course=course)
    for slug, source in sources.items():
        exported = yaml.safe_load(files[f"{source_section(slug)}/{slug}.yaml"])
        assert exported["hints"] == source["hints"]
        assert Problem.objects.get(slug=slug).hints == source["hints"]
    export_to_directory(course=course, root=tmp_path / "pack")
    report = load_content(tmp_path / "pack")
    assert not report.created and not report.new_versions
    assert export_files(course=course) == files


def source_section(slug: str) -> str:
    return next(p.parent.name for p, _ in DOCUMENTS if p.stem == slug)
