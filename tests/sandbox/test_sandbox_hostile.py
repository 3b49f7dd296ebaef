"""Hostile submissions.  Each asserts its status, that nothing persisted and that the
grader still serves the next submission (``Sandbox.check_clean``).  No test asserts a
wall-clock time: limits are enforced by the sandbox, the tests only read verdicts."""

from __future__ import annotations

import os

import pytest

from engine.sandbox import Limits, RunStatus, isolation
from engine.sandbox import warm as warm_pool
from tests.sandbox.sandboxkit import HOSTILE_LIMITS, _sandbox_available

pytestmark = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)


# ----------------------------------------------------------------------------- time


def test_cpu_spin_ignoring_sigterm_and_sigxcpu(sbx):
    code = """
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGXCPU, signal.SIG_IGN)
def f():
    while True:
        pass
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.TIMEOUT, (r.status, r.message)
    sbx.check_clean()


def test_sleep_forever(sbx):
    code = """
import time
def f():
    time.sleep(10**6)
"""
    r = sbx.run(code, ["f"], limits=Limits(wall_seconds=1.5, cpu_seconds=1.0))
    assert r.status == RunStatus.TIMEOUT
    assert "wall-clock" in r.message
    sbx.check_clean()


def test_spin_at_import_time(sbx):
    r = sbx.run("while True:\n    pass\n", ["f"])
    assert r.status == RunStatus.TIMEOUT
    sbx.check_clean()


# ----------------------------------------------------------------------------- memory


def test_heap_bomb(sbx):
    code = """
def f():
    hog = []
    while True:
        hog.append(bytearray(8 << 20))
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.MEMORY, (r.status, r.message, r.stderr[-500:])
    sbx.check_clean()


def test_numpy_allocation_bomb_touching_pages(sbx):
    code = """
import numpy as np
def f():
    hog = []
    while True:
        hog.append(np.ones((4 << 20,)))   # 32 MB each, written, so really resident
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.MEMORY, (r.status, r.message)
    sbx.check_clean()


def test_numpy_single_huge_allocation(sbx):
    code = """
import numpy as np
def f():
    return np.zeros((1 << 40,)).sum()
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.MEMORY, (r.status, r.message)
    sbx.check_clean()


# ----------------------------------------------------------------------------- processes


def test_bounded_fork_bomb_contained(sbx):
    code = """
import os, time
def f():
    n = 0
    for _ in range(10000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(1000)
            os._exit(0)
        n += 1
    return n
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.OK, (r.status, r.message)
    assert r.calls[0].value < 100  # the pids cgroup / RLIMIT_NPROC stopped it
    sbx.check_clean()


def test_thread_bomb_contained(sbx):
    code = """
import threading, time
def f():
    n = 0
    try:
        for _ in range(100000):
            threading.Thread(target=time.sleep, args=(1000,), daemon=True).start()
            n += 1
    except RuntimeError:
        pass
    return n
"""
    r = sbx.run(code, ["f"])
    assert r.status in (RunStatus.OK, RunStatus.MEMORY), (r.status, r.message)
    if r.status == RunStatus.OK:
        assert r.calls[0].value < 100
    sbx.check_clean()


def test_double_forked_setsid_daemon_never_writes(sbx, tmp_path):
    marker = "/tmp/qsb-daemon-was-here"
    code = f"""
import os, time
def f():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(1.0)
            for path in ({marker!r}, "/dev/shm/qsb-daemon", "/qsb-daemon"):
                try:
                    open(path, "w").write("pwned")
                except OSError:
                    pass
            os._exit(0)
        os._exit(0)
    return "parent done"
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.OK
    import time

    time.sleep(1.5)  # let the daemon's timer pass: it must be dead already
    sbx.check_clean(extra_paths=[marker, "/qsb-daemon"])


def test_kill_parent_and_process_group(sbx):
    code = """
import os, signal
def f():
    hits = []
    for target in range(2, 40000):
        try:
            os.kill(target, 0)
            hits.append(target)
        except OSError:
            pass
    try:
        os.kill(-1, signal.SIGKILL)   # everything we may signal (only our namespace)
    except OSError:
        pass
    os.killpg(0, signal.SIGKILL)      # our own process group
    os.kill(os.getppid(), signal.SIGKILL)  # getppid() is 0 here: the group again
    return hits
"""
    r = sbx.run(code, ["f"])
    # warm: the child is its namespace's init, which its own SIGKILL does not reach (OK);
    # cold: bwrap's reaper is init and the child dies by its own hand (CRASHED)
    assert r.status in (RunStatus.OK, RunStatus.CRASHED), (r.status, r.message)
    if r.status == RunStatus.OK:
        assert len(r.calls[0].value) <= 1
    for z in warm_pool.pool().all:
        assert z.alive()
    sbx.check_clean()


def test_cannot_see_other_processes(sbx):
    code = """
import os
def f():
    seen = []
    for target in range(2, 40000):
        try:
            os.kill(target, 0)
            seen.append(target)
        except OSError:
            pass
    return [os.getppid(), seen, sorted(p for p in os.listdir("/proc") if p.isdigit())]
"""
    ppid, seen, procs = sbx.value(code)
    assert ppid in (0, 1)  # warm: we are init; cold: bwrap's reaper is
    assert len(seen) <= 1  # cold: bwrap's reaper is PID 1 and we are PID 2
    assert len(procs) <= 2
    sbx.check_clean()


# ----------------------------------------------------------------------------- output


def test_output_flood(sbx):
    code = """
import sys
def f():
    while True:
        sys.stdout.write("A" * 65536)
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.OUTPUT_LIMIT
    assert len(r.stdout) <= HOSTILE_LIMITS.output_bytes
    assert r.stdout_truncated
    sbx.check_clean()


def test_result_channel_flood(sbx):
    code = """
import numpy as np
def f():
    return np.ones((4 << 20,))   # 32 MB > the result cap below
"""
    r = sbx.run(
        code,
        ["f"],
        limits=Limits(wall_seconds=5, cpu_seconds=2, memory_mb=256, result_bytes=1 << 20),
    )
    assert r.status == RunStatus.OUTPUT_LIMIT
    assert "result channel" in r.message
    sbx.check_clean()


def test_fake_verdict_then_exit_zero(sbx):
    code = """
import os, sys
def f():
    print("AC")
    print('{"verdict": "AC", "score": 100}')
    sys.stdout.flush()
    os._exit(0)
"""
    r = sbx.run(code, ["f"])
    assert r.status == RunStatus.CRASHED
    assert r.status != RunStatus.OK
    assert "AC" in r.stdout
    sbx.check_clean()


def test_writing_to_every_fd(sbx):
    code = """
import os
def f():
    hit = []
    for fd in range(3, 1024):
        try:
            os.write(fd, b'{"kind": "done"}AC\\n' * 8)
            hit.append(fd)
        except OSError:
            pass
    return hit
"""
    r = sbx.run(code, ["f"])
    # the only writable descriptor is the result pipe: garbage on it is a crash, not a pass
    assert r.status == RunStatus.CRASHED, (r.status, r.message)
    assert "corrupted" in r.message
    sbx.check_clean()


# ----------------------------------------------------------------------------- files


def test_huge_file_in_tmp(sbx):
    code = """
def f():
    written = 0
    try:
        with open("/tmp/huge", "wb") as fh:
            for _ in range(4096):
                fh.write(b"x" * (1 << 20))
                written += 1 << 20
    except OSError as e:
        return [written, type(e).__name__]
    return [written, None]
"""
    written, err = sbx.value(code)
    assert err in ("OSError",) or err is not None
    assert written <= 64 << 20
    sbx.check_clean()


def test_too_many_fds(sbx):
    code = """
import os
def f():
    fds = []
    try:
        while True:
            fds.append(os.open("/dev/null", os.O_RDONLY))
    except OSError as e:
        return [len(fds), e.errno]
"""
    import errno

    n, err = sbx.value(code)
    assert err == errno.EMFILE
    assert n < 1024
    sbx.check_clean()


def test_read_secrets_on_disk(sbx):
    code = """
import os
PATHS = ["/etc/shadow", "/etc/passwd", "/root/.bash_history", "/work/main/.env",
         "/work/main/quizsite/settings/base.py", "/work/main/db.sqlite3",
         "/work/main/engine/reference/__init__.py", "/proc/1/root/etc/shadow",
         "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/var/run/postgresql/.s.PGSQL.5432"]
def f():
    out = {}
    for p in PATHS:
        try:
            with open(p, "rb") as fh:
                out[p] = fh.read(100).decode(errors="replace")
        except OSError as e:
            out[p] = type(e).__name__
    found = []
    libraries = ("/proc", "/opt/qsb/site-packages", "/opt/qsb/python", "/usr/lib")
    for root, dirs, files in os.walk("/", onerror=None):
        if root.startswith(libraries):  # the interpreter's own libraries (Django's too)
            dirs[:] = []
            continue
        for name in files + dirs:
            if name in (".env", "db.sqlite3", "manage.py", "quizsite", "shadow", ".git",
                        "settings.py", "celery.py") or name.endswith((".env", ".sqlite3")):
                found.append(os.path.join(root, name))
    return [out, found]
"""
    out, found = sbx.value(code)
    for path, what in out.items():
        assert what in ("FileNotFoundError", "PermissionError"), (path, what)
    assert found == []
    sbx.check_clean()


def test_proc_kernel_knobs_read_only(sbx):
    code = """
def f():
    out = {}
    for p in ("/proc/sysrq-trigger", "/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches",
              "/proc/sys/net/ipv4/ip_forward", "/proc/self/oom_score_adj"):
        try:
            with open(p, "w") as fh:
                fh.write("1")
            out[p] = "written"
        except OSError as e:
            out[p] = type(e).__name__
    return out
"""
    out = sbx.value(code)
    for p, what in out.items():
        if p != "/proc/self/oom_score_adj":  # raising its own OOM score is harmless
            assert what != "written", p
    sbx.check_clean()


def test_write_outside_tmp_denied_and_tmp_discarded(sbx):
    site = isolation.INSIDE_SITE
    code = f"""
import os
TARGETS = [{site!r} + "/evil.pth", {site!r} + "/numpy/__init__.py", "/usr/lib/evil.so",
           "/opt/qsb/inside/__main__.py", "/opt/qsb/inside/evil.py",
           "/work/main/engine/evil.py", "/evil", "/dev/evil",
           "/lib/evil", "/root/evil"]
def f():
    out = {{}}
    for p in TARGETS:
        try:
            with open(p, "a") as fh:
                fh.write("import os")
            out[p] = "written"
        except OSError as e:
            out[p] = type(e).__name__
    for p in ("/tmp/persist", "/dev/shm/persist"):
        with open(p, "w") as fh:
            fh.write("x")
        out[p] = "written"
    return out
"""
    out = sbx.value(code)
    for p, what in out.items():
        if p in ("/tmp/persist", "/dev/shm/persist"):
            assert what == "written"
        else:
            assert what != "written", p
    sbx.check_clean(extra_paths=["/tmp/persist", "/dev/shm/persist", "/evil"])
    assert not os.path.exists(os.path.join(isolation.SITE_PACKAGES, "evil.pth"))
