"""The namespace, mount and capability system calls the standard library lacks (through
ctypes), and the user namespace every job ends in."""

from __future__ import annotations

import ctypes
import os

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REC, MS_PRIVATE = 0x4000, 1 << 18
MS_REMOUNT, MS_BIND = 32, 4096
PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP = 22
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
SECCOMP_MODE_FILTER = 2
SYS_capset = 126  # x86_64
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


class Syscalls:
    """libc's ``unshare``, ``setns``, ``mount``, ``prctl`` and ``capset``."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)

    def check(self, ret, what):
        if ret != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"{what}: {os.strerror(e)}")

    def unshare(self, flags):
        self.check(self.libc.unshare(flags), "unshare")

    def setns(self, fd, nstype):
        self.check(self.libc.setns(fd, nstype), "setns")

    def mount(self, src, target, fstype, flags, data):
        def enc(v):
            return v.encode() if v is not None else None

        self.check(
            self.libc.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
            f"mount {target}",
        )

    def prctl(self, *args):
        args = [ctypes.c_ulong(a) for a in args] + [ctypes.c_ulong(0)] * (5 - len(args))
        return self.libc.prctl(*args)

    def drop_all_caps(self):
        """Ambient, bounding, effective, permitted and inheritable sets all emptied."""
        self.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
        for cap in range(64):
            if self.prctl(PR_CAPBSET_DROP, cap) != 0:
                break
        hdr = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
        data = (_CapData * 2)()
        self.check(self.libc.syscall(SYS_capset, ctypes.byref(hdr), ctypes.byref(data)), "capset")


def write_file(path, text):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def enter_own_user_namespace(sysc, inside, extra_flags=0):
    """A user namespace of this process's own (plus ``extra_flags`` namespaces created
    with its capabilities), mapped to ``inside``, then no capabilities at all."""
    uid, gid = os.geteuid(), os.getegid()
    sysc.unshare(CLONE_NEWUSER | extra_flags)
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", f"{inside} {uid} 1")
    write_file("/proc/self/gid_map", f"{inside} {gid} 1")
    sysc.drop_all_caps()
    if os.geteuid() != inside or os.getegid() != inside:
        raise OSError("uid map not applied")
