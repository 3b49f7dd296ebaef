"""Every visible test of every code problem has its name on the page in both languages
(`label: {ja, en}`): Japanese learners read the test table and the summary sentence in
Japanese. `name` stays the English identifier; hidden tests are shown as 非公開テスト N."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _code_problems() -> list[tuple[str, dict]]:
    problems = []
    for path in sorted(CONTENT.glob("*/*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(document, dict) and document.get("kind") == "code":
            problems.append((f"{path.parent.name}/{path.stem}", document["code"]))
    return problems


PROBLEMS = _code_problems()
VISIBLE = [
    pytest.param(test, id=f"{name.split('/')[1]}:{test['name']}")
    for name, spec in PROBLEMS
    for test in spec["tests"]
    if not test.get("hidden", False)
]


def test_every_code_problem_is_counted():
    # the 35 code problems and their 191 visible tests when the labels were written
    assert len(PROBLEMS) >= 35
    assert len(VISIBLE) >= 191


@pytest.mark.parametrize("test", VISIBLE)
def test_every_visible_test_has_a_japanese_and_an_english_label(test):
    label = test.get("label")
    assert isinstance(label, dict), f"{test['name']!r} has no label: {{ja: ..., en: ...}}"
    assert JAPANESE.search(label["ja"]), f"label.ja has no Japanese text: {label['ja']!r}"
    assert label["en"].strip() and not JAPANESE.search(label["en"])


@pytest.mark.parametrize("test", VISIBLE)
def test_a_label_keeps_the_numbers_of_its_test(test):
    # A label says the same as the name: the same sizes, shapes and values in both languages.
    label = test["label"]
    for lang in ("ja", "en"):
        missing = set(NUMBER.findall(test["name"])) - set(NUMBER.findall(label[lang]))
        assert not missing, f"label.{lang} {label[lang]!r} lacks {sorted(missing)}"


@pytest.mark.parametrize(("name", "spec"), PROBLEMS, ids=[name for name, _ in PROBLEMS])
def test_labels_tell_the_tests_of_a_problem_apart(name, spec):
    visible = [t for t in spec["tests"] if not t.get("hidden", False)]
    for lang in ("ja", "en"):
        labels = [t["label"][lang] for t in visible]
        assert len(set(labels)) == len(labels), f"{name}: two tests read the same in {lang}"


@pytest.mark.parametrize(("name", "spec"), PROBLEMS, ids=[name for name, _ in PROBLEMS])
def test_no_hidden_test_has_a_label(name, spec):
    assert not [t["name"] for t in spec["tests"] if t.get("hidden") and "label" in t]
