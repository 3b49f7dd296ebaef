"""The warm path: a per-process pool of zygotes, each a pre-imported interpreter in the
sandbox view (the chain of ``isolation``) that forks one isolated child per job."""

from __future__ import annotations

import atexit
import json
import os
import queue
import select
import signal
import socket
import subprocess
import threading
import time

from . import cgroups
from .backends import SAFE_ENV, pipes
from .isolation import (
    INSIDE_SITE,
    INSIDE_UID,
    PIDS_MAX,
    TMP_KB,
    bpf_hex,
    chain,
    check_available,
    harness_config,
    memory_bytes,
)
from .supervisor import ExitInfo, Launched, Stats

RESTART_EVERY = int(os.environ.get("QUIZ_SANDBOX_RESTART_EVERY", "500"))
MAX_IDLE_PER_FRAMEWORK = 4


class ZygoteDied(RuntimeError):
    pass


class Zygote:
    """One pre-imported interpreter in the sandbox view; forks one child per job."""

    def __init__(self, framework: str):
        check_available()
        self.framework = framework
        self.runs = 0
        self.jobs: dict[int, dict] = {}  # job id -> state, until its exit report
        self.next_id = 1
        self.dead = False
        self.owner_pid = os.getpid()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.slot = cgroups.SlotGroup(PIDS_MAX) if cgroups.available() else None
        slot_fds = list(self.slot.fds) if self.slot else []
        debug = bool(os.environ.get("QUIZ_SANDBOX_DEBUG"))
        cfg = {
            "framework": framework,
            "sys_path": [INSIDE_SITE],
            "env": dict(SAFE_ENV),
            "cgroup_fds": slot_fds,
            "debug": debug,
            "tmp_kb": TMP_KB,
            "inside_uid": INSIDE_UID,
            "bpf": bpf_hex(),  # prepared once in the zygote; each job names it again
        }
        argv, env = chain(True, ["zygote", str(theirs.fileno())])
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None if debug else subprocess.PIPE,
                pass_fds=[theirs.fileno()] + slot_fds,
                env=env,
                cwd="/",
                start_new_session=True,
            )
        except BaseException:
            if self.slot:
                self.slot.destroy()
            raise
        finally:
            theirs.close()
            if self.slot:
                self.slot.close_fds()
        self.sock = ours
        self.sock.settimeout(120)
        try:
            ours.send(json.dumps(cfg).encode())  # the configuration: never on argv
        except OSError:
            pass  # the zygote died at once: reported below
        try:
            msg = self.sock.recv(1 << 16)
        except OSError:
            msg = b""
        self.sock.settimeout(None)
        if not msg:
            err = b""
            try:
                self.close()
                err = self.proc.stderr.read()[-2000:] if self.proc.stderr else b""
            except Exception:  # noqa: BLE001 - the start failure is reported below regardless
                pass
            raise ZygoteDied(f"zygote failed to start: {err.decode(errors='replace')}")
        self.info = json.loads(msg)
        if self.proc.stderr:
            self.proc.stderr.close()
        if self.slot:
            try:
                self.slot.adopt_zygote(int(self.info["pid"]))
            except Exception:
                self.close()
                raise

    def _pump(self) -> None:
        """Read every report the zygote has sent, routing it to its job's state."""
        while True:
            try:
                m = self.sock.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError:
                m = b""
            if not m:
                self.dead = True
                for lost in self.jobs.values():
                    if lost["exit"] is None:
                        lost["dead"] = True
                        lost["exit"] = ExitInfo(exit_code=None, signal=None, lost=True)
                self.jobs.clear()
                return
            msg = json.loads(m)
            st = self.jobs.get(msg.get("id"))
            if st is None:
                continue
            if msg.get("op") == "started":
                st["pid"] = msg.get("pid")
                st["started"] = msg
            elif msg.get("op") == "exit":
                st["exited"] = msg
                st["exit"] = ExitInfo(
                    exit_code=msg.get("code"),
                    signal=msg.get("signal"),
                    cpu_seconds=float(msg.get("cpu", 0.0)),
                    maxrss_kb=int(msg.get("maxrss", 0)),
                )
                del self.jobs[msg["id"]]

    def settle(self, max_outstanding: int = 1, timeout: float = 10.0) -> bool:
        """Before the next job: read pending reports; if earlier children are still being
        torn down, allow a few (the zygote reaps them in parallel) but not an unbounded
        number."""
        deadline = time.monotonic() + timeout
        while True:
            self._pump()
            if self.dead:
                return False
            if len(self.jobs) < max_outstanding:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            select.select([self.sock], [], [], left)

    def alive(self) -> bool:
        return self.proc.poll() is None and self.owner_pid == os.getpid()

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.slot:
            self.slot.kill_job()
            self.slot.destroy()
            self.slot = None

    def launch(self, job) -> Launched:
        slot = self.slot
        if slot:
            slot.begin_job(memory_bytes(job))
        job_id = self.next_id
        self.next_id += 1
        child, ours = pipes()
        req = {
            "op": "run",
            "id": job_id,
            "inside_uid": INSIDE_UID,
            **harness_config(job, slot is not None),
        }
        state = {"id": job_id, "pid": None, "exit": None, "dead": False}
        self.jobs[job_id] = state
        try:
            socket.send_fds(self.sock, [json.dumps(req).encode()], list(child))
        except OSError as exc:
            for fd in child + ours:
                os.close(fd)
            self.jobs.pop(job_id, None)
            raise ZygoteDied(f"zygote unreachable: {exc}") from exc
        for fd in child:
            os.close(fd)
        self.runs += 1
        sock = self.sock

        def poll():
            if state["exit"] is None:
                self._pump()
            return state["exit"]

        def kill():
            try:
                sock.send(json.dumps({"op": "kill", "id": job_id}).encode())
            except OSError:
                pass
            if slot:
                slot.kill_job()

        def stats():
            if not slot:
                return Stats()
            s = slot.job_stats()
            return Stats(
                oom_kills=s["oom_kills"], peak_kb=s["peak_kb"], cpu_seconds=s["cpu_seconds"]
            )

        return Launched(
            can_defer_exit=True,
            oom_fd=slot.oom_fd if slot else None,
            oom_drain=slot.drain_oom if slot else None,
            job_w=ours[0],
            result_r=ours[1],
            out_r=ours[2],
            err_r=ours[3],
            exit_fd=sock.fileno(),
            poll_exit=poll,
            kill=kill,
            stats=stats,
            cleanup=None,
            extra={"state": state},
        )


class Pool:
    """Per-process pool of zygotes, started lazily; safe across fork (each process
    starts its own) and across threads (a zygote serves one job at a time)."""

    def __init__(self):
        self.pid = os.getpid()
        self.lock = threading.Lock()
        if cgroups.available():
            cgroups.sweep_stale()  # groups left by processes that died without cleaning up
        self.idle: dict[str, list[Zygote]] = {}
        self.all: set[Zygote] = set()

    def acquire(self, framework: str) -> Zygote:
        while True:
            with self.lock:
                lst = self.idle.setdefault(framework, [])
                z = lst.pop(0) if lst else None  # the longest idle: its last child is gone
            if z is None:
                break
            if z.alive() and z.settle():
                return z
            with self.lock:
                self._discard(z)
        z = _spawn(framework)
        with self.lock:
            self.all.add(z)
        return z

    def release(self, z: Zygote, healthy: bool):
        with self.lock:
            if (
                healthy
                and z.alive()
                and z.runs < RESTART_EVERY
                and len(self.idle.setdefault(z.framework, [])) < MAX_IDLE_PER_FRAMEWORK
            ):
                self.idle[z.framework].append(z)
                return
            self._discard(z)

    def _discard(self, z: Zygote):
        self.all.discard(z)
        z.close()

    def shutdown(self):
        with self.lock:
            for z in list(self.all):
                self._discard(z)
            self.idle.clear()

    def warm_up(self, frameworks=("numpy", "torch")):
        for f in frameworks:
            self.release(self.acquire(f), True)


class _Spawner:
    """Starts zygotes from one long-lived thread.  bwrap's --die-with-parent is a parent
    *thread* death signal (PR_SET_PDEATHSIG): a zygote started from a request thread of
    Django's runserver would be killed when that thread ends."""

    def __init__(self):
        self.pid = os.getpid()
        self.requests: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="quiz-sandbox-spawner", daemon=True)
        self.thread.start()

    def _loop(self):
        while True:
            framework, box, done = self.requests.get()
            try:
                box.append(Zygote(framework))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                box.append(exc)
            done.set()

    def spawn(self, framework: str) -> Zygote:
        box: list = []
        done = threading.Event()
        self.requests.put((framework, box, done))
        done.wait()
        if isinstance(box[0], BaseException):
            raise box[0]
        return box[0]


_spawner: _Spawner | None = None
_spawner_lock = threading.Lock()


def _spawn(framework: str) -> Zygote:
    global _spawner
    with _spawner_lock:
        if _spawner is None or _spawner.pid != os.getpid():
            _spawner = _Spawner()
        s = _spawner
    return s.spawn(framework)


_pool: Pool | None = None
_pool_lock = threading.Lock()


def pool() -> Pool:
    global _pool
    with _pool_lock:
        if _pool is None or _pool.pid != os.getpid():
            _pool = Pool()
        return _pool


def _after_fork_in_child():
    # a forked worker (Celery prefork, ...) must not talk to its parent's zygotes
    global _pool, _pool_lock, _spawner, _spawner_lock
    old = _pool
    _pool = None
    _pool_lock = threading.Lock()
    _spawner = None  # its thread did not survive the fork
    _spawner_lock = threading.Lock()
    if old is not None:
        for z in old.all:
            try:
                z.sock.close()
            except OSError:
                pass


os.register_at_fork(after_in_child=_after_fork_in_child)


@atexit.register
def _shutdown():
    if _pool is not None and _pool.pid == os.getpid():
        _pool.shutdown()


def launch_warm(job) -> Launched:
    p = pool()
    for attempt in range(2):
        z = p.acquire(job.framework)
        try:
            launched = z.launch(job)
        except ZygoteDied:
            p.release(z, False)
            if attempt:
                raise
            continue
        except BaseException:
            p.release(z, False)
            raise
        break
    inner_cleanup = launched.cleanup
    state = launched.extra["state"]

    def cleanup():
        try:
            if inner_cleanup:
                inner_cleanup()
        finally:
            # a job whose exit was never reported may still hold processes in the slot:
            # the zygote and its slot are replaced rather than reused
            p.release(z, not state["dead"] and state["exit"] is not None)

    launched.cleanup = cleanup
    return launched
