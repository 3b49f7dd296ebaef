"""Named generators of a problem's parameters, drawn in the order they are listed.

Each parameter is a mapping with one kind:

- ``{range: [lo, hi], step: s}``: a value of the grid lo, lo + s, ... up to hi (inclusive).
  Integers when lo, hi and s are integers (``step`` defaults to 1); otherwise floats, rounded
  to the step's decimals so the statement shows exactly the number the answer uses.
- ``{choice: [a, b, c]}``: one item of the list (numbers or strings).

Options: ``size: n`` draws a list of n values (a small vector); ``exclude: [0]`` skips values;
``distinct: true`` (with ``size``) makes the values of the list differ.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import Any

KINDS = ("range", "choice")
OPTIONS = ("step", "size", "exclude", "distinct")
MAX_SIZE = 16
MAX_GRID = 100_000


class ParamError(ValueError):
    """A generator that cannot be drawn from; the message names the parameter and the fix."""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _decimals(value: float) -> int:
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _grid(name: str, spec: dict) -> list:
    bounds = spec["range"]
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(map(_is_number, bounds))):
        raise ParamError(f"params.{name}.range: give two numbers [lo, hi], e.g. [1, 10].")
    lo, hi = bounds
    step = spec.get("step", 1)
    if not _is_number(step) or step <= 0:
        raise ParamError(f"params.{name}.step: must be a positive number, not {step!r}.")
    if hi < lo:
        raise ParamError(f"params.{name}.range: hi ({hi}) is below lo ({lo}); swap them.")
    count = math.floor((hi - lo) / step + 1e-9) + 1
    if count > MAX_GRID:
        raise ParamError(f"params.{name}: {count} values; use a coarser step (at most {MAX_GRID}).")
    if all(isinstance(v, int) for v in (lo, hi, step)):
        return [lo + k * step for k in range(count)]
    decimals = max(_decimals(float(lo)), _decimals(float(step)))
    # round(): 0.1 * 3 is 0.30000000000000004; -0.0 becomes 0.0 so no "-0" is ever shown
    return [round(lo + k * step, decimals) + 0.0 for k in range(count)]


def _values(name: str, spec: dict) -> list:
    if not isinstance(spec, dict):
        raise ParamError(
            f"params.{name}: a mapping such as {{range: [1, 10]}} or {{choice: [...]}}."
        )
    kinds = [kind for kind in KINDS if kind in spec]
    unknown = sorted(set(spec) - set(KINDS) - set(OPTIONS))
    if unknown:
        raise ParamError(
            f"params.{name}: unknown key(s) {', '.join(unknown)}; use {KINDS + OPTIONS}."
        )
    if len(kinds) != 1:
        raise ParamError(f"params.{name}: give exactly one of range or choice.")
    if kinds[0] == "range":
        values = _grid(name, spec)
    else:
        values = spec["choice"]
        if not (isinstance(values, list) and values):
            raise ParamError(f"params.{name}.choice: a non-empty list.")
        if "step" in spec:
            raise ParamError(f"params.{name}: step goes with range, not choice.")
        for value in values:
            if not (_is_number(value) or isinstance(value, str)):
                raise ParamError(f"params.{name}.choice: {value!r} is not a number or a string.")
    excluded = spec.get("exclude", [])
    if not isinstance(excluded, list):
        raise ParamError(f"params.{name}.exclude: a list of values to skip.")
    values = [value for value in values if value not in excluded]
    if not values:
        raise ParamError(f"params.{name}: nothing is left to draw after exclude.")
    return values


def _size(name: str, spec: dict, pool: int) -> int | None:
    size = spec.get("size")
    if size is None:
        if spec.get("distinct"):
            raise ParamError(f"params.{name}.distinct: goes with size (a list of values).")
        return None
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_SIZE:
        raise ParamError(f"params.{name}.size: a whole number from 1 to {MAX_SIZE}.")
    if spec.get("distinct") and size > pool:
        raise ParamError(f"params.{name}: {size} distinct values from only {pool}; widen it.")
    return size


def param_spec_errors(params: object) -> list[str]:
    """What is wrong with a `params:` mapping (empty when it can be drawn from)."""
    if not isinstance(params, dict) or not params:
        return ["params: a mapping of names to generators, e.g. {H: {range: [4, 32]}}."]
    errors = []
    for name, spec in params.items():
        if not (isinstance(name, str) and name.isidentifier() and not name.startswith("_")):
            errors.append(f"params: '{name}' is not a name (letters, digits, _; not first _).")
            continue
        try:
            _size(name, spec, len(_values(name, spec)))
        except ParamError as error:
            errors.append(str(error))
    return errors


def draw_params(params: dict, rng: random.Random) -> dict[str, Any]:
    """One draw of every parameter, in the order listed, from `rng` alone."""
    drawn: dict[str, Any] = {}
    for name, spec in params.items():
        values = _values(name, spec)
        size = _size(name, spec, len(values))
        if size is None:
            drawn[name] = rng.choice(values)
        elif spec.get("distinct"):
            drawn[name] = rng.sample(values, size)
        else:
            drawn[name] = [rng.choice(values) for _ in range(size)]
    return drawn
