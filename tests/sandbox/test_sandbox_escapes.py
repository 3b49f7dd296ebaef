"""Hostile submissions, continued (tests/sandbox/test_sandbox_hostile.py has time, memory,
processes, output and files): secrets, the network, privileges and crashes. Each asserts its
status, that nothing persisted and that the grader still serves the next submission; no test
asserts a wall-clock time."""

from __future__ import annotations

import os
import socket as host_socket

import numpy as np
import pytest

from engine.sandbox import Call, Limits, RunStatus, Unsupported
from engine.sandbox import warm as warm_pool
from tests.sandbox.sandboxkit import Sandbox, _sandbox_available

pytestmark = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)


# ----------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_environment_holds_no_secret(mode, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "fake-secret-key-7d1f0c")
    monkeypatch.setenv("DATABASE_URL", "postgres://quiz:fake-db-pass-91ab@127.0.0.1/quiz")
    # zygotes started from now on are started from a process that holds the secrets
    warm_pool.pool().shutdown()
    sbx = Sandbox(mode)
    code = """
import os
def f():
    blobs = [repr(dict(os.environ))]
    for pid in os.listdir("/proc"):
        for part in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{part}", "rb") as fh:
                    blobs.append(fh.read().decode(errors="replace"))
            except OSError:
                pass
    return "\\n".join(blobs)
"""
    text = sbx.value(code)
    for secret in ("fake-secret-key-7d1f0c", "fake-db-pass-91ab", "SECRET_KEY", "DATABASE_URL"):
        assert secret not in text
    assert "OMP_NUM_THREADS" in text  # the allow-listed environment is there
    sbx.check_clean()
    warm_pool.pool().shutdown()


def test_no_reference_values_in_memory(sbx):
    # The engine never sends expected outputs; prove the child holds nothing but its inputs:
    # search its objects, modules, frames and its whole readable memory for the expected
    # output's raw bytes.  The child is given the two 8-byte halves of the pattern as
    # integers (never the 16 contiguous bytes), and the same search for the input's bytes
    # is the positive control.
    x = np.array([0.123456789012345, 2.5, -1.25])
    expected = np.tanh(x) * 1.2345678901  # computed here, in the trusted process only
    code = """
import gc, sys
import numpy as np
def scan(h1, h2):
    found = 0
    with open("/proc/self/maps") as maps, open("/proc/self/mem", "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            if "r" not in perms or "[vvar" in line or "[vsyscall" in line:
                continue
            lo, hi = (int(a, 16) for a in addr.split("-"))
            if hi - lo > 512 << 20:
                continue
            try:
                mem.seek(lo)
                chunk = mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
            words = np.frombuffer(chunk[: len(chunk) // 8 * 8], dtype=np.uint64)
            idx = np.nonzero(words[:-1] == np.uint64(h1))[0]
            found += int((words[idx + 1] == np.uint64(h2)).sum())
    return found
def f(x, expected_halves, input_halves):
    mods = sorted(m for m in sys.modules
                  if m.split(".")[0] in ("engine", "problems", "quizsite", "django"))
    frame, names = sys._getframe(), []
    while frame is not None:
        names += list(frame.f_locals)
        frame = frame.f_back
    return [mods, scan(*expected_halves), scan(*input_halves)]
"""

    def halves(a):
        w = np.frombuffer(a[:2].tobytes(), dtype=np.uint64)
        return [int(w[0]), int(w[1])]

    r = sbx.run(
        code,
        [Call("f", (x, halves(expected), halves(x)))],
        limits=Limits(wall_seconds=20, cpu_seconds=10, memory_mb=1024),
    )
    assert r.status == RunStatus.OK, (r.status, r.message, r.calls and r.calls[0].error)
    mods, found_expected, found_input = r.calls[0].value
    assert mods == []
    assert found_input >= 1  # the scan works: the child's own input is in its memory
    assert found_expected == 0  # and the expected output is nowhere
    sbx.check_clean()


def test_import_project_packages_fails(sbx):
    code = """
import importlib
def f():
    out = {}
    for name in ("engine", "engine.reference", "problems", "quizsite", "quizsite.settings",
                 "django", "celery", "redis", "psycopg"):
        try:
            importlib.import_module(name)
            out[name] = "imported"
        except ImportError as e:
            out[name] = type(e).__name__
    return out
"""
    out = sbx.value(code)
    for name in ("engine", "engine.reference", "problems", "quizsite", "quizsite.settings"):
        assert out[name] == "ModuleNotFoundError", (name, out[name])
    sbx.check_clean()


def test_the_harness_package_adds_nothing_to_the_import_path(sbx):
    # the harness imports its directory as the package `inside` by path: neither
    # /opt/qsb nor the package's directory is on sys.path, so its modules are not
    # importable by their bare names and nothing else under /opt/qsb is importable
    code = """
import importlib
import sys
def f():
    out = {"path": [p for p in sys.path if p.startswith("/opt/qsb") and "site-packages" not in p]}
    for name in ("wire", "runner", "zygote", "python"):
        try:
            importlib.import_module(name)
            out[name] = "imported"
        except ImportError as e:
            out[name] = type(e).__name__
    out["inside"] = sys.modules["inside"].__file__
    return out
"""
    out = sbx.value(code)
    assert out["path"] == [p for p in out["path"] if p.startswith("/opt/qsb/python/lib")]
    for name in ("wire", "runner", "zygote", "python"):
        assert out[name] == "ModuleNotFoundError", (name, out[name])
    assert out["inside"] == "/opt/qsb/inside/__init__.py"
    sbx.check_clean()


# ----------------------------------------------------------------------------- network


def test_network_unreachable(sbx):
    code = """
import socket
def f():
    out = {}
    for port in (6379, 5432, 8000, 80):
        try:
            with socket.socket() as s:
                s.settimeout(1)
                s.connect(("127.0.0.1", port))
            out[str(port)] = "connected"
        except OSError as e:
            out[str(port)] = type(e).__name__
    try:
        socket.getaddrinfo("example.com", 80)
        out["dns"] = "resolved"
    except OSError as e:
        out["dns"] = type(e).__name__
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.sendto(b"x", ("8.8.8.8", 53))
        out["udp"] = "sent"
    except OSError as e:
        out["udp"] = type(e).__name__
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect("/var/run/postgresql/.s.PGSQL.5432")
        out["unix"] = "connected"
    except OSError as e:
        out["unix"] = type(e).__name__
    return out
"""
    out = sbx.value(code)
    for k, v in out.items():
        assert v not in ("connected", "resolved", "sent"), (k, v)
    sbx.check_clean()


def test_host_services_still_reachable_from_host():
    # sanity for the test above: it is the sandbox that blocks, not a dead service
    s = host_socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", 6379))  # raising here is the failure this test looks for
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis on 127.0.0.1:6379 is not reachable from the host either")
        pytest.skip("no Redis on this machine to compare with")
    finally:
        s.close()


# ----------------------------------------------------------------------------- privileges


def test_ptrace_and_process_vm_readv_refused(sbx):
    code = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
def f():
    out = {}
    for target in (0, 1, os.getpid()):
        r = libc.ptrace(16, target, 0, 0)   # PTRACE_ATTACH
        out[f"ptrace {target}"] = (r, ctypes.get_errno())
    buf = ctypes.create_string_buffer(64)
    local = IoVec(ctypes.cast(buf, ctypes.c_void_p), 64)
    remote = IoVec(0x400000, 64)
    r = libc.process_vm_readv(1, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    out["process_vm_readv"] = (r, ctypes.get_errno())
    r = libc.ptrace(0, 0, 0, 0)             # PTRACE_TRACEME
    out["traceme"] = (r, ctypes.get_errno())
    return out
"""
    import errno

    out = sbx.value(code)
    for k, (ret, err) in out.items():
        assert ret == -1 and err == errno.EPERM, (k, ret, err)
    sbx.check_clean()


def test_setuid_unshare_mount_refused(sbx):
    code = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def attempt(fn):
    r = fn()
    return (r, ctypes.get_errno())
def f():
    out = {}
    try:
        os.setuid(0)
        out["setuid"] = "ok"
    except OSError as e:
        out["setuid"] = e.errno
    out["unshare_user"] = attempt(lambda: libc.unshare(0x10000000))
    out["unshare_ns"] = attempt(lambda: libc.unshare(0x00020000))
    out["mount_tmpfs"] = attempt(lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
    out["umount_tmp"] = attempt(lambda: libc.umount2(b"/tmp", 2))
    out["umount_proc"] = attempt(lambda: libc.umount2(b"/proc", 2))
    out["chroot"] = attempt(lambda: libc.chroot(b"/tmp"))
    out["setns"] = attempt(lambda: libc.setns(0, 0))
    out["uid"] = os.getuid()
    with open("/proc/self/status") as fh:
        out["caps"] = [l.split()[1] for l in fh if l.startswith(("CapEff", "CapPrm", "CapBnd"))]
    return out
"""
    import errno

    out = sbx.value(code)
    assert out.pop("setuid") in (errno.EPERM, errno.EINVAL)  # EINVAL: uid 0 is not even mapped
    assert out.pop("uid") != 0
    assert out.pop("caps") == ["0000000000000000"] * 3
    for k, (ret, err) in out.items():
        assert ret == -1 and err == errno.EPERM, (k, ret, err)
    sbx.check_clean()


def test_dangerous_syscalls_refused(sbx):
    code = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
NR = {"keyctl": 250, "bpf": 321, "io_uring_setup": 425, "perf_event_open": 298,
      "init_module": 175, "finit_module": 313, "delete_module": 176, "reboot": 169,
      "kexec_load": 246, "userfaultfd": 323, "open_by_handle_at": 304, "pivot_root": 155,
      "swapon": 167, "acct": 163}
def f():
    out = {}
    for name, nr in NR.items():
        r = libc.syscall(nr, 0, 0, 0, 0, 0)
        out[name] = (r, ctypes.get_errno())
    return out
"""
    import errno

    out = sbx.value(code)
    for k, (ret, err) in out.items():
        assert ret == -1 and err == errno.EPERM, (k, ret, err)
    sbx.check_clean()


def test_fork_into_new_namespace_refused(sbx):
    code = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
def f():
    # raw clone(CLONE_NEWUSER | SIGCHLD): the seccomp filter checks clone's flags
    r = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)
    if r == 0:
        libc._exit(0)
    return (r, ctypes.get_errno())
"""
    import errno

    ret, err = sbx.value(code)
    assert ret == -1 and err == errno.EPERM
    sbx.check_clean()


# ----------------------------------------------------------------------------- crashes


def test_deep_recursion_segfault(sbx):
    # Python-to-Python calls do not use the C stack in 3.11; repr() of a deeply nested list
    # does, and with the recursion limit lifted it overflows the stack
    code = """
import sys
sys.setrecursionlimit(10**8)
def f():
    nested = []
    for _ in range(2_000_000):
        nested = [nested]
    return len(repr(nested))
"""
    r = sbx.run(code, ["f"], limits=Limits(wall_seconds=10, cpu_seconds=5, memory_mb=512))
    assert r.status == RunStatus.CRASHED, (r.status, r.message)
    assert "SIGSEGV" in r.message
    sbx.check_clean()


def test_deep_python_recursion_is_bounded(sbx):
    code = """
import sys
sys.setrecursionlimit(10**8)
def g(n):
    return g(n + 1) + 1
def f():
    return g(0)
"""
    r = sbx.run(code, ["f"], limits=Limits(wall_seconds=10, cpu_seconds=5, memory_mb=256))
    assert r.status in (RunStatus.MEMORY, RunStatus.CRASHED), (r.status, r.message)
    sbx.check_clean()


def test_lying_eq_object_and_ndarray_subclass(sbx):
    code = """
import numpy as np
class Liar:
    def __eq__(self, other):
        return True
    def __array__(self, *a, **k):
        return np.ones(3)
class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
    def __array_finalize__(self, obj):
        pass
class LyingFloat(float):
    def __eq__(self, other):
        return True
def liar():
    return Liar()
def lying_array():
    return np.zeros(3).view(LyingArray)
def lying_float():
    return LyingFloat(0.0)
def lying_tuple():
    return (Liar(), np.zeros(2).view(LyingArray))
"""
    r = sbx.run(code, ["liar", "lying_array", "lying_float", "lying_tuple"])
    assert r.status == RunStatus.OK
    liar, arr, flt, tup = (c.value for c in r.calls)
    assert isinstance(liar, Unsupported) and liar.type_name == "Liar"
    assert type(arr) is np.ndarray and not (arr == np.ones(3)).any()
    assert type(flt) is float and flt == 0.0 and flt != 1.0
    assert type(tup) is tuple and isinstance(tup[0], Unsupported) and type(tup[1]) is np.ndarray
    sbx.check_clean()


def test_torch_tensor_subclass_returns_plain_array(warm):
    code = """
import torch
class Sneaky(torch.Tensor):
    def __eq__(self, other):
        return True
def f(x):
    return (x * 2).as_subclass(Sneaky)
"""
    r = warm.run(
        code,
        [Call("f", (np.arange(3.0),), as_tensor=True)],
        framework="torch",
        limits=Limits(wall_seconds=10, cpu_seconds=5, memory_mb=1024),
    )
    assert r.status == RunStatus.OK, (r.status, r.message, r.calls and r.calls[0].error)
    v = r.calls[0].value
    assert type(v) is np.ndarray
    np.testing.assert_array_equal(v, [0.0, 2.0, 4.0])
    warm.check_clean()


def test_zygote_unreachable_from_child(warm):
    code = """
import os, socket
def f():
    out = {}
    with open("/proc/net/unix") as fh:
        out["unix_sockets"] = fh.read().splitlines()[1:]
    out["fds"] = sorted(os.listdir("/proc/self/fd"))
    out["ns_pid"] = os.readlink("/proc/self/ns/pid")
    out["mounts"] = open("/proc/self/mountinfo").read().count("\\n")
    return out
"""
    a = warm.value(code)
    b = warm.value(code)
    assert a["unix_sockets"] == []
    assert len(a["fds"]) <= 5  # 0, 1, 2, the result pipe and the listing itself
    assert a["ns_pid"] != b["ns_pid"] or a["ns_pid"] == b["ns_pid"]  # (namespaces are reused ids)
    warm.check_clean()
