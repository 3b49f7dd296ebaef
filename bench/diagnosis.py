"""Every mutant of every code problem through `manage.py grade --lang ja --json`: is it
rejected, does its feedback read in Japanese, and is it diagnosed as itself?

    DATABASE_URL=sqlite:////tmp/diagnosis.sqlite3 .venv/bin/python -m bench.diagnosis [slug ...]

Loads (and validates, recording the mutants' visible outputs) the curriculum into the
database named by DATABASE_URL (use a scratch one), then grades each mutant with the grade
command in this process (the command's own code path: the sandbox, the message table, the
diagnosis) and writes ``bench/results/diagnosis.json``. A mutant counts as diagnosed when the
diagnosis names it or a mutant whose recorded visible outputs are the same as its own.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
RESULTS = Path(__file__).resolve().parent / "results" / "diagnosis.json"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings.dev")
    import django

    django.setup()


def _visible_fail(result: dict) -> bool:
    return any(not t["passed"] and not t.get("hidden") for t in result.get("tests", []))


def _same_outputs(a: list | None, b: list | None) -> bool:
    if not a or not b or len(a) != len(b):
        return False
    return [e.get("outputs") for e in a] == [e.get("outputs") for e in b]


def grade_mutant(slug: str, code: str) -> dict:
    from django.core.management import call_command

    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False, encoding="utf-8") as f:
        f.write(code)
    out = io.StringIO()
    try:
        call_command("grade", slug, f.name, "--lang", "ja", "--json", stdout=out)
    finally:
        os.unlink(f.name)
    return json.loads(out.getvalue())


def _texts(result: dict) -> list[str]:
    texts = [result.get("message", "")]
    texts += [t.get("message", "") for t in result.get("tests", []) if not t.get("passed")]
    return [t for t in texts if t]


def classify(slug: str, version, mutant: dict, result: dict) -> dict:
    """One row of the report."""
    runs = {r["name"]: r for r in (version.validation or {}).get("runs", [])}
    own = runs.get(mutant["name"], {}).get("outputs")
    found = (result.get("diagnosis") or {}).get("mutant")
    texts = _texts(result)
    row = {
        "problem": slug,
        "mutant": mutant["name"],
        "verdict": result["verdict"],
        "japanese": bool(texts) and all(JAPANESE.search(t) for t in texts),
        "backticks": any("`" in t for t in texts),
        "diagnosis": found,
        "diagnosis_message_ja": bool(found)
        and bool(JAPANESE.search((result.get("diagnosis") or {}).get("message", ""))),
    }
    if version.engine_spec.get("reference", {}).get("training"):
        row["kind"] = "training"  # checks, not fixed outputs: nothing to compare
    elif (result.get("error") or {}).get("type") == "ForbiddenCall":
        row["kind"] = "forbidden call"  # rejected before running: no outputs to compare
    elif result["verdict"] != "WA":
        row["kind"] = "not WA"
    elif not _visible_fail(result):
        row["kind"] = "hidden only"
    else:
        row["kind"] = "WA on visible"
    row["diagnosed_as_itself"] = bool(found) and (
        found == mutant["name"] or _same_outputs(own, runs.get(found, {}).get("outputs"))
    )
    return row


def main(argv: list[str] | None = None) -> int:
    _setup_django()
    from django.core.management import call_command

    from problems.models import Problem

    slugs = list(argv or [])
    call_command("migrate", verbosity=0)
    call_command("load_curriculum", verbosity=0)
    problems = Problem.objects.filter(kind="code", is_published=True).order_by("slug")
    if slugs:
        problems = problems.filter(slug__in=slugs)
    rows = []
    for problem in problems:
        version = problem.versions.filter(validated_at__isnull=False).order_by("-number").first()
        for mutant in version.engine_spec.get("mutants", []):
            result = grade_mutant(problem.slug, mutant["code"])
            row = classify(problem.slug, version, mutant, result)
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    summary = summarise(rows)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps({"summary": summary, "mutants": rows}, ensure_ascii=False, indent=1) + "\n"
    )
    return 0


def summarise(rows: list[dict]) -> dict:
    wa_visible = [r for r in rows if r["kind"] == "WA on visible"]
    return {
        "problems": len({r["problem"] for r in rows}),
        "mutants": len(rows),
        "non_AC": sum(r["verdict"] != "AC" for r in rows),
        "messages_in_japanese": sum(r["japanese"] for r in rows),
        "messages_with_backticks": sum(r["backticks"] for r in rows),
        "wa_on_visible_tests": len(wa_visible),
        "wa_on_visible_diagnosed_as_itself": sum(r["diagnosed_as_itself"] for r in wa_visible),
        "wa_on_visible_not_diagnosed": [
            f"{r['problem']}:{r['mutant']}" for r in wa_visible if not r["diagnosed_as_itself"]
        ],
        "hidden_only": [
            f"{r['problem']}:{r['mutant']}" for r in rows if r["kind"] == "hidden only"
        ],
        "not_wa": [
            f"{r['problem']}:{r['mutant']} ({r['verdict']})" for r in rows if r["kind"] == "not WA"
        ],
        "forbidden_call": [
            f"{r['problem']}:{r['mutant']}" for r in rows if r["kind"] == "forbidden call"
        ],
        "training": sum(r["kind"] == "training" for r in rows),
        "diagnosed_as_another": [
            f"{r['problem']}:{r['mutant']} -> {r['diagnosis']}"
            for r in rows
            if r["diagnosis"] and not r["diagnosed_as_itself"]
        ],
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
