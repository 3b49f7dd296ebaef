"""Every wrong choice of every choice problem says why it is wrong, in Japanese and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# The last sentence ends in です・ます調, perhaps with a gloss or a closing bracket after it.
POLITE_END = re.compile(r"(です|ます|ません|でした)(（[^）]*）|）)?。$")


def _choice_problems() -> list[Path]:
    paths = []
    for path in sorted(CONTENT.glob("*/*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if document.get("kind") in ("single_choice", "multiple_choice"):
            paths.append(path)
    return paths


CHOICE_PROBLEMS = _choice_problems()


def test_the_curriculum_has_choice_problems():
    assert len(CHOICE_PROBLEMS) >= 60


@pytest.mark.parametrize("path", CHOICE_PROBLEMS, ids=lambda path: path.stem)
def test_every_wrong_choice_says_why_in_both_languages(path: Path):
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    for choice in document["choices"]:
        if choice.get("correct"):
            continue
        feedback = choice.get("feedback") or {}
        where = f"{path.name}: choice {choice['key']}"
        ja, en = feedback.get("ja", "").strip(), feedback.get("en", "").strip()
        assert ja and en, f"{where} has no feedback in both languages"
        # Japanese written as Japanese (です・ます調, full stops), English without Japanese text
        assert JAPANESE.search(ja) and ja.endswith("。"), f"{where}: {ja}"
        assert POLITE_END.search(ja), f"{where}: not です・ます調: {ja}"
        assert not JAPANESE.search(en.replace("「", "").replace("」", "")), f"{where}: {en}"
        assert en.endswith("."), f"{where}: {en}"
        assert ja != choice["ja"] and en != choice["en"], f"{where} repeats the choice"
