"""The warm pool under concurrency, fork and failure, and the wire format's strictness."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from engine import sandbox
from engine.sandbox import Call, GradRequest, Job, Limits, Ref, RunStatus, Unsupported
from engine.sandbox import warm as warm_pool
from engine.sandbox.inside.wire import WireError, pack_message, unpack_messages
from engine.sandbox.protocol import decode_results, encode_job
from tests.sandbox.sandboxkit import GOOD, Sandbox, _sandbox_available

isolated = pytest.mark.skipif(
    _sandbox_available() is not None,
    reason=f"isolated sandbox unavailable: {_sandbox_available()}",
)


def _good_job():
    return Job(code=GOOD, calls=(Call("f", (np.arange(4.0),)),))


def _check_good(r):
    assert r.status == RunStatus.OK, (r.status, r.message)
    np.testing.assert_allclose(r.calls[0].value, np.tanh(np.arange(4.0)) * 2)


@isolated
def test_concurrent_threads_share_the_pool():
    results = []

    def worker():
        for _ in range(5):
            results.append(sandbox.run(_good_job(), mode="warm"))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20
    for r in results:
        _check_good(r)


@isolated
def test_zygote_outlives_the_thread_that_started_it():
    # bwrap's --die-with-parent follows the parent *thread*: a request thread of runserver
    # that started a zygote and then ended must not take the zygote with it
    warm_pool.pool().shutdown()
    t = threading.Thread(target=lambda: _check_good(sandbox.run(_good_job(), mode="warm")))
    t.start()
    t.join()
    time.sleep(0.3)
    assert all(z.alive() for z in warm_pool.pool().all)
    _check_good(sandbox.run(_good_job(), mode="warm"))


@isolated
def test_zygote_killed_from_outside_is_replaced():
    _check_good(sandbox.run(_good_job(), mode="warm"))
    p = warm_pool.pool()
    for z in list(p.all):
        os.killpg(z.proc.pid, signal.SIGKILL)
    time.sleep(0.2)
    _check_good(sandbox.run(_good_job(), mode="warm"))


@isolated
def test_forked_worker_gets_its_own_pool():
    # a Celery prefork child must not talk to its parent's zygotes
    _check_good(sandbox.run(_good_job(), mode="warm"))
    parent_zygotes = {z.proc.pid for z in warm_pool.pool().all}
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            res = sandbox.run(_good_job(), mode="warm")
            mine = {z.proc.pid for z in warm_pool.pool().all}
            ok = res.status == RunStatus.OK and not (mine & parent_zygotes) and mine
            os.write(w, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(w)
    answer = os.read(r, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
    _check_good(sandbox.run(_good_job(), mode="warm"))


@isolated
def test_pool_restarts_after_n_runs(monkeypatch):
    monkeypatch.setattr(warm_pool, "RESTART_EVERY", 2)
    warm_pool.pool().shutdown()
    seen = set()
    for _ in range(5):
        _check_good(sandbox.run(_good_job(), mode="warm"))
        seen |= {z.proc.pid for z in warm_pool.pool().all}
    assert len(seen) >= 2


@isolated
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_torch_gradients_and_refs(mode):
    code = """
import torch
class Model:
    def __init__(self, w):
        self.w = w
def build(w):
    return Model(w)
def apply(m, x):
    return x @ m.w
def loss(z_e, codebook, beta):
    d = ((z_e[:, None, :] - codebook[None]) ** 2).sum(-1)
    z_q = codebook[d.argmin(1)]
    l = ((z_q - z_e.detach()) ** 2).mean() + beta * ((z_q.detach() - z_e) ** 2).mean()
    return z_e + (z_q - z_e).detach(), l
"""
    rng = np.random.default_rng(1)
    z, cb = rng.standard_normal((4, 3)), rng.standard_normal((5, 3))
    calls = (
        Call("build", (np.eye(3),), as_tensor=True, store_as="m"),
        Call("apply", (Ref("m"), np.ones((2, 3))), as_tensor=True),
        Call(
            "loss",
            (z, cb, 0.25),
            as_tensor=True,
            grad=GradRequest(wrt=(0, 1), upstream={0: np.ones((4, 3)), 1: 1.0}),
        ),
    )
    r = sandbox.run(
        Job(code=code, calls=calls, framework="torch", limits=Limits(wall_seconds=30)), mode=mode
    )
    assert r.status == RunStatus.OK, (r.status, r.message, [c.error for c in r.calls])
    assert r.calls[0].value is None
    np.testing.assert_allclose(r.calls[1].value, np.ones((2, 3)))
    z_q, loss = r.calls[2].value
    assert type(loss) is np.ndarray and loss.shape == ()
    grads = r.calls[2].grads
    assert set(grads) == {0, 1}
    # straight-through: dz_q/dz_e is the identity, plus the commitment term
    assert grads[0].shape == (4, 3) and grads[1].shape == (5, 3)


@isolated
@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_errors_carry_the_learner_line(mode):
    sbx = Sandbox(mode)
    r = sbx.run(
        "import numpy as np\n\ndef f(x):\n    y = x + 1\n    return y[10]\n",
        [Call("f", (np.zeros(2),))],
    )
    assert r.status == RunStatus.OK
    err = r.calls[0].error
    assert err.type == "IndexError" and err.line == 5
    assert "/opt/qsb/inside" not in err.traceback and "solution.py" in err.traceback
    r = sbx.run("def f(:\n    pass\n", ["f"])
    assert r.status == RunStatus.COMPILE_ERROR and r.error.line == 1 and r.error.column
    r = sbx.run("import numpy\nraise ValueError('at import')\n", ["f"])
    assert r.status == RunStatus.IMPORT_ERROR and r.error.line == 2


def test_plain_mode_runs_without_isolation():
    _check_good(sandbox.run(_good_job(), mode="plain"))


# ----------------------------------------------------------------------------- wire format


def test_wire_round_trip_of_plain_values():
    values = [
        None,
        True,
        3,
        -2.5,
        float("nan"),
        float("-inf"),
        "текст",
        [1, (2, 3)],
        {"a": np.arange(3), "b": (np.zeros((2, 0)), np.array(True))},
        np.arange(12, dtype=np.int16).reshape(3, 4).T,
        np.array([1 + 2j]),
        Unsupported("Thing", "<Thing>"),
    ]
    job = Job(code="", calls=tuple(Call("f", (v,), {"k": v}) for v in values))
    ((obj, arrays),) = unpack_messages(encode_job(job))
    assert obj["code"] == "" and len(obj["calls"]) == len(values)


@pytest.mark.parametrize(
    "data",
    [
        b"garbage",
        b"QSB1" + b"\xff" * 12,
        pack_message({"kind": "start"}) + b"QSB1\x00",
        pack_message({"kind": "start"}) + pack_message({"kind": "call", "index": 5}),
        pack_message({"kind": "start"})
        + pack_message({"kind": "call", "index": 0, "value": {"$a": 3}}),
        pack_message({"kind": "start"})
        + pack_message({"kind": "call", "index": 0, "value": {"$x": 1}}),
        pack_message({"kind": "start"}) + pack_message({"kind": "internal", "message": "forged"}),
        pack_message({"kind": "start"})
        + pack_message({"kind": "done"})
        + pack_message({"kind": "done"}),
    ],
)
def test_malformed_result_streams_are_wire_errors(data):
    dec = decode_results(data, 1)
    assert dec.wire_error is not None
    assert dec.kind == "incomplete"


def test_pickled_or_object_arrays_are_refused():
    import io
    import struct

    buf = io.BytesIO()
    np.save(buf, np.array([object()], dtype=object), allow_pickle=True)
    npy = buf.getvalue()
    msg = b"QSB1" + struct.pack(">QI", 2, 1) + b"{}" + struct.pack(">Q", len(npy)) + npy
    with pytest.raises(WireError):
        unpack_messages(msg)
