"""Sections 1-5's code problems: every mutant explains its misconception in both languages
without showing code, and every problem has at least two correct alternatives.

Whether each alternative gets full marks and each mutant is rejected is proven by
tests/engine/test_problems.py; this file checks what a learner and an author read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"

FILES = [
    "01-rnn/conv-output-size",
    "01-rnn/d-tanh",
    "01-rnn/gradient-clipping",
    "01-rnn/recursive-tree-net",
    "01-rnn/rnn-step",
    "02-lstm/lstm-cell",
    "02-lstm/sigmoid-derivative",
    "03-gru/gru-cell",
    "04-bidirectional-rnn/bidirectional-rnn",
    "05-seq2seq/seq2seq-encode",
    "05-seq2seq/vae-kl",
    "05-seq2seq/vae-reparameterize",
]

POLITE_ENDINGS = ("ます", "です", "ません", "ください", "ました", "でした")
KANA = re.compile(r"[\u3040-\u30ff]")
# Words that would tell a learner how the grader works rather than what they misunderstood.
GRADER_WORDS = ("mutant", "ミュータント", "model solution", "模範解答", "reference solution")


def _code_spec(name: str) -> dict:
    document = yaml.safe_load((CONTENT / f"{name}.yaml").read_text(encoding="utf-8"))
    assert document["kind"] == "code"
    return document["code"]


MUTANTS = [
    pytest.param(name, mutant, id=f"{name.split('/')[1]}:{mutant['name']}")
    for name in FILES
    for mutant in _code_spec(name)["mutants"]
]


def _code_lines(code: str) -> list[str]:
    """The lines that would give the code away (imports and short lines do not)."""
    lines = []
    for line in code.splitlines():
        line = line.strip()
        if len(line) < 8 or line.startswith(("import ", "from ", "#")):
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
    solution = _code_spec(name)["solution"]
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
        assert _normalised(alternative["code"]) != _normalised(spec["solution"])
    codes = {_normalised(a["code"]) for a in alternatives}
    assert len(codes) == len(alternatives), "two alternatives are the same code"
