"""`manage.py grade SLUG FILE [--json]`: a file graded through the workers' path."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from problems.services.authoring import problem_publish_if_proven
from problems.validation import problem_version_validate
from tests.factories import load_content_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def lstm_cell():
    (problem,) = load_content_problems("lstm-cell")
    problem_version_validate(version=problem.versions.get())
    problem_publish_if_proven(problem=problem)
    return problem


def grade(slug: str, path, *flags: str) -> str:
    out = StringIO()
    call_command("grade", slug, str(path), *flags, stdout=out)
    return out.getvalue()


def test_it_prints_one_json_object_with_the_verdict_and_tests(lstm_cell, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(
        "print('hello from the learner')\n" + lstm_cell.versions.get().engine_spec["solution"]
    )
    result = json.loads(grade("lstm-cell", answer, "--json"))
    assert result["verdict"] == "AC" and result["score"] == result["max_score"] == 10
    assert len(result["tests"]) == 10
    assert set(result["tests"][0]) >= {"name", "passed", "points", "message", "hidden"}
    assert any(test["hidden"] for test in result["tests"])
    assert "hello from the learner" in result["stdout"]


def test_a_wrong_answer_is_graded_not_an_error(lstm_cell, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(lstm_cell.versions.get().engine_spec["mutants"][0]["code"])
    result = json.loads(grade("lstm-cell", answer, "--json"))  # no exception: exit status 0
    assert result["verdict"] == "WA" and result["score"] < 10
    failing = [t for t in result["tests"] if not t["passed"] and not t["hidden"]]
    assert failing and failing[0]["message"]


def test_a_syntax_error_is_ce_with_its_line(lstm_cell, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text("import numpy as np\n\ndef lstm(x, prev_h, prev_c, W, U, b)\n    return x\n")
    result = json.loads(grade("lstm-cell", answer, "--json"))
    assert result["verdict"] == "CE"
    assert "line 3" in json.dumps(result)


def test_the_text_report_lists_each_test(lstm_cell, tmp_path):
    answer = tmp_path / "answer.py"
    answer.write_text(lstm_cell.versions.get().engine_spec["solution"])
    report = grade("lstm-cell", answer)
    assert report.startswith("AC  10") and report.count("✓") == 10


def test_unknown_problems_and_missing_files_are_clear_errors(lstm_cell, tmp_path):
    with pytest.raises(CommandError, match="No published code problem"):
        grade("no-such-problem", tmp_path / "x.py")
    with pytest.raises(CommandError, match="does not exist"):
        grade("lstm-cell", tmp_path / "missing.py")
