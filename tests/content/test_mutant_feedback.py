"""Every code problem: each mutant explains its misconception in both languages without showing
code (what the page shows a learner whose submission behaves like it), and every problem has at
least two correct alternatives written differently.

Whether each alternative gets full marks and each mutant is rejected is proven by validation
(tests/engine/test_problems.py, tests/content/test_curriculum_loads.py); this file checks what
a learner and an author read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"


def _is_code(path: Path) -> bool:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(document, dict) and document.get("kind") == "code"


FILES = sorted(
    f"{path.parent.name}/{path.stem}" for path in CONTENT.glob("*/*.yaml") if _is_code(path)
)

POLITE_ENDINGS = ("ます", "です", "ません", "ください", "ました", "でした")
KANA = re.compile(r"[\u3040-\u30ff]")
# Words that would tell a learner how the grader works rather than what they misunderstood.
GRADER_WORDS = ("mutant", "ミュータント", "model solution", "模範解答", "reference solution")


def _code_spec(name: str) -> dict:
    document = yaml.safe_load((CONTENT / f"{name}.yaml").read_text(encoding="utf-8"))
    assert document["kind"] == "code"
    return document["code"]


def _solution(name: str) -> str:
    spec = _code_spec(name)
    return spec.get("solution") or (spec.get("reference") or {}).get("code") or ""


MUTANTS = [
    pytest.param(name, mutant, id=f"{name.split('/')[1]}:{mutant['name']}")
    for name in FILES
    for mutant in _code_spec(name)["mutants"]
]


def _code_lines(code: str) -> list[str]:
    """The lines that would give the code away (imports, short lines and a bare call such as
    `optimizer.step()`, which names an API the feedback may talk about, do not)."""
    lines = []
    for line in code.splitlines():
        line = line.strip()
        if len(line) < 8 or line.startswith(("import ", "from ", "#")):
            continue
        if re.fullmatch(r"[\w.]+\(\)", line):
            continue
        lines.append(line)
    return lines


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("name", "mutant"), MUTANTS)
def test_it_gives_every_mutant_feedback_in_japanese_and_english(name, mutant):
    feedback = mutant.get("feedback") or {}
    ja, en = feedback.get("ja", ""), feedback.get("en", "")
    assert ja.strip() and en.strip(), "feedback needs both ja and en"
    assert KANA.search(ja), "the Japanese feedback has no kana"
    sentences = [s.strip() for s in ja.split("。") if s.strip()]
    assert ja.rstrip().endswith("。") and sentences
    for sentence in sentences:
        sentence = re.sub(r"（[^（）]*）$", "", sentence)  # a closing aside in parentheses
        assert sentence.endswith(POLITE_ENDINGS), f"not in です・ます調: {sentence}"
    assert not KANA.search(en) and en.rstrip().endswith("."), "en is English sentences"
    assert len(ja) <= 200 and len(en) <= 400, "feedback is 1-3 sentences"


@pytest.mark.parametrize(("name", "mutant"), MUTANTS)
def test_it_keeps_the_mutants_code_and_the_solution_out_of_its_feedback(name, mutant):
    solution = _solution(name)
    for text in mutant["feedback"].values():
        assert "```" not in text
        assert _normalised(mutant["code"]) not in _normalised(text)
        for line in _code_lines(mutant["code"]) + _code_lines(solution):
            assert _normalised(line) not in _normalised(text), line
        for word in GRADER_WORDS:
            assert word not in text.lower(), word


@pytest.mark.parametrize("name", FILES, ids=[f.split("/")[1] for f in FILES])
def test_it_gives_each_mutant_its_own_feedback(name):
    mutants = _code_spec(name)["mutants"]
    for lang in ("ja", "en"):
        texts = [m["feedback"][lang] for m in mutants]
        assert len(set(texts)) == len(texts), lang


@pytest.mark.parametrize("name", FILES, ids=[f.split("/")[1] for f in FILES])
def test_it_has_at_least_two_named_and_described_alternatives(name):
    spec = _code_spec(name)
    alternatives = spec.get("alternatives") or []
    assert len(alternatives) >= 2
    names = [a["name"] for a in alternatives]
    assert len(set(names)) == len(names)
    assert not set(names) & {m["name"] for m in spec["mutants"]}
    for alternative in alternatives:
        assert alternative["description"].strip() and alternative["code"].strip()
        assert _normalised(alternative["code"]) != _normalised(_solution(name))
    codes = {_normalised(a["code"]) for a in alternatives}
    assert len(codes) == len(alternatives), "two alternatives are the same code"
