"""Validate and prepare a training spec (``reference: {training: <suite>}``)."""

from __future__ import annotations

from engine.checks.plan import default_seed, hidden_seed
from engine.checks.spec import entry_signatures, label_errors
from engine.training.core import PreparedTraining, TrainingTest
from engine.training.suites import SUITES


def training_spec_errors(spec: dict) -> list[str]:
    """Sentences naming the field of everything wrong with a (schema-valid) training spec."""
    suites = SUITES
    name = spec["reference"]["training"]
    if name not in suites:
        return [
            f"reference.training: unknown training suite {name!r} ({', '.join(sorted(suites))})"
        ]
    suite = suites[name]
    errors: list[str] = []
    if spec["framework"] != "torch":
        errors.append("framework: training exercises need framework: torch")
    try:
        signatures = entry_signatures(spec["starter"])
    except SyntaxError as exc:
        return [f"starter: syntax error at line {exc.lineno}: {exc.msg}"]
    for entry in suite.entry_points:
        if entry not in spec["entry_points"]:
            errors.append(f"entry_points: the {name} suite calls `{entry}`; list it")
    for entry in spec["entry_points"]:
        if entry not in signatures:
            errors.append(f"starter: defines no top-level function `{entry}` (an entry point)")
    if spec.get("queue") != "training":
        errors.append("queue: training exercises run on the training queue: `queue: training`")
    seen: set[str] = set()
    for i, test in enumerate(spec["tests"]):
        where = f"tests[{i}]"
        if test["name"] in seen:
            errors.append(f"{where}.name: duplicate test name {test['name']!r}")
        seen.add(test["name"])
        errors += label_errors(test, where)
        check = test.get("check")
        if check is None:
            errors.append(f"{where}: missing required field `check` ({', '.join(suite.checks)})")
        elif check not in suite.checks:
            errors.append(f"{where}.check: unknown check {check!r} ({', '.join(suite.checks)})")
    if "solution" in spec:
        try:
            defined = entry_signatures(spec["solution"])
            errors += [
                f"solution: defines no function `{e}`"
                for e in spec["entry_points"]
                if e not in defined
            ]
        except SyntaxError as exc:
            errors.append(f"solution: syntax error at line {exc.lineno}: {exc.msg}")
    return errors


def _test_seed(spec: dict, test: dict, submission_seed: int | None) -> int:
    """As for function problems: a hidden test without an explicit ``seed`` draws its data
    (held-out clips, windows, states) from the submission's seed, so no two submissions see
    the same hidden inputs; visible tests, and every test without a submission seed
    (validation), keep the fixed seed of the problem file."""
    if test.get("hidden", False) and submission_seed is not None and "seed" not in test:
        return hidden_seed(spec, test, submission_seed)
    return test.get("seed", default_seed(spec, test))


def prepare_training(spec: dict, seed: int | None = None) -> PreparedTraining:
    """``seed``: the submission's (``engine.grading.grade_submission``'s), for hidden tests.
    The model's initialisation (the setup's seed) stays the spec's: only the data differ."""
    suite = SUITES[spec["reference"]["training"]]
    base = spec.get("seed", 0)
    tests = tuple(
        TrainingTest(
            index=i,
            name=t["name"],
            label=None if t.get("hidden", False) else t.get("label"),
            check=t["check"],
            params={**spec.get("args", {}), **t.get("args", {})},
            seed=_test_seed(spec, t, seed),
            points=t.get("points", 1),
            hidden=t.get("hidden", False),
            hint=t.get("hint"),
        )
        for i, t in enumerate(spec["tests"])
    )
    return PreparedTraining(
        suite=suite,
        framework="torch",
        entry_points=tuple(spec["entry_points"]),
        signatures=entry_signatures(spec["starter"]),
        tests=tests,
        forbidden_calls=tuple(spec.get("forbidden_calls", [])),
        limits=dict(spec.get("limits", {})),
        setup_args=dict(spec.get("args", {})),
        seed=base,
    )
