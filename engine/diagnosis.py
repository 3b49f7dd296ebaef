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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.checks.compare import compare_array, compare_unchanged
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


def _agrees(learner: dict[str, np.ndarray], mutant: dict[str, np.ndarray], tolerance) -> bool:
    """Whether every output agrees within the tolerance; stops at the first that does not."""
    if set(learner) != set(mutant):
        return False
    return all(
        compare_array(got, mutant[name], name, tolerance) is None for name, got in learner.items()
    )


def _decoded(entry: Any) -> dict[str, np.ndarray] | None:
    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    if not isinstance(outputs, dict):
        return None
    try:
        return {name: _decode(e) for name, e in outputs.items()}
    except (KeyError, TypeError, ValueError):
        return None


# A recorded test's outputs: decoded arrays; _ABSENT when the record has none (the test is
# skipped); _UNREADABLE when it has some that do not decode (they agree with nothing).
_ABSENT = "absent"
_UNREADABLE = "unreadable"
Recorded = dict[str, np.ndarray] | str


def _recorded(entry: Any) -> Recorded:
    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    if not isinstance(outputs, dict):
        return _ABSENT
    decoded = _decoded(entry)
    return _UNREADABLE if decoded is None else decoded


@dataclass
class KnownMutant:
    name: str
    outputs: list[Recorded]  # per visible test
    passed: list[bool]  # the verdict validation recorded, per visible test
    # Per visible test, whether the mutant is wrong there, by the tests' tolerances
    _wrong: dict[tuple, list[bool]] = field(default_factory=dict, repr=False)


@dataclass
class KnownOutputs:
    """Validation's records decoded once (``known_decoded``): a worker keeps one per problem
    version and diagnoses every wrong answer against it without decoding again."""

    reference: list[Recorded] | None
    mutants: list[KnownMutant]

    def wrong_tests(self, mutant: KnownMutant, tests: list) -> list[bool]:
        """Per visible test, whether ``mutant`` is wrong there: its outputs differ from the
        reference's (a mutant rejected for another reason, e.g. only on hidden tests, is not
        wrong on a test whose outputs are right). Without the reference's record: its
        verdict. Depends on the tests' tolerances only, so computed once for them."""
        key = tuple(t.tolerance for t in tests)
        if key not in mutant._wrong:
            mutant._wrong[key] = self._wrong_tests(mutant, tests)
        return mutant._wrong[key]

    def _wrong_tests(self, mutant: KnownMutant, tests: list) -> list[bool]:
        reference = self.reference
        if reference is None or len(reference) != len(mutant.outputs):
            return [not ok for ok in mutant.passed]
        wrong = []
        for test, mine, right, ok in zip(
            tests, mutant.outputs, reference, mutant.passed, strict=True
        ):
            if isinstance(mine, str) or isinstance(right, str):
                wrong.append(not ok)
                continue
            wrong.append(not _agrees(mine, right, test.tolerance))
        return wrong


def known_decoded(known: dict) -> KnownOutputs:
    """``{"reference": record, "mutants": [{"name", "record"}]}`` as validation recorded them,
    decoded into arrays (mutants whose record is not a list are left out)."""
    reference = known.get("reference")
    mutants = []
    for mutant in known.get("mutants") or []:
        record = mutant.get("record")
        if not isinstance(record, list):
            continue
        passed = [isinstance(e, dict) and bool(e.get("passed", True)) for e in record]
        mutants.append(KnownMutant(mutant["name"], [_recorded(e) for e in record], passed))
    decoded_reference = [_recorded(e) for e in reference] if isinstance(reference, list) else None
    return KnownOutputs(decoded_reference, mutants)


def _behaves_like(
    tests: list, learner: list, mutant: KnownMutant, wrongs: list[bool], needed: int
) -> int:
    """On how many visible tests the learner agrees with ``mutant``, or 0 when it is not the
    diagnosis (a test the mutant gets wrong where the learner does otherwise, or no
    agreement where the mutant is wrong); stops at the first contradiction."""
    agreed, agreed_where_wrong = 0, False
    for test, mine, theirs, wrong in zip(tests, learner, mutant.outputs, wrongs, strict=True):
        if mine is None or theirs == _ABSENT:
            continue
        same = not isinstance(theirs, str) and _agrees(mine, theirs, test.tolerance)
        if wrong and not same:
            return 0
        agreed += same
        agreed_where_wrong |= same and wrong
    return agreed if agreed >= needed and agreed_where_wrong else 0


def diagnose(tests: list, calls: list[CallResult], known: dict | KnownOutputs) -> dict | None:
    """``{"mutant": name}`` for the mutant the learner's visible results behave like, or None.

    ``tests`` are the visible tests (in file order), ``calls`` the learner's results on them
    and ``known`` ``{"reference": record, "mutants": [{"name", "record"}]}`` as validation
    recorded them, or that decoded once by ``known_decoded``."""
    if not tests or len(calls) != len(tests):
        return None
    if isinstance(known, dict):
        known = known_decoded(known)
    learner = [_arrays(t, c) for t, c in zip(tests, calls, strict=True)]
    needed = min(2, len(tests))
    best: tuple[int, str] | None = None
    for mutant in known.mutants:
        if len(mutant.outputs) != len(tests):
            continue
        agreed = _behaves_like(tests, learner, mutant, known.wrong_tests(mutant, tests), needed)
        if agreed and (best is None or agreed > best[0]):
            best = (agreed, mutant.name)
    return None if best is None else {"mutant": best[1]}
