"""Training exercises: learner code trains a model in the sandbox and the grader judges it.

The problem tests (reference AC, every mutant rejected) train real models and are slow.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from engine.checks import load_code_spec, prepare, validate_spec
from engine.grading import Verdict, grade_submission
from engine.training.core import build_job
from engine.training.data import (
    SPOKEN_DIGITS,
    sine_heldout_phases,
    sine_windows,
    spoken_digits,
)
from tests.engine.problem_files import code_problem_files

TRAINING_FILES = [
    p
    for p in code_problem_files()
    if "training" in yaml.safe_load(p.read_text(encoding="utf-8"))["code"]["reference"]
]
TRAINING_MUTANTS = [
    pytest.param(path, m["name"], id=f"{path.stem}:{m['name']}")
    for path in TRAINING_FILES
    for m in yaml.safe_load(path.read_text(encoding="utf-8"))["code"]["mutants"]
]
SEQ2SEQ = next(p for p in TRAINING_FILES if p.stem == "seq2seq-sin-cos-training")
BILSTM = next(p for p in TRAINING_FILES if p.stem == "bilstm-gradient-clipping")


def test_every_framework_exercise_is_a_training_problem():
    assert {p.stem for p in TRAINING_FILES} >= {
        "seq2seq-sin-cos-training",
        "bilstm-gradient-clipping",
        "conv1d-spoken-digits",
        "simple-rnn-spoken-digits",
        "gru-spoken-digits",
    }


# -- the data set ----------------------------------------------------------------------


def test_spoken_digits_load_without_pickle_with_the_documented_layout():
    # when
    with np.load(SPOKEN_DIGITS, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    # then: 5 voices x 3 speeds x 3 pitches x 10 digits, 8 kHz int16 audio
    assert len(arrays["labels"]) == 450
    assert np.bincount(arrays["labels"]).tolist() == [45] * 10
    assert int(arrays["sample_rate"]) == 8000
    assert arrays["audio"].dtype == np.int16
    assert int(arrays["lengths"].sum()) == len(arrays["audio"])
    assert (arrays["offsets"][1:] == np.cumsum(arrays["lengths"])[:-1]).all()
    assert sorted(set(arrays["speed"].tolist())) == [120, 160, 200]
    assert sorted(set(arrays["pitch"].tolist())) == [30, 50, 70]
    assert len(arrays["voice_names"]) == 5
    assert SPOKEN_DIGITS.stat().st_size < 5 * 1024 * 1024


def test_spoken_digits_are_cut_or_padded_to_the_requested_length():
    x, y = spoken_digits(1000)
    assert x.shape == (450, 1000, 1) and x.dtype == np.float32
    assert y.shape == (450,) and y.dtype == np.int64
    assert np.abs(x).max() <= 1.0
    # every clip is longer than 1000 samples at 8 kHz: cut, not padded
    assert (np.abs(x[:, -50:, 0]).max(axis=1) > 0).all()
    long_x, _ = spoken_digits(8000)
    assert (long_x[:, -1, 0] == 0).all()  # the longest clip is 6560 samples: zero-padded


# -- the specification -----------------------------------------------------------------


def _seq2seq_spec() -> dict:
    return copy.deepcopy(load_code_spec(SEQ2SEQ))


def test_it_names_an_unknown_check():
    spec = _seq2seq_spec()
    spec["tests"][0]["check"] = "heldout_accuracy"
    errors = validate_spec(spec)
    assert any(e.startswith("tests[0].check: unknown check 'heldout_accuracy'") for e in errors)


def test_it_names_an_unknown_suite():
    spec = _seq2seq_spec()
    spec["reference"] = {"training": "seq2seq_sine"}
    assert validate_spec(spec) == [
        "reference.training: unknown training suite 'seq2seq_sine' "
        "(seq2seq_sin_cos, sequence_classifier)"
    ]


def test_it_requires_the_training_queue():
    spec = _seq2seq_spec()
    del spec["queue"]
    assert any(e.startswith("queue: training exercises") for e in validate_spec(spec))


def test_it_refuses_an_unknown_queue():
    spec = _seq2seq_spec()
    spec["queue"] = "gpu"
    assert any(e.startswith("queue: expected one of") for e in validate_spec(spec))


def test_held_out_targets_never_enter_the_sandbox():
    # given
    spec = _seq2seq_spec()
    problem = prepare(spec)
    heldout = [t for t in problem.tests if t.check == "heldout_mse"]
    targets = [
        sine_windows(sine_heldout_phases(t.params["windows"], t.seed))["dy"] for t in heldout
    ]
    # when
    job, _, _ = build_job(problem, spec["solution"], list(problem.tests))
    # then
    sent = [
        a for c in job.calls for a in (*c.args, *c.kwargs.values()) if isinstance(a, np.ndarray)
    ]
    assert sent, "the job carries the inputs"
    for target in targets:
        assert not any(a.shape == target.shape and np.allclose(a, target) for a in sent)


def test_grader_helpers_come_after_the_learners_lines():
    spec = load_code_spec(BILSTM)
    problem = prepare(spec)
    job, _, _ = build_job(problem, spec["solution"], list(problem.tests))
    assert job.code.startswith(spec["solution"].rstrip("\n"))
    assert "def _grader_parameters(" in job.code
    assert job.limits.wall_seconds == spec["limits"]["wall_seconds"]
    assert job.framework == "torch"


# -- grading through the sandbox -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("path", TRAINING_FILES, ids=[p.stem for p in TRAINING_FILES])
def test_reference_solution_gets_full_marks(path, runner):
    spec = load_code_spec(path)
    result = grade_submission(spec, spec["solution"], runner=runner)
    assert result.verdict == Verdict.AC, result.message
    assert result.score == result.max_score


@pytest.mark.slow
@pytest.mark.parametrize(("path", "mutant"), TRAINING_MUTANTS)
def test_every_training_mutant_is_rejected(path, mutant, runner):
    spec = load_code_spec(path)
    code = next(m["code"] for m in spec["mutants"] if m["name"] == mutant)
    result = grade_submission(spec, code, runner=runner)
    assert result.verdict in (Verdict.WA, Verdict.RE), result.message
    failed = [t for t in result.tests if not t.passed]
    assert failed and all(t.message for t in failed)


@pytest.mark.slow
def test_a_train_step_that_only_reports_a_low_loss_is_rejected(runner):
    # given: a train_step that claims success but neither clips nor trains
    spec = load_code_spec(BILSTM)
    code = spec["solution"].replace(
        "def train_step(model, optimizer, x, y, max_norm):",
        "def train_step(model, optimizer, x, y, max_norm):\n    return 0.0\n\n\ndef _unused(model, optimizer, x, y, max_norm):",
    )
    # when
    result = grade_submission(spec, code, runner=runner)
    # then: the grader measured the parameters, not the reported loss
    assert result.verdict == Verdict.WA
    messages = {t.name: t.message for t in result.tests if not t.passed}
    assert any("too small to test clipping" in m for m in messages.values())
    assert any("it must fall below" in m for m in messages.values())


@pytest.mark.slow
def test_clipping_reports_the_applied_norm(runner):
    spec = load_code_spec(BILSTM)
    code = next(m["code"] for m in spec["mutants"] if m["name"] == "clip-grad-value")
    result = grade_submission(spec, code, runner=runner)
    clip = next(t for t in result.tests if t.name.startswith("the clipped update"))
    assert not clip.passed
    assert "max_norm=0.02" in clip.message
