"""grade_submission: verdicts, scores, and feedback that names the mistake."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.grading import Verdict, grade_submission, load_code_spec
from engine.sandbox.api import ErrorInfo, RunResult, RunStatus
from tests.engine.problem_files import CONTENT


def problem(section, slug):
    return load_code_spec(CONTENT / section / f"{slug}.yaml")


LSTM = problem("02-lstm", "lstm-cell")
LSTM_HEAD = """
import numpy as np
def _s(x):
    return 1 / (1 + np.exp(-x))
def lstm(x, prev_h, prev_c, W, U, b):
    a, i, f, o = np.split(x.dot(W.T) + prev_h.dot(U.T) + b, 4, axis=1)
    c = _s(i) * np.tanh(a) + _s(f) * prev_c
    h = _s(o) * np.tanh(c)
"""


def small_spec(**overrides):
    spec = {
        "framework": "numpy",
        "entry_points": ["double"],
        "starter": "def double(x):\n    ...\n",
        "reference": {"code": "def double(x):\n    return 2 * x\n"},
        "tests": [
            {"name": "visible", "args": {"x": {"shape": [3, 7]}}, "points": 2},
            {"name": "secret", "hidden": True, "args": {"x": {"shape": [4, 5]}}, "points": 3},
        ],
    }
    spec.update(overrides)
    return spec


def first_failure(result):
    return next(t for t in result.tests if not t.passed)


# -- feedback for the common mistakes -------------------------------------


def test_it_explains_a_transposed_shape(runner):
    result = grade_submission(LSTM, LSTM_HEAD + "    return h.T, c\n", runner=runner)
    assert result.verdict == Verdict.WA
    assert (
        "shape (7, 3) looks like the transpose of the expected (3, 7)"
        in first_failure(result).message
    )


def test_it_gives_the_max_abs_error_and_its_index(runner):
    result = grade_submission(
        LSTM,
        LSTM_HEAD + "    return h + 0.42 * (np.arange(h.size).reshape(h.shape) == 4), c\n",
        runner=runner,
    )
    message = first_failure(result).message
    assert "`h`: max abs error 0.42 at index (0, 4)" in message


def test_it_counts_the_returned_values(runner):
    result = grade_submission(LSTM, LSTM_HEAD + "    return (h,)\n", runner=runner)
    assert "returned a tuple of 1, expected 2 arrays (h, c)" in first_failure(result).message


def test_it_spots_outputs_in_the_wrong_order(runner):
    result = grade_submission(LSTM, LSTM_HEAD + "    return c, h\n", runner=runner)
    assert "return them in the order (h, c)" in first_failure(result).message


def test_it_reports_nan_from_an_unstable_softmax(runner):
    spec = problem("07-attention", "softmax")
    code = "import numpy as np\ndef softmax(x):\n    e = np.exp(x)\n    return e / e.sum(axis=-1, keepdims=True)\n"
    result = grade_submission(spec, code, runner=runner)
    failed = next(t for t in result.tests if t.name == "large logits around 1000")
    assert not failed.passed and failed.message.startswith("NaN in the result")
    assert failed.hint["en"].startswith("`np.exp(1000)` is inf")


def test_it_tells_that_an_input_was_modified(runner):
    spec = problem("11-fw-data-augmentation", "random-erasing")
    code = "def erase(img, top, left, height, width, value):\n    img[top:top+height, left:left+width] = value\n    return img\n"
    result = grade_submission(spec, code, runner=runner)
    assert result.verdict == Verdict.WA
    assert "your function modified its input `img`" in first_failure(result).message


def test_it_rejects_elementwise_clipping(runner):
    spec = problem("02-lstm", "gradient-clipping")
    code = "import numpy as np\ndef gradient_clipping(grad, threshold):\n    return np.clip(grad, -threshold, threshold)\n"
    result = grade_submission(spec, code, runner=runner)
    assert result.verdict == Verdict.WA and result.score < result.max_score


def test_it_names_a_dtype_mismatch(runner):
    spec = problem("08-vq-vae", "vq-quantize")
    code = (
        "import numpy as np\ndef quantize(z_e, codebook):\n"
        "    i = np.argmin(((z_e[:, None] - codebook[None]) ** 2).sum(-1), axis=1)\n"
        "    return codebook[i], i.astype(float)\n"
    )
    assert (
        "`indices` has dtype float64"
        in first_failure(grade_submission(spec, code, runner=runner)).message
    )


def test_it_asks_for_an_int_not_a_float(runner):
    spec = problem("01-rnn", "conv-output-size")
    code = "def conv_output_size(H, W, KH, KW, P, S):\n    return (H + 2*P - KH) / S + 1, (W + 2*P - KW) / S + 1\n"
    message = first_failure(grade_submission(spec, code, runner=runner)).message
    assert "a float; expected the int 3" in message and "//" in message


def test_a_list_is_not_an_array(runner):
    code = "def double(x):\n    return (2 * x).tolist()\n"
    result = grade_submission(small_spec(), code, runner=runner)
    assert (
        "the result is a list of 3, expected a NumPy array of shape (3, 7)"
        in first_failure(result).message
    )


def test_a_lying_object_cannot_pass(runner):
    code = (
        "class Liar:\n"
        "    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, dtype=None, copy=None):\n        raise TypeError('no')\n"
        "def double(x):\n    return Liar()\n"
    )
    result = grade_submission(small_spec(), code, runner=runner)
    assert result.verdict == Verdict.WA and result.score == 0
    assert "Liar" in first_failure(result).message


def test_a_fake_verdict_on_stdout_is_just_output(runner):
    if getattr(runner, "__name__", "") == "run_in_process":
        pytest.skip("os._exit would end the test process: needs the real sandbox")
    code = "import os\ndef double(x):\n    print('AC'); print('{\"verdict\": \"AC\"}')\n    os._exit(0)\n"
    result = grade_submission(small_spec(), code, runner=runner)
    assert result.verdict != Verdict.AC and result.score == 0


def test_gradients_tell_which_vq_vae_term_is_wrong(runner):
    spec = problem("08-vq-vae", "vq-vae-loss")
    by_name = {m["name"]: m["code"] for m in spec["mutants"]}
    beta_wrong = grade_submission(spec, by_name["beta-on-codebook-term"], runner=runner)
    failed = first_failure(beta_wrong)
    assert failed.name == "the codebook receives only the codebook loss"
    assert (
        "the gradient w.r.t. `codebook`" in failed.message
        and "0.25 × the expected one" in failed.message
    )
    no_st = grade_submission(spec, by_name["no-straight-through"], runner=runner)
    assert "no gradient reached `z_e`" in first_failure(no_st).message


def test_a_detached_std_stops_the_reparameterisation_gradient(runner):
    spec = problem("05-seq2seq", "vae-reparameterize")
    code = "import torch\ndef reparameterize(mu, log_var, eps):\n    return mu + torch.exp(0.5 * log_var).detach() * eps\n"
    result = grade_submission(spec, code, runner=runner)
    assert "no gradient reached `log_var`" in first_failure(result).message


# -- verdicts and scores ----------------------------------------------------


def test_full_marks_are_ac_and_the_score_is_the_sum_of_points(runner):
    result = grade_submission(small_spec(), "def double(x):\n    return 2 * x\n", runner=runner)
    assert (result.verdict, result.score, result.max_score) == (Verdict.AC, 5, 5)


def test_a_numpy_problem_solved_with_torch_runs_where_torch_is_already_imported(runner):
    # given: a NumPy problem, one correct answer importing torch and one that does not
    frameworks = []

    def recording(job):
        frameworks.append(job.framework)
        return runner(job)

    with_torch = (
        "from torch import from_numpy\ndef double(x):\n    return (from_numpy(x) * 2).numpy()\n"
    )
    # when
    result = grade_submission(small_spec(), with_torch, runner=recording)
    plain = grade_submission(small_spec(), "def double(x):\n    return 2 * x\n", runner=recording)
    # then: the import of torch does not count against the wall-clock limit
    assert result.verdict == plain.verdict == Verdict.AC
    assert frameworks == ["torch", "numpy"]  # one job each: the visible and hidden calls


def test_one_sandbox_job_per_graded_submission(runner):
    # given: a right answer, a wrong one, and one that raises in a hidden test
    answers = {
        "def double(x):\n    return 2 * x\n": Verdict.AC,
        "def double(x):\n    return 3 * x\n": Verdict.WA,
        "def double(x):\n    if x.shape[0] == 4:\n        raise ValueError('no')\n    return 2 * x\n": Verdict.RE,
    }
    for code, verdict in answers.items():
        jobs: list = []

        def counting(job, jobs=jobs):
            jobs.append(job)
            return runner(job)

        # when
        result = grade_submission(small_spec(), code, runner=counting)
        # then: the visible call, then the hidden one, in one job
        assert result.verdict == verdict
        assert len(jobs) == 1 and jobs[0].hidden_from == 1 and len(jobs[0].calls) == 2


def test_partial_marks_are_wa(runner):
    code = "def double(x):\n    return 2 * x if x.shape[0] == 3 else x\n"
    result = grade_submission(small_spec(), code, runner=runner)
    assert (result.verdict, result.score) == (Verdict.WA, 2)


def test_an_exception_is_re_with_type_message_and_line(runner):
    code = "def double(x):\n    y = 2 * x\n    raise ValueError('boom')\n"
    result = grade_submission(small_spec(), code, runner=runner)
    assert result.verdict == Verdict.RE
    assert result.error == {"type": "ValueError", "message": "boom", "line": 3, "column": None}
    assert "raised ValueError at line 3: boom" in result.tests[0].message


def test_a_syntax_error_is_ce_with_line_and_column(runner):
    result = grade_submission(small_spec(), "def double(x):\n    return (2 * x\n", runner=runner)
    assert result.verdict == Verdict.CE
    assert result.error["line"] == 2 and result.error["column"] is not None
    assert result.score == 0 and result.tests == ()


def test_a_missing_entry_point_is_ce_with_the_expected_signature(runner):
    result = grade_submission(small_spec(), "def twice(x):\n    return 2 * x\n", runner=runner)
    assert result.verdict == Verdict.CE and "`def double(x)`" in result.message


def test_a_forbidden_call_is_rejected_before_running():
    def runner(job):  # pragma: no cover - must not be called
        raise AssertionError("ran the code")

    code = "from torch import nn\ndef lstm(x, prev_h, prev_c, W, U, b):\n    return nn.LSTMCell(1, 1), 0\n"
    result = grade_submission(LSTM, code, runner=runner)
    assert result.verdict == Verdict.WA and result.score == 0
    assert "torch.nn.LSTMCell" in result.message and result.error["line"] == 3


def test_hidden_tests_reveal_neither_inputs_nor_output(runner):
    code = "def double(x):\n    print('shape', x.shape)\n    return 3 * x\n"
    result = grade_submission(small_spec(), code, runner=runner)
    hidden = result.tests[1]
    assert hidden.hidden and not hidden.passed
    assert (
        "hidden test" in hidden.message
        and "index" not in hidden.message
        and "expected" not in hidden.message
    )
    assert "(3, 7)" in result.stdout and "(4, 5)" not in result.stdout


def test_a_hidden_exception_withholds_its_message(runner):
    code = "def double(x):\n    if x.shape[0] == 4:\n        raise ValueError(f'leaked {x[0, 0]}')\n    return 2 * x\n"
    result = grade_submission(small_spec(), code, runner=runner)
    assert result.verdict == Verdict.RE
    assert result.error["message"] == "(withheld: hidden test)" and result.error["line"] is None
    assert result.error["type"] == "ValueError"
    assert "leaked" not in json.dumps(result.to_dict())


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (RunStatus.TIMEOUT, Verdict.TLE),
        (RunStatus.MEMORY, Verdict.MLE),
        (RunStatus.OUTPUT_LIMIT, Verdict.OLE),
        (RunStatus.CRASHED, Verdict.RE),
        (RunStatus.IMPORT_ERROR, Verdict.RE),
        (RunStatus.COMPILE_ERROR, Verdict.CE),
        (RunStatus.INTERNAL, Verdict.IE),
    ],
)
def test_run_statuses_map_to_verdicts(status, verdict):
    error = ErrorInfo("ZeroDivisionError", "division by zero", line=1)
    result = grade_submission(
        small_spec(),
        "def double(x):\n    return 2 * x\n",
        runner=lambda job: RunResult(status, error=error, message="limit"),
    )
    assert result.verdict == verdict and result.score == 0 and result.max_score == 5
    assert result.message


def test_a_failing_runner_is_an_internal_error_not_the_learners():
    def runner(job):
        raise OSError("sandbox down")

    result = grade_submission(small_spec(), "def double(x):\n    return 2 * x\n", runner=runner)
    assert result.verdict == Verdict.IE and "not your fault" in result.message


def test_a_broken_reference_is_an_internal_error():
    spec = small_spec(reference={"code": "def double(x):\n    return x @ x\n"})
    result = grade_submission(spec, "def double(x):\n    return 2 * x\n", runner=lambda job: None)
    assert result.verdict == Verdict.IE


def test_result_is_plain_json_with_truncated_output(runner):
    code = "def double(x):\n    print('x' * 20000)\n    return 2 * x\n"
    data = grade_submission(small_spec(), code, runner=runner).to_dict()
    text = json.dumps(data)
    assert data["verdict"] == "AC" and data["score"] == 5
    assert {"name", "passed", "points", "max_points", "message", "hidden"} <= set(data["tests"][0])
    assert len(data["stdout"]) < 9000 and data["output_truncated"] is True
    assert json.loads(text)["tests"][1]["hidden"] is True


@pytest.mark.parametrize(
    "code",
    [
        "x = " + "-" * 200000 + "1\n",
        "a = " + "+".join(["x.y"] * 100000) + "\n",
        "def double(x):\n    return x\0\n",
    ],
    ids=["deep-unary", "long-chain", "null-byte"],
)
def test_pathological_source_is_a_compile_error_not_an_internal_one(code):
    result = grade_submission(LSTM, code, runner=lambda job: pytest.fail("nothing should run"))
    assert result.verdict == Verdict.CE and result.error["type"] == "SyntaxError"


def test_an_entry_point_defined_inside_a_top_level_block_counts(runner):
    code = "if True:\n    def double(x):\n        return 2 * x\n"
    assert grade_submission(small_spec(), code, runner=runner).verdict == Verdict.AC


def test_expected_outputs_never_go_into_the_sandbox():
    from engine.checks import prepare
    from tests.engine.inprocess import run_in_process

    jobs = []

    def spy(job):
        jobs.append(job)
        return run_in_process(job)

    result = grade_submission(LSTM, LSTM["solution"], runner=spy)
    assert result.verdict == Verdict.AC and len(jobs) == 1  # visible, then hidden calls
    sent = [a for job in jobs for call in job.calls for a in call.args]
    expected = [e for t in prepare(LSTM).tests for e in t.expected]
    assert not any(s.shape == e.shape and np.allclose(s, e) for s in sent for e in expected)
    assert all(job.code == LSTM["solution"] for job in jobs)


def test_an_ndarray_subclass_that_claims_equality_cannot_pass(runner):
    code = (
        "import numpy as np\n"
        "class Cheat(np.ndarray):\n"
        "    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n"
        "    def __array_ufunc__(self, *args, **kwargs):\n        return np.zeros(self.shape)\n"
        "def double(x):\n    return np.zeros_like(x).view(Cheat)\n"
    )
    result = grade_submission(small_spec(), code, runner=runner)
    assert result.verdict == Verdict.WA and result.score == 0
