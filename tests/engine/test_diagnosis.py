"""Misconception diagnosis with real mutants through the real sandbox (engine/diagnosis.py):
a mutant's wrong answer is recognised, a correct one and an unrelated wrong one are not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from engine.diagnosis import known_decoded
from engine.grading import Verdict, grade_submission, load_code_spec

CONTENT = Path(__file__).resolve().parents[2] / "content"
LSTM = CONTENT / "02-lstm" / "lstm-cell.yaml"


def _code(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["code"]


@pytest.fixture(scope="module")
def lstm(runner):
    """The spec, the file's mutants, and what validation records: every program's visible
    outputs, through the sandbox."""
    spec, document = load_code_spec(LSTM), _code(LSTM)
    reference = grade_submission(spec, document["solution"], runner=runner, record_outputs=True)
    mutants = [
        {
            "name": m["name"],
            "record": grade_submission(spec, m["code"], runner=runner, record_outputs=True).outputs,
        }
        for m in document["mutants"]
    ]
    known = {"reference": reference.outputs, "mutants": [m for m in mutants if m["record"]]}
    return spec, document, known


def test_the_record_is_plain_json_with_shapes(lstm):
    _, _, known = lstm
    record = known["mutants"][0]["record"]
    assert json.loads(json.dumps(record, allow_nan=False)) == record
    outputs = record[0]["outputs"]
    assert set(outputs) == {"h", "c"}
    assert outputs["h"]["kind"] == "f" and len(outputs["h"]["shape"]) == 2
    assert record[0]["passed"] is False


@pytest.mark.parametrize(
    "name",
    [
        "swapped-input-forget-gates",
        "pytorch-block-order",
        "updates-prev-c-in-place",  # right outputs, a modified input
        "returns-only-h",  # one value where two are expected
    ],
)
def test_a_mutants_wrong_answer_is_diagnosed_as_that_mutant(lstm, runner, name):
    # given a learner who makes exactly the mistake of a mutant (its code, renamed variables)
    spec, document, known = lstm
    code = next(m["code"] for m in document["mutants"] if m["name"] == name)
    # when
    result = grade_submission(spec, code, runner=runner, known_outputs=known)
    # then
    assert result.verdict == Verdict.WA
    assert result.diagnosis == {"mutant": name}
    assert result.to_dict()["diagnosis"] == {"mutant": name}


def test_records_decoded_once_diagnose_every_answer_as_the_raw_records_do(lstm, runner):
    # given validation's records decoded once, as a worker keeps them per problem version
    spec, document, known = lstm
    decoded = known_decoded(known)
    answers = [m["code"] for m in document["mutants"]] + [document["solution"]]
    diagnosed = 0
    for code in answers:
        # when the same answer is diagnosed against the raw and the decoded records
        raw = grade_submission(spec, code, runner=runner, known_outputs=known)
        once = grade_submission(spec, code, runner=runner, known_outputs=decoded)
        # then the diagnosis is the same, whatever was diagnosed before with that object
        assert once.verdict == raw.verdict
        assert once.diagnosis == raw.diagnosis
        diagnosed += raw.diagnosis is not None
    assert diagnosed >= 4  # the four mutants named above, at least


def test_a_correct_answer_is_never_diagnosed(lstm, runner):
    spec, document, known = lstm
    result = grade_submission(spec, document["solution"], runner=runner, known_outputs=known)
    assert result.verdict == Verdict.AC and result.diagnosis is None


def test_an_unrelated_wrong_answer_is_not_diagnosed(lstm, runner):
    # given a wrong answer that is none of the mutants: h and c slightly scaled
    spec, document, known = lstm
    wrong = document["solution"] + (
        "\n\n_right = lstm\n\n"
        "def lstm(x, prev_h, prev_c, W, U, b):\n"
        "    h, c = _right(x, prev_h, prev_c, W, U, b)\n"
        "    return h * 1.01, c * 0.99\n"
    )
    # when
    result = grade_submission(spec, wrong, runner=runner, known_outputs=known)
    # then it is wrong, and not said to be a misconception it is not
    assert result.verdict == Verdict.WA
    assert result.diagnosis is None


def test_without_records_there_is_no_diagnosis(lstm, runner):
    spec, document, _ = lstm
    code = document["mutants"][0]["code"]
    assert grade_submission(spec, code, runner=runner).diagnosis is None
    assert (
        grade_submission(spec, code, runner=runner, known_outputs={"mutants": []}).diagnosis is None
    )
