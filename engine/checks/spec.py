"""Validate and load a code problem's test specification (the ``code:`` mapping).

``validate_spec(spec)`` returns sentences that name the field path, e.g.
``tests[2].args.x.shape: expected a list of positive integers``; an empty list means valid.
``load_code_spec(path)`` reads a problem YAML file and returns its validated ``code:``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from engine.checks.schema import SPEC_SCHEMA

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


def _schema_errors(spec: Any) -> list[str]:
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


def _semantic_errors(spec: dict) -> list[str]:
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


def _reference_errors(spec: dict) -> list[str]:
    from engine.reference import REFERENCES

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


def _reference_run_errors(spec: dict) -> list[str]:
    """Generate every test's inputs and run the reference on them, as grading will."""
    from engine.checks.plan import prepare_test

    errors = []
    for i, test in enumerate(spec["tests"]):
        try:
            prepare_test(spec, i, test)
        except Exception as exc:  # noqa: BLE001 - reported as a sentence about the spec
            errors.append(
                f"tests[{i}]: the reference fails on these inputs ({type(exc).__name__}: {exc}); "
                "check the argument shapes"
            )
    return errors


def validate_spec(spec: Any, *, run_reference: bool = True) -> list[str]:
    """Every problem with ``spec`` as sentences naming the field path; [] when it is valid.

    With ``run_reference`` (the default) the inputs of every test are generated and the
    reference is run on them, so shapes that do not fit together are reported here and
    not at grading time.
    """
    errors = _schema_errors(spec)
    if errors:
        return errors
    if "training" in spec["reference"]:
        from engine.training import training_spec_errors

        return training_spec_errors(spec)
    errors = _semantic_errors(spec)
    if errors or not run_reference:
        return errors
    return _reference_run_errors(spec)


def _under_code(sentence: str) -> str:
    top = "(top level): "
    return "code: " + sentence[len(top) :] if sentence.startswith(top) else "code." + sentence


def load_code_spec(path: str | Path) -> dict:
    """Read a problem YAML file and return its validated ``code:`` mapping.

    Raises ``SpecError`` (a ValueError) naming the file and each invalid field.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    if not isinstance(document, dict) or not isinstance(document.get("code"), dict):
        raise SpecError(["code: missing: a code problem needs a `code:` mapping"], str(path))
    errors = validate_spec(document["code"])
    if errors:
        raise SpecError([_under_code(e) for e in errors], str(path))
    return document["code"]
