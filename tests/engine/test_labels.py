"""A visible test's label ({ja, en}, its name on the page): carried by its result and used
where the summary names the first failing test, in the rendering language; the English
``name`` stays the identifier (logs, records). Hidden tests never carry a label."""

from __future__ import annotations

import copy
from pathlib import Path

from engine.grading import Verdict, grade_submission, load_code_spec, prepare
from engine.messages import render

CONTENT = Path(__file__).resolve().parents[2] / "content"
LSTM = CONTENT / "02-lstm/lstm-cell.yaml"
SEQ2SEQ = CONTENT / "10-fw-seq2seq/seq2seq-sin-cos-training.yaml"


def _mutant(spec: dict, name: str) -> str:
    return next(m["code"] for m in spec["mutants"] if m["name"] == name)


def test_a_failing_labelled_test_is_named_by_its_label_in_each_language(runner):
    # given the LSTM cell, its first test labelled differently from its name in English too
    spec = copy.deepcopy(load_code_spec(LSTM))
    first = spec["tests"][0]
    first["label"] = {"ja": "バッチ 3、入力次元 5、状態の次元 7", "en": "three samples at once"}
    # when a submission with the input and forget gates swapped is graded
    result = grade_submission(spec, _mutant(spec, "swapped-input-forget-gates"), runner=runner)
    # then the summary names the test by its label, in the language it is rendered in
    assert result.verdict == Verdict.WA
    ja = render(result.message_data, "ja")
    en = render(result.message_data, "en")
    assert "最初の不合格はテスト「バッチ 3、入力次元 5、状態の次元 7」" in ja
    assert first["name"] not in ja
    assert "first, 'three samples at once'" in en
    # and the English log line keeps the stable name
    assert f"first, {first['name']!r} failed" in result.message


def test_results_carry_the_label_of_visible_tests_only(runner):
    # given the LSTM cell as the content has it (every visible test labelled)
    spec = load_code_spec(LSTM)
    labels = [t.get("label") for t in spec["tests"]]
    # when a wrong submission is graded
    result = grade_submission(spec, _mutant(spec, "swapped-input-forget-gates"), runner=runner)
    tests = result.to_dict()["tests"]
    # then each visible result has its test's label, each hidden one none and no name of its own
    for test, label, source in zip(tests, labels, spec["tests"], strict=True):
        if source.get("hidden"):
            assert test["label"] is None
            assert test["name"].startswith("hidden test ")
        else:
            assert test["label"] == label
            assert test["name"] == source["name"]


def _never_runs(job):
    raise AssertionError("a forbidden call is refused before anything runs")


def test_the_forbidden_call_row_has_a_label_in_both_languages():
    # given an LSTM written with the nn.LSTMCell the problem forbids
    spec = load_code_spec(LSTM)
    code = (
        "import torch\n"
        "def lstm(x, prev_h, prev_c, W, U, b):\n"
        "    cell = torch.nn.LSTMCell(5, 7)\n"
        "    return prev_h, prev_c\n"
    )
    # when it is graded (nothing runs)
    result = grade_submission(spec, code, runner=_never_runs)
    # then the one row it gets reads in either language
    (row,) = result.to_dict()["tests"]
    assert row["name"] == "no forbidden calls"
    assert row["label"] == {"ja": "禁止された呼び出しがないこと", "en": "no forbidden calls"}


def test_a_training_exercise_prepares_the_labels_of_its_visible_tests_only():
    # given the Seq2Seq exercise
    spec = load_code_spec(SEQ2SEQ)
    # when it is prepared for a submission
    tests = prepare(spec, seed=1234).tests
    # then each visible test keeps its label and no hidden one has any
    for test, source in zip(tests, spec["tests"], strict=True):
        if source.get("hidden"):
            assert test.label is None
        else:
            assert test.label == source["label"]
            assert test.label["ja"] != test.name


def test_a_training_exercise_names_its_failing_test_by_its_label(runner):
    # given a Seq2Seq submission whose model cannot even be built
    spec = load_code_spec(SEQ2SEQ)
    code = spec["solution"].replace("def build_model():", "def build_model():\n    1 / 0", 1)
    assert code != spec["solution"]
    # when it is graded
    result = grade_submission(spec, code, runner=runner)
    # then the summary names the first test by its Japanese label in ja
    first = spec["tests"][0]
    assert result.verdict == Verdict.RE
    assert f"テスト「{first['label']['ja']}」" in render(result.message_data, "ja")
    assert f"'{first['label']['en']}'" in render(result.message_data, "en")
