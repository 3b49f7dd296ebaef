"""Values for pictures of what differs: a visible test's expected and returned arrays as plain
JSON, computed in the trusted process from the values the judge already holds.

``test_values(test, call, passed=...)`` gives, for a visible test (a failing one, or a
passing one whose pictures are images),
``{"outputs": [picture, ...], "inputs": [picture, ...]}`` (``inputs`` only for the arguments
a spec's ``pictures: {inputs: [...]}`` names), or None when nothing can be drawn; training
checks add ``{"charts": [chart, ...]}`` (``chart(...)``: a loss curve, predicted vs true).
Lists, not mappings, so that the outputs keep their order through PostgreSQL's jsonb.
A picture is

    {"name": "h", "shape": [3, 7], "kind": "heatmap" | "image", "expected": [...], "got": [...] | None,
     "got_shape": [...], "first_diff": [i, j] | None}

with the arrays flattened in C order. Non-finite numbers are the strings "NaN", "Infinity"
and "-Infinity" (JSON has no such numbers, and PostgreSQL's jsonb refuses them). An array
of more than ``MAX_ELEMENTS`` elements is left out, with ``"omitted": "too_large"``.
Hidden tests never get values: the caller does not ask for them, and ``cap_values`` drops
any that a hidden result carries.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from engine.checks.compare import Tolerance

MAX_ELEMENTS = 4096  # per array
RESULT_BUDGET = 16384  # numbers per graded result, over every test, so a result stays small


def number(x: Any) -> float | int | str:
    """A JSON-able number: ints stay ints, non-finite floats become strings."""
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def flat(array: np.ndarray) -> list:
    return [number(v) for v in np.asarray(array).ravel().tolist()]


def _drawable(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.ndim >= 1 and value.dtype.kind in "biuf"


def first_diff(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> list[int] | None:
    """The first index (C order) where ``got`` is not within the test's tolerance, else None.

    The same rule as the comparison: exact for integers and booleans, ``isclose`` with the
    tolerance widened to float32 precision unless the problem demands float64."""
    if got.shape != expected.shape:
        return None
    if expected.dtype.kind in "biu":
        wrong = got != expected
    else:
        if not tol.float64:
            tol = tol.for_dtype(np.dtype(np.float32), expected.astype(np.float64))
        g, e = got.astype(np.float64), expected.astype(np.float64)
        wrong = ~np.isclose(g, e, rtol=tol.rtol, atol=tol.atol, equal_nan=True)
    if not wrong.any():
        return None
    return [int(i) for i in np.argwhere(wrong)[0]]


def is_image_shape(shape: tuple) -> bool:
    """(H, W, C) or (N, H, W, C) with C of 1, 3 or 4 channels."""
    return len(shape) in (3, 4) and shape[-1] in (1, 3, 4)


def array_picture(
    expected: np.ndarray, got: Any, tol: Tolerance, images: bool, name: str = "result"
) -> dict:
    shape = [int(d) for d in expected.shape]
    kind = "image" if images and is_image_shape(expected.shape) else "heatmap"
    picture: dict[str, Any] = {"name": name, "shape": shape, "kind": kind}
    picture["dtype"] = str(expected.dtype)
    drawable_got = _drawable(got)
    if drawable_got:
        picture["got_shape"] = [int(d) for d in got.shape]
    if expected.size > MAX_ELEMENTS or (drawable_got and got.size > MAX_ELEMENTS):
        picture["omitted"] = "too_large"
        return picture
    picture["expected"] = flat(expected)
    picture["got"] = flat(got) if drawable_got else None
    picture["first_diff"] = first_diff(got, expected, tol) if drawable_got else None
    return picture


def input_picture(name: str, value: Any, images: bool) -> dict | None:
    if not _drawable(value):
        return None
    shape = [int(d) for d in value.shape]
    kind = "image" if images and is_image_shape(value.shape) else "heatmap"
    picture: dict[str, Any] = {"name": name, "shape": shape, "kind": kind}
    picture["dtype"] = str(value.dtype)
    if value.size > MAX_ELEMENTS:
        picture["omitted"] = "too_large"
    else:
        picture["values"] = flat(value)
    return picture


def test_values(test, call, pictures: dict | None = None, *, passed: bool = False) -> dict | None:
    """The pictures of a visible test's array outputs (and named inputs), or None.

    A test that ``passed`` gets pictures only when they are images (the augmentation
    problems: the flipped picture is worth seeing): its heatmaps would show expected and got
    alike, and cost every result that carries them, its database row and each event that
    sends it, for nothing."""
    if getattr(test, "hidden", True) or not test.compare_values:
        return None
    pictures = pictures or {}
    images = pictures.get("kind") == "image"
    if passed and not images:
        return None
    expected = [test.expected] if len(test.outputs) == 1 else list(test.expected)
    value = call.value if call.error is None else None
    if len(test.outputs) == 1:
        got = [value]
    elif isinstance(value, tuple | list) and len(value) == len(test.outputs):
        got = list(value)
    else:
        got = [None] * len(test.outputs)
    outputs = [
        array_picture(e, g, test.tolerance, images, name)
        for name, e, g in zip(test.outputs, expected, got, strict=True)
        if _drawable(e)
    ]
    if not outputs:
        return None
    values: dict[str, Any] = {"outputs": outputs}
    wanted = pictures.get("inputs") or ()
    given = dict(zip(test.arg_names, [*test.args, *test.kwargs.values()], strict=False))
    inputs = [
        picture
        for name in wanted
        if (picture := input_picture(name, given.get(name), images)) is not None
    ]
    if inputs:
        values["inputs"] = inputs
    return values


NUMBER_KEYS = ("expected", "got", "values", "x", "series")


def _size(picture: dict) -> int:
    lengths = [len(picture.get(key) or ()) for key in ("expected", "got", "values", "x")]
    return sum(lengths) + sum(len(line["y"]) for line in picture.get("series") or ())


def _drop_numbers(picture: dict) -> dict:
    kept = {k: v for k, v in picture.items() if k not in NUMBER_KEYS}
    return {**kept, "omitted": "budget"}


def cap_values(tests: tuple) -> tuple:
    """The results with every hidden test's values removed and, past ``RESULT_BUDGET``
    numbers over the whole result, later pictures' numbers left out (``"omitted": "budget"``)."""
    left = RESULT_BUDGET
    capped = []
    for t in tests:
        values = getattr(t, "values", None)
        if values is None:
            capped.append(t)
            continue
        if t.hidden:
            capped.append(replace(t, values=None))
            continue
        kept: dict[str, Any] = {}
        for group, pictures in values.items():
            kept[group] = []
            for picture in pictures:
                size = _size(picture)
                if size > left:
                    kept[group].append(_drop_numbers(picture))
                    continue
                left -= size
                kept[group].append(picture)
        capped.append(replace(t, values=kept))
    return tuple(capped)


def chart(kind: str, x: list, series: dict[str, list]) -> dict:
    """A line chart: ``kind`` says what it shows ("loss", "heldout"), one line per series
    (``series``: a list of ``{"name", "y"}``, in the order given)."""
    return {
        "kind": kind,
        "x": [number(v) for v in x],
        "series": [{"name": name, "y": [number(v) for v in ys]} for name, ys in series.items()],
    }
