"""Compare a learner's plain values with the reference's, in the trusted process.

Each check returns ``None`` when the value is right, else a ``Failure`` whose ``detail``
names what is wrong the way a reviewer would ("shape (7, 3) looks like the transpose of
the expected (3, 7)") and whose ``summary`` is safe to show for a hidden test (it gives
away neither inputs nor expected values).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.messages import msg
from engine.sandbox.api import Unsupported


@dataclass(frozen=True)
class Failure:
    summary: str
    detail: str
    data: dict | None = None  # the detail as a message code and parameters (engine.messages)


@dataclass(frozen=True)
class Subject:
    """What a message is about: the result, output ``name``, or the gradient w.r.t. ``name``.
    ``str()`` is the English label of the old messages."""

    kind: str  # "result" | "output" | "gradient"
    name: str = ""

    def __str__(self) -> str:
        if self.kind == "result":
            return "the result"
        if self.kind == "gradient":
            return f"the gradient w.r.t. `{self.name}`"
        return f"`{self.name}`"


def subject_data(name: Any) -> dict:
    if isinstance(name, Subject):
        return msg(f"subject.{name.kind}", **({"name": name.name} if name.name else {}))
    return msg("subject.text", text=str(name))


@dataclass(frozen=True)
class Tolerance:
    """How close a value must be. ``rtol``/``atol`` are for results computed in float64.

    dtype policy: a float32 result is accepted unless ``float64`` is set (the statement then
    demands float64); it is judged with tolerances derived from float32's precision (see
    ``for_dtype``). With ``float64`` set, a float32 result that would pass at float32
    precision fails with a sentence naming precision as the cause.
    """

    rtol: float = 1e-7
    atol: float = 1e-9
    float64: bool = False

    def describe(self) -> str:
        return f"|got - expected| <= {self.atol:g} + {self.rtol:g} * |expected|"

    def for_dtype(self, dtype: np.dtype, expected: np.ndarray) -> Tolerance:
        """The tolerance for a result of ``dtype``: float32 gets rtol 1e-4 and an atol of
        1e-5 scaled by the largest expected magnitude (at least 1)."""
        if dtype != np.float32:
            return self
        scale = float(np.max(np.abs(expected), initial=1.0)) if np.isfinite(expected).all() else 1.0
        return Tolerance(
            max(self.rtol, FLOAT32_RTOL), max(self.atol, FLOAT32_ATOL * max(scale, 1.0)), False
        )


FLOAT32_RTOL = 1e-4
FLOAT32_ATOL = 1e-5


def fmt_index(index: tuple) -> str:
    return "(" + ", ".join(str(int(i)) for i in index) + ("," if len(index) == 1 else "") + ")"


def fmt_shape(shape: tuple) -> str:
    return fmt_index(shape)


def fmt_number(x: Any) -> str:
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.6g}"


def value_data(value: Any) -> dict:
    """``describe_value`` as a message."""
    if isinstance(value, Unsupported):
        return msg("value.unsupported", type=value.type_name, text=value.text[:60])
    if value is None:
        return msg("value.none")
    if isinstance(value, bool):
        return msg("value.bool")
    if isinstance(value, (int, float)):
        return msg("value.number", type=type(value).__name__, value=_plain_number(value))
    if isinstance(value, np.ndarray):
        return msg("value.array", shape=list(value.shape))
    if isinstance(value, (tuple, list)):
        return msg("value.sequence", type=type(value).__name__, n=len(value))
    if isinstance(value, dict):
        return msg("value.dict")
    return msg("value.other", type=type(value).__name__)


def _plain_number(x: Any) -> Any:
    """A number as JSON can carry it (NaN and inf as text)."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    return x if np.isfinite(x) else str(x)


def _index_list(index: tuple) -> list[int]:
    return [int(i) for i in index]


def describe_value(value: Any) -> str:
    if isinstance(value, Unsupported):
        return f"a {value.type_name} ({value.text[:60]})"
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "a bool"
    if isinstance(value, (int, float)):
        return f"a single number ({type(value).__name__} {fmt_number(value)})"
    if isinstance(value, np.ndarray):
        return f"an array of shape {fmt_shape(value.shape)}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, dict):
        return "a dict"
    return f"a {type(value).__name__}"


def _is_scalar_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def compare(got: Any, expected: Any, name: str, tol: Tolerance) -> Failure | None:
    """Compare one output (``name`` is how the message calls it, e.g. "`h`" or "the result")."""
    if isinstance(expected, np.ndarray):
        return compare_array(got, expected, name, tol)
    if isinstance(expected, bool):
        if got is expected:
            return None
        return Failure(
            f"wrong {name}",
            f"{name} is {describe_value(got)}, expected {expected}",
            msg(
                "bool_mismatch", subject=subject_data(name), got=value_data(got), expected=expected
            ),
        )
    if isinstance(expected, int):
        return _compare_int(got, expected, name)
    if isinstance(expected, float):
        return compare_array(got, np.array(expected), name, tol, scalar=True)
    raise TypeError(f"cannot compare reference values of type {type(expected).__name__}")


def _compare_int(got: Any, expected: int, name: str) -> Failure | None:
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return Failure(
            f"{name} has the wrong type",
            f"{name} is {describe_value(got)}, expected an int",
            msg("int_wrong_type", subject=subject_data(name), got=value_data(got)),
        )
    if isinstance(got, float):
        whole = np.isfinite(got) and got == int(got)
        hint = " (use // for floor division, or int(...))" if whole else ""
        near = whole or abs(got - expected) < 1
        return Failure(
            f"{name} is a float, expected an int",
            f"{name} is {got!r}, a float; expected the int {expected}{hint}"
            if near
            else f"{name} is {got!r}, a float; expected an int{hint}",
            msg(
                "int_is_float" if near else "int_is_float_far",
                subject=subject_data(name),
                got=repr(got),
                expected=expected,
                hint=msg("hint.floor_division") if hint else None,
            ),
        )
    if got != expected:
        return Failure(
            f"wrong {name}",
            f"{name} is {got}, expected {expected}",
            msg("int_mismatch", subject=subject_data(name), got=got, expected=expected),
        )
    return None


def compare_array(
    got: Any, expected: np.ndarray, name: str, tol: Tolerance, scalar: bool = False
) -> Failure | None:
    """Type, dtype, shape, non-finite values, then values within the tolerance."""
    if _is_scalar_number(got) and expected.ndim == 0:
        got = np.array(float(got))
    if not isinstance(got, np.ndarray):
        want = (
            "a single number"
            if scalar or expected.ndim == 0
            else f"a NumPy array of shape {fmt_shape(expected.shape)}"
        )
        hint = " (wrap it with np.array(...))" if isinstance(got, list) else ""
        want_data = (
            msg("want.number")
            if scalar or expected.ndim == 0
            else msg("want.array", shape=list(expected.shape))
        )
        return Failure(
            f"{name} has the wrong type",
            f"{name} is {describe_value(got)}, expected {want}{hint}",
            msg(
                "type_mismatch",
                subject=subject_data(name),
                got=value_data(got),
                want=want_data,
                hint=msg("hint.wrap_array") if hint else None,
            ),
        )
    failure = _check_dtype(got, expected, name) or _check_shape(got, expected, name)
    if failure:
        return failure
    if expected.dtype.kind in "biu":
        return _compare_exact(got, expected, name)
    # A float32 computation may be returned upcast to float64: unless the statement demands
    # float64, every float result is judged at float32 precision.
    widened = tol.for_dtype(np.dtype(np.float32), expected) if expected.dtype == np.float64 else tol
    got64, expected64 = got.astype(np.float64), expected.astype(np.float64)
    if not tol.float64:
        return _compare_close(got64, expected64, name, widened)
    failure = _compare_close(got64, expected64, name, tol)
    if failure and widened is not tol and _compare_close(got64, expected64, name, widened) is None:
        err = float(np.max(np.abs(got64 - expected64)))
        return Failure(
            f"{name} is not precise enough: this problem requires float64",
            f"{name} was computed in {got.dtype} (about 7 significant digits), but this problem "
            f"requires float64 (about 16): the max abs error {fmt_number(err)} exceeds the "
            f"allowed {tol.describe()}; compute in float64 (e.g. .astype(np.float64) on the inputs)",
            msg(
                "float64_required",
                subject=subject_data(name),
                dtype=str(got.dtype),
                error=_plain_number(err),
                atol=tol.atol,
                rtol=tol.rtol,
            ),
        )
    return failure


def _check_dtype(got: np.ndarray, expected: np.ndarray, name: str) -> Failure | None:
    kinds = {"f": "floating-point", "i": "integer", "u": "integer", "b": "boolean", "c": "complex"}
    kind_codes = {"f": "float", "i": "int", "u": "int", "b": "bool", "c": "complex"}
    g, e = got.dtype.kind, expected.dtype.kind
    if g == e or {g, e} <= {"i", "u"}:
        return None
    if e == "f" and g in "iub":
        hint = " (start from float values: 1.0 instead of 1, or .astype(np.float64))"
        hint_data = msg("hint.float_values")
    elif e in "iu" and g == "f":
        # Only what holds for every integer output: no guess about argmin or indices.
        hint = (
            f" (keep integer arithmetic, or convert at the end with .astype(np.{expected.dtype}))"
        )
        hint_data = msg("hint.keep_integers", dtype=str(expected.dtype))
    else:
        hint, hint_data = "", None
    kind = msg(f"kind.{kind_codes[e]}") if e in kind_codes else msg("kind.other", kind=e)
    return Failure(
        f"{name} has dtype {got.dtype}, expected {kinds.get(e, e)}",
        f"{name} has dtype {got.dtype}, expected an array of {kinds.get(e, e)} numbers{hint}",
        msg(
            "dtype_mismatch",
            subject=subject_data(name),
            dtype=str(got.dtype),
            kind=kind,
            hint=hint_data,
        ),
    )


def _check_shape(got: np.ndarray, expected: np.ndarray, name: str) -> Failure | None:
    gs, es = got.shape, expected.shape
    if gs == es:
        return None
    summary = f"{name} has shape {fmt_shape(gs)}, expected {fmt_shape(es)}"
    if len(gs) == len(es) >= 2 and gs == es[::-1]:
        code = "shape_transpose"
        detail = f"{name}: shape {fmt_shape(gs)} looks like the transpose of the expected {fmt_shape(es)}"
    elif len(gs) == len(es) and sorted(gs) == sorted(es):
        code = "shape_axes_order"
        detail = f"{name}: shape {fmt_shape(gs)} has the expected axes in another order {fmt_shape(es)} (a transpose or a wrong axis order?)"
    elif got.size == expected.size:
        squeezed = tuple(d for d in gs if d != 1) == tuple(d for d in es if d != 1)
        why = (
            "an extra or missing axis of length 1"
            if squeezed
            else "same number of elements, wrong layout"
        )
        code = "shape_extra_axis" if squeezed else "shape_layout"
        detail = f"{name}: shape {fmt_shape(gs)}, expected {fmt_shape(es)} ({why})"
    elif expected.ndim == 0:
        code = "shape_not_scalar"
        detail = f"{name}: shape {fmt_shape(gs)}, expected a single number (did you forget to sum or average?)"
    else:
        code = "shape_mismatch"
        detail = f"{name}: shape {fmt_shape(gs)}, expected {fmt_shape(es)}"
    data = msg(code, subject=subject_data(name), got=list(gs), expected=list(es))
    return Failure(summary, detail, data)


def _compare_exact(got: np.ndarray, expected: np.ndarray, name: str) -> Failure | None:
    wrong = got != expected
    if not wrong.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(wrong)[0])
    return Failure(
        f"{name} has wrong entries",
        f"{name}: {int(wrong.sum())} of {expected.size} entries differ; first at index {fmt_index(idx)}: "
        f"expected {fmt_number(expected[idx])}, got {fmt_number(got[idx])}",
        msg(
            "entries_differ",
            subject=subject_data(name),
            count=int(wrong.sum()),
            size=int(expected.size),
            index=_index_list(idx),
            expected=_plain_number(expected[idx]),
            got=_plain_number(got[idx]),
        ),
    )


def _compare_close(
    got: np.ndarray, expected: np.ndarray, name: str, tol: Tolerance
) -> Failure | None:
    with np.errstate(invalid="ignore", over="ignore"):
        if np.all(np.abs(got - expected) <= tol.atol + tol.rtol * np.abs(expected)):
            return None  # the common case, decided without isclose's NaN/inf bookkeeping
    bad_nonfinite = ~np.isfinite(got) & np.isfinite(expected)
    if bad_nonfinite.any():
        idx = tuple(int(i) for i in np.argwhere(bad_nonfinite)[0])
        what = "NaN" if np.isnan(got[idx]) else "inf"
        count = int(bad_nonfinite.sum())
        at = f" at index {fmt_index(idx)}" if got.ndim else ""
        return Failure(
            f"{what} in {name}",
            f"{what} in {name}{at} where the expected value is {fmt_number(expected[idx])} "
            f"({count} non-finite value{'s' if count > 1 else ''}): an overflow in exp, a log of 0, a division by 0 or the square root of a negative number?",
            msg(
                "nonfinite",
                subject=subject_data(name),
                what=what,
                at=msg("at_index", index=_index_list(idx)) if got.ndim else None,
                expected=_plain_number(expected[idx]),
                count=count,
            ),
        )
    ok = np.isclose(got, expected, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
    if ok.all():
        return None
    err = np.where(ok, 0.0, np.abs(got - expected))
    err = np.nan_to_num(err, nan=np.inf)
    idx = np.unravel_index(int(np.argmax(err)), err.shape) if got.ndim else ()
    detail = (
        f"{name}: max abs error {fmt_number(err[idx])}"
        + (f" at index {fmt_index(idx)}" if got.ndim else "")
        + f": expected {fmt_number(expected[idx])}, got {fmt_number(got[idx])}"
    )
    pattern, pattern_data = _pattern(got, expected, tol)
    if pattern:
        detail += f"; {pattern}"
    data = msg(
        "value_mismatch",
        subject=subject_data(name),
        error=_plain_number(err[idx]),
        at=msg("at_index_value", index=_index_list(idx)) if got.ndim else None,
        expected=_plain_number(expected[idx]),
        got=_plain_number(got[idx]),
        pattern=pattern_data,
    )
    return Failure(f"{name} has wrong values", detail, data)


def _pattern(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> tuple[str, dict | None]:
    """A recognisable relation between wrong and right values, if there is one (its English
    phrase and its message)."""

    def close(a, b):
        return a.shape == b.shape and np.allclose(
            a, b, rtol=max(tol.rtol, 1e-6), atol=max(tol.atol, 1e-9)
        )

    if not (np.all(np.isfinite(got)) and np.all(np.isfinite(expected))):
        return "", None
    if close(got, -expected):
        return "every value has the opposite sign", msg("pattern.opposite_sign")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got, expected.T):
        return "the values are the transpose of the expected ones", msg("pattern.transpose")
    denom = float(np.sum(expected * expected))
    if denom > 0 and expected.size > 1:
        c = float(np.sum(got * expected)) / denom
        if abs(c) > 1e-12 and not np.isclose(c, 1.0) and close(got, c * expected):
            return f"every value is {c:.4g} × the expected one", msg(
                "pattern.scaled", factor=float(f"{c:.4g}")
            )
    if np.allclose(got, 0.0) and not np.allclose(expected, 0.0):
        return "everything is zero", msg("pattern.zero")
    return "", None


def compare_unchanged(before: Any, after: Any) -> tuple | None:
    """None when ``after`` equals ``before`` exactly; else the first differing index."""
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape:
            return ()
        if before.dtype.kind == "f":
            same = (before == after) | (np.isnan(before) & np.isnan(after.astype(np.float64)))
        else:
            same = before == after
        if same.all():
            return None
        return tuple(int(i) for i in np.argwhere(~same)[0])
    if isinstance(before, dict):
        if not isinstance(after, dict) or set(after) != set(before):
            return ()
        for key in before:
            diff = compare_unchanged(before[key], after[key])
            if diff is not None:
                return (key, *diff)
        return None
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return ()
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            diff = compare_unchanged(b, a)
            if diff is not None:
                return (i, *diff)
        return None
    return None if before == after or (before != before and after != after) else ()
