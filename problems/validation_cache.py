"""Validation results recorded in a committed file, keyed by (problem content hash, engine
hash), so `make run` on a fresh clone trusts content this engine version already proved. An
entry whose engine hash or content hash differs is ignored: the problem is validated again."""

import hashlib
import json
from pathlib import Path

from django.conf import settings

CACHE_PATH = Path(settings.BASE_DIR) / "problems" / "validated.json"
REFRESH_COMMAND = "manage.py load_curriculum --refresh-validation-cache"


# Answers of parameterised non-code problems: code grading never imports them (an
# import-linter contract), so a new answer function does not send every code problem back
# through validation.
NOT_GRADING = ("variants",)


def engine_hash() -> str:
    """A hash over every source file of engine/ that grading code runs, so any change to it
    invalidates the cache."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR) / "engine"
    for path in sorted(root.rglob("*.py")):
        if path.relative_to(root).parts[0] in NOT_GRADING:
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def validation_cache_read(*, path: Path | None = None) -> dict[str, dict]:
    """Passing reports by content hash, for the current engine only; {} when none apply."""
    path = path or CACHE_PATH
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if data.get("engine") != engine_hash():
        return {}
    return dict(data.get("reports", {}))


def validation_cache_write(*, reports: dict[str, dict], path: Path | None = None) -> None:
    path = path or CACHE_PATH
    data = {"engine": engine_hash(), "reports": dict(sorted(reports.items()))}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
