"""A code problem's `points:` is what its tests add up to (the loader derives it, and the file
says the same, so authors read the number learners see)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"
CODE = [
    (path, document)
    for path in sorted(CONTENT.glob("*/*.yaml"))
    if isinstance(document := yaml.safe_load(path.read_text(encoding="utf-8")), dict)
    and document.get("kind") == "code"
]


@pytest.mark.parametrize(("path", "document"), CODE, ids=[p.stem for p, _ in CODE])
def test_a_code_problems_points_are_its_tests_total(path, document):
    total = sum(test.get("points", 1) for test in document["code"]["tests"])
    assert document.get("points") == total, (
        f"{path.name}: points {document.get('points')}, tests {total}"
    )
