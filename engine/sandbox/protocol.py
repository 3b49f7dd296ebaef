"""Trusted side of the wire format: Job -> bytes, result bytes -> api dataclasses."""

from __future__ import annotations

import dataclasses
import json
import math

from .api import (
    Call,
    CallResult,
    ErrorInfo,
    Job,
    Ref,
    Unsupported,
)
from .inside import wire
from .inside.wire import BudgetError, WireError


def _enc(value, arrays):
    return wire.encode_value(value, arrays, Unsupported, Ref)


def _encode_calls(calls: tuple[Call, ...], arrays: list) -> list[dict]:
    encoded = []
    for c in calls:
        if not isinstance(c, Call):
            raise TypeError("Job.calls must hold Call objects")
        grad = None
        if c.grad is not None:
            grad = {
                "wrt": [int(i) for i in c.grad.wrt],
                "upstream": [[int(k), _enc(v, arrays)] for k, v in c.grad.upstream.items()],
            }
        encoded.append(
            {
                "entry": c.entry,
                "args": _enc(tuple(c.args), arrays),
                "kwargs": _enc(dict(c.kwargs), arrays),
                "as_tensor": bool(c.as_tensor),
                "grad": grad,
                "store_as": c.store_as,
                "return_args": bool(c.return_args),
            }
        )
    return encoded


def encode_job(job: Job, extra_limits: dict | None = None) -> bytes:
    """The job's first message: the code, the limits and the visible calls (every call
    when the job has no hidden ones); ``hidden_calls`` says how many are still to come."""
    arrays: list = []
    calls = _encode_calls(job.visible_calls, arrays)
    limits = dataclasses.asdict(job.limits)
    if extra_limits:
        limits.update(extra_limits)
    obj = {
        "v": 1,
        "code": job.code,
        "filename": job.filename,
        "framework": job.framework,
        "calls": calls,
        "limits": limits,
    }
    if job.hidden_from is not None:
        obj["hidden_calls"] = len(job.hidden_calls)
    return wire.pack_message(obj, arrays)


def encode_hidden_calls(job: Job) -> bytes:
    """The job's second message (``Job.hidden_from``): the hidden calls, handed over only
    once the harness has asked for them (``{"kind": "await"}``) after the visible ones."""
    arrays: list = []
    return wire.pack_message({"calls": _encode_calls(job.hidden_calls, arrays)}, arrays)


def _error(d) -> ErrorInfo | None:
    if d is None:
        return None
    if type(d) is not dict:
        raise WireError("bad error")

    def opt_int(v):
        return v if type(v) is int else None

    return ErrorInfo(
        type=str(d.get("type", "?"))[:200],
        message=str(d.get("message", ""))[:2000],
        line=opt_int(d.get("line")),
        column=opt_int(d.get("column")),
        traceback=str(d.get("traceback", ""))[:4000],
    )


@dataclasses.dataclass
class Decoded:
    kind: str = "incomplete"  # ok | compile_error | import_error | internal | incomplete
    calls: list = dataclasses.field(default_factory=list)
    error: ErrorInfo | None = None
    memory_error: bool = False
    visible_memory_error: bool = False  # a visible call (before the await) raised MemoryError
    message: str = ""
    started: bool = False  # the harness reached the learner's code
    wire_error: str | None = None  # the stream was malformed (after ``started``: by the learner)
    over_budget: str | None = None  # well-formed but beyond the trusted decoder's budget
    over_budget_detail: dict | None = None  # that, as a message {"code", "params"}
    setup_ms: list | None = None  # the harness's setup timings (diagnostics only)
    awaited: bool = False  # the harness asked for the hidden calls after the visible ones
    await_cpu: float = 0.0  # the CPU seconds it reported having used by then


def decode_results(data: bytes | bytearray, n_calls: int, n_visible: int | None = None) -> Decoded:
    """Parse the result stream.  Never raises: a malformed stream sets ``wire_error``.

    ``n_visible`` (a job with hidden calls): the one ``await`` message must come right
    after that many call results."""
    out = Decoded()
    try:
        _decode_into(out, data, n_calls, n_visible)
    except BudgetError as exc:
        out.wire_error = out.over_budget = str(exc)[:500]
        if exc.code:
            out.over_budget_detail = {"code": exc.code, "params": exc.params}
        out.kind = "incomplete"
        out.calls = []
    except WireError as exc:
        out.wire_error = str(exc)[:500]
        out.kind = "incomplete"
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as exc:
        out.wire_error = f"{type(exc).__name__}: {exc}"[:500]
        out.kind = "incomplete"
    return out


def _decode_into(
    out: Decoded, data: bytes | bytearray, n_calls: int, n_visible: int | None
) -> None:
    done = started = False
    for obj, arrays in wire.iter_messages(data, budget=wire.RESULT_BUDGET):
        if type(obj) is not dict or done:
            raise WireError("unexpected message")

        def dec(v, arrays=arrays):
            return wire.decode_value(v, arrays, Unsupported, Ref)

        kind = obj.get("kind")
        if kind == "start":
            if started:
                raise WireError("second start")
            started = out.started = True
            setup = obj.get("setup_ms")
            out.setup_ms = setup if type(setup) is list else None
            continue
        if not started and kind != "internal":
            raise WireError("message before start")
        if kind == "call":
            if obj.get("index") != len(out.calls) or len(out.calls) >= n_calls:
                raise WireError("call results out of order")
            grads = None
            if "grads" in obj:
                g = dec(obj["grads"])
                if type(g) is not list:
                    raise WireError("bad grads")
                grads = {}
                for item in g:
                    if type(item) is not list or len(item) != 2 or type(item[0]) is not int:
                        raise WireError("bad grad item")
                    grads[item[0]] = item[1]
            args_after = dec(obj["args_after"]) if "args_after" in obj else None
            kwargs_after = dec(obj["kwargs_after"]) if "kwargs_after" in obj else None
            if args_after is not None and type(args_after) is not tuple:
                raise WireError("bad args_after")
            if kwargs_after is not None and type(kwargs_after) is not dict:
                raise WireError("bad kwargs_after")
            seconds = obj.get("seconds", 0.0)
            err = _error(obj.get("error"))
            if obj.get("memory_error") and err is not None and err.type == "MemoryError":
                out.memory_error = True
                out.visible_memory_error |= not out.awaited
            out.calls.append(
                CallResult(
                    value=dec(obj.get("value")),
                    error=err,
                    args_after=args_after,
                    kwargs_after=kwargs_after,
                    grads=grads,
                    seconds=float(seconds) if type(seconds) in (int, float) else 0.0,
                )
            )
        elif kind == "progress":
            continue  # for the page while the job runs (ResultScanner); no part of the result
        elif kind in ("compile_error", "import_error"):
            if out.calls or out.kind != "incomplete":
                raise WireError("unexpected error message")
            out.kind = kind
            out.error = _error(obj.get("error"))
            if out.error is not None and out.error.type == "MemoryError":
                out.memory_error = True
        elif kind == "await":
            if out.awaited or n_visible is None or len(out.calls) != n_visible:
                raise WireError("unexpected await")
            out.awaited = True
            cpu = obj.get("cpu", 0.0)
            out.await_cpu = float(cpu) if type(cpu) in (int, float) else 0.0
        elif kind == "internal":
            if started:  # after learner code began, "internal" could be forged: a crash
                raise WireError("harness failure after learner code started")
            out.kind = "internal"
            out.message = str(obj.get("message", ""))[:2000]
            done = True
        elif kind == "done":
            if out.kind == "incomplete":
                if n_visible is not None and n_visible < n_calls and not out.awaited:
                    raise WireError("the hidden calls were never asked for")
                if len(out.calls) != n_calls:
                    raise WireError("missing call results")
                out.kind = "ok"
            done = True
        else:
            raise WireError("unknown message kind")
    if not done:
        out.kind = "incomplete"


PROGRESS_LIMIT = 10**9  # the largest step count a progress message may carry


def progress_event(obj: dict) -> dict | None:
    """A ``progress`` message as plain numbers the page may show, or None if it is not one.

    It comes from the learner's process (the grader helpers send it, but anything there
    can): nothing in it is trusted beyond being small, finite numbers, and it never enters
    a verdict."""
    counts = [obj.get(k) for k in ("step", "total", "part", "parts")]
    if any(type(v) is not int or not 0 <= v <= PROGRESS_LIMIT for v in counts):
        return None
    step, total, part, parts = (int(v) for v in counts)  # type: ignore[arg-type]
    loss = obj.get("loss")
    if step > total or total == 0 or part >= max(parts, 1):
        return None
    if loss is not None and (type(loss) is not float or not math.isfinite(loss)):
        return None
    return {
        "phase": "train",
        "step": step,
        "total": total,
        "loss": loss,
        "part": part,
        "parts": parts,
    }


class ResultScanner:
    """Watches the result stream as it arrives: frame headers are walked, and only small
    frames without arrays are parsed. ``scan`` hands each ``progress`` message to
    ``on_progress`` (if given) and says ``"await"`` once the harness's ``await`` came
    right after the start and the visible calls' results (a job with hidden calls,
    ``n_visible`` not None), ``"bad"`` when the stream cannot be the harness's, else None."""

    SMALL = 512  # bytes of JSON: the await message is about 40, a progress one about 100

    def __init__(self, n_visible: int | None, on_progress=None):
        self.n_visible = n_visible
        self.on_progress = on_progress
        self.pos = 0
        self.frames = 0  # frames other than progress ones
        # (frame start, where its walk got to, arrays left) of a frame still arriving: its
        # walk resumes there, so a frame of many small arrays costs once, not once per read
        self.walk: tuple[int, int, int] | None = None

    def scan(self, buf: bytes | bytearray) -> str | None:
        view = memoryview(buf)
        head = 4 + wire._HEAD.size
        while True:
            if len(buf) - self.pos < head:
                return None
            if bytes(view[self.pos : self.pos + 4]) != wire.MAGIC:
                return "bad"
            jlen, narr = wire._HEAD.unpack_from(view, self.pos + 4)
            if jlen > wire.MAX_JSON_BYTES:
                return "bad"
            end = self._frame_end(buf, view, self.pos + head + jlen, narr)
            if end is None or end > len(buf):
                return None
            obj = (
                self._small(view[self.pos + head : end])
                if narr == 0 and jlen <= self.SMALL
                else None
            )
            self.pos = end
            kind = obj.get("kind") if obj is not None else None
            if obj is not None and kind == "progress":
                event = progress_event(obj) if self.on_progress is not None else None
                if event is not None:
                    self.on_progress(event)
                continue
            if kind == "await" and self.n_visible is not None:
                return "await" if self.frames == 1 + self.n_visible else "bad"
            self.frames += 1

    def _frame_end(self, buf, view, end: int, narr: int) -> int | None:
        """Where the frame at ``pos`` ends (its arrays' lengths walked), or None until they
        have all arrived."""
        if self.walk is not None and self.walk[0] == self.pos:
            _, end, narr = self.walk
        while narr:
            if len(buf) - end < wire._LEN.size:
                self.walk = (self.pos, end, narr)
                return None
            (alen,) = wire._LEN.unpack_from(view, end)
            end += wire._LEN.size + alen
            narr -= 1
        self.walk = (self.pos, end, 0)
        return end

    @staticmethod
    def _small(raw: memoryview) -> dict | None:
        try:
            obj = json.loads(bytes(raw))
        except ValueError:
            return None
        return obj if type(obj) is dict else None
