"""The warm path's zygote: a process in the sandbox view that imported NumPy (and
PyTorch) once and forks one isolated child per job, prepared while the previous job runs.

Each child is PID 1 of a new PID namespace, makes its own mount, network, IPC, UTS,
cgroup and user namespaces, mounts a private ``/tmp``, ``/dev/shm``, ``/proc`` and
``/dev/pts``, drops every capability and then waits for its job's descriptors.
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import socket
import sys
import time

from .confine import (
    close_fds_except,
    confine_and_run,
    join_cgroups,
    prepare_seccomp,
    set_threads_one,
)
from .exits import ExitCode
from .linux import (
    CLONE_NEWCGROUP,
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUTS,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    PR_SET_PDEATHSIG,
    Syscalls,
    enter_own_user_namespace,
)
from .plain import Ref, Unsupported, to_plain
from .runner import MARKS, decode_job, mark
from .wire import encode_value, lazy_numpy, pack_message, unpack_messages


def isolate_child(sysc, config):
    """In a fresh fork of the zygote (PID 1 of a new PID namespace): new mount, network,
    IPC, UTS and user namespaces, private tmpfs for /tmp and /dev/shm, a /proc of its
    own, no capabilities left."""
    os.setsid()
    sysc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    mark("forked")
    # a cgroup namespace rooted at the slot: /proc/self/cgroup shows "/", no host path
    sysc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)
    mark("unshare")
    sysc.unshare(CLONE_NEWNET)
    mark("unshare_net")
    sysc.mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    tmp_kb = int(config.get("tmp_kb", 16384))
    opts = f"size={tmp_kb}k,nr_inodes=1024,mode=1777"
    sysc.mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, opts)
    if os.path.isdir("/dev/shm"):
        sysc.mount(
            "tmpfs",
            "/dev/shm",
            "tmpfs",
            MS_NOSUID | MS_NODEV | MS_NOEXEC,
            f"size={tmp_kb}k,nr_inodes=256,mode=1777",
        )
    sysc.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    # as bubblewrap does for its /proc: the kernel-wide knobs read-only
    for sub in ("sys", "sysrq-trigger", "irq", "bus"):
        path = "/proc/" + sub
        if os.path.exists(path):
            sysc.mount(path, path, None, MS_BIND | MS_REC, None)
            sysc.mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC, None)
    # the host's kernel command line is none of the job's business
    sysc.mount("/dev/null", "/proc/cmdline", None, MS_BIND, None)
    # a terminal namespace of its own: no /dev/pts shared with another job
    if os.path.isdir("/dev/pts"):
        sysc.mount(
            "devpts",
            "/dev/pts",
            "devpts",
            MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620",
        )
    mark("mounts")
    socket.sethostname("sandbox")
    enter_own_user_namespace(sysc, int(config.get("inside_uid", 1000)))
    mark("userns")


def _send(sock, obj):
    sock.send(json.dumps(obj).encode())


def _thread_count():
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


def zygote_main(ctl_fd, config):
    """Import everything once, then fork one isolated child per job request."""
    cg_fds = list(config.get("cgroup_fds", ()))
    close_fds_except([ctl_fd] + cg_fds)
    os.environ.clear()
    os.environ.update(config.get("env", {}))
    for p in config.get("sys_path", ()):
        if p not in sys.path:
            sys.path.append(p)
    _preload(config.get("framework", "numpy"), config.get("bpf"))
    sysc = Syscalls()
    ctl = socket.socket(fileno=ctl_fd)
    pidns = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    devnull = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
    # join the slot cgroups after the imports: the zygote's own pages stay charged to the
    # parent group, its children are born inside (no migration per job)
    join_cgroups(cg_fds)
    gc.collect()
    gc.freeze()
    _send(ctl, {"op": "ready", "pid": os.getpid(), "threads": _thread_count()})
    if not config.get("debug"):
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
    _Server(sysc, ctl, pidns, devnull, config).serve()


def _preload(framework, bpf):
    """Import (and warm up) everything a child uses, so that no child pays for it; the
    standard library's part is imported by this package's modules."""
    set_threads_one(framework)
    import numpy as np  # after set_threads_one: NumPy reads the thread settings on import
    import numpy.random  # NumPy 2 imports it lazily: do it before forking

    a = np.random.default_rng(0).standard_normal((8, 8))
    _ = np.tanh(a @ a.T).sum()
    pack_message({"x": 1}, [a])
    unpack_messages(pack_message({"x": 1}, [a]))
    if framework == "torch":
        import torch  # loaded by set_threads_one already: the name only

        t = torch.ones(3, 3, requires_grad=True)
        (torch.tanh(t @ t) ** 2).mean().backward()
        torch.from_numpy(a).detach().cpu().numpy()
    to_plain((a, [1.5], {"k": np.float64(1)}))
    if bpf:
        prepare_seccomp(bpf)


class _Server:
    """The zygote's loop: requests on the control socket ("run", "kill"), and the exits
    of its children, each reported by job id."""

    def __init__(self, sysc, ctl, pidns, devnull, config):
        self.sysc, self.ctl, self.pidns, self.devnull = sysc, ctl, pidns, devnull
        self.config = config
        self.running = {}  # pidfd -> (job id, pid, killed)
        self.spare = None  # (pid, socket, pidfd) of the next job's child

    def make_spare(self):
        return _make_spare(self.sysc, self.ctl, self.pidns, self.devnull, self.config)

    def serve(self):
        self.spare = self.make_spare()
        while True:
            r, _, _ = select.select([self.ctl, *self.running], [], [])
            for pidfd in [fd for fd in r if fd in self.running]:
                self.on_child_exit(pidfd)
            if self.ctl in r:
                self.on_request()

    def on_child_exit(self, pidfd):
        job_id, pid, _killed = self.running.pop(pidfd)
        res = _reap(pid, pidfd, None)
        res["id"] = job_id
        _send(self.ctl, res)

    def on_request(self):
        try:
            msg, fds, _, _ = socket.recv_fds(self.ctl, 1 << 16, 16)
        except OSError as exc:
            if self.config.get("debug"):
                print(f"zygote: control socket failed: {exc!r}", file=sys.stderr, flush=True)
            msg, fds = b"", []
        if not msg:  # the trusted side closed the control socket
            for _job_id, pid, _killed in self.running.values():
                os.kill(pid, signal.SIGKILL)
            os._exit(ExitCode.OK)
        t_recv = time.perf_counter()
        req = json.loads(msg)
        op = req.get("op")
        if op == "kill":
            self.kill_job(req.get("id"))
        elif op == "run":
            self.run_job(req, msg, fds, t_recv)
        else:
            for fd in fds:
                os.close(fd)

    def kill_job(self, job_id):
        for fd, (running_id, pid, killed) in list(self.running.items()):
            if running_id == job_id and not killed:
                os.kill(pid, signal.SIGKILL)
                self.running[fd] = (running_id, pid, True)

    def run_job(self, req, msg, fds, t_recv):
        """Hand the job's descriptors to the spare child (forked and isolated while
        idle), then prepare the next one while this job runs on the other core."""
        for _attempt in range(3):
            if self.spare is None:
                self.spare = self.make_spare()
            pid, sock, pidfd = self.spare
            try:
                socket.send_fds(sock, [msg], fds)
                break
            except OSError:  # the spare died (e.g. killed with a previous job's leftovers)
                _reap(pid, pidfd, sock, kill=True)
                self.spare = None
        else:
            for fd in fds:
                os.close(fd)
            exit_report = {"op": "exit", "id": req.get("id"), "cpu": 0, "maxrss": 0}
            _send(self.ctl, dict(exit_report, code=ExitCode.NO_CHILD))
            return
        sock.close()
        for fd in fds:
            os.close(fd)
        self.running[pidfd] = (req.get("id"), pid, False)
        started = {"op": "started", "id": req.get("id"), "pid": pid, "t_recv": t_recv}
        _send(self.ctl, dict(started, t_sent=time.perf_counter()))
        self.spare = self.make_spare()


def _reap(pid, pidfd, sock, kill=False):
    """Wait for a child; its exit report (status or signal, CPU time, peak RSS)."""
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if sock is not None:
        sock.close()
    _, status, ru = os.wait4(pid, 0)
    os.close(pidfd)
    res = {
        "op": "exit",
        "cpu": ru.ru_utime + ru.ru_stime,
        "maxrss": ru.ru_maxrss,
        "t_reaped": time.perf_counter(),
    }
    if os.WIFSIGNALED(status):
        res["signal"] = os.WTERMSIG(status)
    else:
        res["code"] = os.WEXITSTATUS(status)
    return res


def _rehearse():
    """Run the job-handling code paths once on dummy data while the spare waits, so the
    copy-on-write faults they cause are paid before the job arrives, not after."""
    np = lazy_numpy()
    a = np.ones((3, 4))
    data = pack_message(
        {
            "calls": [
                {
                    "entry": "f",
                    "args": {"$t": [{"$a": 0}, 1.5]},
                    "kwargs": {"$d": []},
                    "as_tensor": False,
                    "grad": None,
                    "store_as": None,
                    "return_args": True,
                }
            ],
            "code": "",
            "limits": {},
        },
        [a],
    )
    job = decode_job(data)
    values = to_plain((job["calls"][0]["args"][0] * 2, [1, 2.5], {"k": np.float64(1)}))
    arrays: list = []
    encode_value(values, arrays, Unsupported, Ref)
    pack_message({"kind": "call"}, arrays)
    compile("def f(x):\n    return x\n", "solution.py", "exec", dont_inherit=True)


def _make_spare(sysc, ctl, pidns, devnull, config):
    """Fork the next job's child ahead of time: PID 1 of a new PID namespace, isolated
    (namespaces, mounts, no capabilities), then blocked until a job's descriptors arrive
    on its private socket.  It serves exactly one job."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sys.stdout.flush()
    sys.stderr.flush()
    sysc.unshare(CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        MARKS.clear()
        try:
            ctl.close()
            ours.close()
            os.dup2(devnull, 0)
            isolate_child(sysc, config)
            _rehearse()
            mark("ready")
            msg, fds, _, _ = socket.recv_fds(theirs, 1 << 16, 16)
            theirs.close()
            if not msg:
                os._exit(ExitCode.OK)  # the zygote is closing: no job will come
            mark("job")
            req = json.loads(msg)
            job_r, res_w, out_w, err_w, *job_cg_fds = fds
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            os.close(out_w)
            os.close(err_w)
        except BaseException:  # noqa: BLE001 - no job channel yet: just die
            os._exit(ExitCode.SPARE_FAILED)
        confine_and_run(job_r, res_w, dict(req, cgroup_fds=job_cg_fds), preloaded=True)
        os._exit(ExitCode.HARNESS_FAILED)  # not reached
    sysc.setns(pidns, CLONE_NEWPID)
    theirs.close()
    return pid, ours, os.pidfd_open(pid)
