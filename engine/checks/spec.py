"""Validate a function problem's test specification (the ``code:`` mapping).

``schema_errors(spec)`` (any kind) and ``semantic_errors(spec)`` (what a schema cannot
say of a function spec) return sentences that name the field path, e.g.
``tests[2].args.x.shape: expected a list of positive integers``; an empty list means valid.
``engine.grading.validate_spec`` and ``load_code_spec`` put them together for every kind.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

import jsonschema

from engine.checks.schema import SPEC_SCHEMA
from engine.reference import REFERENCES

_VALIDATOR = jsonschema.Draft202012Validator(SPEC_SCHEMA)
_SHAPE_MESSAGE = "expected a list of positive integers"
_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


class SpecError(ValueError):
    """A test specification that does not validate; ``errors`` holds the sentences."""

    def __init__(self, errors: list[str], source: str = "") -> None:
        self.errors = errors
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(errors))


@dataclass(frozen=True)
class Param:
    name: str
    has_default: bool


def format_path(path) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(error: jsonschema.ValidationError) -> str:
    custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
    if custom:
        return custom
    v = error.validator
    if v == "type":
        expected = error.validator_value
        names = [expected] if isinstance(expected, str) else list(expected)
        return "expected " + " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    if v == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return "missing required field " + ", ".join(f"`{k}`" for k in missing)
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
        return f"unknown field {', '.join(f'`{k}`' for k in extra)}" + (
            f" (allowed: {', '.join(allowed)})" if allowed else ""
        )
    if v == "enum":
        return "expected one of " + ", ".join(repr(x) for x in error.validator_value)
    if v in ("minimum", "exclusiveMinimum"):
        op = ">=" if v == "minimum" else ">"
        return f"expected a number {op} {error.validator_value}, got {error.instance!r}"
    if v == "maximum":
        return f"expected a number <= {error.validator_value}, got {error.instance!r}"
    if v == "minItems":
        return f"expected at least {error.validator_value} item(s)"
    if v == "maxItems":
        return f"expected at most {error.validator_value} item(s)"
    if v == "minLength":
        return "must not be empty"
    if v == "pattern":
        return f"{error.instance!r} is not a valid name"
    if v in ("minProperties", "maxProperties"):
        return "expected exactly one of: " + ", ".join(sorted(error.schema.get("properties", {})))
    return error.message


def _branch_is_intended(errors: list[jsonschema.ValidationError]) -> bool:
    """A branch of anyOf the author evidently meant: it failed only deeper, or on extra keys."""
    for e in errors:
        if not e.relative_path and e.validator not in ("additionalProperties",):
            return False
    return True


def _explain(error: jsonschema.ValidationError, base: tuple) -> list[str]:
    path = base + tuple(error.relative_path)
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[int, list] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        intended = [errs for errs in branches.values() if _branch_is_intended(errs)]
        if len(intended) == 1:
            out: list[str] = []
            for sub in intended[0]:
                out.extend(_explain(sub, path))
            return out
    # shape[1] = -1 is reported on the shape itself, with the shape's sentence.
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] == "shape":
        return [f"{format_path(path[:-1])}: {_SHAPE_MESSAGE}"]
    return [f"{format_path(path)}: {_message(error)}"]


def schema_errors(spec: Any) -> list[str]:
    """The spec against the JSON Schema of every kind, as sentences naming the field."""
    errors: list[str] = []
    for error in sorted(_VALIDATOR.iter_errors(spec), key=lambda e: list(map(str, e.path))):
        for sentence in _explain(error, ()):
            if sentence not in errors:
                errors.append(sentence)
    return errors


def entry_signatures(source: str) -> dict[str, list[Param]]:
    """Top-level function signatures of ``source``: name -> parameters in order."""
    tree = ast.parse(source)
    signatures: dict[str, list[Param]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            positional = args.posonlyargs + args.args
            n_defaults = len(args.defaults)
            params = [
                Param(a.arg, i >= len(positional) - n_defaults) for i, a in enumerate(positional)
            ]
            params += [
                Param(a.arg, d is not None)
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
            ]
            signatures[node.name] = params
    return signatures


def output_names(spec: dict, entry: str) -> list[str]:
    """Names of an entry point's outputs: ``outputs[entry]`` or ``['result']``."""
    return list(spec.get("outputs", {}).get(entry, ["result"]))


def test_entry(spec: dict, test: dict) -> str:
    return test.get("entry") or spec["entry_points"][0]


def merged_args(spec: dict, test: dict, params: list[Param]) -> dict[str, Any]:
    """The test's argument specs, with the spec-level ``args`` as defaults for its parameters."""
    names = {p.name for p in params}
    merged = {k: v for k, v in spec.get("args", {}).items() if k in names}
    merged.update(test.get("args", {}))
    return merged


def semantic_errors(spec: dict) -> list[str]:
    errors: list[str] = []
    entries = spec["entry_points"]
    try:
        signatures = entry_signatures(spec["starter"])
    except SyntaxError as exc:
        return [f"starter: syntax error at line {exc.lineno}: {exc.msg}"]
    for name in entries:
        if name not in signatures:
            errors.append(f"starter: defines no top-level function `{name}` (an entry point)")
    if errors:
        return errors

    errors += _reference_errors(spec)
    for key in spec.get("outputs", {}):
        if key not in entries:
            errors.append(f"outputs.{key}: not an entry point ({', '.join(entries)})")
    parameters = {p.name for entry in entries for p in signatures[entry]}
    for name in (spec.get("pictures") or {}).get("inputs", []):
        if name not in parameters:
            errors.append(f"pictures.inputs: `{name}` is not a parameter of an entry point")

    seen: set[str] = set()
    for i, test in enumerate(spec["tests"]):
        where = f"tests[{i}]"
        if test["name"] in seen:
            errors.append(f"{where}.name: duplicate test name {test['name']!r}")
        seen.add(test["name"])
        errors += label_errors(test, where)
        if "entry" not in test and len(entries) > 1:
            errors.append(
                f"{where}: missing required field `entry` (there are several entry points)"
            )
            continue
        entry = test_entry(spec, test)
        if entry not in entries:
            errors.append(f"{where}.entry: {entry!r} is not an entry point ({', '.join(entries)})")
            continue
        errors += _test_errors(spec, test, where, signatures[entry], output_names(spec, entry))

    if "solution" in spec:
        try:
            defined = entry_signatures(spec["solution"])
            errors += [f"solution: defines no function `{e}`" for e in entries if e not in defined]
        except SyntaxError as exc:
            errors.append(f"solution: syntax error at line {exc.lineno}: {exc.msg}")

    names = [m["name"] for m in spec.get("mutants", [])]
    for i, mutant in enumerate(spec.get("mutants", [])):
        if names.count(mutant["name"]) > 1 and names.index(mutant["name"]) != i:
            errors.append(f"mutants[{i}].name: duplicate mutant name {mutant['name']!r}")
        try:
            ast.parse(mutant["code"])
        except SyntaxError as exc:
            errors.append(f"mutants[{i}].code: syntax error at line {exc.lineno}: {exc.msg}")
    return errors


def label_errors(test: dict, where: str) -> list[str]:
    """A hidden test is shown as 非公開テスト N / hidden test N: a label would never be seen."""
    if test.get("hidden", False) and "label" in test:
        return [f"{where}.label: a hidden test is shown only as 'hidden test N'; remove its label"]
    return []


def _reference_errors(spec: dict) -> list[str]:
    ref = spec["reference"]
    entries = spec["entry_points"]
    if "code" in ref:
        try:
            defined = entry_signatures(ref["code"])
        except SyntaxError as exc:
            return [f"reference.code: syntax error at line {exc.lineno}: {exc.msg}"]
        return [f"reference.code: defines no function `{e}`" for e in entries if e not in defined]
    names = ref["engine"]
    if isinstance(names, str):
        if len(entries) > 1:
            return ["reference.engine: name one reference function per entry point ({entry: name})"]
        names = {entries[0]: names}
    errors = []
    for entry in entries:
        if entry not in names:
            errors.append(f"reference.engine: no reference for entry point `{entry}`")
    for entry, name in names.items():
        if name not in REFERENCES:
            errors.append(f"reference.engine.{entry}: unknown reference function {name!r}")
    return errors


def _test_errors(spec, test, where, params, outputs) -> list[str]:
    errors = []
    by_name = {p.name: p for p in params}
    args = merged_args(spec, test, params)
    for name in test["args"]:
        if name not in by_name:
            errors.append(
                f"{where}.args.{name}: not a parameter of {test_entry(spec, test)}({', '.join(by_name)})"
            )
    for p in params:
        if not p.has_default and p.name not in args:
            errors.append(f"{where}.args: missing required argument `{p.name}`")
    if "grad" in test:
        if spec["framework"] != "torch":
            errors.append(f"{where}.grad: gradient checks need framework: torch")
        for name in test["grad"]["wrt"]:
            if name not in by_name:
                errors.append(f"{where}.grad.wrt: `{name}` is not a parameter")
            elif by_name[name].has_default:
                errors.append(
                    f"{where}.grad.wrt: `{name}` has a default; gradients are taken only for required parameters"
                )
        for name in test["grad"]["upstream"]:
            if name not in outputs:
                errors.append(f"{where}.grad.upstream.{name}: not an output ({', '.join(outputs)})")
    for name in test.get("properties", {}):
        if name not in outputs:
            errors.append(f"{where}.properties.{name}: not an output ({', '.join(outputs)})")
    for name in test.get("mutable", []):
        if name not in by_name:
            errors.append(f"{where}.mutable: `{name}` is not a parameter")
    return errors


def under_code(sentence: str) -> str:
    """A spec sentence as a problem file's: under its ``code:`` mapping."""
    top = "(top level): "
    return "code: " + sentence[len(top) :] if sentence.startswith(top) else "code." + sentence
