"""Hostile submissions of the second round: socket families, jobs outliving their
verdict, what the sandbox can learn about the host, the result header's edges.  Each
asserts its status, that nothing persisted and that the next job is graded right
(``Sandbox.check_clean``)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from engine import sandbox
from engine.sandbox import Call, Job, RunStatus
from tests.sandbox.sandboxkit import Sandbox, _sandbox_available, survivors

pytestmark = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)


SOCKETS = """
import errno
import socket
FAMILIES = {"inet": 2, "inet6": 10, "netlink": 16, "vsock": 40, "packet": 17}
def f():
    out = {}
    for name, fam in FAMILIES.items():
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
            try:
                socket.socket(fam, kind).close()
                out[f"{name}/{kind}"] = "created"
            except OSError as e:
                out[f"{name}/{kind}"] = errno.errorcode.get(e.errno, str(e.errno))
        try:
            a, b = socket.socketpair(fam, socket.SOCK_STREAM)
            out[f"{name}/pair"] = "created"
        except OSError as e:
            out[f"{name}/pair"] = errno.errorcode.get(e.errno, str(e.errno))
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.sendall(b"ping")
    out["unix/pair"] = b.recv(4).decode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.close()
    out["unix/dgram"] = "created"
    return out
"""


def test_it_refuses_every_socket_family_but_unix(sbx: Sandbox):
    out = sbx.value(SOCKETS)
    assert out.pop("unix/pair") == "ping"
    assert out.pop("unix/dgram") == "created"
    assert out, "no family was tried"
    for key, outcome in out.items():
        assert outcome in ("EAFNOSUPPORT", "EPERM"), (key, outcome)
    sbx.check_clean()


LINGER = """
import os, sys, time

class Flusher:
    def write(self, s):
        return len(s)
    def flush(self):
        hog = bytearray(150 << 20)          # allocate, fork, then sleep after the verdict
        for i in range(0, len(hog), 4096):
            hog[i] = 1
        if os.fork() == 0:
            time.sleep(60)
        time.sleep(60)

def f(x):
    sys.stdout = Flusher()
    sys.stderr = Flusher()
    sys.__stdout__ = sys.stdout
    return x + 1
"""


def test_it_ends_a_job_with_its_verdict_even_if_stdout_lingers(sbx: Sandbox):
    for _ in range(3):
        out = sbx.value(LINGER, "f", (np.arange(3.0),))
        np.testing.assert_array_equal(out, np.arange(3.0) + 1)
        # the verdict is reported only once the job's processes are gone
        assert survivors() == []
        # the next, innocent job gets its whole memory limit
        r = sbx.run(
            "import numpy as np\ndef g():\n    a = np.ones(20 << 20)\n    return float(a.sum())\n",
            [Call("g")],
        )
        assert r.status == RunStatus.OK, (r.status, r.message)
        assert r.calls[0].value == float(20 << 20)
    sbx.check_clean()


EDGE_SHAPES = [(0,), (0, 10**12), (10**12, 0), (0, 10**18), (1,) * 32, (0,) * 32, (2, 0, 3), ()]


@pytest.mark.parametrize("shape", EDGE_SHAPES, ids=str)
def test_it_decodes_every_header_the_encoder_writes(shape):
    from engine.sandbox.inside import wire

    a = np.empty(shape, dtype=np.float32)
    back = wire._npy_load(wire._npy_bytes(a))
    assert back.shape == shape and back.dtype == np.float32


def test_it_returns_empty_arrays_with_huge_axes(sbx: Sandbox):
    code = """
import numpy as np
def f():
    return np.empty((0, 10**12)), np.zeros((1,) * 32), np.empty((10**12, 0), dtype=np.int8)
"""
    a, b, c = sbx.value(code, "f")
    assert a.shape == (0, 10**12)
    assert b.shape == (1,) * 32
    assert c.shape == (10**12, 0) and c.dtype == np.int8
    sbx.check_clean()


AMPLIFY = """
import json, os, struct

def _result_fds():
    out = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{name}").startswith("pipe:"):
                out.append(fd)
        except OSError:
            pass
    return out

def f():
    body = b"[" + b"[]," * ((33 << 20) // 3) + b"[]]"   # 33 MB of nested empty lists
    frame = b"QSB1" + struct.pack(">QI", len(body), 0) + body
    for fd in _result_fds():
        view = memoryview(frame)
        while view:
            view = view[os.write(fd, view):]
    return 1
"""

RSS_PROBE = """
import json, sys
from engine import sandbox
from engine.sandbox import Call, Job, Limits

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])

mode, code = sys.argv[1], sys.stdin.read()
good = Job(code="def f():\\n    return 1\\n", calls=(Call("f"),))
sandbox.run(good, mode=mode)
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak: VmHWM from here on
base = status("VmRSS")
lim = Limits(wall_seconds=20, cpu_seconds=10, memory_mb=256, result_bytes=48 << 20)
r = sandbox.run(Job(code=code, calls=(Call("f"),), limits=lim), mode=mode)
after = sandbox.run(good, mode=mode)
print(json.dumps({"status": r.status.value, "message": r.message, "base_kb": base,
                  "peak_kb": status("VmHWM"), "next": after.status.value,
                  "next_value": after.calls[0].value if after.calls else None}))
"""


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_it_refuses_an_amplifying_result_frame_with_bounded_trusted_memory(mode):
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", RSS_PROBE, mode],
        input=AMPLIFY,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["status"] == "output_limit", out
    assert "lists" in out["message"] or "elements" in out["message"], out
    assert (out["peak_kb"] - out["base_kb"]) < 100 * 1024, out
    assert out["next"] == "ok" and out["next_value"] == 1, out


HOST_VIEW = """
import os
def f():
    out = {}
    for p in (
        "/proc/cmdline",
        "/proc/self/cgroup",
        "/proc/1/cmdline",
        "/proc/self/mountinfo",
        "/proc/self/mounts",
        "/proc/self/mountstats",
        "/proc/1/mountinfo",
    ):
        try:
            with open(p, "rb") as fh:
                out[p] = fh.read().decode(errors="replace")
        except OSError as e:
            out[p] = type(e).__name__
    out["ppid_cmdlines"] = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    out["ppid_cmdlines"].append(fh.read().decode(errors="replace"))
            except OSError:
                pass
    return out
"""


def test_it_hides_the_kernel_command_line_and_the_zygote_configuration(sbx: Sandbox):
    with open("/proc/cmdline") as f:
        host_cmdline = f.read().strip()
    out = sbx.value(HOST_VIEW)
    assert out["/proc/cmdline"] in ("", "PermissionError"), out["/proc/cmdline"]
    assert host_cmdline not in out["/proc/cmdline"]
    for cmd in out["ppid_cmdlines"]:
        assert "bpf" not in cmd and "cgroup_fds" not in cmd, cmd
    sbx.check_clean()


def test_it_shows_no_host_cgroup_path_warm_or_cold(sbx: Sandbox):
    out = sbx.value(HOST_VIEW)
    cgroup = out["/proc/self/cgroup"]
    assert "job-" not in cgroup and "zyg-" not in cgroup, cgroup
    assert str(os.getpid()) not in cgroup, cgroup
    assert all(line.endswith(":/") for line in cgroup.splitlines()), cgroup
    sbx.check_clean()


def test_it_shows_no_host_path_in_the_mount_tables(sbx: Sandbox):
    """Bind mounts name their source in mountinfo; the view is built from overlays whose
    layers are named relative to a private staging directory instead."""
    import sys

    import engine

    host_paths = {
        os.path.dirname(os.path.dirname(os.path.abspath(engine.__file__))),  # the project
        os.path.realpath(sys.prefix),  # the virtualenv
        os.path.realpath(sys.base_prefix),  # the interpreter's home
    }
    host_paths = {p for p in host_paths if p not in ("/", "/usr")}
    assert host_paths
    tables = {k: v for k, v in out_tables(sbx.value(HOST_VIEW)).items()}
    assert "/opt/qsb/site-packages" in tables["/proc/self/mountinfo"], tables
    for name, text in tables.items():
        for path in host_paths:
            assert path not in text, (name, path, text)
    sbx.check_clean()


def out_tables(out):
    return {k: v for k, v in out.items() if "mount" in k}


MANY_ARRAYS = """
import numpy as np
def f():
    return [np.full(3, i, dtype=np.float64) for i in range(20000)]
"""


def test_it_caps_the_decoders_own_cpu(sbx: Sandbox, monkeypatch):
    """Counting containers does not bound the work per array: the decoder also stops at
    a CPU budget of its own (lowered here so that a modest result crosses it)."""
    from engine.sandbox.inside import wire

    monkeypatch.setitem(wire.RESULT_BUDGET, "cpu_seconds", 0.02)
    r = sbx.run(MANY_ARRAYS, [Call("f")])
    assert r.status == RunStatus.OUTPUT_LIMIT, (r.status, r.message)
    assert "CPU" in r.message, r.message
    monkeypatch.undo()
    sbx.check_clean()


def test_the_decoder_cpu_budget_is_measured_per_stream():
    import numpy as np

    from engine.sandbox.inside import wire

    frames = b"".join(wire.pack_message({"i": i}, [np.zeros(2)] * 50) for i in range(200))
    tight = dict(wire.RESULT_BUDGET, cpu_seconds=1e-4)
    with pytest.raises(wire.BudgetError, match="CPU"):
        list(wire.iter_messages(frames, budget=tight))
    assert len(list(wire.iter_messages(frames, budget=wire.RESULT_BUDGET))) == 200


RANDOM_DRAWS = """
import random
import numpy as np
import torch

def draws():
    return [random.random(), float(np.random.rand()), float(torch.rand(1))]
"""


def test_every_job_starts_from_the_same_random_state_in_every_mode():
    # A program that draws random numbers (a mutant drawing fresh noise, say) gets the same
    # ones on every run, warm or cold: regrades, validation's records and diagnoses agree.
    job = Job(code=RANDOM_DRAWS, calls=(Call("draws", ()),), framework="torch")
    runs = [sandbox.run(job, mode=mode) for mode in ("warm", "warm", "cold")]
    assert all(run.status == RunStatus.OK for run in runs), [r.message for r in runs]
    values = [run.calls[0].value for run in runs]
    assert values[0] == values[1] == values[2]
    assert len(set(values[0])) == 3  # three different generators, each drawn
