"""Learners see choices in their own order (problems.variants), so a text may not call a
choice by its number in the file: "正解は 2 です", "(3 is wrong)", "- 4: ..." would name
another choice than the one the learner saw under that number. Texts say `[[choice:K]]`
(numbered as the learner saw it) or name the choice by its content; a problem whose choices
must keep their places says `fixed_order: true`, and then its right answers must not all sit
first. Code problems may not number the choices of a choice question either.

Pure Python + PyYAML: no Django, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
PROBLEM_FILES = sorted(p for p in CONTENT_DIR.rglob("*.yaml") if p.name[0] != "_")
PROBLEM_FILES = [p for p in PROBLEM_FILES if p.name != "course.yaml"]
CHOICE_KINDS = ("single_choice", "multiple_choice")

# Code, math and references written the right way are not prose that numbers a choice.
NOT_PROSE = re.compile(r"```.*?```|`[^`\n]+`|\$\$.*?\$\$|\$[^$\n]+\$|\[\[choice:[^\]]+\]\]", re.S)
D = r"[0-9０-９]"
BY_NUMBER = [
    re.compile(pattern, re.M)
    for pattern in (
        rf"選択肢\s*[（(]?{D}",
        rf"正解は\s*[（(]?{D}(?![0-9.])",
        rf"[（(]{D}\s*は(?:誤|不正解|間違|逆)",
        rf"(?<![0-9.]){D}\s*は(?:誤り|むしろ)",
        rf"(?<![0-9.]){D}(?:\s*[・、,]\s*{D})+\s*(?:が|は)(?:正|誤|該当|いずれも)",
        rf"(?<![0-9.]){D}\s*と\s*{D}\s*が正",
        rf"^\s*[-*]\s*[（(]?{D}[）)]?\s*[:：]",
        r"\b[Cc]hoices?\s*\(?\d",
        r"\b[Tt]he answers? (?:is|are) \(?\d(?!\d|\.\d)",
        r"\(\d\)? (?:is|are) (?:wrong|correct|incorrect)",
        r"(?<![\d.])\b\d (?:is|are) (?:wrong|correct|incorrect|right)\b",
        r"^\s*\d(?:(?:, \d)*,? and \d)?(?: (?:is|are) (?:correct|appropriate|right))?\.(?!\d)",
        r"(?<=[A-Za-z] )\(\d\)(?= (?:cannot|can|is|are|makes|multiplies|enlarges?|comes))",
        # a choice as the subject of a clause: "2 は…、3 は…", ", 3 ignores…, and 4 the LSTM"
        rf"(?:^|。|(?<![0-9]\s)(?<![0-9])、|[）)])\s*{D}\s*(?:は|も|では)(?!\s*[0-9])",
        r"(?:^|[.;,:]\s+|\band\s+|\bwhile\s+|\bwhereas\s+|\b[Ww]ith\s+)\(?\d\)?(?:'s)? "
        r"(?:is|ignores|describes|gets|confuses|removes|has|does|would|mixes|gives|the|uses"
        r"|keeps|adds|swaps|forgets|misses|takes|applies|treats|divides|multiplies|simply|only"
        r"|also|makes|puts|counts|stacks|flattens|says|reverses|assumes|drops|lacks|needs"
        r"|returns|changes|computes)\b",
        r"\b(?:choose|pick)\s+\(?\d\)?(?![\d.])(?! (?:or|and) )",
    )
]


def references_by_number(text: str) -> list[str]:
    """The places in `text` that call a choice by a number."""
    prose = NOT_PROSE.sub("\ufffc", text or "")
    return [match.group(0) for pattern in BY_NUMBER for match in pattern.finditer(prose)]


def _texts(document: dict) -> Iterator[tuple[str, str]]:
    for field in ("statement", "explanation"):
        for language, text in (document.get(field) or {}).items():
            yield f"{field}.{language}", text
    for n, hint in enumerate(document.get("hints") or []):
        for language, text in hint.items():
            yield f"hints[{n}].{language}", text
    for choice in document.get("choices") or []:
        for language in ("ja", "en"):
            yield f"choice {choice['key']}.{language}", choice[language]
            yield (
                f"choice {choice['key']}.feedback.{language}",
                (choice.get("feedback") or {}).get(language, ""),
            )


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "text",
    [
        "正解は 2 です。",
        "重みが一律です（2 は誤り）。",
        "1・3・4 はいずれも長さが合いません。",
        "2, 3, 5 が正しいです。",
        "1 と 2 が正解です。",
        "選択肢 (4) の形です。",
        "- 3: 出力の微分です。",
        "The answer is 1.",
        "Choices 1, 3 and 4 all produce a vector.",
        "the form of choice (3)",
        "shuffling changes the meaning (3 is wrong).",
        "1, 2 and 3 are correct.",
        "1, 2 and 3.",
        "ReLU (4) cannot output negative values.",
        "2 はパラメータの多さが逆、3 は GRU にゲートがあることを無視しています。",
        "Choice 2 gets it backwards, 3 ignores the gates, and 4 describes the LSTM.",
        "3 returns the same value as the first.",
        "choose 1, which writes the formula directly.",
    ],
)
def test_the_detector_finds_a_choice_called_by_its_number(text):
    assert references_by_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "正解は [[choice:2]] です。",
        "（[[choice:3]] は誤り）",
        "[[choice:1]], [[choice:2]] and [[choice:3]] are correct.",
        "The answer is 0.25.",
        "正解は 0.25 です。",
        "between 0 and 1",
        "値は 0 と 1 の間です。",
        "sequences of lengths 3 and 2",
        "the digits 6 and 9",
        "$\\sigma'(0) = 0.25$",
        "The decoder (a) starts from the encoder's final state.",
        "`out[[4, 2, 1]]` fails.",
        "たとえば 2、3、6、7、9 がどう見えるかを考えます。",
        "Sequences of lengths 5, 3 and 2 are padded at the end.",
        "if they are smaller than 1 the gradient vanishes",
        "2 値分類を行います。",
    ],
)
def test_the_detector_leaves_other_numbers_alone(text):
    assert references_by_number(text) == []


@pytest.mark.parametrize("path", PROBLEM_FILES, ids=lambda p: p.stem)
def test_a_shuffled_problem_never_calls_a_choice_by_its_number(path):
    document = _load(path)
    if document.get("kind") in CHOICE_KINDS and document.get("fixed_order"):
        return  # its choices keep their numbers: see the balance test below
    found = []
    for where, text in _texts(document):
        if document.get("kind") not in CHOICE_KINDS and where.startswith(("hints", "statement")):
            continue  # a code or numeric problem's statement numbers its own steps
        found += [f"{where}: {hit!r}" for hit in references_by_number(text)]
    assert not found, (
        "learners see choices in their own order; write [[choice:K]] in explanations and "
        "feedback, or name the choice by its content: " + "; ".join(found)
    )


def test_fixed_order_problems_do_not_keep_their_right_answers_first():
    fixed = [_load(p) for p in PROBLEM_FILES]
    fixed = [d for d in fixed if d.get("kind") == "single_choice" and d.get("fixed_order")]
    first_right = [d["slug"] for d in fixed if d["choices"][0].get("correct")]
    assert len(first_right) <= max(1, len(fixed) // 3), first_right
