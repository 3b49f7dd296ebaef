"""One job, visible calls then hidden ones (``Job.hidden_from``): the hidden calls' inputs
enter the sandbox only after the visible calls returned, and nothing printed from then on
comes back, however the learner's code writes it; limits and verdicts are the hidden
part's own."""

from __future__ import annotations

import numpy as np
import pytest

from engine import sandbox
from engine.sandbox import Call, Job, Limits, RunStatus
from engine.sandbox.inside.wire import pack_message
from engine.sandbox.protocol import ResultScanner, decode_results
from tests.sandbox.sandboxkit import _sandbox_available

needs_sandbox = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)

VISIBLE, HIDDEN, HIDDEN_TOO = (3, 7), (4, 5), (6, 2)
CALLS = tuple(Call("f", (np.ones(shape),)) for shape in (VISIBLE, HIDDEN, HIDDEN_TOO))

# Every way of printing an input: print, stderr, the descriptor itself, a copy of the
# descriptor made at import time, and a thread started at import that reports every input.
LEAKY = """
import os, sys, threading, time
saved = os.dup(1)
seen = []
def report():
    told = 0
    while True:
        if len(seen) > told:
            os.write(saved, f"thread {seen[told:]}\\n".encode())
            told = len(seen)
        time.sleep(0.005)
threading.Thread(target=report, daemon=True).start()
def f(x):
    seen.append(x.shape)
    print("print", x.shape)
    print("stderr", x.shape, file=sys.stderr)
    os.write(1, f"fd {x.shape}\\n".encode())
    os.write(saved, f"dup {x.shape}\\n".encode())
    time.sleep(0.02)
    return 2 * x
"""

# Module-level code that looks for every array in the process (the decoded job included).
SNOOP = """
import gc
def shapes():
    found = set()
    for obj in gc.get_objects():
        items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()
        for item in items:
            if type(item).__name__ == "ndarray":
                found.add(item.shape)
    return sorted(found)
print("at import", shapes())
def f(x):
    print("in a call", shapes())
    return x
"""


def _run(mode, code, calls=CALLS, hidden_from=1, limits=None):
    job = Job(code=code, calls=calls, hidden_from=hidden_from, limits=limits or Limits())
    return sandbox.run(job, mode=mode)


@needs_sandbox
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_only_what_the_visible_calls_printed_comes_back(mode):
    # when
    run = _run(mode, LEAKY)
    # then: every call ran and returned, the visible one's output is there in every form
    assert run.status == RunStatus.OK, (run.status, run.message)
    assert [c.value.shape for c in run.calls] == [VISIBLE, HIDDEN, HIDDEN_TOO]
    assert run.hidden_started
    for line in ("print (3, 7)", "fd (3, 7)", "dup (3, 7)"):
        assert line in run.stdout
    assert "stderr (3, 7)" in run.stderr
    # and nothing of a hidden call's input, whichever way it was written
    for shape in (HIDDEN, HIDDEN_TOO):
        assert str(shape) not in run.stdout + run.stderr


@needs_sandbox
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_the_hidden_inputs_are_not_in_the_process_while_visible_output_is_kept(mode):
    run = _run(mode, SNOOP)
    assert run.status == RunStatus.OK, (run.status, run.message)
    # the snoop works: it finds the visible input, at import and during the call
    at_import, in_a_call = run.stdout.splitlines()
    assert "(3, 7)" in at_import and "(3, 7)" in in_a_call
    assert "(4, 5)" not in run.stdout and "(6, 2)" not in run.stdout


@needs_sandbox
def test_without_hidden_calls_every_call_prints_as_before():
    run = _run("warm", LEAKY, hidden_from=None)
    assert run.status == RunStatus.OK and not run.hidden_started
    for shape in (VISIBLE, HIDDEN, HIDDEN_TOO):
        assert f"print {shape}" in run.stdout


@needs_sandbox
@pytest.mark.parametrize(("looping", "hidden_started"), [(HIDDEN, True), (VISIBLE, False)])
def test_a_call_past_the_time_limit_is_a_timeout_of_its_own_part(looping, hidden_started):
    # given: code that loops forever on one of the inputs
    code = f"def f(x):\n    while x.shape == {looping}:\n        pass\n    return x\n"
    limits = Limits(wall_seconds=2.0, cpu_seconds=1.0)
    # when
    run = _run("warm", code, limits=limits)
    # then
    assert run.status == RunStatus.TIMEOUT, (run.status, run.message)
    assert run.hidden_started is hidden_started
    assert len(run.calls) == (1 if hidden_started else 0)


BURN = """
import time
def f(x):
    seconds = {seconds}[x.shape[0]]
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass
    return x
"""


@needs_sandbox
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_each_part_has_the_cpu_budget_a_job_of_its_own_had(mode):
    # given: 2 s of CPU per part; 1.5 s in the visible call and 1.5 s in a hidden one
    calls = (Call("f", (np.ones(1),)), Call("f", (np.ones(2),)))
    limits = Limits(wall_seconds=60.0, cpu_seconds=2.0)
    # when
    both = _run(mode, BURN.format(seconds={1: 1.5, 2: 1.5}), calls, limits=limits)
    over = _run(mode, BURN.format(seconds={1: 0.1, 2: 5.0}), calls, limits=limits)
    # then: 3 s in all passes; 5 s in the hidden part is its CPU limit
    assert both.status == RunStatus.OK, (both.status, both.message)
    assert over.status == RunStatus.TIMEOUT and over.hidden_started, (over.status, over.message)
    assert over.message == "CPU time limit of 2 s exceeded"


@needs_sandbox
def test_what_a_hidden_call_prints_counts_against_the_output_cap_and_is_dropped():
    code = "def f(x):\n    if x.shape == (4, 5):\n        print('x' * 200000)\n    print('visible', x.shape)\n    return x\n"
    run = _run("warm", code)
    assert run.status == RunStatus.OUTPUT_LIMIT and run.hidden_started
    assert run.stdout == "visible (3, 7)\n"


@needs_sandbox
def test_an_exception_in_a_hidden_call_is_that_calls_result():
    code = "def f(x):\n    if x.shape == (4, 5):\n        raise ValueError(f'secret {x.shape}')\n    return x\n"
    run = _run("warm", code)
    assert run.status == RunStatus.OK
    assert [c.error is None for c in run.calls] == [True, False, True]
    assert run.calls[1].error.type == "ValueError"


@needs_sandbox
def test_every_call_hidden_still_runs_every_call():
    run = _run("warm", LEAKY, hidden_from=0)
    assert run.status == RunStatus.OK and len(run.calls) == 3 and run.hidden_started
    assert "(3, 7)" not in run.stdout and "(4, 5)" not in run.stdout


def _frames(*objs):
    return b"".join(pack_message(o) for o in objs)


def test_the_await_counts_only_right_after_the_visible_results():
    start, call0 = {"kind": "start"}, {"kind": "call", "index": 0, "error": None, "seconds": 0.0}
    scanner = ResultScanner(n_visible=1)
    assert scanner.scan(_frames(start)) is None  # not yet
    assert scanner.scan(_frames(start, call0, {"kind": "await"})) == "await"
    # an await forged before the visible results: no hidden input goes in
    assert ResultScanner(n_visible=1).scan(_frames(start, {"kind": "await"})) == "bad"
    assert ResultScanner(n_visible=1).scan(b"junk" * 8) == "bad"


def test_the_decoder_refuses_an_await_out_of_place():
    start, call0 = {"kind": "start"}, {"kind": "call", "index": 0, "error": None, "seconds": 0.0}
    done = {"kind": "done"}
    good = decode_results(_frames(start, call0, {"kind": "await"}, done), 1, n_visible=1)
    assert good.kind == "ok" and good.awaited
    early = decode_results(_frames(start, {"kind": "await"}, call0, done), 1, n_visible=1)
    assert early.wire_error == "unexpected await"
    unasked = decode_results(_frames(start, {"kind": "await"}, call0, done), 1)
    assert unasked.wire_error == "unexpected await"


# -- through grading: one job per submission, and the hidden part's verdicts -------------

SPEC = {
    "framework": "numpy",
    "entry_points": ["double"],
    "starter": "def double(x):\n    ...\n",
    "reference": {"code": "def double(x):\n    return 2 * x\n"},
    "limits": {"wall_seconds": 3, "cpu_seconds": 2, "memory_mb": 256},
    "tests": [
        {"name": "visible", "args": {"x": {"shape": [3, 7]}}, "points": 2},
        {"name": "secret", "hidden": True, "args": {"x": {"shape": [4, 5]}}, "points": 3},
        {"name": "secret too", "hidden": True, "args": {"x": {"shape": [6, 2]}}, "points": 1},
    ],
}


def _grade(code):
    from engine.grading import grade_submission

    jobs = []

    def counting(job):
        jobs.append(job)
        return sandbox.run(job)

    return grade_submission(SPEC, code, runner=counting), jobs


@needs_sandbox
def test_a_graded_submission_is_one_job_and_shows_the_visible_inputs_only():
    # given: a submission that prints its input in every call
    code = "def double(x):\n    print('got', x.shape, x.sum())\n    return 2 * x\n"
    # when
    result, jobs = _grade(code)
    # then
    assert result.verdict == "AC" and result.score == 6
    assert len(jobs) == 1 and jobs[0].hidden_from == 1 and len(jobs[0].calls) == 3
    assert "got (3, 7)" in result.stdout
    assert "(4, 5)" not in result.stdout and "(6, 2)" not in result.stdout


@needs_sandbox
@pytest.mark.parametrize(
    ("body", "verdict", "says"),
    [
        ("while True:\n            pass", "TLE", "Time limit exceeded (in a hidden test)"),
        ("y = bytearray(1 << 30)", "MLE", "Memory limit exceeded (in a hidden test)"),
        (
            "import os; os._exit(3)",
            "RE",
            "Your program crashed (in a hidden test): it ended without a result.",
        ),
    ],
    ids=["time", "memory", "crash"],
)
def test_a_hidden_call_that_fails_the_run_says_so_and_nothing_more(body, verdict, says):
    code = f"def double(x):\n    if x.shape == (4, 5):\n        {body}\n    return 2 * x\n"
    result, jobs = _grade(code)
    assert len(jobs) == 1
    assert result.verdict == verdict, result.message
    assert result.message.startswith(says)
    assert result.score == 0
    if result.error is not None:
        assert result.error["message"] == "(withheld: hidden test)"


@needs_sandbox
def test_a_visible_call_that_runs_too_long_is_a_plain_tle():
    code = "def double(x):\n    while x.shape == (3, 7):\n        pass\n    return 2 * x\n"
    result, jobs = _grade(code)
    assert len(jobs) == 1 and result.verdict == "TLE"
    assert result.message.startswith("Time limit exceeded: ")


# A visible call that asks for too much memory, or a hidden one only (by its input's size).
GREEDY = """
def f(x):
    if x.size > 20 or x.shape == (3, 7):
        bytearray(8 * 1024 ** 3)
    return x
"""


@needs_sandbox
@pytest.mark.parametrize(
    ("visible_shape", "in_hidden"), [((3, 7), False), ((2, 2), True)], ids=["visible", "hidden"]
)
def test_a_memory_error_belongs_to_the_part_whose_call_raised_it(visible_shape, in_hidden):
    calls = (Call("f", (np.ones(visible_shape),)), Call("f", (np.ones((5, 5)),)))
    run = _run("warm", GREEDY, calls=calls, limits=Limits(memory_mb=256))
    assert run.status == RunStatus.MEMORY, (run.status, run.message)
    assert run.hidden_started is in_hidden
