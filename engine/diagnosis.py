"""Misconception diagnosis: does a failing submission behave like one of the problem's mutants?

When a problem version is validated, each mutant's outputs on the visible tests (whose inputs
are fixed by the problem file) are recorded as plain JSON (``visible_record``): per visible
test, whether the mutant passed it and its outputs and gradients as flat lists of floats with
their shapes. Nothing is pickled; the record is data, read back with ``np.asarray``.

When a learner's submission fails, ``diagnose`` compares the learner's visible outputs (the
plain values the sandbox returned for judging) with every mutant's, here in the trusted
process, with the problem's own tolerance. A mutant is the diagnosis when the learner agrees
with it on at least two visible tests (every visible test when there are fewer), at least one
of them a test the mutant fails, and on every visible test the mutant fails where both have
values. Among several, the one agreeing on most tests wins (the first in file order on a tie).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine.checks.compare import Tolerance, compare_array, compare_unchanged
from engine.sandbox.api import CallResult

MAX_VALUES_PER_TEST = 20_000  # outputs larger than this are not recorded (nor diagnosed)
SIGNIFICANT_DIGITS = 12  # far below any tolerance the problems use


def _numeric_array(value: Any) -> np.ndarray | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return np.asarray(value, dtype=np.float64)
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        return value
    return None


def _arrays(test, call: CallResult) -> dict[str, np.ndarray] | None:
    """A call's outputs and gradients by name, or None when any is not a numeric array."""
    if call.error is not None:
        return None
    outputs = test.outputs
    value = call.value
    if len(outputs) == 1:
        names, values = list(outputs), [value]
    elif isinstance(value, (tuple, list)) and len(value) == len(outputs):
        names, values = list(outputs), list(value)
    elif isinstance(value, (tuple, list)):  # too few or too many: what came back, by position
        names, values = [f"return:{k}" for k in range(len(value))], list(value)
    else:  # one value where several are expected
        names, values = ["return"], [value]
    named: dict[str, np.ndarray] = {}
    for name, v in zip(names, values, strict=True):
        arr = _numeric_array(v)
        if arr is None:
            return None
        named[name] = arr
    for i, grad in sorted((call.grads or {}).items()):
        arr = _numeric_array(grad)
        if arr is not None:
            named[f"grad:{i}"] = arr
    # An input the function modified (and should not have) is part of what it did.
    after = list(call.args_after or ()) + list((call.kwargs_after or {}).values())
    before = list(test.args) + list(test.kwargs.values())
    for name, b, a in zip(test.arg_names, before, after, strict=False):
        arr = _numeric_array(a)
        if name not in test.mutable and arr is not None and compare_unchanged(b, a) is not None:
            named[f"input:{name}"] = arr
    if sum(a.size for a in named.values()) > MAX_VALUES_PER_TEST:
        return None
    return named


def _encode_number(x: float) -> float | str:
    if math.isfinite(x):
        return float(f"{x:.{SIGNIFICANT_DIGITS}g}")
    return str(x)  # "nan", "inf", "-inf": JSON (and PostgreSQL) have no such numbers


def _encode(arr: np.ndarray) -> dict:
    kind = arr.dtype.kind
    flat = arr.reshape(-1)
    if kind == "b":
        return {"shape": list(arr.shape), "kind": "b", "values": [bool(v) for v in flat]}
    if kind in "iu":
        return {"shape": list(arr.shape), "kind": "i", "values": [int(v) for v in flat]}
    values = [_encode_number(float(v)) for v in flat]
    return {"shape": list(arr.shape), "kind": "f", "values": values}


def _decode(entry: dict) -> np.ndarray:
    if entry["kind"] in ("i", "b"):
        dtype = np.int64 if entry["kind"] == "i" else np.bool_
        return np.asarray(entry["values"], dtype=dtype).reshape(entry["shape"])
    values = [float(v) for v in entry["values"]]
    return np.asarray(values, dtype=np.float64).reshape(entry["shape"])


def visible_record(tests: list, calls: list[CallResult], passed: list[bool]) -> list[dict]:
    """What a program did on the visible tests, as plain JSON: one entry per test."""
    record = []
    for test, call, ok in zip(tests, calls, passed, strict=True):
        arrays = _arrays(test, call)
        encoded = None if arrays is None else {k: _encode(a) for k, a in arrays.items()}
        record.append({"passed": bool(ok), "outputs": encoded})
    return record


def _agrees(learner: dict[str, np.ndarray], mutant: dict, tolerance: Tolerance) -> bool:
    if set(learner) != set(mutant):
        return False
    for name, got in learner.items():
        try:
            expected = _decode(mutant[name])
        except (KeyError, TypeError, ValueError):
            return False
        if compare_array(got, expected, name, tolerance) is not None:
            return False
    return True


def _decoded(entry: Any) -> dict | None:
    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    if not isinstance(outputs, dict):
        return None
    try:
        return {name: _decode(e) for name, e in outputs.items()}
    except (KeyError, TypeError, ValueError):
        return None


def _wrong_tests(record: list, reference: list | None, tests: list) -> list[bool]:
    """Per visible test, whether the mutant is wrong there: its outputs differ from the
    reference's (a mutant rejected for another reason, e.g. only on hidden tests, is not
    wrong on a test whose outputs are right). Without the reference's record: its verdict."""
    if not isinstance(reference, list) or len(reference) != len(record):
        return [not (isinstance(e, dict) and e.get("passed", True)) for e in record]
    wrong = []
    for test, theirs, right in zip(tests, record, reference, strict=True):
        mine, expected = _decoded(theirs), _decoded(right)
        if mine is None or expected is None:
            wrong.append(not (isinstance(theirs, dict) and theirs.get("passed", True)))
            continue
        wrong.append(not _agrees(mine, right["outputs"], test.tolerance))
    return wrong


def diagnose(tests: list, calls: list[CallResult], known: dict) -> dict | None:
    """``{"mutant": name}`` for the mutant the learner's visible results behave like, or None.

    ``tests`` are the visible tests (in file order), ``calls`` the learner's results on them
    and ``known`` ``{"reference": record, "mutants": [{"name", "record"}]}`` as validation
    recorded them."""
    if not tests or len(calls) != len(tests):
        return None
    learner = [_arrays(t, c) for t, c in zip(tests, calls, strict=True)]
    reference = known.get("reference")
    mutants = known.get("mutants") or []
    needed = min(2, len(tests))
    best: tuple[int, str] | None = None
    for mutant in mutants:
        record = mutant.get("record")
        if not isinstance(record, list) or len(record) != len(tests):
            continue
        agreed, agreed_where_wrong, contradicted = 0, 0, False
        wrongs = _wrong_tests(record, reference, tests)
        for test, mine, theirs, wrong in zip(tests, learner, record, wrongs, strict=True):
            outputs = theirs.get("outputs") if isinstance(theirs, dict) else None
            if mine is None or not isinstance(outputs, dict):
                continue
            same = _agrees(mine, outputs, test.tolerance)
            agreed += same
            agreed_where_wrong += same and wrong
            contradicted |= wrong and not same
        if agreed >= needed and agreed_where_wrong and not contradicted:
            if best is None or agreed > best[0]:
                best = (agreed, mutant["name"])
    return None if best is None else {"mutant": best[1]}
