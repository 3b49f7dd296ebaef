"""Proving a code problem before learners see it: its reference solution gets full marks
through the real grading path, and every mutant (a plausible wrong answer) is rejected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils import timezone

from engine.grading import deliberate_shutdown

from .grading import grade_code, internal_error_result
from .models import ProblemVersion
from .published import problem_learner_content_refresh
from .validation_progress import ValidationProgressRecorder, ValidationStep


@dataclass
class RunReport:
    name: str  # "reference" or the mutant's name
    verdict: str
    score: float
    max_score: float
    tests: list[dict]
    ok: bool  # reference: full marks; mutant: rejected by at least one test
    message: str = ""
    # What it returned on the visible tests, as plain JSON (engine.diagnosis): the mutants'
    # let a learner's wrong answer be diagnosed as the misconception it behaves like.
    outputs: list | None = None


@dataclass
class ValidationReport:
    ok: bool
    runs: list[RunReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sentences for the author

    def to_dict(self) -> dict:
        return asdict(self)


def _solution_source(spec: dict) -> str | None:
    if spec.get("solution"):
        return spec["solution"]
    return (spec.get("reference") or {}).get("code")


def _run(name: str, spec: dict, code: str, *, is_reference: bool, progress=None) -> RunReport:
    try:
        result = grade_code(spec=spec, code=code, record_outputs=True, progress=progress)
    except BaseException as error:  # SystemExit included: the worker survives
        if deliberate_shutdown(error):
            raise
        result = internal_error_result(
            error, advice="fix the problem file or report it, then validate again."
        )
    if is_reference:
        ok = result["verdict"] == "AC" and result["score"] == result["max_score"] > 0
    else:
        ok = result["verdict"] != "AC"
    return RunReport(
        name=name,
        verdict=result["verdict"],
        score=result["score"],
        max_score=result["max_score"],
        tests=[
            {key: test.get(key) for key in ("name", "passed", "points", "message", "hidden")}
            for test in result.get("tests", [])
        ],
        ok=ok,
        message=result.get("message", ""),
        outputs=result.get("outputs"),
    )


def _steps(spec: dict) -> list[tuple[ValidationStep, str]]:
    """Every grading of a validation, in order, with the code it runs."""
    mutants = spec.get("mutants", [])
    alternatives = spec.get("alternatives", [])
    return [
        (ValidationStep("reference", "reference", 1, 1), _solution_source(spec) or ""),
        *(
            (ValidationStep("mutant", mutant["name"], index, len(mutants)), mutant["code"])
            for index, mutant in enumerate(mutants, start=1)
        ),
        *(
            (ValidationStep("alternative", entry["name"], index, len(alternatives)), entry["code"])
            for index, entry in enumerate(alternatives, start=1)
        ),
    ]


def _problem_of(step: ValidationStep, run: RunReport) -> str:
    """The sentence for the author when a run is not what it should be."""
    failing = [t["name"] for t in run.tests if not t["passed"]]
    if step.kind == "reference":
        return (
            f"The reference solution gets {run.verdict} ({run.score}/{run.max_score}); "
            f"failing tests: {failing or 'none'}. {run.message}".strip()
        )
    if step.kind == "mutant":
        return f"Mutant '{step.name}' passes every test; add a test that rejects it."
    return (
        f"Alternative '{step.name}' is a correct solution but gets "
        f"{run.verdict} ({run.score}/{run.max_score}); failing tests: {failing or 'none'}. "
        f"Fix the grader or the tests so it gets full marks, or remove it if it is wrong. "
        f"{run.message}".strip()
    )


def spec_validate(
    spec: dict, *, progress: ValidationProgressRecorder | None = None
) -> ValidationReport:
    """Run the reference, every mutant and every alternative; the report says what failed,
    in sentences. `progress` (if given) records each grading as it starts and ends."""
    report = ValidationReport(ok=True)
    no_solution = _solution_source(spec) is None
    steps = [] if no_solution else _steps(spec)
    if progress is not None:
        progress.start(total=len(steps))
    if no_solution:
        report.ok = False
        report.problems.append(
            "There is no reference solution to run: add `solution` (or a `reference: {code: ...}`)."
        )
        return report
    for step, code in steps:
        if progress is not None:
            progress.step_started(step)
        run = _run(
            step.name,
            spec,
            code,
            is_reference=step.kind != "mutant",
            progress=progress.training if progress is not None else None,
        )
        report.runs.append(run)
        if not run.ok:
            report.ok = False
            report.problems.append(_problem_of(step, run))
        if progress is not None:
            progress.step_finished(step, ok=run.ok, verdict=run.verdict)
    if not spec.get("mutants"):
        report.problems.append("There are no mutants; add wrong answers the tests must reject.")
        report.ok = False
    return report


def problem_version_validate(
    *, version: ProblemVersion, progress: ValidationProgressRecorder | None = None
) -> ValidationReport:
    """Validate one version and record the result on it; its progress goes to the cache
    (validation_progress) as it runs, for the admin's progress bar."""
    progress = progress or ValidationProgressRecorder(version_id=version.pk)
    report = spec_validate(version.engine_spec, progress=progress)
    version.validation = report.to_dict()
    version.validated_at = timezone.now() if report.ok else None
    version.save(update_fields=["validation", "validated_at"])
    problem_learner_content_refresh(problem=version.problem)  # a proven edit is shown now
    progress.finish(ok=report.ok)  # after the report is saved: "passed" links to it
    return report


def validate_version_by_id(version_id: int) -> None:
    version = ProblemVersion.objects.select_related("problem").get(pk=version_id)
    problem_version_validate(version=version)
