"""Helpers for the sandbox suite: run hostile code, then prove the sandbox is clean.

``check_clean`` is what every hostile test ends with: no process of the job survived
(on the host, among this test process's descendants), nothing it wrote is visible to
the next job (``/tmp``, ``/dev/shm``, ``/`` of a fresh child are empty/pristine), the
job's cgroups were removed, and the grader still serves a normal submission.
"""

from __future__ import annotations

import os
import time

import numpy as np

from engine import sandbox
from engine.sandbox import Call, Job, Limits, RunStatus
from engine.sandbox.isolation import SANDBOX_UID, SandboxUnavailable, check_available

MODES = ("warm", "cold")
DEV_ENTRIES = [
    "core",
    "fd",
    "full",
    "null",
    "ptmx",
    "pts",
    "random",
    "shm",
    "stderr",
    "stdin",
    "stdout",
    "tty",
    "urandom",
    "zero",
]
HOSTILE_LIMITS = Limits(wall_seconds=3.0, cpu_seconds=1.0, memory_mb=192)

GOOD = """
import numpy as np
def f(x):
    return np.tanh(x) * 2
"""

PROBE = """
import os
def probe():
    seen = {}
    for d in ("/tmp", "/dev/shm", "/", "/opt/qsb", "/dev"):
        try:
            seen[d] = sorted(os.listdir(d))
        except OSError as e:
            seen[d] = repr(e)
    seen["procs"] = sorted(p for p in os.listdir("/proc") if p.isdigit())
    return seen
"""


def _sandbox_available() -> str | None:
    try:
        check_available()
    except SandboxUnavailable as exc:
        return str(exc)
    return None


def _children_of(root: int) -> dict[int, dict]:
    procs = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                st = dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            continue
        procs[int(name)] = {
            "ppid": int(st.get("PPid", "0")),
            "uid": int(st.get("Uid", "0").split()[0]),
            "nspid_depth": len(st.get("NSpid", "").split()),
            "cmd": cmd,
        }
    out, frontier = {}, {root}
    while frontier:
        nxt = set()
        for pid, p in procs.items():
            if p["ppid"] in frontier and pid not in out:
                out[pid] = p
                nxt.add(pid)
        frontier = nxt
    return out


def survivors() -> list[dict]:
    """Sandbox processes under this test process that belong to no idle zygote: anything
    in a job's PID namespace (depth >= 3) except each zygote's single spare child (forked
    ahead for the next job, childless), and any cold job's leftovers."""
    procs = _children_of(os.getpid())
    bad = []
    for pid, p in procs.items():
        if p["uid"] != SANDBOX_UID:
            continue
        if p["nspid_depth"] >= 3:
            parent = procs.get(p["ppid"])
            siblings = [q for q in procs.values() if q["ppid"] == p["ppid"]]
            has_children = any(q["ppid"] == pid for q in procs.values())
            is_spare = (
                parent is not None
                and " zygote " in parent["cmd"]
                and parent["nspid_depth"] == 2
                and len(siblings) == 1
                and not has_children
            )
            if not is_spare:
                bad.append(dict(p, pid=pid))
        elif " zygote " not in p["cmd"] and "bwrap" not in p["cmd"]:
            bad.append(dict(p, pid=pid))
    return bad


def job_groups_left() -> list[str]:
    from engine.sandbox import cgroups

    left = []
    if not cgroups.available():
        return left
    for c in cgroups.CONTROLLERS:
        base = cgroups._base(c)
        left += [n for n in os.listdir(base) if n.startswith(f"job-{os.getpid()}-")]
    return left


class Sandbox:
    def __init__(self, mode: str):
        self.mode = mode

    def run(self, code, calls=(), framework="numpy", limits=HOSTILE_LIMITS):
        calls = tuple(c if isinstance(c, Call) else Call(c) for c in calls)
        return sandbox.run(
            Job(code=code, calls=calls, framework=framework, limits=limits), mode=self.mode
        )

    def value(self, code, entry="f", args=(), **kw):
        r = self.run(code, (Call(entry, args),), **kw)
        assert r.status == RunStatus.OK, (r.status, r.message, r.error, r.stderr[-2000:])
        assert r.calls[0].error is None, r.calls[0].error
        return r.calls[0].value

    def check_clean(self, extra_paths=()):
        """Nothing survived or persisted, and the next submission is graded normally."""
        deadline = time.monotonic() + 5
        while survivors() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert survivors() == []
        assert job_groups_left() == []
        seen = self.value(PROBE, "probe")
        assert seen["/tmp"] == []
        assert seen["/dev/shm"] == []
        assert seen["/"] == ["dev", "lib", "lib64", "opt", "proc", "tmp", "usr"]
        assert seen["/opt/qsb"] == ["inside", "python", "site-packages"]
        assert seen["/dev"] == DEV_ENTRIES
        assert len(seen["procs"]) <= 2, seen["procs"]  # the child itself (+ bwrap's reaper, cold)
        x = np.linspace(-2, 2, 7)
        out = self.value(GOOD, "f", (x,))
        np.testing.assert_allclose(out, np.tanh(x) * 2)
        for p in extra_paths:
            assert not os.path.exists(p), p
