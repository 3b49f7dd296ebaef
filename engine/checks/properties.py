"""Property checks on a learner's output that need no reference (numerical stability etc.)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.checks.compare import (
    Failure,
    describe_value,
    fmt_index,
    fmt_number,
    subject_data,
    value_data,
)
from engine.messages import msg


def _idx(index: tuple) -> list[int]:
    return [int(i) for i in index]


def _as_float_array(value: Any) -> np.ndarray | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return np.array(float(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiub":
        return value.astype(np.float64)
    return None


def finite(arr: np.ndarray, name: str) -> Failure | None:
    bad = ~np.isfinite(arr)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    what = "NaN" if np.isnan(arr[idx]) else "inf"
    where = (
        f" at index {fmt_index(idx)} ({int(bad.sum())} of {arr.size} values are not finite)"
        if idx
        else ""
    )
    return Failure(
        f"{what} in {name}",
        f"{what} in {name}{where}: "
        "exp of a large number overflows to inf (and inf / inf is NaN); arrange the formula so "
        "that exp only sees values <= 0 (for softmax: subtract each row's maximum first)",
        msg(
            "prop_nonfinite",
            subject=subject_data(name),
            what=what,
            where=msg("prop_where", index=_idx(idx), bad=int(bad.sum()), size=int(arr.size))
            if idx
            else None,
        ),
    )


def sums_to_one(arr: np.ndarray, name: str) -> Failure | None:
    if arr.ndim == 0:
        return None
    sums = arr.sum(axis=-1)
    bad = ~np.isclose(sums, 1.0, rtol=0, atol=1e-6)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if sums.ndim else ()
    row = f"row {fmt_index(idx)}" if idx else "it"
    return Failure(
        f"{name} does not sum to 1 along the last axis",
        f"{name} should sum to 1 along the last axis, but {row} sums to {fmt_number(sums[idx])}: "
        "normalise along axis=-1 (keepdims=True)",
        msg(
            "prop_not_normalised",
            subject=subject_data(name),
            row=msg("row", index=_idx(idx)) if idx else msg("row_it"),
            sum=float(sums[idx]),
        ),
    )


def probabilities(arr: np.ndarray, name: str) -> Failure | None:
    bad = (arr < 0) | (arr > 1)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return Failure(
        f"{name} has values outside [0, 1]",
        f"{name} should hold probabilities, but index {fmt_index(idx)} is {fmt_number(arr[idx])}",
        msg(
            "prop_not_probabilities",
            subject=subject_data(name),
            index=_idx(idx),
            value=float(arr[idx]),
        ),
    )


def nonnegative(arr: np.ndarray, name: str) -> Failure | None:
    bad = arr < 0
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
    return Failure(
        f"{name} has negative values",
        f"{name} should be >= 0, but index {fmt_index(idx)} is {fmt_number(arr[idx])}",
        msg("prop_negative", subject=subject_data(name), index=_idx(idx), value=float(arr[idx])),
    )


PROPERTIES = {
    "finite": finite,
    "sums_to_one": sums_to_one,
    "probabilities": probabilities,
    "nonnegative": nonnegative,
}


def check_properties(value: Any, names: list[str], label: str) -> Failure | None:
    """The first failing property of ``value`` (checked in the order given), or None."""
    arr = _as_float_array(value)
    if arr is None:
        return Failure(
            f"{label} has the wrong type",
            f"{label} is {describe_value(value)}, expected an array",
            msg(
                "type_mismatch",
                subject=subject_data(label),
                got=value_data(value),
                want=msg("want.any_array"),
                hint=None,
            ),
        )
    for prop in names:
        failure = PROPERTIES[prop](arr, label)
        if failure:
            return failure
    return None
