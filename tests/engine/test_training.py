"""Training exercises: learner code trains a model in the sandbox and the grader judges it.

The problem tests (reference AC, every mutant rejected) train real models and are slow.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from engine.grading import Verdict, grade_submission, load_code_spec, prepare, validate_spec
from engine.training.core import build_job
from engine.training.data import (
    SPOKEN_DIGITS,
    sine_heldout_phases,
    sine_windows,
    spoken_digit_sample,
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


def _heldout_windows(problem, hidden: bool) -> list[np.ndarray]:
    """The encoder inputs the held-out MSE checks send into the sandbox."""
    tests = [t for t in problem.tests if t.check == "heldout_mse" and t.hidden == hidden]
    job, _, plans = build_job(problem, "", tests)
    return [job.calls[where][0].args[1] for _, _, where in plans]


def test_hidden_held_out_data_are_drawn_from_the_submission_seed():
    # given
    spec = _seq2seq_spec()
    # when: two submissions, one of them regraded, and validation (no seed)
    first, second = prepare(spec, seed=101), prepare(spec, seed=202)
    regrade, fixed = prepare(spec, seed=101), prepare(spec)
    # then: the hidden windows differ between submissions and are the same on a regrade ...
    a, b = _heldout_windows(first, hidden=True), _heldout_windows(second, hidden=True)
    assert a and not any(x.shape == y.shape and np.allclose(x, y) for x in a for y in b)
    assert all(
        np.array_equal(x, y) for x, y in zip(a, _heldout_windows(regrade, True), strict=True)
    )
    assert not any(np.allclose(x, y) for x in a for y in _heldout_windows(fixed, hidden=True))
    # ... and the visible ones never change, so learners can debug them
    visible = [_heldout_windows(p, hidden=False) for p in (first, second, fixed)]
    assert visible[0] and all(
        np.array_equal(x, y)
        for other in visible[1:]
        for x, y in zip(visible[0], other, strict=True)
    )
    assert [t.seed for t in first.tests if not t.hidden] == [
        t.seed for t in fixed.tests if not t.hidden
    ]


def test_every_hidden_training_test_draws_its_data_afresh_per_submission():
    for path in TRAINING_FILES:
        spec = load_code_spec(path)
        first, second = prepare(spec, seed=101), prepare(spec, seed=202)
        hidden = [
            (a.seed, b.seed) for a, b in zip(first.tests, second.tests, strict=True) if a.hidden
        ]
        assert hidden and all(a != b for a, b in hidden), path.stem


@pytest.mark.slow
def test_two_submissions_see_different_held_out_data_and_both_get_the_right_verdict(runner):
    # given: the model solution and a model trained for too few steps, each submitted twice
    spec = _seq2seq_spec()
    wrong = next(m["code"] for m in spec["mutants"] if m["name"] == "too-few-steps")
    hidden_mse = "hidden held-out MSE (64 unseen windows)"
    for seed in (101, 202):
        # when
        right = grade_submission(spec, spec["solution"], runner=runner, seed=seed)
        rejected = grade_submission(spec, wrong, runner=runner, seed=seed)
        # then: the seed is recorded (a regrade reuses it), and each verdict is the right one,
        # the hidden check on this submission's own windows included
        assert right.seed == rejected.seed == seed
        assert right.verdict == Verdict.AC and right.score == right.max_score, right.message
        assert rejected.verdict == Verdict.WA
        assert hidden_mse in [t.name for t in rejected.tests if not t.passed]


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
def test_a_training_submission_is_one_sandbox_job_whose_hidden_part_builds_afresh(runner):
    # given
    spec = load_code_spec(next(p for p in TRAINING_FILES if p.stem == "conv1d-spoken-digits"))
    jobs = []

    def counting(job):
        jobs.append(job)
        return runner(job)

    # when
    result = grade_submission(spec, spec["solution"], runner=counting)
    # then: one job; its hidden part starts with the suite's setup again (seed, build)
    assert result.verdict == Verdict.AC, result.message
    assert len(jobs) == 1 and jobs[0].hidden_from is not None
    setup = [c.entry for c in jobs[0].calls[:2]]
    assert setup == ["_grader_seed", "build_model"]
    assert [c.entry for c in jobs[0].hidden_calls[:2]] == setup


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
    assert any("did not lower the cross-entropy" in m for m in messages.values())


@pytest.mark.slow
def test_clipping_reports_the_applied_norm(runner):
    spec = load_code_spec(BILSTM)
    code = next(m["code"] for m in spec["mutants"] if m["name"] == "clip-grad-value")
    result = grade_submission(spec, code, runner=runner)
    clip = next(t for t in result.tests if t.name.startswith("the clipped update"))
    assert not clip.passed
    assert "max_norm=0.02" in clip.message


# -- how the model is built: judged from hook and parameter values -----------------------


def _results(*values):
    from engine.sandbox.api import CallResult

    return [CallResult(value=v) for v in values]


def _plan(check: str, **params):
    from engine.training.suites import SUITES

    base = {"n_features": 1, "n_classes": 10}
    suite = SUITES["seq2seq_sin_cos" if check == "step_budget" else "sequence_classifier"]
    return suite.checks[check]({**base, **params}, 7)


def _probe(out, state, linear_input, logits=None):
    n = out.shape[0]
    return {
        "layer_calls": 1,
        "linear_calls": 1,
        "logits": np.zeros((n, 10)) if logits is None else logits,
        "layer_input": [n, out.shape[1], 1],
        "layer_output": out,
        "layer_state": state,
        "linear_input": linear_input,
        "linear_output": np.zeros((n, 10)),
    }


def test_final_state_accepts_the_last_step_and_rejects_the_average_over_time():
    # given: an RNN output for 4 clips of 200 steps
    plan = _plan("final_state", type="RNN", batch=4, steps=200)
    out = np.random.default_rng(0).normal(size=(4, 200, 16))
    state = out[:, -1][None]
    # then
    assert plan.judge(_results(_probe(out, state, out[:, -1]))) is None
    failure = plan.judge(_results(_probe(out, state, out.mean(axis=1))))
    assert failure is not None and "not the state after the last time step" in failure.detail
    assert "最後の時刻の後の状態" in failure.detail


def test_final_state_of_a_bidirectional_lstm_needs_both_final_states():
    plan = _plan("final_state", type="LSTM", bidirectional=True, batch=4, steps=200)
    out = np.random.default_rng(1).normal(size=(4, 200, 32))
    forward, backward = out[:, -1, :16], out[:, 0, 16:]
    state = np.stack([forward, backward])
    # both final states, either order
    for both in (np.hstack([forward, backward]), np.hstack([backward, forward])):
        assert plan.judge(_results(_probe(out, state, both))) is None
    # out[:, -1]: the backward half has read one step only
    assert plan.judge(_results(_probe(out, state, out[:, -1]))) is not None


def test_layer_used_rejects_logits_that_ignore_the_layer():
    # given: perturbing the layer's weights left the logits as they were
    plan = _plan("layer_used", type="RNN", batch=4, steps=200)
    logits = np.random.default_rng(2).normal(size=(4, 10))
    probe = _probe(np.zeros((4, 200, 16)), None, np.zeros((4, 16)), logits)
    # then
    failure = plan.judge(_results(probe, None, logits.copy()))
    assert failure is not None and "leaves the logits unchanged" in failure.detail
    assert plan.judge(_results(probe, None, logits + 1e-3)) is None


def test_layer_used_names_a_layer_that_is_never_called():
    plan = _plan("layer_used", type="GRU", batch=4, steps=200)
    failure = plan.judge(_results({"layer_calls": 0, "linear_calls": 1, "logits": None}))
    assert failure is not None and "never calls an nn.GRU" in failure.detail


def test_conv_pipeline_rejects_a_model_without_relu():
    # given: a convolution output (N, 32, T') with values of both signs
    plan = _plan("conv_pipeline", batch=4, steps=200)
    conv = np.random.default_rng(3).normal(size=(4, 32, 197))
    t = conv.shape[2] // 2
    pooled = conv[:, :, : 2 * t].reshape(4, 32, t, 2).max(axis=3)
    with_relu = np.maximum(pooled, 0).mean(axis=2)
    # then
    assert plan.judge(_results(_probe(conv, None, with_relu))) is None
    failure = plan.judge(_results(_probe(conv, None, pooled.mean(axis=2))))
    assert failure is not None and "no ReLU" in failure.summary
    assert "ReLU をかけて" in failure.detail


def test_loss_falls_passes_when_any_rung_of_the_ladder_lowers_the_loss():
    from engine.training.suites.classifier import LR_LADDER

    # given: logits before training that are uniform (loss ln 10)
    plan = _plan("loss_falls", clips=8, steps=200, train_steps=10, factor=0.95, trainer="grader")
    x, y = spoken_digit_sample(8, 200, 7)
    before = np.zeros((8, 10))
    good = np.zeros((8, 10))
    good[np.arange(8), y] = 1.0  # the right class favoured: the loss falls
    diverged = np.full((8, 10), np.nan)
    # when the first rung diverges and the second trains
    rungs = [{"lr": LR_LADDER[0], "after": diverged}, {"lr": LR_LADDER[1], "after": good}]
    # then
    assert plan.judge(_results({"before": before, "rungs": rungs})) is None
    failure = plan.judge(_results({"before": before, "rungs": rungs[:1]}))
    assert failure is not None and "lr=0.03" in failure.detail
    assert "cut graph" not in failure.detail


def test_training_past_its_step_budget_reports_its_last_step_once():
    # given: a learner's train that takes 3 x steps optimiser steps (the over-budget mutant)
    spec = _seq2seq_spec()
    code = next(m["code"] for m in spec["mutants"] if m["name"] == "over-budget")
    events: list[dict] = []
    # when: it is graded, the page hearing its progress
    result = grade_submission(spec, code, progress=events.append)
    # then: its steps up to the budget, the last of them once (each step past the budget was
    # reported as the last one again, one message per optimiser step)
    steps = [e["step"] for e in events if e["phase"] == "train"]
    assert result.verdict == Verdict.WA
    assert steps == sorted(steps) and steps.count(400) == 1, steps


def test_step_budget_says_how_many_steps_were_taken():
    plan = _plan("step_budget", steps=400)
    assert plan.judge(_results({"optimizer_steps": 400, "parameter_updates": 400})) is None
    failure = plan.judge(_results({"optimizer_steps": 500, "parameter_updates": 500}))
    assert failure is not None and "took 500 optimiser steps with steps = 400" in failure.detail
    # updates made without a torch optimiser are counted from the parameters
    failure = plan.judge(_results({"optimizer_steps": 0, "parameter_updates": 1200}))
    assert failure is not None and "took 1200" in failure.detail


# -- the wrong models of issue 13, graded for real -------------------------------------

WRONG_MODELS = [
    ("simple-rnn-spoken-digits", "rnn-unused", "the nn.RNN reads x (N, T, 1) and its weights"),
    ("simple-rnn-spoken-digits", "mean-over-time", "the dense layer gets the state after"),
    ("gru-spoken-digits", "mean-over-time", "the dense layer gets the state after"),
    ("conv1d-spoken-digits", "no-relu", "the dense layer gets ReLU, MaxPool1d(2)"),
    ("bilstm-gradient-clipping", "out-last-step", "the dense layer gets the final states"),
    ("seq2seq-sin-cos-training", "over-budget", "train takes at most steps = 400"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "mutant", "test_name"), WRONG_MODELS)
def test_a_wrong_model_fails_the_check_made_for_it(slug, mutant, test_name, runner):
    # given
    path = next(p for p in TRAINING_FILES if p.stem == slug)
    spec = load_code_spec(path)
    code = next(m["code"] for m in spec["mutants"] if m["name"] == mutant)
    # when
    result = grade_submission(spec, code, runner=runner)
    # then
    assert result.verdict == Verdict.WA
    failed = [t for t in result.tests if not t.passed]
    assert any(t.name.startswith(test_name) for t in failed), [t.name for t in failed]
