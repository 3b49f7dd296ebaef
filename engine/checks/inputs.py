"""Deterministic input generation from a test's argument specs.

Every argument gets its own random stream, ``default_rng([seed, position])``, so adding
an argument or changing one never changes the values of the others. The same inputs
(deep copies) go to the learner's function and to the reference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_SPECIAL = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}


def _number(value: Any) -> Any:
    return _SPECIAL.get(value, value) if isinstance(value, str) else value


def literal(value: Any, dtype: str | None = None) -> Any:
    """Lists become arrays (float64 unless ``dtype`` says otherwise); scalars stay Python scalars."""
    if isinstance(value, list):
        return np.array(value, dtype=dtype or np.float64)
    if dtype is not None:
        return np.array(value, dtype=dtype)
    return value


def random_array(spec: dict, rng: np.random.Generator) -> Any:
    """An array drawn as ``spec`` says (shape, dist, dtype, edits); shape [] gives a scalar."""
    shape = tuple(spec["shape"])
    dist = spec.get("dist", "normal")
    dtype = spec.get("dtype", "int64" if dist == "randint" else "float64")
    out: np.ndarray
    if dist == "normal":
        out = rng.normal(spec.get("mean", 0.0), spec.get("std", 1.0), size=shape)
    elif dist == "uniform":
        out = rng.uniform(spec.get("low", 0.0), spec.get("high", 1.0), size=shape)
    elif dist == "randint":
        low, high = int(spec.get("low", 0)), int(spec.get("high", 10))
        if spec.get("distinct"):
            out = rng.permutation(np.arange(low, high))[: int(np.prod(shape))].reshape(shape)
        else:
            out = rng.integers(low, high, size=shape)
    elif dist == "onehot":
        out = np.zeros(shape)
        hot = rng.integers(0, shape[-1], size=shape[:-1])
        np.put_along_axis(out, hot[..., None], 1.0, axis=-1)
    elif dist == "zeros":
        out = np.zeros(shape)
    elif dist == "ones":
        out = np.ones(shape)
    else:  # full
        out = np.full(shape, _number(spec.get("fill", 0.0)))
    if "round" in spec:
        out = np.round(out, spec["round"])
    out = np.asarray(out).astype(dtype)
    for edit in spec.get("set", []):
        out[tuple(edit["index"])] = _number(edit["value"])
    if shape == () and not spec.get("array"):
        return out.item()
    return out


def _tree(structure: Any, leaf: dict, rng: np.random.Generator) -> Any:
    if structure == 0:
        return random_array(leaf, rng)
    left, right = structure
    return {"left": _tree(left, leaf, rng), "right": _tree(right, leaf, rng)}


def generate(arg_spec: Any, seed: int, position: int) -> Any:
    """The value of one argument: a literal, a random array or a tree of random leaves."""
    if not isinstance(arg_spec, dict):
        return literal(arg_spec)
    if "value" in arg_spec:
        return literal(arg_spec["value"], arg_spec.get("dtype"))
    rng = np.random.default_rng(arg_spec["seed"] if "seed" in arg_spec else [seed, position])
    if "tree" in arg_spec:
        return _tree(arg_spec["tree"], arg_spec["leaf"], rng)
    return random_array(arg_spec, rng)


def generate_upstream(spec: Any, seed: int, position: int) -> Any:
    """Upstream gradient for an output: a float or an array."""
    if isinstance(spec, (int, float)):
        return float(spec)
    return random_array(spec, np.random.default_rng([seed, 1000 + position]))
