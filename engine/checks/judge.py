"""Judge one call's result against a prepared test, in the trusted process.

``find_failure(test, call)`` returns None when the test passed, else the first
``Failure`` in this order: the call raised, the outputs (arity, order, properties,
values), the inputs were modified, the gradients.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.checks.compare import (
    Failure,
    Subject,
    Tolerance,
    compare,
    compare_array,
    compare_unchanged,
    describe_value,
    fmt_index,
    value_data,
)
from engine.checks.plan import PreparedTest
from engine.checks.properties import check_properties
from engine.messages import msg
from engine.sandbox.api import CallResult


def find_failure(test: PreparedTest, call: CallResult) -> Failure | None:
    """The first thing wrong with ``call`` for ``test``, or None when it passed."""
    if call.error is not None:
        e = call.error
        line = f" at line {e.line}" if e.line else ""
        at_line = msg("at_line", line=e.line) if e.line else None
        data = msg("raised", type=e.type, at_line=at_line, message=e.message)
        return Failure(f"raised {e.type}{line}", f"raised {e.type}{line}: {e.message}", data)
    return (
        _check_outputs(test, call.value)
        or _check_inputs_unchanged(test, call)
        or _check_gradients(test, call)
    )


def _split_outputs(test: PreparedTest, value: Any) -> tuple[list, Failure | None]:
    n = len(test.outputs)
    if n == 1:
        return [value], None
    names = ", ".join(test.outputs)
    kind = "arrays" if all(isinstance(e, np.ndarray) for e in test.expected) else "values"
    if not isinstance(value, tuple | list):
        return [], Failure(
            f"returned {describe_value(value)}, expected a tuple of {n}",
            f"returned {describe_value(value)}, expected a tuple of {n} {kind} ({names}): `return {names}`",
            msg(
                "tuple_expected",
                got=value_data(value),
                n=n,
                names=list(test.outputs),
                names_text=names,
            ),
        )
    if len(value) != n:
        return [], Failure(
            f"returned a tuple of {len(value)}, expected {n}",
            f"returned a tuple of {len(value)}, expected {n} {kind} ({names})",
            msg("tuple_length", got=len(value), n=n, names=list(test.outputs)),
        )
    return list(value), None


def _label(test: PreparedTest, k: int) -> Subject:
    return Subject("result") if len(test.outputs) == 1 else Subject("output", test.outputs[k])


def _check_outputs(test: PreparedTest, value: Any) -> Failure | None:
    got, failure = _split_outputs(test, value)
    if failure:
        return failure
    for k, name in enumerate(test.outputs):
        props = test.properties.get(name)
        if props:
            failure = check_properties(got[k], props, _label(test, k))
            if failure:
                return failure
    if not test.compare_values:
        return None
    expected = [test.expected] if len(test.outputs) == 1 else list(test.expected)
    failures = [
        compare(g, e, _label(test, k), test.tolerance)
        for k, (g, e) in enumerate(zip(got, expected, strict=True))
    ]
    first = next((f for f in failures if f is not None), None)
    if first is not None and len(expected) > 1:
        return _check_order(test, got, expected) or first
    return first


def _check_order(test: PreparedTest, got: list, expected: list) -> Failure | None:
    """Outputs that are right but returned in another order."""
    n = len(expected)
    for k in range(n):
        for j in range(n):
            if j != k and compare(got[k], expected[j], "x", test.tolerance) is None:
                names = ", ".join(test.outputs)
                return Failure(
                    "the outputs are in the wrong order",
                    f"your output {k + 1} is the expected `{test.outputs[j]}`: return them in the order ({names})",
                    msg("outputs_order", k=k + 1, name=test.outputs[j], names_text=names),
                )
    return None


def _check_inputs_unchanged(test: PreparedTest, call: CallResult) -> Failure | None:
    after = list(call.args_after or ()) + list((call.kwargs_after or {}).values())
    if not after:
        return None
    before = list(test.args) + list(test.kwargs.values())
    for name, b, a in zip(test.arg_names, before, after, strict=False):
        if name in test.mutable:
            continue
        diff = compare_unchanged(b, a)
        if diff is not None:
            at = (
                f" (first change at index {fmt_index(diff)})"
                if diff and all(isinstance(i, int) for i in diff)
                else ""
            )
            return Failure(
                f"your function modified its input `{name}`",
                f"your function modified its input `{name}`{at}: work on a copy (e.g. `{name}.copy()`) or build a new array",
                msg(
                    "input_modified",
                    name=name,
                    at=msg("first_change", index=[int(i) for i in diff]) if at else None,
                ),
            )
    return None


def _check_gradients(test: PreparedTest, call: CallResult) -> Failure | None:
    if test.grad is None:
        return None
    grads = call.grads or {}
    tol = Tolerance(
        max(test.tolerance.rtol, 1e-6), max(test.tolerance.atol, 1e-8), test.tolerance.float64
    )
    for i, name in zip(test.grad.wrt, test.grad.wrt_names, strict=True):
        expected = test.grad.expected.get(i)
        got = grads.get(i)
        label = Subject("gradient", name)
        if got is None:
            if expected is None or not expected.any():
                continue
            return Failure(
                f"no gradient reached `{name}`",
                f"no gradient reached `{name}`: the graph was cut (`.detach()`, `.item()`, `.numpy()`, "
                "`torch.no_grad()` or a new tensor built from values) between it and the outputs",
                msg("no_gradient", name=name),
            )
        if expected is None:
            expected = np.zeros_like(got)
        failure = compare_array(got, expected, label, tol)
        if failure:
            return failure
    return None
