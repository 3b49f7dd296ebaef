"""Word2vec, attention, VQ-VAE, data-augmentation and activation code problems: every mutant says
in both languages what the learner misunderstood, without the code, and every problem has at
least two correct alternatives beside its mutants. (That the alternatives get full marks and the
mutants fail is proved by tests/engine/test_problems.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"

FILES = [
    "06-word2vec/cosine-similarity",
    "06-word2vec/negative-sampling-loss",
    "07-attention/attention",
    "07-attention/softmax-jacobian",
    "07-attention/softmax",
    "08-vq-vae/vq-quantize",
    "08-vq-vae/vq-vae-loss",
    "11-fw-data-augmentation/adjust-contrast",
    "11-fw-data-augmentation/gaussian-kernel",
    "11-fw-data-augmentation/horizontal-flip",
    "11-fw-data-augmentation/mixup",
    "11-fw-data-augmentation/random-erasing",
    "12-fw-activation-functions/leaky-relu",
    "12-fw-activation-functions/swish",
]

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# Words that would show the learner how the grader is built rather than what they misunderstood.
INTERNAL_WORDS = ("mutant", "ミュータント", "model solution", "模範解答", "reference solution")


def _code(relative: str) -> dict:
    document = yaml.safe_load((CONTENT / f"{relative}.yaml").read_text(encoding="utf-8"))
    assert document["kind"] == "code"
    return document["code"]


def _code_lines(source: str) -> list[str]:
    """The lines of a piece of code that would give it away (imports are not the code)."""
    lines = (line.strip() for line in source.splitlines())
    return [line for line in lines if len(line) >= 8 and not line.startswith(("import ", "from "))]


MUTANTS = [
    pytest.param(relative, mutant["name"], id=f"{Path(relative).name}:{mutant['name']}")
    for relative in FILES
    for mutant in _code(relative)["mutants"]
]


@pytest.mark.parametrize(("relative", "name"), MUTANTS)
def test_every_mutant_has_feedback_in_japanese_and_english(relative, name):
    # given
    mutant = next(m for m in _code(relative)["mutants"] if m["name"] == name)
    # then
    feedback = mutant.get("feedback") or {}
    ja, en = feedback.get("ja", "").strip(), feedback.get("en", "").strip()
    assert ja and en, "feedback needs both ja and en"
    assert JAPANESE.search(ja) and ja.endswith("。"), "ja is Japanese sentences"
    assert not JAPANESE.search(en) and en.endswith("."), "en is English sentences"


@pytest.mark.parametrize(("relative", "name"), MUTANTS)
def test_feedback_gives_neither_the_mistaken_code_nor_the_solution(relative, name):
    # given
    spec = _code(relative)
    mutant = next(m for m in spec["mutants"] if m["name"] == name)
    # then
    for text in (mutant["feedback"]["ja"], mutant["feedback"]["en"]):
        assert "```" not in text
        for line in _code_lines(mutant["code"]) + _code_lines(spec["solution"]):
            assert line not in text, f"the feedback quotes the code: {line!r}"
        assert not any(word in text.lower() for word in INTERNAL_WORDS)


@pytest.mark.parametrize("relative", FILES, ids=[Path(f).name for f in FILES])
def test_each_mutant_of_a_problem_has_its_own_feedback(relative):
    mutants = _code(relative)["mutants"]
    for lang in ("ja", "en"):
        texts = [m["feedback"][lang] for m in mutants]
        assert len(set(texts)) == len(texts), f"two mutants share their {lang} feedback"


@pytest.mark.parametrize("relative", FILES, ids=[Path(f).name for f in FILES])
def test_every_problem_has_at_least_two_described_alternatives(relative):
    # given
    spec = _code(relative)
    alternatives = spec.get("alternatives") or []
    # then
    assert len(alternatives) >= 2
    names = [a["name"] for a in alternatives]
    assert len(set(names)) == len(names)
    assert not set(names) & {m["name"] for m in spec["mutants"]}
    assert all(a.get("description", "").strip() for a in alternatives)
    sources = [a["code"].strip() for a in alternatives] + [spec["solution"].strip()]
    assert len(set(sources)) == len(sources), "an alternative repeats another or the solution"
