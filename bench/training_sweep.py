"""The training exercises swept over the choices their statements allow.

For each exercise: every combination of a free choice (the hidden size ``H`` of the
classifiers, Adam's learning rate of the Seq2Seq) and an initial seed (the spec's ``seed``:
the model's initialisation and the tests' inputs) grades the model solution, every
``alternatives:`` entry and every mutant. ``python -m bench.training_sweep [slug ...]``
(``--tables [slug ...]``: from the stored results) prints the verdicts and the distribution of the metric each exercise's verdict turns on
(tables for docs/engine.md) and writes ``bench/results/training_sweep/<slug>.json``;
tests/engine/test_training_sweep.py asserts the verdicts. A benchmark: nothing asserts here.

Grading runs in process by default (``ENGINE_TEST_RUNNER=sandbox`` for the real sandbox):
the verdicts are computed by the same code either way, and the sweep is about them.
"""

from __future__ import annotations

import copy
import json
import math
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from engine.grading import Verdict, grade_submission, load_code_spec, prepare
from engine.training.core import build_job

CONTENT = Path(__file__).resolve().parents[1] / "content"
RESULTS = Path(__file__).resolve().parent / "results" / "training_sweep"  # <slug>.json
SEEDS_4 = (0, 1, 2, 3)
SEEDS_5 = (0, 1, 2, 3, 4)


@dataclass(frozen=True)
class Exercise:
    slug: str
    path: str  # under content/
    choice: str  # the text in each program that the choice replaces ...
    pattern: str  # ... by this, formatted with the value
    values: tuple  # the allowed values swept
    seeds: tuple[int, ...]
    metric_check: str  # the check whose metric the tables show
    metric: str  # what that metric is
    # Grade visible and hidden tests in one sandbox job (one training instead of two): each
    # test's verdict is the same judge's; only the split into two jobs is skipped.
    one_job: bool = False

    def combos(self) -> list[tuple]:
        return [(v, s) for v in self.values for s in self.seeds]


DIGITS = "09-fw-bidirectional-rnn-clipping"
EXERCISES = {
    e.slug: e
    for e in (
        Exercise(
            "simple-rnn-spoken-digits",
            f"{DIGITS}/simple-rnn-spoken-digits.yaml",
            "HIDDEN = 16",
            "HIDDEN = {}",
            (8, 16, 32, 64, 128),
            SEEDS_4,
            "loss_falls",
            "best loss after / loss before",
        ),
        Exercise(
            "gru-spoken-digits",
            f"{DIGITS}/gru-spoken-digits.yaml",
            "HIDDEN = 16",
            "HIDDEN = {}",
            (8, 16, 32, 64, 128),
            SEEDS_4,
            "loss_falls",
            "best loss after / loss before",
        ),
        Exercise(
            "conv1d-spoken-digits",
            f"{DIGITS}/conv1d-spoken-digits.yaml",
            "",
            "",
            (None,),
            tuple(range(20)),
            "loss_falls",
            "best loss after / loss before",
        ),
        Exercise(
            "bilstm-gradient-clipping",
            f"{DIGITS}/bilstm-gradient-clipping.yaml",
            "HIDDEN = 16",
            "HIDDEN = {}",
            (8, 16, 32, 64),
            SEEDS_5,
            "loss_falls",
            "best loss after / loss before",
        ),
        Exercise(
            "seq2seq-sin-cos-training",
            "10-fw-seq2seq/seq2seq-sin-cos-training.yaml",
            "LEARNING_RATE = 0.05",
            "LEARNING_RATE = {}",
            (0.01, 0.02, 0.03, 0.05),
            SEEDS_5,
            "heldout_mse",
            "held-out MSE",
            one_job=True,
        ),
    )
}


@dataclass
class Outcome:
    program: str  # "solution", an alternative's or a mutant's name
    kind: str  # solution, alternative, mutant
    value: object  # the choice
    seed: int
    verdict: str
    score: float
    max_score: float
    metric: float
    failed: list[str] = field(default_factory=list)


def programs(spec: dict) -> list[tuple[str, str, str]]:
    """(name, kind, code) of the model solution, each alternative and each mutant."""
    found = [("solution", "solution", spec["solution"])]
    found += [(a["name"], "alternative", a["code"]) for a in spec.get("alternatives", [])]
    found += [(m["name"], "mutant", m["code"]) for m in spec.get("mutants", [])]
    return found


def _runner():
    if os.environ.get("ENGINE_TEST_RUNNER") == "sandbox":
        from engine.sandbox import run

        return run
    from tests.engine.inprocess import run_in_process

    return run_in_process


def grade_one(exercise: Exercise, spec: dict, code: str, value, seed: int, runner=None):
    """The grade of one program for one combination, and the metric of its visible run."""
    runner = runner or _runner()
    spec = copy.deepcopy(spec)
    spec["seed"] = seed
    if exercise.choice:
        code = code.replace(exercise.choice, exercise.pattern.format(value))
    runs = []

    def recording(job):
        result = runner(job)
        runs.append(result)
        return result

    if exercise.one_job:
        return _grade_in_one_job(exercise, spec, code, runner)
    result = grade_submission(spec, code, runner=recording)
    return result, _metric(exercise, spec, code, runs)


@dataclass
class _OneJobResult:
    verdict: str
    score: float
    max_score: float
    tests: list


@dataclass
class _OneJobTest:
    name: str
    passed: bool


def _grade_in_one_job(exercise: Exercise, spec: dict, code: str, runner):
    """Static checks, then every test in one job, each judged as grading judges it."""
    from engine.results import static_rejection
    from engine.sandbox.api import RunStatus
    from engine.training.core import judge_run

    problem = prepare(spec)
    rejection = static_rejection(problem, code)
    if rejection:
        return _OneJobResult(str(rejection.verdict), 0, problem.max_score, []), math.inf
    job, n_setup, plans = build_job(problem, code, list(problem.tests))
    run = runner(job)
    if run.status != RunStatus.OK:
        return _OneJobResult(str(run.status), 0, problem.max_score, []), math.inf
    judged = judge_run(run, n_setup, plans, len(code.splitlines()))
    tests = [_OneJobTest(t.name, f is None) for t, f, _ in judged]
    score = sum(t.points for t, f, _ in judged if f is None)
    verdict = "AC" if all(t.passed for t in tests) else "WA"
    # The worst over every test of the metric's check, hidden ones included.
    metrics = [
        plan.metric(list(run.calls[where]))
        if not any(c.error is not None for c in run.calls[: where.stop])
        else math.inf
        for test, plan, where in plans
        if test.check == exercise.metric_check and plan.metric
    ]
    return _OneJobResult(verdict, score, problem.max_score, tests), max(metrics, default=math.inf)


def _metric(exercise: Exercise, spec: dict, code: str, runs: list) -> float:
    if not runs or len(runs[0].calls) == 0:
        return math.inf
    problem = prepare(spec)
    visible = [t for t in problem.tests if not t.hidden]
    job, _, plans = build_job(problem, code, visible)
    if len(runs[0].calls) != len(job.calls):
        return math.inf
    for test, plan, where in plans:
        if test.check == exercise.metric_check and plan.metric is not None:
            if any(c.error is not None for c in runs[0].calls[: where.stop]):
                return math.inf
            return plan.metric(list(runs[0].calls[where]))
    return math.inf


def sweep(slug: str, runner=None, log=None) -> list[Outcome]:
    exercise = EXERCISES[slug]
    spec = load_code_spec(CONTENT / exercise.path)
    outcomes = []
    for value, seed in exercise.combos():
        for name, kind, code in programs(spec):
            result, metric = grade_one(exercise, spec, code, value, seed, runner)
            outcome = Outcome(
                name,
                kind,
                value,
                seed,
                str(
                    result.verdict.value if isinstance(result.verdict, Verdict) else result.verdict
                ),
                result.score,
                result.max_score,
                metric,
                [t.name for t in result.tests if not t.passed],
            )
            outcomes.append(outcome)
            if log:
                log(outcome)
    return outcomes


def _spread(values: list[float]) -> str:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return "— (not measured)"
    text = f"{min(finite):.3f} / {statistics.median(finite):.3f} / {max(finite):.3f}"
    if len(finite) < len(values):
        text += f" ({len(values) - len(finite)} not measured)"
    return text


def table(slug: str, outcomes: list[Outcome]) -> str:
    """A markdown table: per program, verdicts over the sweep and the metric's spread."""
    exercise = EXERCISES[slug]
    spec = load_code_spec(CONTENT / exercise.path)
    threshold = next(
        (
            t["args"].get("threshold", t["args"].get("factor"))
            for t in spec["tests"]
            if t["check"] == exercise.metric_check and not t.get("hidden")
        ),
        None,
    )
    choice = (
        f"{exercise.choice.split(' =')[0]} in {list(exercise.values)} × " if exercise.choice else ""
    )
    rows = [
        f"`{slug}`: {len(exercise.combos())} combinations ({choice}"
        f"seeds {list(exercise.seeds)}); metric: "
        f"{exercise.metric} (`{exercise.metric_check}`), pass at ≤ {threshold}",
        "",
        "| program | kind | AC | metric min / median / max | tests failed (most often) |",
        "|---|---|---|---|---|",
    ]
    names = list(dict.fromkeys(o.program for o in outcomes))
    for name in names:
        mine = [o for o in outcomes if o.program == name]
        ac = sum(o.verdict == "AC" for o in mine)
        failed = [f for o in mine for f in o.failed]
        common = max(set(failed), key=failed.count) if failed else ""
        rows.append(
            f"| {name} | {mine[0].kind} | {ac}/{len(mine)} | {_spread([o.metric for o in mine])} "
            f"| {common} |"
        )
    return "\n".join(rows)


def _progress(o: Outcome) -> None:
    print(f"{o.program} {o.value} seed {o.seed}: {o.verdict} {o.metric:.4f}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    import torch

    torch.set_num_threads(1)  # one core, as the sandbox gives one grading
    if argv and argv[0] == "--tables":  # print the tables of the stored results only
        for slug in argv[1:] or list(EXERCISES):
            stored = json.loads((RESULTS / f"{slug}.json").read_text())
            outcomes = [Outcome(**o) for o in stored["outcomes"]]
            print(table(slug, outcomes))
            print(f"\n({len(outcomes)} gradings in {stored['seconds']:.0f} s)\n")
        return 0
    slugs = argv or list(EXERCISES)
    for slug in slugs:
        start = time.perf_counter()
        outcomes = sweep(slug, log=_progress)
        seconds = time.perf_counter() - start
        stored = {"seconds": round(seconds, 1), "outcomes": [asdict(o) for o in outcomes]}
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{slug}.json").write_text(json.dumps(stored, indent=1, default=str))
        print(table(slug, outcomes))
        print(f"\n({len(outcomes)} gradings in {seconds:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
