"""Fair verdicts (issue #13): forbidden calls judged by what is called, float32 accepted where
the statement allows it, hidden tests that cannot be learned. Moved out of test_grading.py to
keep it under 500 lines; the assertions are unchanged."""

from __future__ import annotations

import json

import numpy as np

from engine.grading import Verdict, grade_submission
from tests.engine.test_grading import LSTM, first_failure, problem, small_spec

# -- forbidden calls are judged by what is called ----------------------------


def test_a_learners_own_softmax_method_gets_full_marks(runner):
    code = (
        "import numpy as np\n"
        "class Stable:\n"
        "    def softmax(self, x):\n"
        "        e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
        "        return e / e.sum(axis=-1, keepdims=True)\n"
        "def softmax(x):\n"
        "    return Stable().softmax(x)\n"
    )
    result = grade_submission(problem("07-attention", "softmax"), code, runner=runner)
    assert result.verdict == Verdict.AC, result.message


def test_a_computed_getattr_gets_full_marks_in_gru_cell(runner):
    code = (
        "import numpy as np\n"
        "class Act:\n"
        "    def sigmoid(self, x):\n"
        "        return 1.0 / (1.0 + np.exp(-x))\n"
        "    def tanh(self, x):\n"
        "        return np.tanh(x)\n"
        "def _act(kind, x):\n"
        "    return getattr(Act(), {'gate': 'sigmoid', 'cand': 'tanh'}[kind])(x)\n"
        "def gru(x, h_prev, W_r, U_r, W_z, U_z, W, U):\n"
        "    r = _act('gate', x.dot(W_r.T) + h_prev.dot(U_r.T))\n"
        "    z = _act('gate', x.dot(W_z.T) + h_prev.dot(U_z.T))\n"
        "    h_bar = _act('cand', x.dot(W.T) + (r * h_prev).dot(U.T))\n"
        "    return (1 - z) * h_prev + z * h_bar\n"
    )
    result = grade_submission(problem("03-gru", "gru-cell"), code, runner=runner)
    assert result.verdict == Verdict.AC, result.message


def test_grading_never_imports_a_module_named_by_the_learner(runner):
    import sys

    for name in ("numpy.__main__", "torch.__main__"):
        sys.modules.pop(name, None)
    code = (
        "import numpy as np\n"
        "def softmax(x):\n"
        "    if False:\n"
        "        import numpy.__main__\n"
        "        import torch.__main__\n"
        "        np.__main__.softmax(x)\n"
        "    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
        "    return e / e.sum(axis=-1, keepdims=True)\n"
    )
    grade_submission(problem("07-attention", "softmax"), code, runner=runner)
    assert "numpy.__main__" not in sys.modules
    assert "torch.__main__" not in sys.modules


# -- dtype policy -------------------------------------------------------------

LSTM_FLOAT32 = """
import numpy as np
def _s(x):
    return 1 / (1 + np.exp(-x))
def lstm(x, prev_h, prev_c, W, U, b):
    x, prev_h, prev_c, W, U, b = (v.astype(np.float32) for v in (x, prev_h, prev_c, W, U, b))
    a, i, f, o = np.split(x.dot(W.T) + prev_h.dot(U.T) + b, 4, axis=1)
    c = _s(i) * np.tanh(a) + _s(f) * prev_c
    return _s(o) * np.tanh(c), c
"""


def test_a_float32_lstm_cell_gets_full_marks(runner):
    result = grade_submission(LSTM, LSTM_FLOAT32, runner=runner)
    assert result.verdict == Verdict.AC, result.message


def test_a_wrong_float32_lstm_cell_still_fails(runner):
    wrong = LSTM_FLOAT32.replace("_s(f) * prev_c", "_s(f) * prev_h")
    result = grade_submission(LSTM, wrong, runner=runner)
    assert result.verdict == Verdict.WA


def test_float32_where_float64_is_required_fails_naming_precision(runner):
    spec = small_spec(
        tolerance={"rtol": 1e-12, "atol": 1e-14, "float64": True},
        reference={"code": "def double(x):\n    return 2 * x / 3\n"},
    )
    code = "import numpy as np\ndef double(x):\n    return (2 * x.astype(np.float32) / 3)\n"
    result = grade_submission(spec, code, runner=runner)
    assert result.verdict == Verdict.WA
    message = first_failure(result).message
    assert "float32" in message and "requires float64" in message and "max abs error" in message


# -- hidden tests that cannot be learned -----------------------------------------


def test_a_hidden_learner_defined_exception_leaks_nothing_of_the_input(runner):
    code = (
        "def double(x):\n"
        "    if x.shape[0] == 4:\n"
        "        name = 'Leak_' + x.tobytes()[:8].hex()\n"
        "        raise type(name, (Exception,), {})(name)\n"
        "    return 2 * x\n"
    )
    result = grade_submission(small_spec(), code, runner=runner, seed=11)
    assert result.verdict == Verdict.RE
    shown = json.dumps(result.to_dict())
    assert "Leak_" not in shown and "secret" not in shown
    assert result.error == {
        "type": "an exception",
        "message": "(withheld: hidden test)",
        "line": None,
        "column": None,
    }
    assert result.tests[1].name == "hidden test 1"
    assert "raised an exception" in result.tests[1].message


def test_two_submissions_see_different_hidden_inputs_and_both_get_the_right_verdict(runner):
    code = "def double(x):\n    print(float(x.sum()))\n    return 2 * x\n"
    spy = (
        "seen = []\n"
        "def double(x):\n"
        "    if x.shape[0] == 4:\n"
        "        raise ValueError('x')\n"
        "    return 2 * x\n"
    )
    from engine.checks.plan import prepare

    first, second = prepare(small_spec(), 1), prepare(small_spec(), 2)
    assert not np.array_equal(first.tests[1].args[0], second.tests[1].args[0])
    np.testing.assert_array_equal(first.tests[0].args[0], second.tests[0].args[0])
    for seed in (1, 2):
        good = grade_submission(small_spec(), code, runner=runner, seed=seed)
        assert good.verdict == Verdict.AC and good.seed == seed
        bad = grade_submission(small_spec(), spy, runner=runner, seed=seed)
        assert bad.verdict == Verdict.RE and bad.score == 2


def test_a_regrade_with_the_same_seed_sees_the_same_hidden_inputs():
    from engine.checks.plan import prepare

    a, b = prepare(small_spec(), 7), prepare(dict(small_spec()), 7)
    np.testing.assert_array_equal(a.tests[1].args[0], b.tests[1].args[0])
