"""The code problems of the curriculum, found by reading content/**/*.yaml (no Django)."""

from __future__ import annotations

from pathlib import Path

import yaml

CONTENT = Path(__file__).resolve().parents[2] / "content"


def code_problem_files() -> list[Path]:
    """Every problem file whose kind is code, sorted by path."""
    files = []
    for path in sorted(CONTENT.glob("*/*.yaml")):
        if path.name.startswith("_"):
            continue
        with path.open(encoding="utf-8") as fh:
            document = yaml.safe_load(fh)
        if isinstance(document, dict) and document.get("kind") == "code":
            files.append(path)
    return files
