"""One job inside the (already confined) child: the learner's module, its calls, and the
result channel.  A job ends with its verdict: after "done" the child exits at once."""

from __future__ import annotations

import gc
import io
import linecache
import os
import sys
import time
import traceback
import types

from . import wire
from .exits import ExitCode
from .plain import Ref, Unsupported, to_plain
from .wire import WireError, decode_value, encode_value, lazy_numpy, pack_message, unpack_messages

# bound before any learner code runs: the learner can rebind names in these modules
_os_close = os.close
_os_exit = os._exit
_os_read = os.read
_os_times = os.times
_perf_counter = time.perf_counter
_TextIOWrapper_flush = io.TextIOWrapper.flush

PROGRESS_EVERY = (
    0.1  # seconds between two progress messages of a job at most (the last always goes)
)

MARKS: list[
    tuple[str, float]
] = []  # (label, time.perf_counter()) of the child's setup steps, sent with "start"


def mark(label):
    MARKS.append((label, time.perf_counter()))


def flush_own(streams):
    """Flush the harness's own stdout/stderr objects (bound before the learner's code ran;
    never whatever the learner put in ``sys.stdout``)."""
    for stream in streams:
        try:
            _TextIOWrapper_flush(stream)
        except BaseException:  # noqa: BLE001 - a closed or broken pipe must not stop the exit
            pass


def seed_generators():
    """Every job starts from the same random state, whatever its process ran before (a warm
    zygote's history differs from a cold start's): code that draws random numbers draws the
    same ones on every run, so a regrade, validation's records and a diagnosis agree."""
    import random

    random.seed(0)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed(0)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(0)


def error_info(exc, filename, compile_error=False):
    """An exception -> dict(type, message, line, column, traceback) with harness frames cut."""
    info = {"type": type(exc).__name__, "message": "", "line": None, "column": None}
    try:
        info["message"] = str(exc)[:2000]
    except BaseException:  # noqa: BLE001 - a learner's exception may fail in __str__
        info["message"] = "<str() failed>"
    if compile_error and isinstance(exc, SyntaxError):
        info["message"] = str(exc.msg)[:2000]
        info["line"] = exc.lineno if type(exc.lineno) is int else None
        info["column"] = exc.offset if type(exc.offset) is int else None
        info["traceback"] = "".join(traceback.format_exception_only(type(exc), exc))[-4000:]
        return info
    tb = exc.__traceback__
    frames = traceback.extract_tb(tb)
    # drop the harness's own frames: keep from the first frame in the learner's file
    start = next((i for i, f in enumerate(frames) if f.filename == filename), len(frames))
    kept = frames[start:]
    learner_lines = [f.lineno for f in kept if f.filename == filename]
    if learner_lines:
        info["line"] = learner_lines[-1]
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        info["line"], info["column"] = exc.lineno, exc.offset
    text = "Traceback (most recent call last):\n" if kept else ""
    text += "".join(traceback.format_list(kept))
    text += "".join(traceback.format_exception_only(type(exc), exc))
    info["traceback"] = text[-4000:]
    return info


class Runner:
    """Runs one decoded job inside the (already confined) process."""

    def __init__(self, job, result_fd, own_streams=(), job_fd=-1, job_cap=1 << 30, on_hidden=None):
        self.job = job
        self.fd = result_fd
        self.own_streams = own_streams  # the harness's stdout/stderr, bound before the job
        self.filename = job.get("filename") or "solution.py"
        self.slots = {}
        # a job with hidden calls: they come later on job_fd, after the "await" message
        self.hidden_calls = int(job.get("hidden_calls") or 0)
        self.job_fd, self.job_cap = job_fd, job_cap
        self.on_hidden = on_hidden  # () -> None: the hidden calls' own limits, once they came
        self.reporting = True  # progress goes out during the visible calls only
        self.last_progress = -PROGRESS_EVERY

    def send(self, obj, values=()):
        arrays = []
        enc = {}
        for key, val in values:
            try:
                enc[key] = encode_value(val, arrays, Unsupported, Ref)
            except WireError as exc:
                enc[key] = {"$u": ["?", str(exc)]}
        obj.update(enc)
        data = pack_message(obj, arrays)
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def progress(self, step, total, loss=None, part=0, parts=1):
        """A training loop's "step k of N" (and its current loss), for the page while the job
        runs; at most one message every PROGRESS_EVERY seconds, and none once the hidden
        calls were asked for. Called by the grader helpers (``_grader_progress`` in the
        learner's module); whatever calls it, the supervisor treats the numbers as display
        only, and forwards none from the hidden part."""
        if not self.reporting or self.fd < 0:
            return
        now = _perf_counter()
        if now - self.last_progress < PROGRESS_EVERY and step < total:
            return
        self.last_progress = now
        try:
            message = {
                "kind": "progress",
                "step": int(step),
                "total": int(total),
                "loss": None if loss is None else float(loss),
                "part": int(part),
                "parts": int(parts),
            }
        except (TypeError, ValueError, OverflowError):
            return
        self.send(message)

    def finish(self):
        """Flush the harness's own stdout/stderr objects (never what the learner put in
        ``sys.stdout``), send "done", close the pipes and exit at once: no learner object
        is touched after the verdict.  The supervisor still kills a child that lingers."""
        gc.disable()  # no learner __del__ from here on
        flush_own(self.own_streams)
        self.send({"kind": "done"})
        for fd in (self.fd, 1, 2):
            try:
                _os_close(fd)
            except OSError:
                pass
        self.fd = -1
        _os_exit(ExitCode.OK)

    def resolve(self, v, as_tensor, keep_numpy=False):
        np = lazy_numpy()
        t = type(v)
        if t is Ref:
            if v.name not in self.slots:
                raise KeyError(f"no stored value named {v.name!r}")
            return self.slots[v.name]
        if t is np.ndarray:
            a = np.array(v, copy=True)
            if as_tensor and not keep_numpy:
                import torch  # tensors are asked of torch jobs only

                return torch.from_numpy(a)
            return a
        if t is list:
            return [self.resolve(x, as_tensor) for x in v]
        if t is tuple:
            return tuple(self.resolve(x, as_tensor) for x in v)
        if t is dict:
            return {k: self.resolve(x, as_tensor) for k, x in v.items()}
        return v

    def run(self):
        filename = self.filename
        code = self.job["code"]
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        seed_generators()
        mark("start")
        t0 = MARKS[0][1] if MARKS else 0.0
        setup = [[k, round((t - t0) * 1000, 3)] for k, t in MARKS]
        self.send(
            {"kind": "start", "setup_ms": setup, "t0": t0}
        )  # from here on, learner code may write
        try:
            codeobj = compile(code, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:  # ValueError: null bytes in source
            self.send({"kind": "compile_error", "error": error_info(exc, filename, True)})
            self.finish()
            return
        module = types.ModuleType("solution")
        module.__file__ = filename
        module._grader_progress = self.progress  # the grader helpers' training progress
        sys.modules["solution"] = module
        try:
            exec(codeobj, module.__dict__)
        except BaseException as exc:  # noqa: BLE001 - the learner's failure is data
            self.send({"kind": "import_error", "error": error_info(exc, filename)})
            self.finish()
            return
        for index, call in enumerate(self.job["calls"]):
            self.run_call(module, index, call)
        if self.hidden_calls:
            self.run_hidden(module, len(self.job["calls"]))
        self.finish()

    def run_hidden(self, module, first_index):
        """Ask for the hidden calls once the visible ones have returned. The supervisor
        hands them over only then, and from that moment nothing printed reaches the
        trusted side: their inputs cannot come back as output, whatever the code does."""
        self.slots.clear()  # as in a job of their own: a kind's setup calls come again
        gc.collect()
        flush_own(self.own_streams)  # what the visible calls printed goes out before "await"
        self.reporting = False
        self.send({"kind": "await", "cpu": cpu_seconds()})
        data = read_message(self.job_fd, self.job_cap)
        _os_close(self.job_fd)
        self.job_fd = -1
        calls = decode_job(data)["calls"]
        if len(calls) != self.hidden_calls:
            raise WireError(f"expected {self.hidden_calls} hidden calls, got {len(calls)}")
        if self.on_hidden is not None:
            self.on_hidden()
        for offset, call in enumerate(calls):
            self.run_call(module, first_index + offset, call)

    def run_call(self, module, index, call):
        as_tensor = bool(call.get("as_tensor"))
        grad = call.get("grad")
        out = {"kind": "call", "index": index, "error": None, "seconds": 0.0}
        values = []
        args = kwargs = None
        t0 = time.perf_counter()
        try:
            fn = module.__dict__.get(call["entry"])
            if fn is None:
                raise AttributeError(f"solution.py defines no {call['entry']!r}")
            args = [self.resolve(a, as_tensor) for a in call["args"]]
            kwargs = {k: self.resolve(v, as_tensor) for k, v in call["kwargs"].items()}
            if grad is not None:
                import torch  # gradients are asked of torch jobs only

                for i in grad["wrt"]:
                    a = args[i]
                    if not isinstance(a, torch.Tensor):
                        a = torch.as_tensor(a)
                    args[i] = a.detach().clone().requires_grad_(True)
            t0 = time.perf_counter()
            result = fn(*args, **kwargs)
            out["seconds"] = time.perf_counter() - t0
            if grad is not None:
                values.append(("grads", self.backward(result, args, grad)))
            if call.get("store_as"):
                self.slots[call["store_as"]] = result
                values.append(("value", None))
            else:
                values.append(("value", to_plain(result)))
        except BaseException as exc:  # noqa: BLE001 - the learner's failure is data
            out["seconds"] = out["seconds"] or time.perf_counter() - t0
            out["error"] = error_info(exc, self.filename)
            if isinstance(exc, MemoryError):
                out["memory_error"] = True
        if call.get("return_args", True) and args is not None:
            values.append(("args_after", tuple(to_plain(a) for a in args)))
            values.append(("kwargs_after", {k: to_plain(v) for k, v in kwargs.items()}))
        self.send(out, values)

    def backward(self, result, args, grad):
        import torch  # gradients are asked of torch jobs only

        outputs = result if isinstance(result, (tuple, list)) else (result,)
        total = None
        for k, up in grad["upstream"]:
            o = outputs[k]
            if not isinstance(o, torch.Tensor):
                raise TypeError(
                    f"output {k} is {type(o).__name__}, not a tensor: cannot backpropagate"
                )
            u = torch.as_tensor(up, dtype=o.dtype) if not isinstance(up, float) else up
            term = (o * u).sum()
            total = term if total is None else total + term
        if total is not None and total.requires_grad:
            total.backward()
        grads = []
        for i in grad["wrt"]:
            g = args[i].grad
            grads.append([i, None if g is None else to_plain(g)])
        return grads


def cpu_seconds():
    """CPU time this process has used (every thread), in seconds."""
    t = _os_times()
    return t.user + t.system


def decode_job(data):
    """The job's bytes -> its dict, with the calls' arguments decoded (also the second
    message of a job with hidden calls: ``{"calls": [...]}``)."""
    msgs = unpack_messages(data)
    if len(msgs) != 1:
        raise WireError("expected one job message")
    obj, arrays = msgs[0]

    def dec(v):
        return decode_value(v, arrays, Unsupported, Ref)

    calls = []
    for c in obj["calls"]:
        grad = c.get("grad")
        if grad is not None:
            grad = {
                "wrt": list(grad["wrt"]),
                "upstream": [[k, dec(u)] for k, u in grad["upstream"]],
            }
        calls.append(
            {
                "entry": c["entry"],
                "args": list(dec(c["args"])),
                "kwargs": dec(c["kwargs"]),
                "as_tensor": c["as_tensor"],
                "grad": grad,
                "store_as": c["store_as"],
                "return_args": c["return_args"],
            }
        )
    obj["calls"] = calls
    return obj


def _read_exact(fd, n):
    chunks, size = [], 0
    while size < n:
        b = _os_read(fd, min(n - size, 1 << 20))
        if not b:
            raise WireError("the job ended early")
        size += len(b)
        chunks.append(b)
    return b"".join(chunks)


def read_message(fd, cap):
    """One wire message from ``fd``, read to its end as its header gives it (a job's
    second message follows on the same pipe later); WireError beyond ``cap`` bytes."""
    head = _read_exact(fd, 4 + wire._HEAD.size)
    if head[:4] != wire.MAGIC:
        raise WireError("bad job header")
    jlen, narr = wire._HEAD.unpack_from(head, 4)
    if jlen > cap:
        raise WireError("job too large")
    parts = [head, _read_exact(fd, jlen)]
    size = len(head) + jlen
    for _ in range(narr):
        frame = _read_exact(fd, wire._LEN.size)
        (alen,) = wire._LEN.unpack_from(frame, 0)
        size += wire._LEN.size + alen
        if size > cap:
            raise WireError("job too large")
        parts += [frame, _read_exact(fd, alen)]
    return b"".join(parts)


def read_all(fd, cap):
    """Everything until EOF on ``fd``; WireError beyond ``cap`` bytes."""
    chunks, size = [], 0
    while True:
        b = os.read(fd, 1 << 20)
        if not b:
            break
        size += len(b)
        if size > cap:
            raise WireError("job too large")
        chunks.append(b)
    return b"".join(chunks)
