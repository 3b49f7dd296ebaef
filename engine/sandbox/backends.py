"""Ways to start the harness.  Every backend returns a ``supervisor.Launched``.

* ``plain``: a fresh ``python -I -S`` subprocess with no isolation beyond a clean
  environment and closed fds (development fallback; never used when bwrap works).
* ``cold``: a fresh interpreter per job inside bubblewrap (see ``isolation``).
* ``warm``: a fork of a pre-imported zygote (see ``pool``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig

from .supervisor import ExitInfo, Launched

HERE = os.path.dirname(os.path.abspath(__file__))
INSIDE = os.path.join(HERE, "inside")  # the package that runs inside the sandbox
INSIDE_MAIN = os.path.join(INSIDE, "__main__.py")
BASE_PYTHON = os.path.realpath(
    os.path.join(sys.base_prefix, "bin", f"python{sys.version_info[0]}.{sys.version_info[1]}")
)
SITE_PACKAGES = sysconfig.get_paths()["purelib"]
PLATLIB = sysconfig.get_paths()["platlib"]

SAFE_ENV = {
    "PATH": "/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "VECLIB_MAXIMUM_THREADS": "1",
    "KMP_AFFINITY": "disabled",
}


def pipes():
    """(child_end, our_end) pairs, all close-on-exec."""
    job_r, job_w = os.pipe2(os.O_CLOEXEC)
    res_r, res_w = os.pipe2(os.O_CLOEXEC)
    out_r, out_w = os.pipe2(os.O_CLOEXEC)
    err_r, err_w = os.pipe2(os.O_CLOEXEC)
    return (job_r, res_w, out_w, err_w), (job_w, res_r, out_r, err_r)


class PidWatcher:
    """Exit of a direct child via pidfd + wait4."""

    def __init__(self, pid: int, popen=None):
        self.pid = pid
        self.popen = popen
        self.fd = os.pidfd_open(pid)
        self.info = None

    def poll(self):
        if self.info is not None:
            return self.info
        try:
            pid, status, ru = os.wait4(self.pid, os.WNOHANG)
        except ChildProcessError:
            self.info = ExitInfo(exit_code=None, signal=None)
            return self.info
        if pid == 0:
            return None
        info = ExitInfo(cpu_seconds=ru.ru_utime + ru.ru_stime, maxrss_kb=ru.ru_maxrss)
        if os.WIFSIGNALED(status):
            info.signal = os.WTERMSIG(status)
        else:
            info.exit_code = os.WEXITSTATUS(status)
        if self.popen is not None:
            self.popen.returncode = -info.signal if info.signal else info.exit_code
        self.info = info
        return info

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def launch_plain(job, config: dict) -> Launched:
    child, ours = pipes()
    job_r, res_w, out_w, err_w = child
    config = dict(
        config, sys_path=[SITE_PACKAGES] + ([PLATLIB] if PLATLIB != SITE_PACKAGES else [])
    )
    argv = [BASE_PYTHON, "-I", "-S", "-B", INSIDE_MAIN, str(job_r), str(res_w), json.dumps(config)]
    try:
        p = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out_w,
            stderr=err_w,
            pass_fds=(job_r, res_w),
            env=dict(SAFE_ENV),
            cwd="/tmp",
            start_new_session=True,
        )
    finally:
        for fd in child:
            os.close(fd)
    w = PidWatcher(p.pid, p)

    def kill():
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    return Launched(
        job_w=ours[0],
        result_r=ours[1],
        out_r=ours[2],
        err_r=ours[3],
        exit_fd=w.fd,
        poll_exit=w.poll,
        kill=kill,
        cleanup=w.close,
    )
