"""Values for pictures of what differs (engine.checks.pictures): visible tests only, capped,
JSON-able, and the first differing index where the comparison finds it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine import grading
from engine.checks.compare import Tolerance
from engine.checks.pictures import (
    MAX_ELEMENTS,
    RESULT_BUDGET,
    array_picture,
    cap_values,
    first_diff,
    number,
)
from engine.grading import grade_submission, load_code_spec

CONTENT = Path(__file__).resolve().parents[2] / "content"
TOL = Tolerance(1e-6, 1e-9)


def _load(path: str) -> dict:
    return load_code_spec(CONTENT / path)


def test_first_diff_is_the_first_index_out_of_tolerance_in_c_order():
    # given a (3, 4) array changed at (1, 2) and, more, at (2, 0)
    expected = np.arange(12, dtype=np.float64).reshape(3, 4)
    got = expected.copy()
    got[1, 2] += 0.5
    got[2, 0] += 3.0
    got[0, 1] += 1e-12  # within the tolerance: not a difference
    # then
    assert first_diff(got, expected, TOL) == [1, 2]
    assert first_diff(expected.copy(), expected, TOL) is None


def test_first_diff_is_exact_for_integers_and_none_for_another_shape():
    expected = np.array([[1, 2], [3, 4]])
    got = np.array([[1, 2], [3, 5]])
    assert first_diff(got, expected, TOL) == [1, 1]
    assert first_diff(np.zeros((2, 3)), np.zeros((3, 2)), TOL) is None


def test_first_diff_follows_the_float32_precision_the_comparison_allows():
    # A float32 computation (relative error about 1e-7) is not a difference unless the
    # problem demands float64.
    expected = np.linspace(-1, 1, 10)
    got = expected.astype(np.float32).astype(np.float64)
    assert first_diff(got, expected, Tolerance(1e-9, 1e-12)) is None
    assert first_diff(got, expected, Tolerance(1e-9, 1e-12, float64=True)) is not None


def test_non_finite_numbers_are_json_strings():
    picture = array_picture(
        np.array([1.0, 2.0, 3.0]), np.array([np.nan, np.inf, -np.inf]), TOL, False
    )
    assert picture["got"] == ["NaN", "Infinity", "-Infinity"]
    assert picture["first_diff"] == [0]
    text = json.dumps(picture, allow_nan=False)  # raises on a bare NaN
    assert "NaN" in text
    assert number(np.int64(3)) == 3 and isinstance(number(np.int64(3)), int)
    assert number(np.float32(0.5)) == 0.5
    assert math.isnan(float("nan")) and number(float("nan")) == "NaN"


def test_an_array_over_the_cap_is_omitted_with_a_flag():
    big = np.zeros((MAX_ELEMENTS + 1,))
    picture = array_picture(big, big.copy(), TOL, False)
    assert picture["omitted"] == "too_large"
    assert "expected" not in picture and "got" not in picture
    assert picture["shape"] == [MAX_ELEMENTS + 1]
    at_cap = array_picture(np.zeros((64, 64)), np.zeros((64, 64)), TOL, False)
    assert len(at_cap["expected"]) == MAX_ELEMENTS and "omitted" not in at_cap


def test_a_result_keeps_at_most_its_budget_of_numbers():
    picture = {"name": "result", "shape": [4096], "expected": [0.0] * 4096, "got": [0.0] * 4096}
    tests = tuple(
        grading.TestResult(f"t{k}", True, 1, 1, values={"outputs": [dict(picture)]})
        for k in range(4)
    )
    capped = cap_values(tests)
    kept = [t.values["outputs"][0] for t in capped]
    assert sum(len(p.get("expected", [])) + len(p.get("got", [])) for p in kept) <= RESULT_BUDGET
    assert kept[0]["expected"] and kept[-1]["omitted"] == "budget"
    assert "expected" not in kept[-1] and kept[-1]["shape"] == [4096]


def test_a_hidden_result_never_keeps_values():
    hidden = grading.TestResult("hidden test 1", False, 0, 1, hidden=True, values={"outputs": []})
    assert cap_values((hidden,))[0].values is None


LSTM_WRONG = """\
import numpy as np


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm(x, prev_h, prev_c, W, U, b):
    lstm_in = np.tanh(x.dot(W.T) + prev_h.dot(U.T) + b)
    a, i, f, o = np.split(lstm_in, 4, axis=1)
    c = _sigmoid(i) * np.tanh(a) + _sigmoid(f) * prev_c
    h = _sigmoid(o) * np.tanh(c)
    return h, c
"""


def test_a_wrong_lstm_gives_expected_and_got_of_visible_tests_only(runner):
    # given the LSTM cell with every block through tanh before the gates (the seed's bug)
    spec = _load("02-lstm/lstm-cell.yaml")
    # when it is graded
    result = grade_submission(spec, LSTM_WRONG, runner=runner)
    # then each visible test carries h and c, as the comparison saw them
    assert result.verdict == "WA"
    visible = [t for t in result.tests if not t.hidden]
    hidden = [t for t in result.tests if t.hidden]
    assert visible and hidden
    for t in visible:
        # in the order of the spec's outputs, (h, c)
        assert [p["name"] for p in t.values["outputs"]] == ["h", "c"]
        h = t.values["outputs"][0]
        assert h["kind"] == "heatmap" and h["shape"] == h["got_shape"]
        assert len(h["expected"]) == len(h["got"]) == math.prod(h["shape"])
        index = tuple(h["first_diff"])
        e = np.array(h["expected"]).reshape(h["shape"])
        g = np.array(h["got"]).reshape(h["shape"])
        assert not np.isclose(e[index], g[index], rtol=1e-4, atol=1e-5)
    # and no hidden test carries a value, in the result or its JSON
    assert all(t.values is None for t in hidden)
    data = result.to_dict()
    assert all(t["values"] is None for t in data["tests"] if t["hidden"])
    json.dumps(data, allow_nan=False)


def test_an_augmentation_problem_shows_its_input_and_outputs_as_images(runner):
    spec = _load("11-fw-data-augmentation/horizontal-flip.yaml")
    flip_upside_down = (
        "import numpy as np\ndef horizontal_flip(img):\n    return img[::-1].copy()\n"
    )
    result = grade_submission(spec, flip_upside_down, runner=runner)
    first = next(t for t in result.tests if not t.hidden)
    assert first.values["outputs"][0]["kind"] == "image"
    assert first.values["outputs"][0]["first_diff"] is not None
    img = first.values["inputs"][0]
    assert img["name"] == "img"
    assert img["kind"] == "image" and len(img["values"]) == math.prod(img["shape"])
    assert all(t.values is None for t in result.tests if t.hidden)


def test_only_the_failing_visible_tests_of_a_function_carry_heatmaps(runner):
    # given an LSTM cell that is right except on a single sample, where h is doubled
    spec = _load("02-lstm/lstm-cell.yaml")
    wrong_for_one_sample = (
        spec["solution"]
        + "\n\n_right_lstm = lstm\n\n\ndef lstm(x, prev_h, prev_c, W, U, b):\n"
        + "    h, c = _right_lstm(x, prev_h, prev_c, W, U, b)\n"
        + "    return (2 * h, c) if x.shape[0] == 1 else (h, c)\n"
    )
    # when it is graded
    result = grade_submission(spec, wrong_for_one_sample, runner=runner)
    # then the failing visible test shows h and c as expected and got heatmaps
    assert result.verdict == "WA"
    visible = [t for t in result.tests if not t.hidden]
    [failing] = [t for t in visible if not t.passed]
    assert failing.name == "a single sample (batch 1)"
    h, c = failing.values["outputs"]
    assert h["kind"] == c["kind"] == "heatmap"
    assert h["first_diff"] == [0, 0] and c["first_diff"] is None
    assert len(h["expected"]) == len(h["got"]) == 7
    # and the passing ones, whose expected and got would look alike, carry no values at all
    passing = [t for t in visible if t.passed]
    assert len(passing) == len(visible) - 1
    assert all(t.values is None for t in passing)


@pytest.mark.parametrize("visible_only", [False, True])
def test_a_correct_submission_has_pictures_with_no_difference(runner, visible_only):
    # Images, unlike heatmaps, stay on passing tests: the flipped picture is worth seeing.
    spec = _load("11-fw-data-augmentation/horizontal-flip.yaml")
    if visible_only:
        spec = {**spec, "tests": [t for t in spec["tests"] if not t.get("hidden")]}
    result = grade_submission(spec, spec["solution"], runner=runner)
    assert result.verdict == "AC"
    for t in result.tests:
        if t.hidden:
            assert t.values is None
        else:
            assert t.values["outputs"][0]["first_diff"] is None


@pytest.mark.slow
def test_the_seq2seq_exercise_shows_its_loss_curve_and_a_held_out_window(runner):
    # given the model solution of the Seq2Seq training exercise
    spec = _load("10-fw-seq2seq/seq2seq-sin-cos-training.yaml")
    # when it is graded (it trains in the sandbox)
    result = grade_submission(spec, spec["solution"], runner=runner)
    assert result.verdict == "AC"
    charts = {}
    for t in result.tests:
        if t.hidden:
            assert t.values is None
        elif t.values:
            charts.update({chart["kind"]: chart for chart in t.values["charts"]})
    # then the training loss, computed here from the recorded decoder outputs, falls
    loss = charts["loss"]
    assert loss["x"][0] == 0 and loss["x"][-1] == 400 and len(loss["x"]) == 26
    [line] = loss["series"]
    assert line["name"] == "loss" and line["y"][-1] < 0.1 * line["y"][0]
    # and one held-out window shows the sine in, the true cosine and the prediction
    heldout = charts["heldout"]
    assert [line["name"] for line in heldout["series"]] == ["input", "true", "predicted"]
    assert all(len(line["y"]) == 24 for line in heldout["series"])


@pytest.mark.slow
def test_a_classifier_exercise_shows_the_loss_of_each_learning_rate_tried(runner):
    # given the GRU spoken-digit classifier's model solution
    spec = _load("09-fw-bidirectional-rnn-clipping/gru-spoken-digits.yaml")
    result = grade_submission(spec, spec["solution"], runner=runner)
    assert result.verdict == "AC"
    # then the loss check draws the cross-entropy after each training step, computed here
    [charted] = [t for t in result.tests if t.values]
    assert not charted.hidden
    [loss] = charted.values["charts"]
    steps = next(t["args"]["train_steps"] for t in spec["tests"] if t["check"] == "loss_falls")
    assert loss["kind"] == "loss" and loss["x"] == list(range(steps + 1))
    first = loss["series"][0]
    assert first["name"].startswith("lr=") and len(first["y"]) == steps + 1
    assert first["y"][-1] < first["y"][0]  # the rung that passed lowered the loss
