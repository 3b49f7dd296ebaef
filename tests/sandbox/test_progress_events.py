"""Progress while a job runs (``sandbox.run(job, on_progress=...)``): a training loop's step
k of N and its loss come out of the visible part as the job goes, for the page; the hidden
part says only that it started, whatever the learner's code sends then, so hidden inputs
cannot come back as "progress". Progress messages are never part of the result."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import sandbox
from engine.sandbox import Call, Job, Limits, RunStatus
from engine.sandbox.inside import wire
from engine.sandbox.protocol import ResultScanner, decode_results, progress_event
from tests.sandbox.sandboxkit import _sandbox_available

needs_sandbox = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)

# A loop that reports each step (the harness passes at most one message per 0.1 s on, and
# always the last), then, for the hidden call, tries to send its input out: through the
# harness's reporter and as a raw progress frame written on the result channel itself.
REPORTING = """
import json, os, struct, time

def frame(obj):  # the wire format's frame (engine/sandbox/inside/wire.py), by hand
    body = json.dumps(obj).encode()
    return b"QSB1" + struct.pack(">QI", len(body), 0) + body

def train(n, x):
    for step in range(1, n + 1):
        time.sleep(0.03)
        _grader_progress(step, n, 1.0 / step)
    return float(x.sum())

def leak(x):
    secret = float(x.ravel()[0])
    _grader_progress(1, 2, secret)
    for fd in range(3, 64):
        try:
            os.write(fd, frame({"kind": "progress", "step": 1, "total": 2,
                                "loss": secret, "part": 0, "parts": 1}))
        except OSError:
            pass
    time.sleep(0.3)
    return secret
"""

SECRET = 12345.678


def _run(mode, events):
    calls = (Call("train", (12, np.ones(3))), Call("leak", (np.full(2, SECRET),)))
    job = Job(code=REPORTING, calls=calls, hidden_from=1, limits=Limits(wall_seconds=20))
    return sandbox.run(job, mode=mode, on_progress=events.append)


@needs_sandbox
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_the_visible_part_reports_its_steps_and_the_hidden_part_only_that_it_began(mode):
    # when
    events: list[dict] = []
    run = _run(mode, events)
    # then: the steps came in order, the last among them, each with its loss and the time
    train = [e for e in events if e["phase"] == "train"]
    steps = [e["step"] for e in train]
    assert run.status == RunStatus.OK, (run.status, run.message)
    assert 2 <= len(train) < 12, steps  # throttled, but more than the last alone
    assert steps == sorted(steps) and steps[-1] == 12
    assert all(e["total"] == 12 and e["loss"] == pytest.approx(1.0 / e["step"]) for e in train)
    assert all(e["elapsed"] > 0 for e in events)
    # the hidden part: one event, after every visible one, with no number from the code
    assert [e["phase"] for e in events].count("hidden") == 1
    assert events[-1]["phase"] == "hidden" and set(events[-1]) == {"phase", "elapsed"}
    assert all(SECRET not in e.values() for e in events)
    # and the result is the calls' alone
    assert [c.value for c in run.calls] == [3.0, pytest.approx(SECRET)]


@needs_sandbox
def test_a_job_without_a_listener_runs_as_before():
    run = _run("warm", [])
    assert run.status == RunStatus.OK
    bare = sandbox.run(Job(code=REPORTING, calls=(Call("train", (3, np.ones(2))),)), mode="warm")
    assert bare.status == RunStatus.OK and bare.calls[0].value == 2.0


def _frames(*objs):
    """Frames as the learner's code could write them (NaN too: the harness never would)."""
    out = b""
    for obj in objs:
        body = json.dumps(obj).encode()
        out += wire.MAGIC + wire._HEAD.pack(len(body), 0) + body
    return out


START = {"kind": "start"}
CALL0 = {"kind": "call", "index": 0, "error": None, "seconds": 0.0}


def _progress(**fields):
    return {"kind": "progress", "step": 1, "total": 4, "loss": 0.5, "part": 0, "parts": 1, **fields}


def test_progress_frames_do_not_count_as_results():
    # given: progress before and after the visible call's result
    stream = _frames(START, _progress(), CALL0, _progress(step=4), {"kind": "await"})
    heard: list[dict] = []
    # then: the await is still right after the visible results, and both progress frames heard
    assert ResultScanner(n_visible=1, on_progress=heard.append).scan(stream) == "await"
    assert [e["step"] for e in heard] == [1, 4]
    decoded = decode_results(stream + _frames({"kind": "done"}), 1, n_visible=1)
    assert decoded.kind == "ok" and len(decoded.calls) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"step": 5},  # beyond the total
        {"total": 0},
        {"step": -1},
        {"loss": float("nan")},
        {"loss": "0.1"},
        {"step": True},
        {"part": 3, "parts": 2},
        {"step": 10**12, "total": 10**12},
    ],
)
def test_a_malformed_progress_message_is_dropped(fields):
    assert progress_event(_progress(**fields)) is None
    heard: list[dict] = []
    ResultScanner(n_visible=None, on_progress=heard.append).scan(
        _frames(START, _progress(**fields))
    )
    assert heard == []


def test_a_wellformed_progress_message_keeps_only_its_numbers():
    event = progress_event(_progress(extra="<script>", phase="hidden"))
    assert event == {"phase": "train", "step": 1, "total": 4, "loss": 0.5, "part": 0, "parts": 1}


def test_a_frame_of_many_small_arrays_is_walked_once_however_it_arrives(monkeypatch):
    # given: code in the sandbox writing one frame of many empty arrays, which the
    # supervisor reads 64 KiB at a time (every grading now has a scanner: its progress)
    narr = 100_000
    stream = _frames(START) + wire.MAGIC + wire._HEAD.pack(2, narr) + b"{}"
    stream += wire._LEN.pack(0) * narr
    walked = []
    length = wire._LEN

    class CountingLength:
        size = length.size

        def unpack_from(self, *args):
            walked.append(1)
            return length.unpack_from(*args)

    scanner = ResultScanner(n_visible=None, on_progress=[].append)
    monkeypatch.setattr(wire, "_LEN", CountingLength())
    # when
    buf = bytearray()
    for start in range(0, len(stream), 1 << 16):
        buf += stream[start : start + (1 << 16)]
        scanner.scan(buf)
    # then: each array's length read once, not again on every read that follows (that cost
    # the trusted side seconds per megabyte, and turned a crash into a time-out)
    assert scanner.pos == len(stream)
    assert len(walked) == narr
