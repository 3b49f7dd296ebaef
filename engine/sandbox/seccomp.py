"""The seccomp filter, compiled on the trusted side with libseccomp's Python binding
(``pyseccomp``) into raw BPF, which the harness installs with ``prctl`` just before the
learner's code runs (after its own namespace setup, which needs some of these calls).

Default: allow.  Refused with EPERM: debugging other processes, namespaces, mounts,
kernel keyrings, BPF, io_uring, kernel modules, reboot/kexec, perf, clock setting,
swap, quotas, file handles, ``userfaultfd``; ``clone``/``unshare`` with any
namespace flag; ``clone3`` returns ENOSYS so the C library falls back to ``clone``,
whose flags can be inspected.  ``socket``/``socketpair`` are allowed for AF_UNIX
only; any other family fails with EAFNOSUPPORT.  Non-native architectures (i386 ``int 0x80``, x32) kill
the process (libseccomp's bad-arch action).
"""

from __future__ import annotations

import errno
import functools
import os
import socket

DENY_EPERM = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "process_madvise",
    "pidfd_getfd",
    "kcmp",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "unshare",
    "setns",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "kexec_load",
    "kexec_file_load",
    "perf_event_open",
    "userfaultfd",
    "acct",
    "swapon",
    "swapoff",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "sethostname",
    "setdomainname",
    "syslog",
    "quotactl",
    "quotactl_fd",
    "name_to_handle_at",
    "open_by_handle_at",
    "lookup_dcookie",
    "fanotify_init",
    "iopl",
    "ioperm",
    "vhangup",
    "personality",
    "uselib",
    "nfsservctl",
    "get_kernel_syms",
    "create_module",
    "query_module",
)

CLONE_NS_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)


@functools.lru_cache(maxsize=1)
def compile_filter() -> bytes:
    """Raw BPF bytes (struct sock_filter[]) for this machine's architecture."""
    import pyseccomp as sc  # loads libseccomp: only once an isolated run needs the filter

    f = sc.SyscallFilter(sc.ALLOW)
    eperm = sc.ERRNO(errno.EPERM)
    for name in DENY_EPERM:
        try:
            f.add_rule(eperm, name)
        except Exception:  # noqa: BLE001 - a name unknown to this libseccomp/arch
            pass
    for flag in CLONE_NS_FLAGS:
        f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    # Sockets: AF_UNIX only.  A network namespace does not confine AF_VSOCK (it reaches
    # the hypervisor's host) and AF_NETLINK talks to the kernel; every other family
    # fails with EAFNOSUPPORT, an ordinary OSError for the learner.
    nosupport = sc.ERRNO(errno.EAFNOSUPPORT)
    for name in ("socket", "socketpair"):
        f.add_rule(nosupport, name, sc.Arg(0, sc.NE, socket.AF_UNIX))
    r, w = os.pipe()
    try:
        with os.fdopen(w, "wb", closefd=False) as fw:
            f.export_bpf(fw)
        os.close(w)
        w = -1
        chunks = []
        while True:
            b = os.read(r, 65536)
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    bpf = b"".join(chunks)
    if not bpf or len(bpf) % 8:
        raise RuntimeError("libseccomp produced no BPF program")
    return bpf
