"""Proving a code problem before learners see it: its reference solution gets full marks
through the real grading path, and every mutant (a plausible wrong answer) is rejected."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils import timezone

from engine.grading import deliberate_shutdown

from .grading import grade_code, internal_error_result
from .models import Problem, ProblemKind, ProblemVersion
from .published import problem_learner_content_refresh


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


def _run(name: str, spec: dict, code: str, *, is_reference: bool) -> RunReport:
    try:
        result = grade_code(spec=spec, code=code, record_outputs=True)
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


def spec_validate(spec: dict) -> ValidationReport:
    """Run the reference and every mutant; the report says what failed, in sentences."""
    report = ValidationReport(ok=True)
    solution = _solution_source(spec)
    if solution is None:
        report.ok = False
        report.problems.append(
            "There is no reference solution to run: add `solution` (or a `reference: {code: ...}`)."
        )
        return report
    reference = _run("reference", spec, solution, is_reference=True)
    report.runs.append(reference)
    if not reference.ok:
        report.ok = False
        failing = [t["name"] for t in reference.tests if not t["passed"]]
        report.problems.append(
            f"The reference solution gets {reference.verdict} ({reference.score}/{reference.max_score}); "
            f"failing tests: {failing or 'none'}. {reference.message}".strip()
        )
    for mutant in spec.get("mutants", []):
        run = _run(mutant["name"], spec, mutant["code"], is_reference=False)
        report.runs.append(run)
        if not run.ok:
            report.ok = False
            report.problems.append(
                f"Mutant '{mutant['name']}' passes every test; add a test that rejects it."
            )
    for alternative in spec.get("alternatives", []):
        run = _run(alternative["name"], spec, alternative["code"], is_reference=True)
        report.runs.append(run)
        if not run.ok:
            report.ok = False
            failing = [t["name"] for t in run.tests if not t["passed"]]
            report.problems.append(
                f"Alternative '{alternative['name']}' is a correct solution but gets "
                f"{run.verdict} ({run.score}/{run.max_score}); failing tests: {failing or 'none'}. "
                f"Fix the grader or the tests so it gets full marks, or remove it if it is wrong. "
                f"{run.message}".strip()
            )
    if not spec.get("mutants"):
        report.problems.append("There are no mutants; add wrong answers the tests must reject.")
        report.ok = False
    return report


def problem_version_validate(*, version: ProblemVersion) -> ValidationReport:
    """Validate one version and record the result on it."""
    report = spec_validate(version.engine_spec)
    version.validation = report.to_dict()
    version.validated_at = timezone.now() if report.ok else None
    version.save(update_fields=["validation", "validated_at"])
    problem_learner_content_refresh(problem=version.problem)  # a proven edit is shown now
    return report


def problem_publish_if_proven(*, problem: Problem) -> bool:
    """Publish a proven problem. A code problem needs a validated version to grade against; a
    newer unvalidated edit waits while learners stay on the validated one."""
    proven = (
        problem.kind != ProblemKind.CODE
        or problem.versions.filter(validated_at__isnull=False).exists()
    )
    Problem.objects.filter(pk=problem.pk).update(is_published=proven)
    problem.is_published = proven
    return proven


def problem_version_validation_start(*, version: ProblemVersion) -> None:
    """Validate in the background (a worker, as grading does): a training exercise takes tens
    of seconds. The version shows `{"state": "running"}` until its report replaces it; a version
    validated before keeps grading learners meanwhile."""
    from .pipeline import run_in_background
    from .tasks import validate_version_task

    ProblemVersion.objects.filter(pk=version.pk).update(
        validation={"state": "running", "started_at": timezone.now().isoformat()}
    )
    run_in_background(
        task=validate_version_task,
        function=validate_version_by_id,
        object_id=version.pk,
        queue=version.queue,
    )


def validate_version_by_id(version_id: int) -> None:
    version = ProblemVersion.objects.select_related("problem").get(pk=version_id)
    problem_version_validate(version=version)


def validation_is_running(version: ProblemVersion | None) -> bool:
    return bool(version and (version.validation or {}).get("state") == "running")
