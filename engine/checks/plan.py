"""Turn a validated spec into prepared tests: generated inputs and reference outputs.

Everything here runs in the trusted process. The result is cached per spec (keyed by
its canonical JSON), so grading many submissions to one problem generates inputs and
runs the reference once.
"""

from __future__ import annotations

import copy
import hashlib
import json
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.checks import gradients
from engine.checks.compare import Tolerance
from engine.checks.inputs import generate, generate_upstream
from engine.checks.spec import entry_signatures, merged_args, output_names, test_entry
from engine.reference import get_reference
from engine.sandbox import run as run_in_sandbox
from engine.sandbox.api import Call, GradRequest, Job, Limits


@dataclass(frozen=True)
class GradCheck:
    wrt: tuple[int, ...]  # positional indices
    wrt_names: tuple[str, ...]
    upstream: dict[int, Any]  # output index -> float or array
    expected: dict[int, np.ndarray | None]


@dataclass(frozen=True)
class PreparedTest:
    index: int
    name: str
    entry: str
    points: float
    hidden: bool
    args: tuple
    kwargs: dict
    arg_names: tuple[str, ...]  # names of args, then of kwargs, in order
    outputs: tuple[str, ...]
    expected: Any
    tolerance: Tolerance
    compare_values: bool = True
    properties: dict[str, list[str]] = field(default_factory=dict)
    mutable: frozenset[str] = frozenset()
    grad: GradCheck | None = None
    hint: Any = None
    label: dict | None = None  # {ja, en} for the page; visible tests only (``name`` identifies)


@dataclass(frozen=True)
class PreparedProblem:
    framework: str
    entry_points: tuple[str, ...]
    signatures: dict[str, list]
    tests: tuple[PreparedTest, ...]
    forbidden_calls: tuple[str, ...]
    limits: dict
    pictures: dict | None = None  # the spec's ``pictures:`` (engine.checks.pictures)

    @property
    def max_score(self) -> float:
        return sum(t.points for t in self.tests)


def plain(value: Any) -> Any:
    """NumPy scalars to Python scalars, lists to tuples (the shapes the sandbox returns)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | list):
        return tuple(plain(v) for v in value)
    return value


def _reference_functions(spec: dict) -> dict[str, Any]:
    ref = spec["reference"]
    if "code" in ref:
        # An author's code is not the engine's: it runs in the sandbox like any submission.
        return {e: SandboxedReference(ref["code"], e, spec) for e in spec["entry_points"]}
    names = ref["engine"]
    if isinstance(names, str):
        names = {spec["entry_points"][0]: names}
    return {e: get_reference(n) for e, n in names.items()}


def _split_args(params, values: dict) -> tuple[tuple, dict, tuple[str, ...]]:
    """Required parameters positionally, optional ones by keyword (only when given)."""
    args, kwargs, names = [], {}, []
    for p in params:
        if p.name not in values:
            continue
        if p.has_default:
            kwargs[p.name] = values[p.name]
        else:
            args.append(values[p.name])
            names.append(p.name)
    return tuple(args), kwargs, tuple(names) + tuple(kwargs)


@dataclass(frozen=True)
class SandboxedReference:
    """Reference code written by an author (`reference: {code: ...}`), run in the sandbox.

    Authors are not trusted with the worker's process (it holds the database credentials),
    so their reference gets the same isolation as a learner's code; only its outputs, as
    plain arrays, come back to compute the expected values.
    """

    code: str
    entry: str
    spec: dict

    def run(self, args: tuple, kwargs: dict, grad: dict | None):
        torch = self.spec["framework"] == "torch"
        call = Call(
            entry=self.entry,
            args=args,
            kwargs=kwargs,
            as_tensor=torch,
            grad=GradRequest(wrt=grad["wrt"], upstream=grad["upstream"]) if grad else None,
            return_args=False,
        )
        limits = {
            k: v for k, v in self.spec.get("limits", {}).items() if k in Limits.__dataclass_fields__
        }
        result = run_in_sandbox(
            Job(
                code=self.code,
                calls=(call,),
                framework=self.spec["framework"],
                limits=Limits(**limits),
                filename="reference.py",
            )
        )
        failure = result.error or (result.calls[0].error if result.calls else None)
        if result.status != "ok" or failure is not None:
            detail = (
                f"{failure.type}: {failure.message}" if failure else result.message or result.status
            )
            raise ValueError(f"the reference code failed on these inputs ({detail})")
        outcome = result.calls[0]
        grads = None
        if grad is not None:
            grads = {
                i: (None if g is None else np.asarray(g)) for i, g in (outcome.grads or {}).items()
            }
        return plain(outcome.value), grads


def _run_reference(fn, framework: str, args: tuple, kwargs: dict, grad: dict | None):
    args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
    if isinstance(fn, SandboxedReference):
        return fn.run(args, kwargs, grad)
    if framework != "torch":
        return plain(fn(*args, **kwargs)), None
    if grad is None:
        return plain(gradients.to_plain(fn(*gradients.to_tensors(args), **kwargs))), None
    out, grads = gradients.reference_gradients(fn, args, kwargs, grad["wrt"], grad["upstream"])
    return plain(out), grads


def default_seed(spec: dict, test: dict) -> int:
    """From the test's name (and the spec's ``seed``): reordering tests keeps their inputs."""
    return zlib.crc32(test["name"].encode("utf-8")) + 7919 * spec.get("seed", 0)


def hidden_seed(spec: dict, test: dict, submission_seed: int) -> int:
    """A hidden test's seed for one submission: its inputs are drawn afresh per submission."""
    return zlib.crc32(f"{test['name']}\0{int(submission_seed)}".encode()) + 7919 * spec.get(
        "seed", 0
    )


def _prepare_test(
    spec, i, test, signatures, references, submission_seed: int | None = None
) -> PreparedTest:
    entry = test_entry(spec, test)
    params = signatures[entry]
    if test.get("hidden", False) and submission_seed is not None and "seed" not in test:
        seed = hidden_seed(spec, test, submission_seed)
    else:
        seed = test.get("seed", default_seed(spec, test))
    arg_specs = merged_args(spec, test, params)
    values = {name: generate(s, seed, pos) for pos, (name, s) in enumerate(arg_specs.items())}
    args, kwargs, arg_names = _split_args(params, values)
    outputs = tuple(output_names(spec, entry))
    tol = Tolerance(**{**spec.get("tolerance", {}), **test.get("tolerance", {})})

    grad_req: dict[str, Any] | None = None
    if "grad" in test:
        positional = [n for n in arg_names[: len(args)]]
        wrt = tuple(positional.index(n) for n in test["grad"]["wrt"])
        upstream = {
            outputs.index(name): generate_upstream(s, seed, k)
            for k, (name, s) in enumerate(test["grad"]["upstream"].items())
        }
        grad_req = {"wrt": wrt, "upstream": upstream}
    expected, grads = _run_reference(references[entry], spec["framework"], args, kwargs, grad_req)
    if len(outputs) > 1 and (not isinstance(expected, tuple) or len(expected) != len(outputs)):
        raise ValueError(
            f"reference of {entry} does not return {len(outputs)} values ({', '.join(outputs)})"
        )
    grad = None
    if grad_req is not None:
        grad = GradCheck(grad_req["wrt"], tuple(test["grad"]["wrt"]), grad_req["upstream"], grads)
    return PreparedTest(
        index=i,
        name=test["name"],
        entry=entry,
        points=test.get("points", 1),
        hidden=test.get("hidden", False),
        args=args,
        kwargs=kwargs,
        arg_names=arg_names,
        outputs=outputs,
        expected=expected,
        tolerance=tol,
        compare_values=test.get("compare_values", True),
        properties=dict(test.get("properties", {})),
        mutable=frozenset(test.get("mutable", [])),
        grad=grad,
        hint=test.get("hint"),
        label=None if test.get("hidden", False) else test.get("label"),
    )


def prepare_test(spec: dict, i: int, test: dict) -> PreparedTest:
    """Prepare one test on its own (used by validation to point at the failing test)."""
    return _prepare_test(
        spec, i, test, entry_signatures(spec["starter"]), _reference_functions(spec)
    )


def reference_run_errors(spec: dict) -> list[str]:
    """Generate every test's inputs and run the reference on them, as grading will."""
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


def prepare(spec: dict, seed: int | None = None) -> PreparedProblem:
    """Generate every test's inputs and expected outputs (cached per spec and seed).

    With ``seed`` (derived from the submission), hidden tests without an explicit ``seed``
    draw their random inputs from it; visible tests never change."""
    key = hashlib.sha256(json.dumps([spec, seed], sort_keys=True, default=str).encode()).hexdigest()
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    signatures = entry_signatures(spec["starter"])
    references = _reference_functions(spec)
    tests = tuple(
        _prepare_test(spec, i, t, signatures, references, seed) for i, t in enumerate(spec["tests"])
    )
    problem = PreparedProblem(
        framework=spec["framework"],
        entry_points=tuple(spec["entry_points"]),
        signatures=signatures,
        tests=tests,
        forbidden_calls=tuple(spec.get("forbidden_calls", [])),
        limits=dict(spec.get("limits", {})),
        pictures=spec.get("pictures"),
    )
    _CACHE[key] = problem
    while len(_CACHE) > 128:
        _CACHE.popitem(last=False)
    return problem


_CACHE: OrderedDict[str, PreparedProblem] = OrderedDict()
