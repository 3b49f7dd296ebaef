"""Hostile submissions of the second round: socket families, jobs outliving their
verdict, what the sandbox can learn about the host, the result header's edges.  Each
asserts its status, that nothing persisted and that the next job is graded right
(``Sandbox.check_clean``)."""

from __future__ import annotations

import pytest

from engine.sandbox import RunStatus
from tests.sandbox.sandboxkit import Sandbox, _sandbox_available

pytestmark = pytest.mark.skipif(
    _sandbox_available() is not None, reason=f"isolated sandbox unavailable: {_sandbox_available()}"
)


SOCKETS = """
import errno
import socket
FAMILIES = {"inet": 2, "inet6": 10, "netlink": 16, "vsock": 40, "packet": 17}
def f():
    out = {}
    for name, fam in FAMILIES.items():
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_RAW):
            try:
                socket.socket(fam, kind).close()
                out[f"{name}/{kind}"] = "created"
            except OSError as e:
                out[f"{name}/{kind}"] = errno.errorcode.get(e.errno, str(e.errno))
        try:
            a, b = socket.socketpair(fam, socket.SOCK_STREAM)
            out[f"{name}/pair"] = "created"
        except OSError as e:
            out[f"{name}/pair"] = errno.errorcode.get(e.errno, str(e.errno))
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a.sendall(b"ping")
    out["unix/pair"] = b.recv(4).decode()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.close()
    out["unix/dgram"] = "created"
    return out
"""


def test_it_refuses_every_socket_family_but_unix(sbx: Sandbox):
    out = sbx.value(SOCKETS)
    assert out.pop("unix/pair") == "ping"
    assert out.pop("unix/dgram") == "created"
    assert out, "no family was tried"
    for key, outcome in out.items():
        assert outcome in ("EAFNOSUPPORT", "EPERM"), (key, outcome)
    sbx.check_clean()
