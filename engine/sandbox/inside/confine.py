"""Confinement of the child that runs a job: its cgroups, descriptors, rlimits and
seccomp filter, then the job (``confine_and_run``, both paths' last step)."""

from __future__ import annotations

import ctypes
import io
import math
import os
import resource
import signal
import sys

from .exits import ExitCode
from .linux import (
    CLONE_NEWCGROUP,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_SECCOMP,
    SECCOMP_MODE_FILTER,
    Syscalls,
    enter_own_user_namespace,
)
from .runner import Runner, cpu_seconds, decode_job, flush_own, mark, read_message
from .wire import pack_message

# bound before any learner code runs (the hidden calls' CPU limit is set after it ran)
_os_exit = os._exit
_getrlimit, _setrlimit = resource.getrlimit, resource.setrlimit
_RLIMIT_CPU, _RLIM_INFINITY = resource.RLIMIT_CPU, resource.RLIM_INFINITY

THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
}


def set_threads_one(framework):
    os.environ.update(THREAD_ENV)
    if framework == "torch":
        import torch  # torch jobs only, imported here after the thread environment is set

        torch.set_num_threads(1)
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:
            pass


def cpu_limit(limits):
    """The CPU seconds a job (or its hidden calls) may use: whole seconds, at least one."""
    return max(1, int(math.ceil(float(limits.get("cpu_seconds", 5.0)))))


def apply_rlimits(limits, hidden=False):
    """CPU, core, file size, descriptors, locked memory, message queues; processes and
    address space when asked for. A job with hidden calls (``hidden``) gets room under
    the hard CPU limit for the budget they get afresh (``CpuBudget``)."""
    cpu = cpu_limit(limits)
    settings = [
        (resource.RLIMIT_CPU, (cpu, 2 * cpu + 2 if hidden else cpu + 1)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_FSIZE, (int(limits.get("fsize_bytes", 16 << 20)),) * 2),
        (resource.RLIMIT_NOFILE, (int(limits.get("nofile", 64)),) * 2),
        (resource.RLIMIT_MEMLOCK, (0, 0)),
        (resource.RLIMIT_MSGQUEUE, (0, 0)),
    ]
    if limits.get("nproc"):
        settings.append((resource.RLIMIT_NPROC, (int(limits["nproc"]),) * 2))
    if limits.get("as_bytes"):
        settings.append((resource.RLIMIT_AS, (int(limits["as_bytes"]),) * 2))
    for res, val in settings:
        try:
            resource.setrlimit(res, val)
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(res)
            want = min(val[0], hard) if hard != resource.RLIM_INFINITY else val[0]
            resource.setrlimit(res, (want, want))


class CpuBudget:
    """Each part of a job with hidden calls has ``cpu_seconds`` of CPU, as a job of its own
    had. The hard RLIMIT_CPU can only come down, so it is set with room for both parts
    (``apply_rlimits(hidden=True)``) and each part's budget is kept by SIGXCPU (the soft
    limit, set ``cpu_seconds`` past the part's start): this handler ends the process once
    the part has used its budget. (A warm child is PID 1 of its namespace, where SIGXCPU's
    default action does nothing: without a handler only the hard limit would stop it.)
    Learner code can replace the handler; then the hard limit stops it, and the wall clock
    holds each part as before."""

    def __init__(self, limits):
        self.seconds = float(limits.get("cpu_seconds", 5.0))
        self.cpu = cpu_limit(limits)
        self.start = 0.0

    def install(self):
        signal.signal(signal.SIGXCPU, self.on_sigxcpu)

    def on_sigxcpu(self, signum, frame):
        if cpu_seconds() - self.start >= self.seconds - 0.05:
            _os_exit(ExitCode.CPU_LIMIT)

    def next_part(self):
        """The hidden calls' budget, counted from now: the soft limit ``cpu_seconds`` from
        now, the hard one a second later (or sooner, if the job spent its room already)."""
        self.start = cpu_seconds()
        _, hard = _getrlimit(_RLIMIT_CPU)
        soft = int(math.ceil(self.start)) + self.cpu
        if hard != _RLIM_INFINITY:
            soft = min(soft, max(hard - 1, 0))
            _setrlimit(_RLIMIT_CPU, (soft, min(soft + 1, hard)))
        else:
            _setrlimit(_RLIMIT_CPU, (soft, soft + 1))


def close_fds_except(keep):
    """Close every descriptor from 3 up but those in ``keep``."""
    keep = sorted(set(keep))
    lo = 3
    for fd in keep:
        if fd >= lo:
            os.closerange(lo, fd)
            lo = fd + 1
    os.closerange(lo, 1 << 16)


def join_cgroups(fds):
    """Join the cgroups whose ``cgroup.procs`` descriptors the trusted side passed."""
    for fd in fds:
        try:
            os.write(fd, b"0\n")
        finally:
            os.close(fd)


_SECCOMP_PROGS: dict = {}  # bpf hex -> (libc, buffer, sock_fprog), prepared in the zygote


def prepare_seccomp(bpf_hex):
    """Build the ``sock_fprog`` for a filter once (the zygote does it before forking)."""
    if bpf_hex in _SECCOMP_PROGS:
        return _SECCOMP_PROGS[bpf_hex]
    bpf = bytes.fromhex(bpf_hex)
    libc = ctypes.CDLL(None, use_errno=True)

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = SockFprog(len(bpf) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _SECCOMP_PROGS[bpf_hex] = (libc, buf, prog)
    return _SECCOMP_PROGS[bpf_hex]


def load_seccomp(bpf_hex):
    """Install a raw BPF program (compiled on the trusted side with libseccomp)."""
    libc, _buf, prog = prepare_seccomp(bpf_hex)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_SECCOMP")


def confine_and_run(job_fd, result_fd, config, preloaded=False):
    """Join the job's cgroups, read the job, confine this process, run the learner's
    code.  Never returns."""
    code = ExitCode.OK
    own_streams = ()
    try:
        cg_fds = config.get("cgroup_fds", ())
        join_cgroups(cg_fds)
        if cg_fds and not preloaded:
            # a cold job joined its cgroups after bubblewrap made the cgroup namespace:
            # root a new one at the job's groups, so /proc/self/cgroup shows "/" and no
            # group name (which carries the trusted process's PID)
            enter_own_user_namespace(Syscalls(), os.geteuid(), CLONE_NEWCGROUP)
        mark("cgroups")
        job_cap = int(config.get("job_cap", 1 << 30))
        data = read_message(job_fd, job_cap)
        mark("read")
        job = decode_job(data)
        del data
        hidden = bool(job.get("hidden_calls"))
        if not hidden:
            os.close(job_fd)  # a job with hidden calls reads them later from this pipe
            job_fd = -1
        mark("decoded")
        framework = job.get("framework", "numpy")
        limits = dict(job.get("limits", {}))
        limits.update(config.get("limits", {}))
        if not preloaded:
            set_threads_one(framework)
            # after the thread settings, and before the address-space backstop is measured
            import numpy.random  # noqa: F401 - NumPy with it (NumPy 2 imports it lazily)
        close_fds_except([result_fd] if job_fd < 0 else [result_fd, job_fd])
        if "as_extra_mb" in config:
            limits["as_bytes"] = _vm_size() + int(config["as_extra_mb"]) * (1 << 20)
        apply_rlimits(limits, hidden)
        mark("rlimits")
        if config.get("bpf"):
            load_seccomp(config["bpf"])
            mark("seccomp")
        budget = CpuBudget(limits)
        if hidden:
            budget.install()
        os.chdir("/tmp" if os.path.isdir("/tmp") else "/")
        own_streams = tuple(s for s in (sys.stdout, sys.stderr) if type(s) is io.TextIOWrapper)
        Runner(job, result_fd, own_streams, job_fd, job_cap, budget.next_part).run()
    except BaseException as exc:  # noqa: BLE001 - report sandbox failures as such
        try:
            msg = {"kind": "internal", "message": f"{type(exc).__name__}: {exc}"[:2000]}
            os.write(result_fd, pack_message(msg))
        except BaseException:  # noqa: BLE001 - the channel itself may be what failed
            pass
        code = ExitCode.HARNESS_FAILED
    flush_own(own_streams)
    _os_exit(code)


def _vm_size():
    """This process's address-space size (the ``RLIMIT_AS`` backstop is set above it)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 1 << 30
