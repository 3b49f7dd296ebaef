"""The isolated view (a bubblewrap chain) and the cold launcher; the warm pool that uses
the same chain is in ``warm``.

Launch chain (one per cold job, one per zygote)::

    unshare -m (util-linux, as root: a private mount namespace for this chain only)
      sh: stage the bind sources under a private tmpfs on /mnt (the pyenv interpreter
          lives under /root, which the unprivileged uid below cannot traverse), each
          behind a read-only overlay so that the job's mountinfo names no host path
      setpriv --reuid/--regid 65534 --clear-groups, no capabilities
        bwrap --unshare-all (user, PID, network, mount, IPC, UTS, cgroup namespaces)
              read-only: /usr/lib*, the interpreter (at /opt/qsb/python), site-packages,
              the package that runs inside (at /opt/qsb/inside)
              /proc, a minimal /dev, a private /tmp (cold) -- nothing else
          python -I -S -B /opt/qsb/inside/__main__.py ...

The warm zygote is the same view with the capabilities *inside its own user namespace*
kept, so that for each job it can create a PID namespace and fork a child which then
unshares mount, network, IPC, UTS and user namespaces of its own, mounts a private
tmpfs on /tmp and /dev/shm and a /proc of its own, drops every capability, joins the
job's cgroups, sets rlimits, installs the seccomp filter and only then reads the job.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess

from . import cgroups
from .backends import BASE_PYTHON, INSIDE, SAFE_ENV, SITE_PACKAGES, PidWatcher, pipes
from .seccomp import compile_filter
from .supervisor import ExitInfo, Launched, Stats

SANDBOX_UID = int(os.environ.get("QUIZ_SANDBOX_UID", "65534"))
INSIDE_UID = 1000
PY_PREFIX = os.path.realpath(os.path.join(os.path.dirname(BASE_PYTHON), ".."))
INSIDE_PREFIX = "/opt/qsb/python"  # the interpreter, wherever the host keeps it
INSIDE_SITE = "/opt/qsb/site-packages"
INSIDE_PACKAGE = "/opt/qsb/inside"  # engine/sandbox/inside, read-only
PIDS_MAX = 64
TMP_KB = 16 * 1024
BWRAP_SIGNAL_BASE = 128  # bwrap reports a child killed by signal N as exit status 128 + N
STAGE_SCRIPT = r"""
set -e
mount -t tmpfs -o size=64k,mode=755 qsb-stage /mnt
cd /mnt
mkdir e
i=0
for src in $QSB_STAGE; do
  mkdir s$i $i
  mount --bind "$src" s$i
  # a read-only overlay over the bind, its layers named relative to /mnt: the job's
  # mountinfo then shows "/" and "lowerdir=s0:e", never the host path of the source
  mount -t overlay qsb -o ro,lowerdir=s$i:e $i
  i=$((i+1))
done
cd /
unset QSB_STAGE
exec setpriv --reuid=$QSB_UID --regid=$QSB_UID --clear-groups --inh-caps=-all \
  --bounding-set=-all --no-new-privs bwrap "$@"
"""


class SandboxUnavailable(RuntimeError):
    pass


def check_available() -> None:
    for tool in ("bwrap", "unshare", "setpriv", "mount"):
        if shutil.which(tool) is None:
            raise SandboxUnavailable(f"{tool} not found (run `make system-packages`)")
    if os.geteuid() != 0:
        raise SandboxUnavailable("the isolated sandbox needs root to drop to its own uid")


def _stage_sources():
    """Host paths bound into the view, staged by the chain so any permissions work."""
    return [PY_PREFIX, SITE_PACKAGES, INSIDE]


def _bwrap_args(warm: bool) -> list[str]:
    # The zygote stays uid 0 *of its own user namespace* (mapped to SANDBOX_UID outside):
    # bwrap then creates a single user namespace, which owns the zygote's PID namespace,
    # so the zygote may setns() back into it after creating each child's.  Each child
    # maps itself to INSIDE_UID in a user namespace of its own and drops every capability.
    uid = 0 if warm else INSIDE_UID
    args = [
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--uid",
        str(uid),
        "--gid",
        str(uid),
        "--hostname",
        "sandbox",
    ]
    for d in ("/usr/lib", "/usr/lib64"):
        if os.path.isdir(d):
            args += ["--ro-bind", d, d]
    args += ["--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64"]
    args += [
        "--ro-bind",
        "/mnt/0",
        INSIDE_PREFIX,
        "--ro-bind",
        "/mnt/1",
        INSIDE_SITE,
        "--ro-bind",
        "/mnt/2",
        INSIDE_PACKAGE,
        "--proc",
        "/proc",
        "--ro-bind",
        "/dev/null",
        "/proc/cmdline",  # the host's kernel command line stays outside
        "--dev",
        "/dev",
    ]
    if warm:
        args += ["--dir", "/tmp", "--cap-add", "ALL"]
    else:
        args += [
            "--size",
            str(TMP_KB * 1024),
            "--tmpfs",
            "/tmp",
            "--size",
            str(TMP_KB * 1024),
            "--tmpfs",
            "/dev/shm",
        ]
    # the root tmpfs and /dev are read-only (shared by every child of a zygote)
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--clearenv"]
    for k, v in SAFE_ENV.items():
        args += ["--setenv", k, v]
    # a shared libpython is found beside the relocated interpreter, not at its host RUNPATH
    args += ["--setenv", "LD_LIBRARY_PATH", os.path.join(INSIDE_PREFIX, "lib")]
    return args


def chain(warm: bool, python_args: list[str]) -> tuple[list[str], dict]:
    argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", STAGE_SCRIPT, "qsb"]
    argv += _bwrap_args(warm)
    argv += [
        "--",
        os.path.join(INSIDE_PREFIX, "bin", os.path.basename(BASE_PYTHON)),
        "-I",
        "-S",
        "-B",
        os.path.join(INSIDE_PACKAGE, "__main__.py"),
    ] + python_args
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "QSB_STAGE": " ".join(_stage_sources()),
        "QSB_UID": str(SANDBOX_UID),
        "LANG": "C.UTF-8",
    }
    return argv, env


def bpf_hex() -> str:
    return compile_filter().hex()


def memory_bytes(job) -> int:
    return int(job.limits.memory_mb) * (1 << 20)


class _Groups:
    """The job's cgroups, or nothing when the machine does not allow them."""

    def __init__(self, job):
        self.group = None
        if cgroups.available():
            self.group = cgroups.JobGroup(memory_bytes(job), PIDS_MAX)

    @property
    def fds(self):
        return list(self.group.fds) if self.group else []

    def after_spawn(self):
        if self.group:
            self.group.close_fds()

    def kill(self):
        if self.group:
            self.group.kill()

    def stats(self) -> Stats:
        if not self.group:
            return Stats()
        s = self.group.stats()
        return Stats(
            oom_kills=s["oom_kills"],
            peak_kb=s["peak_kb"],
            cpu_seconds=s["cpu_seconds"],
            pids_max_hit=s["pids_max_hit"],
        )

    def destroy(self):
        if self.group:
            self.group.destroy()


def harness_config(job, with_cgroup: bool) -> dict:
    cfg = {
        "bpf": bpf_hex(),
        "tmp_kb": TMP_KB,
        "limits": {"nproc": PIDS_MAX, "fsize_bytes": TMP_KB * 1024, "nofile": 256},
    }
    # rlimit backstop on address space: the cgroup is the real cap when present
    cfg["as_extra_mb"] = int(job.limits.memory_mb) * (2 if with_cgroup else 1) + 256
    return cfg


# --------------------------------------------------------------------------- cold


def launch_cold(job) -> Launched:
    check_available()
    groups = _Groups(job)
    child, ours = pipes()
    job_r, res_w, out_w, err_w = child
    cfg = harness_config(job, groups.group is not None)
    cfg["cgroup_fds"] = groups.fds
    cfg["sys_path"] = [INSIDE_SITE]
    # the configuration travels on a pipe of its own, not on the command line (which the
    # job could read back); it fits the pipe's buffer, so it is written before the start
    cfg_r, cfg_w = os.pipe()
    try:
        os.write(cfg_w, json.dumps(cfg).encode())
    finally:
        os.close(cfg_w)
    argv, env = chain(False, [str(job_r), str(res_w), f"fd:{cfg_r}"])
    try:
        p = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out_w,
            stderr=err_w,
            pass_fds=[job_r, res_w, cfg_r] + groups.fds,
            env=env,
            cwd="/",
            start_new_session=True,
        )
    except BaseException:
        for fd in child + ours:
            os.close(fd)
        groups.destroy()
        raise
    finally:
        os.close(cfg_r)
        groups.after_spawn()
    for fd in child:
        os.close(fd)
    w = PidWatcher(p.pid, p)

    def poll():
        info = w.poll()
        code = info.exit_code if info is not None and info.signal is None else None
        if code and code > BWRAP_SIGNAL_BASE:
            info = ExitInfo(
                signal=code - BWRAP_SIGNAL_BASE,
                cpu_seconds=info.cpu_seconds,
                maxrss_kb=info.maxrss_kb,
            )
        return info

    def kill():
        groups.kill()
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def cleanup():
        w.close()
        groups.destroy()

    return Launched(
        job_w=ours[0],
        result_r=ours[1],
        out_r=ours[2],
        err_r=ours[3],
        exit_fd=w.fd,
        poll_exit=poll,
        kill=kill,
        stats=groups.stats,
        cleanup=cleanup,
    )
