"""A run that goes over a limit or crashes says so in the learner's language: the sandbox
gives the sentence as a message code with its numbers (``RunResult.detail``), and the engine's
message names the limit in Japanese as well as in English, with nothing left in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine import sandbox
from engine.grading import grade_submission, load_code_spec
from engine.messages import render
from engine.sandbox import Call, Job, Limits, RunStatus
from tests.sandbox.sandboxkit import _sandbox_available

needs_sandbox = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)
CONTENT = Path(__file__).resolve().parents[2] / "content"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(
    r"\b(exceeded|limit|the program|killed|exited|bytes|more than|elements|lists|CPU to)\b"
)

CASES = {
    "wall": ("import time\ndef f():\n    time.sleep(30)\n", Limits(wall_seconds=1), "1 秒"),
    "cpu": (
        "def f():\n    while True:\n        pass\n",
        Limits(cpu_seconds=1, wall_seconds=20),
        "1 秒",
    ),
    "memory": (
        "def f():\n    return bytearray(2 * 1024 ** 3)\n",
        Limits(memory_mb=256),
        "256 MB",
    ),
    "stdout": ("def f():\n    print('x' * 200_000)\n", Limits(output_bytes=65536), "65536 バイト"),
    "stderr": (
        "import sys\ndef f():\n    sys.stderr.write('x' * 200_000)\n",
        Limits(output_bytes=65536),
        "65536 バイト",
    ),
    "exit": ("import os\ndef f():\n    os._exit(3)\n", Limits(), "終了コード 3"),
    # a result too large for the trusted decoder (engine/sandbox/inside/wire.py RESULT_BUDGET)
    "containers": ("def f():\n    return [[0] for _ in range(200_000)]\n", Limits(), "100000"),
    "elements": ("def f():\n    return [0] * 2_000_000\n", Limits(), "1000000"),
}


@needs_sandbox
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_sandbox_names_the_limit_as_data_rendered_in_both_languages(case):
    code, limits, japanese_number = CASES[case]
    run = sandbox.run(Job(code=code, calls=(Call("f", ()),), limits=limits), mode="warm")
    assert run.status != RunStatus.OK and run.detail is not None, (run.status, run.message)
    ja, en = render(run.detail, "ja"), render(run.detail, "en")
    assert japanese_number in ja and JAPANESE.search(ja) and not ENGLISH_WORDS.search(ja), ja
    assert en == run.message  # the English sentence, as the logs have it


@needs_sandbox
def test_a_time_limit_in_a_graded_submission_reads_as_japanese():
    spec = load_code_spec(next(CONTENT.glob("*/lstm-cell.yaml")))
    code = "def lstm(x, prev_h, prev_c, W, U, b):\n    while True:\n        pass\n"
    result = grade_submission(spec, code)
    ja = render(result.message_data, "ja")
    assert result.verdict == "TLE"
    assert ja.startswith("実行時間の制限を超えました") and "秒" in ja, ja
    assert not ENGLISH_WORDS.search(ja), ja
    assert "limit of" in render(result.message_data, "en")
