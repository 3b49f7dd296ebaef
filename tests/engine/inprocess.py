"""An in-process stand-in for ``engine.sandbox.run``, for tests of the engine only.

It follows the ``engine.sandbox.api`` contract (calls, tensors, gradients, arguments
sent back, plain values out) but isolates nothing: it runs only the code the tests
themselves ship (references and mutants). Real grading always goes through the sandbox.
"""

from __future__ import annotations

import contextlib
import copy
import io
import traceback
from typing import Any

import numpy as np

from engine.sandbox.api import CallResult, ErrorInfo, Job, Ref, RunResult, RunStatus, Unsupported


def _plain(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, np.ndarray):
        if type(value) is not np.ndarray or value.dtype.kind not in "biuf":
            return Unsupported(type(value).__name__, repr(value)[:100])
        return value.copy()
    if isinstance(value, np.generic):
        return value.item()
    if value is None or type(value) in (bool, int, float, str):
        return value
    if type(value) in (tuple, list):
        return type(value)(_plain(v) for v in value)
    if type(value) is dict and all(isinstance(k, str) for k in value):
        return {k: _plain(v) for k, v in value.items()}
    return Unsupported(type(value).__name__, repr(value)[:100])


def _error(exc: BaseException, filename: str) -> ErrorInfo:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    line = frames[-1].lineno if frames else None
    return ErrorInfo(
        type(exc).__name__, str(exc), line, None, "".join(traceback.format_exception_only(exc))
    )


def _tensors(args, wrt=()):
    import torch

    out = []
    for i, a in enumerate(args):
        if isinstance(a, np.ndarray):
            t = torch.from_numpy(a.copy())
            if i in wrt:
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def _resolve(value, slots: dict):
    """A stored value for a Ref (``Call.store_as``), else a deep copy."""
    if isinstance(value, Ref):
        if value.name not in slots:
            raise KeyError(f"no stored value named {value.name!r}")
        return slots[value.name]
    return copy.deepcopy(value)


def _call(namespace: dict, call, filename: str, slots: dict) -> CallResult:
    import torch

    try:
        args = tuple(_resolve(a, slots) for a in call.args)
        kwargs = {k: _resolve(v, slots) for k, v in call.kwargs.items()}
    except KeyError as exc:
        return CallResult(error=_error(exc, filename))
    wrt = call.grad.wrt if call.grad else ()
    if call.as_tensor:
        args = _tensors(args, wrt)
        kwargs = dict(zip(kwargs, _tensors(list(kwargs.values())), strict=True))
    try:
        value = namespace[call.entry](*args, **kwargs)
        grads = None
        if call.grad:
            outputs = value if isinstance(value, tuple | list) else (value,)
            total = sum(
                (outputs[k] * torch.as_tensor(u, dtype=torch.float64)).sum()
                for k, u in call.grad.upstream.items()
            )
            if isinstance(total, torch.Tensor) and total.requires_grad:
                total.backward()
            grads = {
                i: (None if args[i].grad is None else args[i].grad.numpy().copy()) for i in wrt
            }
    except Exception as exc:  # noqa: BLE001 - the learner's exception is the result
        return CallResult(error=_error(exc, filename))
    if call.store_as:
        slots[call.store_as] = value
        value = None
    return CallResult(
        value=_plain(value),
        args_after=tuple(_plain(a) for a in args) if call.return_args else None,
        kwargs_after={k: _plain(v) for k, v in kwargs.items()} if call.return_args else None,
        grads=grads,
    )


def run_in_process(job: Job) -> RunResult:
    out, err = io.StringIO(), io.StringIO()
    try:
        code = compile(job.code, job.filename, "exec")
    except SyntaxError as exc:
        return RunResult(
            RunStatus.COMPILE_ERROR,
            error=ErrorInfo(type(exc).__name__, exc.msg or "", exc.lineno, exc.offset),
        )
    namespace: dict[str, Any] = {"__name__": "solution"}
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(code, namespace)
        except Exception as exc:  # noqa: BLE001 - module-level code raising is data, as in the sandbox
            return RunResult(
                RunStatus.IMPORT_ERROR, error=_error(exc, job.filename), stdout=out.getvalue()
            )
        slots: dict[str, Any] = {}
        calls = tuple(_call(namespace, c, job.filename, slots) for c in job.visible_calls)
    if job.hidden_calls:  # as the sandbox does: what the hidden calls print is discarded
        slots = {}
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            calls += tuple(_call(namespace, c, job.filename, slots) for c in job.hidden_calls)
    return RunResult(
        RunStatus.OK,
        calls,
        stdout=out.getvalue(),
        stderr=err.getvalue(),
        hidden_started=bool(job.hidden_calls),
    )
