"""Per-job cgroup v1 groups (memory, pids, cpuacct) when the machine allows it.

The supervisor creates one group per job under the caller's own cgroup, sets
``memory.limit_in_bytes`` (and ``memsw`` when present) and ``pids.max``, and hands the
child open ``cgroup.procs`` descriptors; the child writes ``0`` to them (joining
itself) before the learner's code runs.  Afterwards the supervisor reads the OOM-kill
counter (``memory.oom_control``), the peak usage and the CPU time, kills anything left
and removes the groups.
"""

from __future__ import annotations

import functools
import itertools
import os
import signal
import threading
import time

ROOT = "/sys/fs/cgroup"
CONTROLLERS = ("memory", "pids", "cpuacct")
_counter = itertools.count()
_lock = threading.Lock()
_available: bool | None = None


def _own_path(controller: str) -> str:
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, ctrls, path = line.rstrip("\n").split(":", 2)
                if controller in ctrls.split(","):
                    return path
    except OSError:
        pass
    return "/"


@functools.cache
def _base(controller: str) -> str:
    return os.path.join(ROOT, controller, _own_path(controller).lstrip("/"), "quizsandbox")


def available() -> bool:
    """True when cgroup v1 memory/pids/cpuacct hierarchies are writable by us."""
    global _available
    if _available is None:
        ok = True
        for c in CONTROLLERS:
            base = _base(c)
            try:
                os.makedirs(base, exist_ok=True)
                ok = ok and os.access(base, os.W_OK)
            except OSError:
                ok = False
        if ok and not os.path.exists(os.path.join(_base("memory"), "..", "memory.limit_in_bytes")):
            ok = False
        _available = ok
    return _available


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def _kill_until_gone(list_pids) -> bool:
    """SIGKILL what `list_pids()` names until it names nothing (a fork may race the listing)."""
    for _ in range(100):
        pids = list_pids()
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.002)
    return False


class _HoldsFds:
    """The open cgroup.procs descriptors a group keeps until it is closed."""

    fds: list[int]

    def close_fds(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.fds = []


class JobGroup(_HoldsFds):
    def __init__(self, memory_bytes: int, pids_max: int):
        name = f"job-{os.getpid()}-{next(_counter)}-{time.monotonic_ns() % 10**9}"
        self.paths = {c: os.path.join(_base(c), name) for c in CONTROLLERS}
        self.fds: list[int] = []
        made = []
        try:
            for p in self.paths.values():
                os.mkdir(p)
                made.append(p)
            mem = self.paths["memory"]
            _write(os.path.join(mem, "memory.limit_in_bytes"), memory_bytes)
            memsw = os.path.join(mem, "memory.memsw.limit_in_bytes")
            if os.path.exists(memsw):
                try:
                    _write(memsw, memory_bytes)
                except OSError:
                    pass
            try:
                _write(os.path.join(mem, "memory.swappiness"), 0)
            except OSError:
                pass
            _write(os.path.join(self.paths["pids"], "pids.max"), pids_max)
            for p in self.paths.values():
                self.fds.append(
                    os.open(os.path.join(p, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
                )
        except BaseException:
            self.close_fds()
            for p in reversed(made):
                try:
                    os.rmdir(p)
                except OSError:
                    pass
            raise

    def pids(self) -> list[int]:
        out = set()
        for p in self.paths.values():
            for line in _read(os.path.join(p, "cgroup.procs")).split():
                if line.isdigit():
                    out.add(int(line))
        return sorted(out)

    def kill(self):
        """SIGKILL every process in the group (repeat: a fork may race the listing)."""
        return _kill_until_gone(self.pids)

    def stats(self):
        mem = self.paths["memory"]
        oom = 0
        for line in _read(os.path.join(mem, "memory.oom_control")).splitlines():
            k, _, v = line.partition(" ")
            if k == "oom_kill" and v.strip().isdigit():
                oom = int(v)
        peak = _read(os.path.join(mem, "memory.max_usage_in_bytes"), "0").strip()
        cpu = _read(os.path.join(self.paths["cpuacct"], "cpuacct.usage"), "").strip()
        failcnt = _read(os.path.join(self.paths["pids"], "pids.events"), "")
        return {
            "oom_kills": oom,
            "peak_kb": int(peak) // 1024 if peak.isdigit() else 0,
            "cpu_seconds": int(cpu) / 1e9 if cpu.isdigit() else None,
            "pids_max_hit": "max 0" not in failcnt and "max" in failcnt,
        }

    def destroy(self):
        self.close_fds()
        self.kill()
        for p in self.paths.values():
            for _ in range(200):
                try:
                    os.rmdir(p)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


class SlotGroup(_HoldsFds):
    """The cgroups a warm zygote lives in: its children are born in them (no per-job
    migration, which costs an RCU grace period per hierarchy on cgroup v1).

    The zygote joins *after* its imports, so its own pages stay charged to the parent
    group; per job the memory limit is set to the current usage plus the job's allowance,
    and the peak and CPU time are read as differences.  The kernel's OOM killer is
    disabled in the slot (it might pick the zygote): when the job reaches the limit its
    tasks pause, the kernel signals the OOM eventfd (``cgroup.event_control``), and the
    supervisor kills the job's processes and reports MEMORY."""

    def __init__(self, pids_max: int):
        name = f"zyg-{os.getpid()}-{next(_counter)}-{time.monotonic_ns() % 10**9}"
        self.paths = {c: os.path.join(_base(c), name) for c in CONTROLLERS}
        self.fds: list[int] = []
        self.zygote_pid: int | None = None
        self.pids_max = pids_max
        made = []
        try:
            for p in self.paths.values():
                os.mkdir(p)
                made.append(p)
            try:
                _write(os.path.join(self.paths["memory"], "memory.swappiness"), 0)
            except OSError:
                pass
            _write(os.path.join(self.paths["pids"], "pids.max"), pids_max + 1)
            mem = self.paths["memory"]
            _write(os.path.join(mem, "memory.oom_control"), 1)
            self.oom_fd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
            ctl = os.open(os.path.join(mem, "memory.oom_control"), os.O_RDONLY | os.O_CLOEXEC)
            try:
                _write(os.path.join(mem, "cgroup.event_control"), f"{self.oom_fd} {ctl}")
            finally:
                os.close(ctl)
            for p in self.paths.values():
                self.fds.append(
                    os.open(os.path.join(p, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
                )
        except BaseException:
            for fd in self.fds:
                os.close(fd)
            if getattr(self, "oom_fd", None) is not None:
                os.close(self.oom_fd)
            for p in reversed(made):
                try:
                    os.rmdir(p)
                except OSError:
                    pass
            raise

    def adopt_zygote(self, inner_pid: int):
        """After the zygote joined: find its host pid (its PID in its own namespace is
        ``inner_pid``; its children live one PID namespace deeper)."""
        for pid in self.pids():
            for line in _read(f"/proc/{pid}/status").splitlines():
                if line.startswith("NSpid:"):
                    ids = line.split()[1:]
                    if len(ids) == 2 and ids[-1] == str(inner_pid):
                        self.zygote_pid = pid
                        return
        raise RuntimeError(f"zygote (pid {inner_pid} inside) not found in its cgroup")

    def drain_oom(self) -> int:
        """Number of OOM events since the last call (non-blocking)."""
        try:
            return int.from_bytes(os.read(self.oom_fd, 8), "little")
        except BlockingIOError:
            return 0

    def under_oom(self) -> bool:
        text = _read(os.path.join(self.paths["memory"], "memory.oom_control"))
        return "under_oom 1" in text

    def pids(self) -> list[int]:
        out = set()
        for line in _read(os.path.join(self.paths["memory"], "cgroup.procs")).split():
            if line.isdigit():
                out.add(int(line))
        return sorted(out)

    def _oom_kills(self) -> int:
        for line in _read(os.path.join(self.paths["memory"], "memory.oom_control")).splitlines():
            k, _, v = line.partition(" ")
            if k == "oom_kill" and v.strip().isdigit():
                return int(v)
        return 0

    def _int(self, controller, name) -> int:
        v = _read(os.path.join(self.paths[controller], name), "0").strip()
        return int(v) if v.isdigit() else 0

    def begin_job(self, memory_bytes: int):
        mem = self.paths["memory"]
        base = self._int("memory", "memory.usage_in_bytes")
        limit = base + memory_bytes
        memsw = os.path.join(mem, "memory.memsw.limit_in_bytes")
        has_memsw = os.path.exists(memsw)
        # memsw must stay >= the plain limit: order the two writes accordingly
        cur = self._int("memory", "memory.limit_in_bytes")
        if has_memsw and limit > cur:
            _write(memsw, limit)
        _write(os.path.join(mem, "memory.limit_in_bytes"), limit)
        if has_memsw and limit <= cur:
            _write(memsw, limit)
        _write(os.path.join(mem, "memory.max_usage_in_bytes"), 0)
        self.drain_oom()
        self.job = {"base": base, "cpu": self._int("cpuacct", "cpuacct.usage")}

    def job_stats(self, oom_events: int = 0):
        peak = self._int("memory", "memory.max_usage_in_bytes")
        return {
            "oom_kills": oom_events + self.drain_oom(),
            "peak_kb": max(0, peak - self.job["base"]) // 1024,
            "cpu_seconds": (self._int("cpuacct", "cpuacct.usage") - self.job["cpu"]) / 1e9,
            "pids_max_hit": False,
        }

    def kill_job(self):
        """SIGKILL every process in the slot except the zygote."""
        return _kill_until_gone(lambda: [p for p in self.pids() if p != self.zygote_pid])

    def destroy(self):
        self.close_fds()
        if self.oom_fd is not None:
            os.close(self.oom_fd)
            self.oom_fd = None
        for p in self.paths.values():
            for _ in range(200):
                try:
                    os.rmdir(p)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


def sweep_stale():
    """Remove empty job groups left by dead processes (best effort)."""
    with _lock:
        for c in CONTROLLERS:
            base = _base(c)
            try:
                names = os.listdir(base)
            except OSError:
                continue
            for n in names:
                if not n.startswith(("job-", "zyg-")):
                    continue
                try:
                    pid = int(n.split("-")[1])
                except (IndexError, ValueError):
                    continue
                if pid != os.getpid() and not os.path.exists(f"/proc/{pid}"):
                    try:
                        os.rmdir(os.path.join(base, n))
                    except OSError:
                        pass
